import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { formatIssue } from '../../src/config';
import { parsePath, parseSetValue, TxnError } from '../../src/txn';
import { cix, tempDir } from '../helpers/cli';
import { alice, bob, rig } from './helpers';

function txnCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err: unknown) {
    if (err instanceof TxnError) return err.code;
    throw err;
  }
}

test('path syntax: fields, items by name or position, errors as TXN_PATH', (t) => {
  t.deepEqual(parsePath('ports[cust0].mtu'), [{ field: 'ports', select: { name: 'cust0' } }, { field: 'mtu' }]);
  t.deepEqual(parsePath('attachments[cust0-100.x].vlan.outer.vid'), [
    { field: 'attachments', select: { name: 'cust0-100.x' } },
    { field: 'vlan' },
    { field: 'outer' },
    { field: 'vid' },
  ]);
  t.deepEqual(parsePath('services[svc1].xconnect.endpoints[1]').at(-1), { field: 'endpoints', select: { index: 1 } });
  for (const bad of ['', 'ports[', 'ports[]', 'ports..mtu', '.mtu', 'ports[a]x', 'ports[a b]', '9ports']) {
    t.is(txnCode(() => parsePath(bad)), 'TXN_PATH', bad);
  }
});

test('values: JSON, or a bare word as a string', (t) => {
  t.is(parseSetValue('100'), 100);
  t.is(parseSetValue('"x"'), 'x');
  t.deepEqual(parseSetValue('{"vid": 5}'), { vid: 5 });
  t.is(parseSetValue('afxdp'), 'afxdp');
  t.is(parseSetValue('0x88a8'), '0x88a8');
  t.is(parseSetValue('true'), true);
  t.is(txnCode(() => parseSetValue('{"vid": ')), 'TXN_VALIDATION');
});

test('set and delete edit the candidate by path; snake_case names land on the canonical field', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1600);
  s.set('ports[cust0].xdp_mode', 'skb');
  s.set('attachments[cust-a].vlan.outer.pcp', 3);
  s.set('dataplane.workers', 2);
  const c = s.candidate();
  t.is(c.ports[0]!.mtu, 1600);
  t.is(c.ports[0]!.xdpMode, 'XDP_MODE_SKB');
  t.is(c.attachments[0]!.vlan!.outer!.pcp, 3);
  t.is(c.dataplane?.workers, 2);
  t.false('xdp_mode' in (c.ports[0] as unknown as Record<string, unknown>));

  s.delete('attachments[cust-a].vlan.outer.pcp');
  t.is(s.candidate().attachments[0]!.vlan!.outer!.pcp, undefined);
  t.deepEqual(s.validate(), []);
});

test('set creates a named item from a JSON value; setting a oneof member replaces the other', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust1]', parseSetValue('{"mtu": 1500}'));
  s.set('attachments[cust-b]', parseSetValue('{"port": "cust1", "untagged": {}}'));
  s.set('attachments[cloud-b]', { port: 'cloud0', vlan: { outer: { vid: 101 }, inner: { vid: 7 } } });
  s.set('services[xc-b]', { xconnect: { endpoints: ['cust-b', 'cloud-b'] } });
  t.deepEqual(s.validate(), []);
  const c = s.candidate();
  t.deepEqual(
    c.attachments.map((a) => a.name),
    ['cust-a', 'cloud-a', 'cust-b', 'cloud-b'],
  );
  t.is(c.ports[2]!.name, 'cust1');

  s.set('attachments[cust-a].untagged', {});
  const a = s.candidate().attachments[0]!;
  t.deepEqual(a.untagged, { wholePort: false });
  t.is(a.vlan, undefined);

  s.set('services[xc-b].xconnect.endpoints[1]', 'cust-a');
  t.deepEqual(s.candidate().services[1]!.xconnect!.endpoints, ['cust-b', 'cust-a']);
});

test('paths that name nothing or do not fit the schema are TXN_PATH, candidate unchanged', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.set('ports[cust0].mtu', 1400);
  const before = JSON.stringify(s.candidate());
  const cases: [string, () => void][] = [
    ['unknown field', () => s.set('ports[cust0].speed', 10)],
    ['list without item', () => s.set('ports.mtu', 10)],
    ['item of a non-list', () => s.set('dataplane[x].workers', 1)],
    ['under a plain value', () => s.set('ports[cust0].mtu.x', 1)],
    ['plain list by name', () => s.set('services[xc-a].xconnect.endpoints[cust-a]', 'x')],
    ['position past the end', () => s.set('services[xc-a].xconnect.endpoints[5]', 'x')],
    ['value names another item', () => s.set('ports[cust0]', { name: 'other' })],
    ['delete of a missing item', () => s.delete('ports[nope]')],
    ['delete of an absent field', () => s.delete('ports[cust0].interface.x')],
    ['delete under a missing item', () => s.delete('attachments[nope].vlan')],
  ];
  for (const [what, fn] of cases) t.is(txnCode(fn), 'TXN_PATH', what);
  t.is(JSON.stringify(s.candidate()), before);
});

test('a value the schema refuses is TXN_VALIDATION with the config file path and message', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  const err = t.throws(() => s.set('ports[cust0].mtu', 'big'), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_VALIDATION');
  t.deepEqual(err?.issues.map(formatIssue), ['ports[0].mtu: expected an unsigned integer, got "big"']);
  const err2 = t.throws(() => s.set('attachments[x]', { port: 'cust0', vlan: { outer: { vid: 5 } }, colour: 'red' }), { instanceOf: TxnError });
  t.deepEqual(err2?.issues.map(formatIssue), ['attachments[2].colour: unknown field (expected name, port, untagged, vlan)']);
  t.deepEqual(s.diff().lines, [], 'nothing of the refused edits stayed');
});

test('what only the whole can tell waits for validate, with the same messages as cix validate', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.set('attachments[cust-a].vlan.outer.vid', 4095);
  s.set('attachments[bad].port', 'nowhere'); // no match yet: reported by validate, not refused
  s.set('services[xc-a].xconnect.endpoints', ['cust-a', 'ghost']);
  const issues = s.validate().map(formatIssue);
  t.true(issues.length >= 1);

  // The same document through the real CLI.
  const dir = tempDir(t);
  const file = path.join(dir, 'candidate.json');
  fs.writeFileSync(file, JSON.stringify(s.candidate()));
  const r = cix(['validate', file]);
  t.is(r.status, 2);
  const cliIssues = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.includes('warning'))
    .map((l) => l.replace(/^cix: /, '').replace(`${file}: `, ''));
  t.deepEqual(issues, cliIssues);

  const err = await t.throwsAsync(s.commit({ comment: 'x' }), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_VALIDATION');
  t.deepEqual(err?.issues.map(formatIssue), issues);
});

test('candidates are private: edits of one session are invisible to another and to running', async (t) => {
  const { manager, store } = await rig(t);
  const a = manager.openSession(alice);
  const b = manager.openSession(bob);
  a.set('ports[cust0].mtu', 1234);
  t.is(a.candidate().ports[0]!.mtu, 1234);
  t.is(b.candidate().ports[0]!.mtu, undefined);
  t.is(store.running().config.ports[0]!.mtu, undefined);
  t.deepEqual(b.diff().lines, []);
  t.deepEqual(a.diff().lines, [{ op: '+', path: 'ports[cust0].mtu', to: 1234 }]);
  a.discard();
  t.deepEqual(a.diff().lines, []);
});

test('load replace and merge; syntax and schema errors refuse the load whole', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.load(
    'ports:\n  - name: p1\nattachments:\n  - name: a1\n    port: p1\n    untagged: {}\n  - name: a2\n    port: p1\n    vlan: {outer: {vid: 9}}\nservices:\n  - name: s1\n    xconnect: {endpoints: [a1, a2]}\n',
    { format: 'yaml', mode: 'replace' },
  );
  t.deepEqual(
    s.candidate().ports.map((p) => p.name),
    ['p1'],
  );
  t.deepEqual(s.validate(), []);

  s.load('{"ports": [{"name": "p1", "mtu": 2000}, {"name": "p2"}], "attachments": [{"name": "a2", "vlan": {"outer": {"vid": 10}}}]}', {
    format: 'json',
    mode: 'merge',
  });
  const c = s.candidate();
  t.deepEqual(
    c.ports.map((p) => [p.name, p.mtu]),
    [
      ['p1', 2000],
      ['p2', undefined],
    ],
  );
  t.is(c.attachments[1]!.vlan!.outer!.vid, 10);
  t.is(c.attachments[1]!.port, 'p1', 'merge keeps what the text leaves out');

  const before = JSON.stringify(s.candidate());
  const syntax = t.throws(() => s.load('ports: [\n', { format: 'yaml', mode: 'replace' }), { instanceOf: TxnError });
  t.is(syntax?.code, 'TXN_VALIDATION');
  t.regex(syntax!.issues[0]!.message, /candidate\.yaml:\d+/);
  const schema = t.throws(() => s.load('{"ports": [{"name": "p1", "mtu": "x"}]}', { format: 'json', mode: 'merge' }), { instanceOf: TxnError });
  t.deepEqual(schema?.issues.map(formatIssue), ['ports[0].mtu: expected an unsigned integer, got "x"']);
  t.is(txnCode(() => s.load('[1, 2]', { format: 'json', mode: 'replace' })), 'TXN_VALIDATION');
  t.is(JSON.stringify(s.candidate()), before);
});

test('a closed session refuses everything', async (t) => {
  const { manager } = await rig(t);
  const s = manager.openSession(alice);
  s.close();
  t.is(txnCode(() => s.set('ports[cust0].mtu', 1)), 'TXN_CLOSED');
  t.is(txnCode(() => s.candidate()), 'TXN_CLOSED');
  const err = await t.throwsAsync(s.commit({}), { instanceOf: TxnError });
  t.is(err?.code, 'TXN_CLOSED');
});
