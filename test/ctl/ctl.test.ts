/**
 * `cix ctl` end to end: the real CLI (a child process) against a real
 * management server in this process (real transactions on a temp state
 * directory, fake data plane and view). Tables and --json, bad paths and
 * validation errors (exit 2, one line per issue with its path), commit
 * confirmed (automatic rollback, and confirmation), rollback, compare,
 * clear counters (show counters relative, /metrics not), watch, tokens, and
 * no secret in any output.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startMetricsServer } from '../../src/metrics';
import { ROOT, tempDir } from '../helpers/cli';
import { get } from '../metrics/helpers';
import { DROP_REASONS } from '../metrics/fake-appliance';
import { ctl, startRig, type CtlRig, type CtlRun } from './rig';

/** Runs ctl and checks the one rule every run obeys: the admin token is never printed. */
async function run(t: ExecutionContext, rig: CtlRig, args: string[], opts: Parameters<typeof ctl>[2] = {}): Promise<CtlRun> {
  const r = await ctl(rig, args, opts);
  t.false(r.stdout.includes(rig.adminToken), `stdout of ${args.join(' ')} holds no token`);
  t.false(r.stderr.includes(rig.adminToken), `stderr of ${args.join(' ')} holds no token`);
  return r;
}

function ok(t: ExecutionContext, r: CtlRun, what: string): void {
  t.is(r.status, 0, `${what}: exit 0 (stderr: ${r.stderr})`);
}

/** The rows of an aligned table: the cells of each line after the header and its dashes. */
function tableRows(text: string, firstHeader: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(`${firstHeader} `));
  if (start < 0) throw new Error(`no table with header ${firstHeader} in:\n${text}`);
  const rows: string[][] = [];
  for (const l of lines.slice(start + 2)) {
    if (l.trim() === '') break;
    rows.push(l.trim().split(/\s{2,}/));
  }
  return rows;
}

test('show counters: an aligned table and --json with exact 64-bit values', async (t) => {
  const rig = await startRig(t);
  rig.view.traffic(1000n, 128n, 7n, 'tpid_mismatch');
  rig.view.ports[1].counters.txBytes = 2n ** 60n + 3n; // beyond 2^53: must stay exact

  const table = await run(t, rig, ['show', 'counters']);
  ok(t, table, 'show counters');
  t.regex(table.stdout, /^counters since the appliance started\n/);
  const ports = tableRows(table.stdout, 'port');
  t.deepEqual(ports[0], ['cust0', 'veth-c0', 'afxdp', 'native', 'up', '1007', '128896', '0', '0', '7']);
  t.deepEqual(ports[1], ['cloud0', 'veth-k0', 'afxdp', 'native', 'down', '0', '0', '1000', String(2n ** 60n + 3n), '0']);
  const atts = tableRows(table.stdout, 'attachment');
  t.deepEqual(atts[0], ['cust0-100', 'cust0', 'svc1', '1007', '128896', '0', '0', '7']);
  t.deepEqual(tableRows(table.stdout, 'reason'), [['tpid_mismatch', '7']]);
  // Columns line up: every row of a table is as long as its dashes.
  const lines = table.stdout.split('\n');
  const dashes = lines.find((l) => /^\s+-+(\s+-+)+$/.test(l))!;
  t.true(lines.slice(lines.indexOf(dashes) + 1, lines.indexOf(dashes) + 3).every((l) => l.length === dashes.length));

  const json = await run(t, rig, ['--json', 'show', 'counters']);
  ok(t, json, 'show counters --json');
  const reply = JSON.parse(json.stdout) as {
    baselineAt: string;
    ports: Array<{ name: string; link: string; counters: { rxPackets: string; txBytes: string; drops: Record<string, string> } }>;
    drops: Record<string, string>;
  };
  t.is(reply.baselineAt, '0');
  t.is(reply.ports[0].counters.rxPackets, '1007');
  t.is(reply.ports[0].counters.drops.tpid_mismatch, '7');
  t.is(reply.ports[1].counters.txBytes, String(2n ** 60n + 3n));
  t.is(reply.ports[1].link, 'LINK_STATE_DOWN');
  t.is(reply.drops.tpid_mismatch, '7');
  const last = await run(t, rig, ['show', 'ports', '--json']);
  t.deepEqual((JSON.parse(last.stdout) as { ports: unknown[] }).ports.length, 2, '--json may come last');
});

test('show ports, attachments, services, drops, dataplane, sa, system, whoami, revisions', async (t) => {
  const rig = await startRig(t);
  rig.view.traffic(10n, 100n, 2n, 'mtu_rx');
  const show = async (what: string): Promise<string> => {
    const r = await run(t, rig, ['show', what]);
    ok(t, r, `show ${what}`);
    t.is(r.stderr, '');
    return r.stdout;
  };
  t.deepEqual(tableRows(await show('ports'), 'port').map((r) => r[0]), ['cust0', 'cloud0']);
  t.deepEqual(tableRows(await show('attachments'), 'attachment').map((r) => r.slice(0, 3)), [
    ['cust0-100', 'cust0', 'svc1'],
    ['cloud0-200', 'cloud0', 'svc1'],
  ]);
  t.deepEqual(tableRows(await show('services'), 'service'), [['svc1', 'xconnect', 'cust0-100 <-> cloud0-200']]);
  const drops = await show('drops');
  t.deepEqual(tableRows(drops, 'reason').length, DROP_REASONS.length, 'every reason, zeros included');
  t.deepEqual(tableRows(drops, 'port'), [['cust0', 'mtu_rx', '2']]);
  t.regex(await show('dataplane'), /state:\s+running\n\s+pid:\s+4242\n\s+workers:\s+2\n/);
  t.is(await show('sa'), '  no security associations\n');
  const system = await show('system');
  t.regex(system, /revision:\s+1\n/);
  t.regex(system, /pending confirm:\s+none\n/);
  t.regex(await show('whoami'), /user:\s+admin\n\s+role:\s+admin\n/);
  const revisions = tableRows(await show('revisions'), 'rev');
  t.deepEqual(revisions.map((r) => [r[0], r[2], r[4], r[5], r[6]]), [['1', 'setup', 'initial', 'none', 'initial']]);
});

test('show config: YAML for people, the JSON document for scripts (loadable again)', async (t) => {
  const rig = await startRig(t);
  const yaml = await run(t, rig, ['show', 'config']);
  ok(t, yaml, 'show config');
  t.regex(yaml.stdout, /^# running: revision 1 \(initial\) by setup at \S+: initial\n/);
  t.regex(yaml.stdout, /\nattachments:\n\s+- name: cust0-100\n/);
  const json = await run(t, rig, ['--json', 'show', 'running']);
  ok(t, json, 'show running --json');
  const doc = JSON.parse(json.stdout) as { ports: Array<{ name: string; mtu?: number }> };
  t.deepEqual(doc.ports.map((p) => p.name), ['cust0', 'cloud0']);
  // Round trip: the printed document, changed and loaded back, commits.
  doc.ports[0].mtu = 2000;
  const file = path.join(tempDir(t), 'config.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  const commit = await run(t, rig, ['commit', '--load', file, 'comment', 'mtu 2000 from a file']);
  ok(t, commit, 'commit --load');
  t.regex(commit.stdout, /^commit complete: revision 2 \(commit\) by admin at \S+: mtu 2000 from a file\n$/);
  const rev1 = await run(t, rig, ['--json', 'show', 'config', '1']);
  t.is((JSON.parse(rev1.stdout) as { ports: Array<{ mtu?: number }> }).ports[0].mtu ?? 1500, 1500);
  t.deepEqual(rig.applier.revisions, [2]);
});

test('bad paths: exit 2, the server\'s code and one line with the path; nothing committed', async (t) => {
  const rig = await startRig(t);
  const unknownField = await run(t, rig, ['set', 'ports[cust0].speed', '100']);
  t.is(unknownField.status, 2);
  t.is(unknownField.stdout, '');
  t.regex(unknownField.stderr, /^cix: set refused \(PATH\)\ncix: ports\[cust0\]\.speed: unknown field "speed"[^\n]*\n$/);
  const malformed = await run(t, rig, ['commit', '--set', 'ports[cust0.mtu=9000']);
  t.is(malformed.status, 2);
  t.regex(malformed.stderr, /^cix: set refused \(PATH\)\ncix: ports\[cust0\.mtu: [^\n]+\n$/);
  const nothing = await run(t, rig, ['delete', 'attachments[nope]']);
  t.is(nothing.status, 2);
  t.regex(nothing.stderr, /cix: attachments\[nope\]: /);
  t.deepEqual(rig.applier.revisions, [], 'the data plane was never asked');
});

test('validation errors: exit 2, one line per issue with its path; running unchanged', async (t) => {
  const rig = await startRig(t);
  const script = [
    'set ports[cust0].mtu 70000',
    'set attachments[cust0-100].vlan.outer.vid 4095',
    'validate',
    'commit comment must not happen',
  ].join('\n');
  const r = await run(t, rig, ['-f', '-'], { input: script });
  t.is(r.status, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  t.regex(lines[0], /^cix: stdin:3: the candidate is not valid \(2 issues\) \(VALIDATION\)$/);
  t.is(lines.length, 3, r.stderr);
  t.true(lines.slice(1).every((l) => /^cix: stdin:3: (ports|attachments)\[\w+\]\.[\w.]+: .+/.test(l)), r.stderr);
  t.true(lines.some((l) => /mtu: 70000/.test(l)));
  t.true(lines.some((l) => /vid: 4095/.test(l)));
  const commit = await run(t, rig, ['commit', '--set', 'ports[cust0].mtu=70000']);
  t.is(commit.status, 2);
  t.regex(commit.stderr, /^cix: commit refused \(VALIDATION\)\ncix: ports\[\w+\]\.mtu: 70000[^\n]*\n$/);
  t.deepEqual(rig.applier.revisions, []);
  const revisions = await run(t, rig, ['--json', 'show', 'revisions']);
  t.is((JSON.parse(revisions.stdout) as unknown[]).length, 1);
});

test('a script runs in one session: set, diff, commit; --json prints one document per line', async (t) => {
  const rig = await startRig(t);
  const dir = tempDir(t);
  const script = path.join(dir, 'add-300.cix');
  fs.writeFileSync(
    script,
    [
      '# a new attachment on cust0, VLAN 300',
      'set attachments[cust0-300] {"port": "cust0", "vlan": {"outer": {"vid": 300}}}',
      '',
      'show diff',
      'validate',
      'commit comment add cust0-300',
      'show revisions',
    ].join('\n'),
  );
  const r = await run(t, rig, ['-f', script]);
  ok(t, r, 'script');
  t.regex(r.stdout, /cust0-300/);
  t.regex(r.stdout, /the candidate is valid\n/);
  t.regex(r.stdout, /commit complete: revision 2 \(commit\) by admin at \S+: add cust0-300\n/);
  t.deepEqual(tableRows(r.stdout, 'rev').map((row) => row[0]), ['2', '1']);
  t.deepEqual(rig.applier.revisions, [2]);

  const json = await run(t, rig, ['--json', '-f', '-'], { input: 'set ports[cust0].mtu 1600\nshow diff\ncommit\n' });
  ok(t, json, 'script --json');
  const docs = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(docs.length, 2);
  t.true(Array.isArray(docs[0].lines));
  t.is(docs[1].number, 3);
});

test('a script with a bad line runs nothing; every bad line is named', async (t) => {
  const rig = await startRig(t);
  const r = await run(t, rig, ['-f', '-'], { input: 'set ports[cust0].mtu 1600\ncommit now\nshow nothing\ncommit\n' });
  t.is(r.status, 2);
  t.is(r.stdout, '');
  t.deepEqual(r.stderr.trimEnd().split('\n'), [
    'cix: stdin:2: commit: unexpected "now" (commit [confirmed [N]] [comment TEXT...])',
    'cix: stdin:3: show nothing: unknown; one of config, running, candidate, diff, revisions, counters, attachments, ports, services, drops, dataplane, sa, system, whoami',
  ]);
  t.deepEqual(rig.applier.revisions, []);
  t.false(rig.logs.some((l) => / connected as /.test(l)), 'no connection was even opened');
});

test('a lone set warns that its candidate ends with the session', async (t) => {
  const rig = await startRig(t);
  const r = await run(t, rig, ['set', 'ports[cust0].mtu', '1600']);
  ok(t, r, 'set');
  t.regex(r.stderr, /^cix: warning: the candidate has changes that were not committed/);
  t.deepEqual(rig.applier.revisions, []);
});

test('commit confirmed: rolled back automatically unless confirmed by a plain commit', async (t) => {
  const rig = await startRig(t);
  const pending = await run(t, rig, ['--json', 'commit', 'confirmed', '3', '--set', 'ports[cust0].mtu=1600', 'comment', 'try 1600']);
  ok(t, pending, 'commit confirmed');
  const committed = JSON.parse(pending.stdout) as { number: number; at: string; confirm: string; confirmDeadline: string };
  t.like(committed, { number: 2, confirm: 'CONFIRM_STATE_PENDING' });
  t.is(Number(committed.confirmDeadline) - Number(committed.at), 3000);

  // Not confirmed: the previous configuration comes back as a new revision, within the deadline + 2 s.
  type Rev = { number: number; at: string; kind: string; confirm: string };
  let revisions: Rev[] = [];
  const giveUp = Date.now() + 20_000;
  while (Date.now() < giveUp) {
    revisions = JSON.parse((await run(t, rig, ['--json', 'show', 'revisions'])).stdout) as Rev[];
    if (revisions[0].number === 3) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  t.like(revisions[0], { number: 3, kind: 'REVISION_KIND_AUTO_ROLLBACK' });
  t.like(revisions[1], { number: 2, confirm: 'CONFIRM_STATE_ROLLED_BACK' });
  t.true(Number(revisions[0].at) <= Number(committed.confirmDeadline) + 2000, 'rolled back within the deadline + 2 s');
  t.deepEqual(rig.applier.revisions, [2, 3], 'the data plane got the old configuration back');
  const running = JSON.parse((await run(t, rig, ['--json', 'show', 'config'])).stdout) as { ports: Array<{ mtu?: number }> };
  t.is(running.ports[0].mtu ?? 1500, 1500);

  // Confirmed: a plain commit before the deadline keeps it.
  const second = await run(t, rig, ['commit', 'confirmed', '--set', 'ports[cust0].mtu=1700']);
  ok(t, second, 'commit confirmed (default time)');
  t.regex(second.stdout, /^commit complete: revision 4 \(commit\)[^\n]*\nrolled back automatically at \S+ unless confirmed \(cix ctl commit\)\n$/);
  const system = await run(t, rig, ['show', 'system']);
  t.regex(system.stdout, /pending confirm:\s+revision 4, rolls back at /);
  const confirm = await run(t, rig, ['commit']);
  ok(t, confirm, 'confirming commit');
  const after = JSON.parse((await run(t, rig, ['--json', 'show', 'revisions'])).stdout) as Rev[];
  t.like(after.find((r) => r.number === 4), { confirm: 'CONFIRM_STATE_CONFIRMED' });
  t.regex((await run(t, rig, ['show', 'system'])).stdout, /pending confirm:\s+none\n/);
});

test('rollback N and compare N M', async (t) => {
  const rig = await startRig(t);
  ok(t, await run(t, rig, ['commit', '--set', 'ports[cust0].mtu=1600', 'comment', 'one']), 'commit 2');
  ok(t, await run(t, rig, ['commit', '--delete', 'ports[cloud0].mtu', 'comment', 'two']), 'commit 3');
  const cmp = await run(t, rig, ['compare', '1', '3']);
  ok(t, cmp, 'compare');
  t.regex(cmp.stdout, /cust0/);
  t.regex(cmp.stdout, /1600/);
  t.regex(cmp.stdout, /9000/);
  const same = await run(t, rig, ['compare', '2', '2']);
  ok(t, same, 'compare 2 2');
  t.is(same.stdout, 'no differences between revisions 2 and 2\n');
  const cmpJson = JSON.parse((await run(t, rig, ['--json', 'compare', '1', '2'])).stdout) as { lines: Array<{ op: string; path: string }> };
  t.is(cmpJson.lines.length, 1);
  t.regex(cmpJson.lines[0].path, /mtu/);

  const rb = await run(t, rig, ['rollback', '1', 'comment', 'back to the start']);
  ok(t, rb, 'rollback');
  t.regex(rb.stdout, /^rollback to revision 1 complete: revision 4 \(rollback\) by admin at \S+: back to the start\n$/);
  t.deepEqual(rig.applier.revisions, [2, 3, 4]);
  t.is((await run(t, rig, ['compare', '1', '4'])).stdout, 'no differences between revisions 1 and 4\n');
  const missing = await run(t, rig, ['rollback', '99']);
  t.is(missing.status, 2);
  t.regex(missing.stderr, /^cix: rollback refused \(NOT_FOUND\): [^\n]*99[^\n]*\n$/);
  const nothing = await run(t, rig, ['commit']);
  t.is(nothing.status, 1);
  t.regex(nothing.stderr, /^cix: commit refused \(NO_CHANGES\): /);
});

test('clear counters: show counters counts from the baseline; /metrics never goes back', async (t) => {
  const rig = await startRig(t);
  const metrics = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, view: rig.view });
  t.teardown(() => metrics.close());
  const rxMetric = async (): Promise<number> => {
    const body = (await get(metrics.url)).body;
    return Number(/^cix_port_rx_packets_total\{port="cust0"\} (\S+)$/m.exec(body)?.[1]);
  };
  rig.view.traffic(5000n, 100n);
  t.is(await rxMetric(), 5000);
  const clear = await run(t, rig, ['clear', 'counters']);
  ok(t, clear, 'clear counters');
  t.regex(clear.stdout, /^counters cleared at \S+: show counters counts from here \(exported metrics are unchanged\)\n$/);
  rig.view.traffic(42n, 100n);
  const shown = await run(t, rig, ['show', 'counters']);
  t.regex(shown.stdout, /^counters since \S+ \(cleared\)\n/);
  t.deepEqual(tableRows(shown.stdout, 'port')[0].slice(5, 7), ['42', '4200']);
  t.is(await rxMetric(), 5042, 'the exported counter is absolute');
  // The baseline belongs to the appliance: a later invocation (new session) sees it too.
  const json = JSON.parse((await run(t, rig, ['--json', 'show', 'counters'])).stdout) as { baselineAt: string; ports: Array<{ counters: { rxPackets: string } }> };
  t.not(json.baselineAt, '0');
  t.is(json.ports[0].counters.rxPackets, '42');
});

test('watch: one line per sample when not a terminal, rates from the second; --json lines', async (t) => {
  const rig = await startRig(t);
  const ticker = setInterval(() => rig.view.traffic(100n, 1000n, 1n), 20);
  t.teardown(() => clearInterval(ticker));
  const r = await run(t, rig, ['watch', '--interval', '0.2', '--count', '3']);
  ok(t, r, 'watch');
  const lines = r.stdout.trimEnd().split('\n');
  t.is(lines.length, 4, r.stdout);
  t.regex(lines[0], /^time\s+rx pps\s+rx bit\/s\s+tx pps\s+tx bit\/s\s+drops\/s\s+rx packets\s+tx packets\s+drops$/);
  t.regex(lines[1], /^\S+Z(\s+-){5}\s+\d+\s+\d+\s+\d+$/, 'the first sample has no rate yet');
  t.regex(lines[2], /^\S+Z\s+[\d.]+k?\s+[\d.]+[kM]?\s+[\d.]+k?\s+[\d.]+[kM]?\s+[\d.]+\s+\d+\s+\d+\s+\d+$/);
  t.true(lines.every((l) => l.length === lines[0].length), 'fixed columns');

  const js = await run(t, rig, ['--json', 'watch', 'counters', '--interval', '0.2', '--count', '2']);
  ok(t, js, 'watch --json');
  const samples = js.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { seconds: number | null; total: { rxPps: number | null }; ports: Array<{ rates: { rxPps: number | null } }> });
  t.is(samples.length, 2);
  t.is(samples[0].seconds, null);
  t.true((samples[1].seconds ?? 0) > 0);
  t.true((samples[1].total.rxPps ?? 0) > 0);
  t.true((samples[1].ports[0].rates.rxPps ?? 0) > 0);
});

test('usage errors: exit 2, one line, nothing sent', async (t) => {
  const rig = await startRig(t);
  const badUrl = await run(t, rig, ['show', 'ports'], { url: 'http://127.0.0.1:1' });
  t.is(badUrl.status, 2);
  t.is(badUrl.stderr, 'cix: --url http://127.0.0.1:1: expected ws://HOST:PORT or wss://HOST:PORT\n');
  const cases: Array<[string[], RegExp, boolean?]> = [
    [['frobnicate'], /^cix: unknown command "frobnicate" \(try: cix ctl help\)\n$/],
    [['rollback', 'last'], /^cix: rollback N: expected a revision number \(1, 2, \.\.\.\), got "last"\n$/],
    [['show', 'ports', '--verbose'], /^cix: show ports: unexpected "--verbose"\n$/],
    [['--frob', 'show', 'ports'], /^cix: unknown option --frob \(try: cix ctl help\)\n$/],
    [['load', '/nonexistent/x.yaml'], /^cix: load \/nonexistent\/x\.yaml: cannot read \(ENOENT\)\n$/],
    [['show', 'ports'], /^cix: no credentials: give --token-file FILE, \$CIX_TOKEN, --token TOKEN, or --cert\/--key\n$/, false],
    [['--token-file', '/nonexistent/t', 'show', 'ports'], /^cix: --token-file \/nonexistent\/t: cannot read \(ENOENT\)\n$/, false],
  ];
  for (const [args, pattern, auth] of cases) {
    const r = await run(t, rig, args, { auth: auth ?? true });
    t.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern, args.join(' '));
    t.is(r.stdout, '');
  }
  t.false(rig.logs.some((l) => / connected as /.test(l)), 'no connection was opened');
  const script = await run(t, rig, ['-f', '-'], { input: 'set ports[cust0].mtu 1600\nload /nonexistent/y.yaml --merge\ncommit\n' });
  t.is(script.status, 2);
  t.is(script.stderr, 'cix: stdin:2: load /nonexistent/y.yaml: cannot read (ENOENT)\n');
  const help = await run(t, rig, ['help'], { auth: false });
  ok(t, help, 'help');
  t.regex(help.stdout, /^usage: cix ctl/);
});

test('authentication: $CIX_TOKEN works; a wrong token is refused without being echoed; roles hold', async (t) => {
  const rig = await startRig(t);
  const env = await run(t, rig, ['show', 'whoami'], { auth: false, env: { CIX_TOKEN: rig.adminToken } });
  ok(t, env, '$CIX_TOKEN');
  const wrong = 'cix_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const bad = await run(t, rig, ['--token', wrong, 'show', 'ports'], { auth: false });
  t.is(bad.status, 1);
  t.regex(bad.stderr, /^cix: ws:\/\/127\.0\.0\.1:\d+: HTTP 401: [^\n]* \(MGMT_UNAUTHORIZED\)\n$/);
  t.false(bad.stderr.includes(wrong.slice(4)), 'the wrong token is not echoed');
  t.false(rig.logs.join('\n').includes(wrong.slice(4)), 'nor logged');

  const made = await run(t, rig, ['--json', 'token', 'create', 'viewer1', 'viewer']);
  ok(t, made, 'token create');
  const { token } = JSON.parse(made.stdout) as { token: string };
  t.regex(token, /^cix_/);
  const viewer = await run(t, rig, ['--token', token, 'commit', '--set', 'ports[cust0].mtu=1600'], { auth: false });
  t.is(viewer.status, 1);
  t.regex(viewer.stderr, /^cix: set refused \(PERMISSION_DENIED\): /);
  t.false(viewer.stderr.includes(token) || viewer.stdout.includes(token));
  ok(t, await run(t, rig, ['--token', token, 'show', 'counters'], { auth: false }), 'a viewer reads');
  t.deepEqual(rig.applier.revisions, []);
});

test('tokens: the secret is printed once at creation, never listed, logged or stored in clear', async (t) => {
  const rig = await startRig(t);
  const made = await run(t, rig, ['token', 'create', 'ops', 'operator', '--ttl', '3600']);
  ok(t, made, 'token create');
  const secret = made.stdout.split('\n')[0];
  t.regex(secret, /^cix_[A-Za-z0-9_-]{43}$/);
  const id = tableRows(made.stdout, 'id')[0][0];
  t.regex(id, /^[0-9a-f]{12}$/);
  const list = await run(t, rig, ['token', 'list']);
  ok(t, list, 'token list');
  const rows = tableRows(list.stdout, 'id');
  t.deepEqual(rows.find((r) => r[0] === id)?.slice(1, 3), ['ops', 'operator']);
  const listJson = await run(t, rig, ['--json', 'token', 'list']);
  for (const out of [list.stdout, list.stderr, listJson.stdout, rig.logs.join('\n')]) t.false(out.includes(secret));
  for (const file of fs.readdirSync(rig.dir, { recursive: true, withFileTypes: true })) {
    if (!file.isFile()) continue;
    const text = fs.readFileSync(path.join(file.parentPath, file.name), 'utf8');
    t.false(text.includes(secret), `${file.name} does not hold the new token`);
  }
  ok(t, await run(t, rig, ['--token', secret, 'show', 'ports'], { auth: false }), 'the new token works');
  const revoke = await run(t, rig, ['token', 'revoke', id]);
  ok(t, revoke, 'token revoke');
  t.is(revoke.stdout, `token ${id} revoked\n`);
  const after = await run(t, rig, ['--token', secret, 'show', 'ports'], { auth: false });
  t.is(after.status, 1);
  t.regex(after.stderr, /MGMT_UNAUTHORIZED/);
});

test('a server that is not there: exit 1 with the reason', async (t) => {
  const rig = await startRig(t);
  const down = await run(t, rig, ['show', 'ports'], { url: 'ws://127.0.0.1:1' });
  t.is(down.status, 1);
  t.regex(down.stderr, /^cix: ws:\/\/127\.0\.0\.1:1: [^\n]*ECONNREFUSED[^\n]* \(MGMT_CONNECT\)\n$/);
});

test('watch on a terminal: a live table redrawn in place', async (t) => {
  const rig = await startRig(t);
  const ticker = setInterval(() => rig.view.traffic(100n, 1000n), 20);
  t.teardown(() => clearInterval(ticker));
  // util-linux script(1) gives the command a pseudo-terminal as standard output.
  const command = `${process.execPath} ${path.join(ROOT, 'dist/src/cli/main.js')} ctl --url ${rig.server.url} watch --interval 0.2 --count 3`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, CIX_TOKEN: rig.adminToken, TERM: 'dumb' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const status = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch on a pty did not end: ${out}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  t.is(status, 0, out);
  t.false(out.includes(rig.adminToken));
  const frames = out.replace(/\r/g, '').split(/\x1b\[\d+A\x1b\[J/);
  t.is(frames.length, 3, 'two redraws after the first frame');
  frames.forEach((frame, i) => {
    t.regex(frame, new RegExp(`^sample ${i + 1}/3 at \\S+, every 0.2s, revision 1; counters since the appliance started\\n`));
    t.deepEqual(tableRows(frame, 'port').map((r) => r[0]), ['cust0', 'cloud0']);
    t.deepEqual(tableRows(frame, 'attachment').map((r) => r[0]), ['cust0-100', 'cloud0-200']);
  });
  const up = /\x1b\[(\d+)A/.exec(out);
  t.is(Number(up?.[1]), frames[0].trimEnd().split('\n').length, 'moves up exactly one frame');
  t.is(tableRows(frames[0], 'port')[0][2], '-', 'no rate in the first frame');
  t.regex(tableRows(frames[2], 'port')[0][2], /^[\d.]+k?$/, 'rx pps in later frames');
});

/** A CA, a server certificate for 127.0.0.1 and a client certificate (CN ops-laptop), made with openssl. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const f = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=cix test CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const [name, cn, ext] of [['server', '127.0.0.1', ['-extfile', 'server.ext']], ['client', 'ops-laptop', []]] as const) {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...ext]);
  }
  return { ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), clientCert: f('client.pem'), clientKey: f('client.key') };
}

test('wss: --ca checks the server, --cert/--key authenticate without a token', async (t) => {
  const certs = makeCertificates(tempDir(t));
  const rig = await startRig(t, {
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFile: certs.ca },
    clients: { 'ops-laptop': 'operator' },
  });
  t.regex(rig.server.url, /^wss:\/\//);
  const who = await run(t, rig, ['--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey, 'show', 'whoami'], { auth: false });
  ok(t, who, 'whoami with a client certificate');
  t.regex(who.stdout, /user:\s+ops-laptop\n\s+role:\s+operator\n[\s\S]*method:\s+certificate\n/);
  const commit = await run(t, rig, ['--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey, 'commit', '--set', 'ports[cust0].mtu=1600'], { auth: false });
  ok(t, commit, 'an operator certificate commits');
  const token = await run(t, rig, ['--ca', certs.ca, 'show', 'whoami']);
  ok(t, token, 'a token over wss');
  t.regex(token.stdout, /method:\s+token\n/);
  // Without --ca the server's certificate is not trusted: no connection, exit 1.
  const untrusted = await run(t, rig, ['show', 'ports']);
  t.is(untrusted.status, 1);
  t.regex(untrusted.stderr, /^cix: wss:\/\/127\.0\.0\.1:\d+: [^\n]*certificate[^\n]* \(MGMT_CONNECT\)\n$/i);
  const plain = await run(t, rig, ['--cert', certs.clientCert, '--key', certs.clientKey, 'show', 'ports'], { auth: false, url: rig.server.url.replace('wss:', 'ws:') });
  t.is(plain.status, 2);
  t.is(plain.stderr, 'cix: --ca, --cert and --key need a wss:// URL\n');
});
