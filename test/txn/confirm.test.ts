import test from 'ava';

import { ConfigStore, TransactionManager, TxnError, type RevisionInfo } from '../../src/txn';
import { alice, bob, FakeApplier, rig, sleep, waitFor } from './helpers';

test('commit confirmed, not confirmed: the previous revision runs again within timeout + 2 s, by a table swap', async (t) => {
  const { manager, store, applier } = await rig(t);
  const rollbacks: [RevisionInfo, string][] = [];
  manager.on('rollback', (info, reason) => rollbacks.push([info, reason]));
  const base = store.running();
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const started = Date.now();
  const info = await s.commit({ comment: 'risky', confirmedSeconds: 1 });
  t.is(info.confirm, 'pending');
  t.true(info.confirmDeadline! >= info.at + 1000);
  t.deepEqual(manager.pendingConfirm(), info);

  const rolledBack = await waitFor(() => rollbacks.length > 0, 1000 + 2000 - (Date.now() - started));
  t.true(rolledBack, 'rolled back within timeout + 2 s');
  const now = store.running();
  t.like(now.info, { number: 3, kind: 'auto-rollback', confirm: 'none', user: 'cix', remote: 'local' });
  t.deepEqual(now.config, base.config);
  // The only thing asked of the data plane: apply revision 2, then apply the old configuration as revision 3.
  t.deepEqual(
    applier.calls.map((c) => [c.revision, c.config.ports[0]!.mtu]),
    [
      [2, 1400],
      [3, undefined],
    ],
  );
  t.deepEqual(applier.calls[1]!.config, base.config);
  t.like(store.get(2).info, { confirm: 'rolled-back' });
  t.is(store.get(2).info.confirmDeadline, undefined);
  t.is(manager.pendingConfirm(), undefined);
  t.is(rollbacks.length, 1);
  t.regex(rollbacks[0]![1], /not confirmed/);
});

test('commit confirmed, then confirmed by a plain commit of the same user: it stays', async (t) => {
  const { manager, store, applier } = await rig(t);
  const confirms: RevisionInfo[] = [];
  manager.on('confirm', (info) => confirms.push(info));
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  await s.commit({ confirmedSeconds: 2 });
  // A later `cix ctl commit` is a new session of the same user.
  const info = await manager.openSession(alice).commit({});
  t.like(info, { number: 2, confirm: 'confirmed' });
  t.is(info.confirmDeadline, undefined);
  t.is(manager.pendingConfirm(), undefined);
  t.deepEqual(confirms, [info]);
  await sleep(3000);
  t.is(store.running().info.number, 2);
  t.is(store.running().config.ports[0]!.mtu, 1400);
  t.is(applier.calls.length, 1);
  const err = await t.throwsAsync(manager.openSession(alice).commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_NO_CHANGES', 'nothing left to confirm');
});

test('a second commit confirmed while pending extends the deadline (Junos semantics)', async (t) => {
  const { manager, store } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const first = await s.commit({ confirmedSeconds: 2 });
  await sleep(300);
  const extended = await manager.openSession(alice).commit({ confirmedSeconds: 5 });
  t.is(extended.number, 2);
  t.is(extended.confirm, 'pending');
  t.true(extended.confirmDeadline! >= first.confirmDeadline! + 3000);
  await sleep(2700); // well past the first deadline
  t.is(store.running().info.number, 2, 'not rolled back at the first deadline');
  t.true(await waitFor(() => store.running().info.kind === 'auto-rollback', extended.confirmDeadline! - Date.now() + 2000));
});

test('commit confirmed with changes while pending: still one pending commit, rollback goes to before the first', async (t) => {
  const { manager, store } = await rig(t);
  const base = store.running().config;
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  await s.commit({ confirmedSeconds: 2 });
  s.set('ports[cloud0].mtu', 8000);
  const second = await s.commit({ confirmedSeconds: 2 });
  t.like(second, { number: 3, confirm: 'pending' });
  let rolledBack = false;
  manager.on('rollback', () => (rolledBack = true));
  t.true(await waitFor(() => rolledBack, 4500));
  t.is(store.running().info.kind, 'auto-rollback');
  t.deepEqual(store.running().config, base);
  t.like(store.get(2).info, { confirm: 'rolled-back' });
  t.like(store.get(3).info, { confirm: 'rolled-back' });
});

test('a plain commit with changes confirms the pending one', async (t) => {
  const { manager, store } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  await s.commit({ confirmedSeconds: 2 });
  s.set('ports[cloud0].mtu', 8000);
  const info = await s.commit({ comment: 'and more' });
  t.like(info, { number: 3, confirm: 'none' });
  t.like(store.get(2).info, { confirm: 'confirmed' });
  await sleep(2500);
  t.is(store.running().info.number, 3);
});

test("another user's commit is refused while a commit confirmed is pending; a rollback ends it", async (t) => {
  const { manager, store } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  await s.commit({ confirmedSeconds: 60 });
  const b = manager.openSession(bob);
  b.set('ports[cloud0].mtu', 8000);
  const err = await t.throwsAsync(b.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_CONFIRM_PENDING');
  t.regex(err!.message, /alice/);
  const empty = await t.throwsAsync(manager.openSession(bob).commit({}), { instanceOf: TxnError });
  t.is(empty?.code, 'TXN_CONFIRM_PENDING', 'only its author confirms it');

  const rb = await manager.rollback(bob, 1, 'undo alice');
  t.like(rb, { number: 3, kind: 'rollback' });
  t.is(manager.pendingConfirm(), undefined);
  t.like(store.get(2).info, { confirm: 'rolled-back' });
  t.is((await b.commit({})).number, 4, "bob's candidate goes through now");
});

test('the default time of commit confirmed is 600 s; out-of-range times are refused', async (t) => {
  let clock = 1_700_000_000_000;
  const { manager } = await rig(t, { manager: { now: () => clock } });
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const info = await s.commit({ confirmed: true });
  t.is(info.confirmDeadline, clock + 600_000);
  clock += 1000;
  const e = await t.throwsAsync(manager.openSession(alice).commit({ confirmedSeconds: -5 }), { instanceOf: TxnError });
  t.is(e?.code, 'TXN_VALIDATION');
  t.is(e?.issues[0]?.path, 'confirmed_seconds');
});

test('a pending commit confirmed survives a restart: re-armed, or rolled back at once when its deadline passed', async (t) => {
  const { dir, manager, store } = await rig(t);
  const base = store.running().config;
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const info = await s.commit({ confirmedSeconds: 30 });
  await manager.close();

  // Restart before the deadline: still pending, re-armed.
  const store2 = await ConfigStore.open(dir);
  const m2 = new TransactionManager(store2, new FakeApplier());
  await m2.start();
  t.like(m2.pendingConfirm(), { number: 2, confirm: 'pending', confirmDeadline: info.confirmDeadline });
  t.is(t.throws(() => manager.openSession(bob), { instanceOf: TxnError })?.code, 'TXN_CLOSED', 'the old manager is closed');
  await m2.close();

  // Restart after the deadline: rolled back during start().
  const store3 = await ConfigStore.open(dir);
  const applier3 = new FakeApplier();
  const m3 = new TransactionManager(store3, applier3, { now: () => info.confirmDeadline! + 1 });
  t.teardown(() => m3.close());
  await m3.start();
  t.like(store3.running().info, { number: 3, kind: 'auto-rollback' });
  t.deepEqual(store3.running().config, base);
  t.deepEqual(
    applier3.calls.map((c) => c.revision),
    [3],
  );
  t.like(store3.get(2).info, { confirm: 'rolled-back' });
});
