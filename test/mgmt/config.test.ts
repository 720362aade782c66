/**
 * Configuration over the channel: private candidates, set/delete/load,
 * validate, diff, commit (and commit-confirmed), rollback, revisions; errors
 * arrive with their code and path-named issues.
 */
import test from 'ava';

import { RemoteError } from '../../src/mgmt';
import { rig } from './helpers';

test('set, diff, commit: a new revision runs; another connection saw nothing until the commit', async (t) => {
  const r = await rig(t);
  const alice = await r.client(await r.token('operator', 'alice'));
  const bob = await r.client(await r.token('operator', 'bob'));
  await alice.set('ports[cust0].mtu', '9000');
  await alice.set('attachments[cust-a].vlan.outer.pcp', '5');
  const diff = await alice.diff();
  t.deepEqual(
    diff.lines.map((l) => [l.op, l.path, l.from, l.to]),
    [
      ['DIFF_OP_ADD', 'ports[cust0].mtu', '', '9000'],
      ['DIFF_OP_ADD', 'attachments[cust-a].vlan.outer.pcp', '', '5'],
    ],
  );
  t.regex(diff.text, /mtu 9000/);
  t.deepEqual((await bob.diff()).lines, [], "bob's candidate is his own");
  t.is(JSON.parse((await bob.getCandidate()).json).ports[0].mtu, undefined);
  t.is(JSON.parse((await alice.getCandidate()).json).ports[0].mtu, 9000);

  const rev = await alice.commit({ comment: 'jumbo frames' });
  t.like(rev, { number: 2, user: 'alice', comment: 'jumbo frames', kind: 'REVISION_KIND_COMMIT', confirm: 'CONFIRM_STATE_NONE' });
  t.regex(rev.remote, /^127\.0\.0\.1:\d+$/);
  t.deepEqual(r.applier.revisions, [2]);
  const running = await bob.getRunning();
  t.is(running.revision?.number, 2);
  t.is(JSON.parse(running.json).ports[0].mtu, 9000);
  t.deepEqual((await alice.diff()).lines, [], 'after the commit the candidate is running again');
});

test('errors carry their code and the path: PATH, VALIDATION with issues, NO_CHANGES, NOT_FOUND, BAD_REQUEST', async (t) => {
  const r = await rig(t);
  const c = await r.client(await r.token('operator'));
  const path = await t.throwsAsync(c.set('ports[cust0].colour', 'red'), { instanceOf: RemoteError });
  t.is(path?.code, 'PATH');
  t.is(path?.request, 'set');
  t.deepEqual(path?.issues.map((i) => i.path), ['ports[cust0].colour']);
  t.is((await t.throwsAsync(c.delete('ports[nosuch]'), { instanceOf: RemoteError }))?.code, 'PATH');

  await c.set('attachments[cust-a].vlan.outer.vid', '4095');
  const issues = await c.validate();
  t.true(issues.some((i) => i.path === 'attachments[0].vlan.outer.vid' || i.path.includes('vid')), JSON.stringify(issues));
  const refused = await t.throwsAsync(c.commit({ comment: 'bad' }), { instanceOf: RemoteError });
  t.is(refused?.code, 'VALIDATION');
  t.true(refused!.issues.length > 0);
  t.true(refused!.issues.every((i) => typeof i.path === 'string' && i.message !== ''));
  t.is(r.store.history().length, 1, 'a failed validation changes nothing');
  await c.discard();
  t.deepEqual(await c.validate(), []);

  t.is((await t.throwsAsync(c.commit({}), { instanceOf: RemoteError }))?.code, 'NO_CHANGES');
  t.is((await t.throwsAsync(c.getRevision(99), { instanceOf: RemoteError }))?.code, 'NOT_FOUND');
  t.is((await t.throwsAsync(c.rollback(99), { instanceOf: RemoteError }))?.code, 'NOT_FOUND');
  t.is((await t.throwsAsync(c.getRevision(0), { instanceOf: RemoteError }))?.code, 'BAD_REQUEST');
  t.is((await t.throwsAsync(c.set('', '1'), { instanceOf: RemoteError }))?.code, 'BAD_REQUEST');
  t.is((await t.throwsAsync(c.set('ports[cust0].mtu', '{"broken'), { instanceOf: RemoteError }))?.code, 'VALIDATION');
});

test('load replaces or merges; a document that does not check is refused whole', async (t) => {
  const r = await rig(t);
  const c = await r.client(await r.token('operator'));
  await c.load('ports:\n  - name: extra0\n', { mode: 'merge' });
  const merged = JSON.parse((await c.getCandidate()).json) as { ports: Array<{ name: string }> };
  t.deepEqual(merged.ports.map((p) => p.name), ['cust0', 'cloud0', 'extra0']);
  await c.load('{"ports": [{"name": "only0"}]}', { format: 'json', mode: 'replace' });
  t.deepEqual((JSON.parse((await c.getCandidate()).json) as { ports: Array<{ name: string }> }).ports.map((p) => p.name), ['only0']);
  const before = (await c.getCandidate()).json;
  const bad = await t.throwsAsync(c.load('ports:\n  - name: x\n    colour: red\n'), { instanceOf: RemoteError });
  t.is(bad?.code, 'VALIDATION');
  t.deepEqual(bad?.issues.map((i) => i.path), ['ports[0].colour']);
  t.is((await c.getCandidate()).json, before, 'a refused load leaves the candidate as it was');
});

test('commit-confirmed, confirmed by a plain commit; rollback makes a new revision; compare and revisions', async (t) => {
  const r = await rig(t);
  const c = await r.client(await r.token('operator', 'olga'));
  await c.set('ports[cloud0].mtu', '1600');
  const pending = await c.commit({ comment: 'careful', confirmedSeconds: 120 });
  t.is(pending.confirm, 'CONFIRM_STATE_PENDING');
  t.true(pending.confirmDeadline > pending.at);
  const sys = await c.show('system');
  t.is(sys.system?.pendingConfirm?.number, 2);
  const confirmed = await c.commit({});
  t.is(confirmed.confirm, 'CONFIRM_STATE_CONFIRMED');
  t.is((await c.show('system')).system?.pendingConfirm, undefined);

  const back = await c.rollback(1, 'undo');
  t.like(back, { number: 3, kind: 'REVISION_KIND_ROLLBACK', comment: 'undo' });
  t.is(JSON.parse((await c.getRunning()).json).ports[1].mtu, 9000);
  const revs = await c.listRevisions();
  t.deepEqual(revs.map((x) => x.number), [3, 2, 1]);
  const cmp = await c.compare(1, 2);
  t.deepEqual(cmp.lines.map((l) => [l.op, l.path, l.from, l.to]), [['DIFF_OP_CHANGE', 'ports[cloud0].mtu', '9000', '1600']]);
  const doc = await c.getRevision(2);
  t.is(doc.revision?.number, 2);
  t.is(JSON.parse(doc.json).ports[1].mtu, 1600);
});
