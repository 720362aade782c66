import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigStore, TransactionManager, type AuditEntry } from '../../src/txn';
import { alice, bob, FakeApplier, rig } from './helpers';

function lines(dir: string): string[] {
  return fs.readFileSync(path.join(dir, 'audit.log'), 'utf8').split('\n').filter((l) => l !== '');
}

test('every change is one audit line: who, when, from where, comment, diff', async (t) => {
  const { dir, manager } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const c = await s.commit({ comment: 'smaller', confirmedSeconds: 60 });
  await manager.openSession(alice).commit({}); // confirm
  const r = await manager.rollback(bob, 1, 'back');
  const entries = lines(dir).map((l) => JSON.parse(l) as AuditEntry);
  t.deepEqual(
    entries.map((e) => [e.event, e.revision, e.user]),
    [
      ['initial', 1, 'setup'],
      ['commit', 2, 'alice'],
      ['confirm', 2, 'alice'],
      ['rollback', 3, 'bob'],
    ],
  );
  const commit = entries[1]!;
  t.like(commit, { remote: alice.remote, role: 'operator', comment: 'smaller', confirm: 'pending', confirmDeadline: c.confirmDeadline, at: c.at });
  t.is(commit.time, new Date(c.at).toISOString());
  t.deepEqual(commit.diff.lines, [{ op: '+', path: 'ports[cust0].mtu', to: 1400 }]);
  t.like(entries[3], { remote: bob.remote, comment: 'back', at: r.at });
  t.deepEqual(entries[3]!.diff.lines, [{ op: '-', path: 'ports[cust0].mtu', from: 1400 }]);
});

test('a torn last line is cut off and lines a crash lost are written again on start', async (t) => {
  const { dir, manager } = await rig(t);
  const s = manager.openSession(alice);
  for (const mtu of [1400, 1300, 1200]) {
    s.set('ports[cust0].mtu', mtu);
    await s.commit({ comment: `mtu ${mtu}` });
  }
  await manager.close();
  // As if the process died after committing revision 4 but before its audit
  // line was complete: the line is half there.
  const all = lines(dir);
  fs.writeFileSync(path.join(dir, 'audit.log'), `${all.slice(0, -1).join('\n')}\n${all.at(-1)!.slice(0, 40)}`);

  const store = await ConfigStore.open(dir);
  const m = new TransactionManager(store, new FakeApplier());
  t.teardown(() => m.close());
  await m.start();
  const entries = lines(dir).map((l) => JSON.parse(l) as AuditEntry);
  t.deepEqual(
    entries.map((e) => [e.event, e.revision, e.recovered ?? false]),
    [
      ['initial', 1, false],
      ['commit', 2, false],
      ['commit', 3, false],
      ['commit', 4, true],
    ],
  );
  t.like(entries[3], { user: 'alice', comment: 'mtu 1200' });
  t.deepEqual(entries[3]!.diff.lines, [{ op: '~', path: 'ports[cust0].mtu', from: 1300, to: 1200 }]);
  t.is((await m.audit.read()).length, 4);
});
