import test from 'ava';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigStore, TransactionManager, type AuditEntry } from '../../src/txn';
import { tempDir } from '../helpers/cli';
import { configHash } from './crash-child';
import { FakeApplier } from './helpers';

const CHILD = path.join(__dirname, 'crash-child.js');
const ROUNDS = 8;

interface Round {
  acks: Map<number, string>;
  intents: Map<number, string>;
  errors: string[];
  lines: number;
}

/**
 * Runs the child on `dir` and kills it with SIGKILL `killAfterMs` after it
 * started, or after it said it is ready (`fromReady`: surely in its commits).
 */
function round(dir: string, seed: number, killAfterMs: number, fromReady: boolean): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r: Round = { acks: new Map(), intents: new Map(), errors: [], lines: 0 };
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        r.lines++;
        const [kind, n, hash] = line.split(' ');
        if (kind === 'ready' && fromReady) killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        else if (kind === 'ack') r.acks.set(Number(n), hash!);
        else if (kind === 'intent') r.intents.set(Number(n), hash!);
        else if (kind === 'error') r.errors.push(line);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let killer = fromReady ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    // Bounded: the child stops by itself after 30 s; this is the test's own limit.
    const guard = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      clearTimeout(guard);
      if (signal !== 'SIGKILL' && code !== 0) r.errors.push(`exit ${code}: ${stderr.slice(-2000)}`);
      resolve(r);
    });
  });
}

test('kill -9 at random moments loses no acknowledged commit; history intact; every audit line parses', async (t) => {
  const dir = tempDir(t, 'cix-txn-crash-');
  /** Hash of every revision number the child acknowledged, over all rounds. */
  const acked = new Map<number, string>();
  let lastAck = 0;
  let totalAcks = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const seed = 1000 + i;
    // Odd rounds: from before the child is up (kills during open and start)
    // to well into its commits; even rounds: always during its commits.
    const fromReady = i % 2 === 0;
    const killAfter = fromReady ? 20 + Math.floor(Math.random() * 400) : 60 + Math.floor(Math.random() * 900);
    const r = await round(dir, seed, killAfter, fromReady);
    t.deepEqual(r.errors, [], `round ${i} (seed ${seed})`);
    for (const [n, h] of r.acks) acked.set(n, h);
    totalAcks += r.acks.size;
    const roundLast = Math.max(0, ...r.acks.keys());
    lastAck = Math.max(lastAck, roundLast);

    if (!fs.existsSync(path.join(dir, 'current'))) {
      t.is(lastAck, 0, 'nothing acknowledged before the first revision existed');
      continue;
    }
    const store = await ConfigStore.open(dir);
    const running = store.running();
    const n = running.info.number;
    // Running is the last acknowledged revision, or the one in flight when
    // the kill came (committed, not yet acknowledged): never older.
    t.log(`round ${i}: killed ${killAfter} ms after ${fromReady ? 'ready' : 'start'}, ${r.acks.size} acks, running ${n}${n === lastAck ? '' : ' (the commit in flight)'}`);
    if (n === lastAck) {
      t.is(configHash(running.config), String(acked.get(n)), `round ${i}: running = last ack ${n}`);
    } else {
      t.is(n, lastAck + 1, `round ${i}: running ${n}, last ack ${lastAck}`);
      t.is(configHash(running.config), String(r.intents.get(n)), `round ${i}: running is the commit in flight`);
      acked.set(n, r.intents.get(n)!); // the next round builds on it
      lastAck = n;
    }
    // History: numbers contiguous, newest first, each revision the configuration acknowledged for it.
    const history = store.history();
    history.forEach((info, k) => {
      if (k > 0) t.is(info.number, history[k - 1]!.number - 1, `round ${i}: history contiguous`);
      const h = acked.get(info.number);
      if (h !== undefined) t.is(configHash(store.get(info.number).config), h, `round ${i}: revision ${info.number}`);
    });
    t.is(history[0]!.number, n);
    // Only whole revision files, no temporary leftovers.
    for (const name of fs.readdirSync(path.join(dir, 'revisions'))) t.regex(name, /^r\d{10}\.json$/);
    // Audit: every complete line parses (the last one may be torn by the kill).
    const log = auditText(dir);
    const complete = log.slice(0, log.lastIndexOf('\n') + 1);
    for (const line of complete.split('\n').filter((l) => l !== '')) t.notThrows(() => JSON.parse(line), `round ${i}: audit line`);
  }
  t.true(totalAcks > 0, 'the child got commits done between kills');
  t.log(`${ROUNDS} rounds, ${totalAcks} acknowledged commits, running revision ${lastAck}`);

  // A start after the last kill repairs the audit log: every line parses and
  // every kept revision has its line.
  const store = await ConfigStore.open(dir);
  const manager = new TransactionManager(store, new FakeApplier());
  await manager.start();
  await manager.close();
  const entries = auditText(dir)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEntry);
  const logged = new Set(entries.filter((e) => e.event !== 'confirm' && e.event !== 'extend').map((e) => e.revision));
  for (const info of store.history()) t.true(logged.has(info.number), `revision ${info.number} audited`);
  t.true(auditText(dir).endsWith('\n'));
});

function auditText(dir: string): string {
  return fs.readFileSync(path.join(dir, 'audit.log'), 'utf8');
}
