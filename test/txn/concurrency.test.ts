import test from 'ava';

import { TxnError, type Principal, type RevisionInfo } from '../../src/txn';
import { alice, bob, rig } from './helpers';

test('commits from concurrent sessions are serialized: no lost update, numbers strictly increasing, one apply at a time', async (t) => {
  const { manager, store, applier } = await rig(t);
  applier.delayMs = 15;
  const order: number[] = [];
  manager.on('commit', (info) => order.push(info.number));
  const sessions = Array.from({ length: 8 }, (_, i) => {
    const p: Principal = { user: `user${i}`, role: 'operator', remote: `127.0.0.1:${41000 + i}` };
    const s = manager.openSession(p);
    // Every session starts from revision 1 and adds its own port and attachment.
    s.set(`ports[p${i}]`, { mtu: 1500 + i });
    s.set(`attachments[a${i}]`, { port: `p${i}`, untagged: {} });
    return s;
  });
  const done: RevisionInfo[] = [];
  const infos = await Promise.all(sessions.map((s, i) => s.commit({ comment: `session ${i}` }).then((info) => (done.push(info), info))));
  t.deepEqual(
    infos.map((i) => i.number).sort((a, b) => a - b),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  const inOrder = done.map((i) => i.number);
  t.deepEqual(inOrder, [...inOrder].sort((a, b) => a - b), 'completion order = number order');
  t.deepEqual(order, inOrder);
  t.is(applier.maxActive, 1, 'the applier never ran twice at once');
  t.deepEqual(
    applier.calls.map((c) => c.revision),
    inOrder,
  );
  const running = store.running().config;
  for (let i = 0; i < 8; i++) {
    t.truthy(running.ports.find((p) => p.name === `p${i}` && p.mtu === 1500 + i), `port p${i} kept`);
    t.truthy(running.attachments.find((a) => a.name === `a${i}`), `attachment a${i} kept`);
  }
});

test('a candidate from an older running revision is carried onto the new one when the changes do not meet', async (t) => {
  const { manager, store } = await rig(t);
  const a = manager.openSession(alice);
  const b = manager.openSession(bob);
  a.set('ports[cust0].mtu', 1400);
  b.set('ports[cust1]', {});
  b.set('attachments[cust-b]', { port: 'cust1', untagged: {} });
  b.set('attachments[cloud-b]', { port: 'cloud0', vlan: { outer: { vid: 300 } } });
  b.set('services[xc-b]', { xconnect: { endpoints: ['cust-b', 'cloud-b'] } });
  await a.commit({ comment: 'mtu' });
  // Bob's view now holds alice's change under his own.
  t.is(b.candidate().ports[0]!.mtu, 1400);
  t.false(b.diff().lines.some((l) => l.path.startsWith('ports[cust0]')));
  await b.commit({ comment: 'customer b' });
  const running = store.running().config;
  t.is(running.ports[0]!.mtu, 1400);
  t.deepEqual(
    running.services.map((s) => s.name),
    ['xc-a', 'xc-b'],
  );
});

test('the same place changed differently by two sessions: the later commit is TXN_CONFLICT, running keeps the first', async (t) => {
  const { manager, store } = await rig(t);
  const a = manager.openSession(alice);
  const b = manager.openSession(bob);
  a.set('ports[cust0].mtu', 1400);
  b.set('ports[cust0].mtu', 1300);
  b.set('ports[cloud0].mtu', 8000);
  await a.commit({});
  const err = await t.throwsAsync(b.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_CONFLICT');
  t.deepEqual(
    err?.issues.map((i) => i.path),
    ['ports[cust0].mtu'],
  );
  t.regex(err!.issues[0]!.message, /revision 2 \(alice\)/);
  t.is(store.running().config.ports[0]!.mtu, 1400);
  t.is(store.running().config.ports[1]!.mtu, 9000);
  // After a discard, bob edits from what runs now.
  b.discard();
  b.set('ports[cloud0].mtu', 8000);
  t.is((await b.commit({})).number, 3);
});

test('a deleted item that another session changed is a conflict; the same change twice is not', async (t) => {
  const { manager } = await rig(t);
  const a = manager.openSession(alice);
  const b = manager.openSession(bob);
  a.delete('services[xc-a]');
  a.delete('attachments[cust-a]');
  b.set('attachments[cust-a].vlan.outer.vid', 201);
  await a.commit({});
  const err = await t.throwsAsync(b.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_CONFLICT');
  t.deepEqual(
    err?.issues.map((i) => i.path),
    ['attachments[cust-a].vlan.outer.vid'],
  );

  const c = manager.openSession(alice);
  const d = manager.openSession(bob);
  c.set('ports[cloud0].mtu', 8000);
  d.set('ports[cloud0].mtu', 8000);
  await c.commit({});
  const same = await t.throwsAsync(d.commit({}), { instanceOf: TxnError });
  t.is(same?.code, 'TXN_NO_CHANGES');
});

test('a reorder is carried over too, and clashes only with a change of the same list', async (t) => {
  const { manager, store } = await rig(t);
  const a = manager.openSession(alice);
  const b = manager.openSession(bob);
  const reversed = { ...store.running().config, ports: [...store.running().config.ports].reverse() };
  a.load(JSON.stringify(reversed), { format: 'json', mode: 'replace' });
  t.deepEqual(a.diff().lines, [{ op: '~', path: 'ports', from: ['cust0', 'cloud0'], to: ['cloud0', 'cust0'], order: true }]);
  t.regex(a.diff().text, /ports \(order\) cloud0 cust0/);
  b.set('ports[cust0].mtu', 1400);
  await b.commit({});
  await a.commit({});
  t.deepEqual(
    store.running().config.ports.map((p) => [p.name, p.mtu]),
    [
      ['cloud0', 9000],
      ['cust0', 1400],
    ],
  );

  const c = manager.openSession(alice);
  const d = manager.openSession(bob);
  c.set('ports[p9]', {});
  d.load(JSON.stringify({ ...store.running().config, ports: [...store.running().config.ports].reverse() }), { format: 'json', mode: 'replace' });
  await c.commit({});
  const err = await t.throwsAsync(d.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_CONFLICT');
});
