import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { AuditLog, ConfigStore, TransactionManager, type AuditEntry } from '../../src/txn';
import { tempDir } from '../helpers/cli';
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

test('the log rotates by size: every file parses, lines stay in order across files, the oldest past keep is dropped', async (t) => {
  const dir = tempDir(t, 'cix-audit-rot-');
  const log = new AuditLog(path.join(dir, 'audit.log'), undefined, { maxBytes: 4096, keep: 2 });
  const { manager } = await rig(t, { dir, manager: { audit: log } });
  const s = manager.openSession(alice);
  for (let i = 0; i < 60; i++) {
    s.set('ports[cust0].mtu', 1300 + i);
    await s.commit({ comment: `mtu ${1300 + i}` });
  }
  const names = fs.readdirSync(dir).filter((n) => n.startsWith('audit.log')).sort();
  t.deepEqual(names, ['audit.log', 'audit.log.1', 'audit.log.2']);
  const texts = ['audit.log.2', 'audit.log.1', 'audit.log'].map((n) => fs.readFileSync(path.join(dir, n), 'utf8'));
  for (const text of texts) t.true(Buffer.byteLength(text) <= 4096);
  const revisions = texts.flatMap((text) => text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as AuditEntry).revision));
  t.is(revisions.at(-1), 61);
  t.deepEqual(revisions, revisions.map((_, i) => revisions[0]! + i), 'contiguous and in order');
  t.true(revisions[0]! > 1, 'the oldest lines went with the dropped file');
});

test('a restart right after a rotation writes nothing again; one after a lost line writes only that line', async (t) => {
  const dir = tempDir(t, 'cix-audit-rot-');
  const file = path.join(dir, 'audit.log');
  const { manager } = await rig(t, { dir, manager: { audit: new AuditLog(file, undefined, { maxBytes: 4096 }) } });
  const s = manager.openSession(alice);
  for (const mtu of [1400, 1300]) {
    s.set('ports[cust0].mtu', mtu);
    await s.commit({ comment: `mtu ${mtu}` });
  }
  await manager.close();
  // As logrotate (or a crash between the rename and the next append) leaves it.
  fs.renameSync(file, `${file}.1`);
  const reopen = async (): Promise<void> => {
    const m = new TransactionManager(await ConfigStore.open(dir), new FakeApplier());
    await m.start();
    await m.close();
  };
  await reopen();
  t.false(fs.existsSync(file) && fs.readFileSync(file, 'utf8') !== '', 'nothing was written again');

  // The newest line lost from the rotated file: written again, alone, in the new file.
  const kept = fs.readFileSync(`${file}.1`, 'utf8').split('\n').filter((l) => l !== '');
  fs.writeFileSync(`${file}.1`, `${kept.slice(0, -1).join('\n')}\n`);
  await reopen();
  t.deepEqual(
    lines(dir).map((l) => JSON.parse(l) as AuditEntry).map((e) => [e.event, e.revision, e.recovered ?? false]),
    [['commit', 3, true]],
  );
});
