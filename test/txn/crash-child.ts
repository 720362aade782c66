/**
 * The child of crash.test.ts (not a test itself): commits, rollbacks and
 * commit-confirmed on a state directory as fast as it can, telling the parent
 * on stdout what it is about to commit (`intent N HASH`) and what was
 * acknowledged (`ack N HASH`), until the parent kills it with SIGKILL.
 *
 *     node crash-child.js STATE_DIR SEED
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

import type { Config } from '../../src/config';
import { ConfigStore, TransactionManager, type Principal } from '../../src/txn';
import { stableStringify } from '../../src/txn/json';
import { baseDoc, checked } from './helpers';

const MAX_OPS = 100_000;
const MAX_MS = 30_000;

export function configHash(c: Config): string {
  return createHash('sha256').update(stableStringify(c)).digest('hex').slice(0, 16);
}

// Unbuffered: a line written is a line the parent can read, whenever the kill comes.
function say(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

// Small deterministic PRNG (mulberry32): a failing round can be replayed by its seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const [dir, seedText] = process.argv.slice(2);
  if (!dir) throw new Error('usage: crash-child STATE_DIR SEED');
  const random = prng(Number(seedText ?? 1));
  const me: Principal = { user: 'crash', role: 'operator', remote: 'local' };
  const store = await ConfigStore.open(dir, { config: checked(baseDoc()), user: 'crash', comment: 'initial' });
  // A data plane that takes a little while, so kills land in every step of a commit.
  const applier = { apply: () => new Promise<void>((r) => setImmediate(r)) };
  const manager = new TransactionManager(store, applier);
  await manager.start();
  say(`ready ${store.running().info.number}`);
  const end = Date.now() + MAX_MS;

  for (let op = 0; op < MAX_OPS && Date.now() < end; op++) {
    const r = random();
    const running = store.running();
    const n = store.nextNumber();
    try {
      if (r < 0.1 && store.history().length > 1) {
        const kept = store.history().filter((i) => i.number !== running.info.number);
        const target = kept[Math.floor(random() * kept.length)]!.number;
        const cfg = store.get(target).config;
        if (configHash(cfg) === configHash(running.config)) continue;
        say(`intent ${n} ${configHash(cfg)}`);
        await manager.rollback(me, target, `rollback ${target}`);
        say(`ack ${n} ${configHash(cfg)}`);
        continue;
      }
      const s = manager.openSession(me);
      let mtu = 68 + Math.floor(random() * 9000);
      if (mtu === running.config.ports[0]!.mtu) mtu++;
      s.set('ports[cust0].mtu', mtu);
      if (r < 0.3) s.set(`attachments[x${op}]`, { port: 'cust0', vlan: { outer: { vid: 1 + (op % 4000) } } });
      else if (r < 0.4 && running.config.attachments.length > 2) s.delete(`attachments[${running.config.attachments.at(-1)!.name}]`);
      if (s.validate().length > 0) continue; // a random VID may clash with another attachment's
      const cfg = s.candidate();
      say(`intent ${n} ${configHash(cfg)}`);
      await s.commit({ comment: `op ${op}`, confirmedSeconds: r > 0.9 ? 3600 : undefined });
      say(`ack ${n} ${configHash(cfg)}`);
    } catch (err: unknown) {
      say(`error ${err instanceof Error ? err.stack : String(err)}`);
      process.exit(3);
    }
  }
  await manager.close();
  say('done');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    say(`error ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(3);
  });
}
