import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigStore, StateFiles, TxnError, type RevisionInfo } from '../../src/txn';
import { alice, bob, rig } from './helpers';

function files(dir: string): string[] {
  return fs.readdirSync(path.join(dir, 'revisions')).sort();
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files(dir)) out[f] = fs.readFileSync(path.join(dir, 'revisions', f), 'utf8');
  out.current = fs.readFileSync(path.join(dir, 'current'), 'utf8');
  out.audit = fs.existsSync(path.join(dir, 'audit.log')) ? fs.readFileSync(path.join(dir, 'audit.log'), 'utf8') : '';
  return out;
}

test('commit: applied, persisted, audited, announced; reopening finds it', async (t) => {
  const { dir, manager, store, applier } = await rig(t);
  const seen: RevisionInfo[] = [];
  manager.on('commit', (info, diff) => {
    seen.push(info);
    t.deepEqual(diff.lines, [{ op: '~', path: 'ports[cloud0].mtu', from: 9000, to: 9100 }]);
  });
  const s = manager.openSession(alice);
  s.set('ports[cloud0].mtu', 9100);
  const info = await s.commit({ comment: 'jumbo+' });
  t.like(info, { number: 2, user: 'alice', remote: '127.0.0.1:40001', comment: 'jumbo+', kind: 'commit', confirm: 'none' });
  t.deepEqual(
    applier.calls.map((c) => [c.revision, c.config.ports[1]!.mtu]),
    [[2, 9100]],
  );
  t.deepEqual(seen, [info]);
  t.deepEqual(s.diff().lines, [], 'the session follows running again');
  t.is(store.running().info.number, 2);

  await manager.close();
  const again = await ConfigStore.open(dir);
  t.deepEqual(again.running(), store.running());
  t.deepEqual(
    again.history().map((i) => i.number),
    [2, 1],
  );
  const audit = fs
    .readFileSync(path.join(dir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.like(audit.at(-1), { event: 'commit', revision: 2, user: 'alice', remote: '127.0.0.1:40001', role: 'operator', comment: 'jumbo+' });
  t.is((audit.at(-1)!.diff as { text: string }).text, '[edit ports[cloud0]]\n-   mtu 9000\n+   mtu 9100\n');
});

test('commit with nothing changed is TXN_NO_CHANGES', async (t) => {
  const { manager, applier } = await rig(t);
  const s = manager.openSession(alice);
  const err = await t.throwsAsync(s.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_NO_CHANGES');
  s.set('ports[cust0].mtu', 1500);
  s.delete('ports[cust0].mtu');
  const err2 = await t.throwsAsync(s.commit({}), { instanceOf: TxnError });
  t.is(err2?.code, 'TXN_NO_CHANGES');
  t.is(applier.calls.length, 0);
});

test('the data plane refuses: TXN_APPLY_FAILED, nothing persisted, running unchanged', async (t) => {
  const { dir, manager, store, applier } = await rig(t);
  const before = snapshot(dir);
  applier.refuse = () => true;
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 2000);
  const err = await t.throwsAsync(s.commit({ comment: 'no' }), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_APPLY_FAILED');
  t.deepEqual(snapshot(dir), before);
  t.is(store.running().info.number, 1);
  t.is(store.running().config.ports[0]!.mtu, undefined);
  t.is(applier.calls.length, 0);

  // The candidate is kept: once the data plane takes it, the commit goes through as revision 2.
  applier.refuse = () => false;
  const info = await s.commit({ comment: 'yes' });
  t.is(info.number, 2);
});

/** Fails every write of the file whose name ends with `suffix` while `on` is set. */
class FailingFiles extends StateFiles {
  on = false;
  constructor(private readonly suffix: string) {
    super();
  }
  override async writeAtomic(file: string, data: string): Promise<void> {
    if (this.on && file.endsWith(this.suffix)) throw Object.assign(new Error(`EIO: injected, write ${path.basename(file)}`), { code: 'EIO' });
    return super.writeAtomic(file, data);
  }
}

for (const suffix of ['current', '.json']) {
  test(`persisting fails (${suffix === 'current' ? 'the current pointer' : 'the revision file'}): data plane restored, running unchanged`, async (t) => {
    const faulty = new FailingFiles(suffix);
    const { dir, manager, store, applier } = await rig(t, { store: { files: faulty } });
    const s0 = manager.openSession(alice);
    s0.set('ports[cust0].mtu', 1400);
    await s0.commit({ comment: 'ok' });
    const before = snapshot(dir);

    faulty.on = true;
    const s = manager.openSession(bob);
    s.set('ports[cust0].mtu', 2000);
    const err = await t.throwsAsync(s.commit({ comment: 'disk' }), { instanceOf: TxnError });
    t.is(err?.code, 'TXN_PERSIST_FAILED');
    t.regex(err!.message, /EIO: injected/);
    // Applied, then the previous revision applied again.
    t.deepEqual(
      applier.calls.map((c) => [c.revision, c.config.ports[0]!.mtu]),
      [
        [2, 1400],
        [3, 2000],
        [2, 1400],
      ],
    );
    t.is(store.running().info.number, 2);
    t.deepEqual(snapshot(dir), before);

    faulty.on = false;
    const info = await s.commit({ comment: 'disk ok' });
    t.true(info.number > 3, 'a number the data plane has seen is not handed out again');
    await manager.close();
    const again = await ConfigStore.open(dir);
    t.is(again.running().config.ports[0]!.mtu, 2000);
  });
}

test('persisting fails on a real read-only directory (chattr +i): restored, unchanged', async (t) => {
  const { dir, manager, store, applier } = await rig(t);
  const revisions = path.join(dir, 'revisions');
  const lock = spawnSync('chattr', ['+i', revisions], { encoding: 'utf8' });
  if (lock.status !== 0) {
    t.log(`chattr +i not possible here (${lock.stderr.trim()}); the injected failures above cover this`);
    t.pass();
    return;
  }
  // Runs before the temporary directory is removed (teardowns run last-in first-out).
  t.teardown(() => void spawnSync('chattr', ['-i', revisions]));
  try {
    const s = manager.openSession(alice);
    s.set('ports[cust0].mtu', 2000);
    const err = await t.throwsAsync(s.commit({}), { instanceOf: TxnError });
    t.is(err?.code, 'TXN_PERSIST_FAILED');
    t.deepEqual(
      applier.calls.map((c) => c.revision),
      [2, 1],
    );
    t.is(store.running().info.number, 1);
    t.deepEqual(files(dir), ['r0000000001.json']);
  } finally {
    spawnSync('chattr', ['-i', revisions]);
  }
});

test('rollback N: revision N runs again as a new revision; compare N M', async (t) => {
  const { manager, store, applier } = await rig(t);
  const reasons: string[] = [];
  manager.on('rollback', (_info, reason) => reasons.push(reason));
  const s = manager.openSession(alice);
  for (const mtu of [1400, 1300, 1200]) {
    s.set('ports[cust0].mtu', mtu);
    await s.commit({ comment: `mtu ${mtu}` });
  }
  t.deepEqual(manager.compare(2, 4).lines, [{ op: '~', path: 'ports[cust0].mtu', from: 1400, to: 1200 }]);
  t.deepEqual(manager.compare(1, 2).lines, [{ op: '+', path: 'ports[cust0].mtu', to: 1400 }]);

  const info = await manager.rollback(bob, 2);
  t.like(info, { number: 5, kind: 'rollback', user: 'bob', comment: 'rollback to revision 2', confirm: 'none' });
  t.deepEqual(store.running().config, store.get(2).config);
  t.deepEqual(applier.calls.at(-1), { revision: 5, config: store.get(2).config });
  t.deepEqual(reasons, ['rollback to revision 2 by bob']);

  const same = await t.throwsAsync(manager.rollback(bob, 5), { instanceOf: TxnError });
  t.is(same?.code, 'TXN_NO_CHANGES');
  const nf = await t.throwsAsync(manager.rollback(bob, 99), { instanceOf: TxnError });
  t.is(nf?.code, 'TXN_NOT_FOUND');
  t.is(t.throws(() => manager.compare(1, 99), { instanceOf: TxnError })?.code, 'TXN_NOT_FOUND');
});

test('at least 50 revisions kept: 100 by default, older pruned, rollback beyond is TXN_NOT_FOUND', async (t) => {
  const { dir, manager, store } = await rig(t);
  const s = manager.openSession(alice);
  for (let i = 0; i < 110; i++) {
    s.set('ports[cust0].mtu', 1000 + i);
    await s.commit({ comment: `c${i}` });
  }
  const h = store.history();
  t.is(h.length, 100);
  t.is(h[0]!.number, 111);
  t.is(h.at(-1)!.number, 12);
  t.is(files(dir).length, 100);
  t.is(store.get(12).config.ports[0]!.mtu, 1010);
  t.is(t.throws(() => store.get(11), { instanceOf: TxnError })?.code, 'TXN_NOT_FOUND');
  const err = await t.throwsAsync(manager.rollback(alice, 5), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_NOT_FOUND');
  await manager.rollback(alice, 12);
  t.is(store.running().config.ports[0]!.mtu, 1010);

  await manager.close();
  const again = await ConfigStore.open(dir, undefined, { retain: 50 });
  t.is(again.history().length, 50);
  t.is(files(dir).length, 50);
  await t.throwsAsync(ConfigStore.open(dir, undefined, { retain: 49 }), { instanceOf: RangeError });
});

test('a state directory with no revision and no initial configuration is refused', async (t) => {
  const dir = fs.mkdtempSync('/tmp/cix-txn-empty-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const err = await t.throwsAsync(ConfigStore.open(dir));
  t.is((err as { code?: string }).code, 'CIX_STATE_EMPTY');
});
