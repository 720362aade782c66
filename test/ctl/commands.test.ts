/**
 * The ctl grammar, options, script splitting, number formats and rates, in
 * process (nothing connects): what is accepted, and what is refused with a
 * usage error that names the problem.
 */
import test from 'ava';

import { DEFAULT_CONFIRM_SECONDS, parseCommand } from '../../src/cli/ctl/commands';
import { CtlError } from '../../src/cli/ctl/errors';
import { fmtRate, toJson } from '../../src/cli/ctl/format';
import { parseCtlOptions } from '../../src/cli/ctl/options';
import { computeRates } from '../../src/cli/ctl/rates';
import { scriptLines, wordsFromArgv, wordsFromLine } from '../../src/cli/ctl/words';
import type { CountersSample } from '../../src/mgmt/generated';

const argv = (...words: string[]) => parseCommand(wordsFromArgv(words));
const line = (text: string) => parseCommand(wordsFromLine(text));

function refused(t: import('ava').ExecutionContext, fn: () => unknown, pattern: RegExp): void {
  const err = t.throws(fn, { instanceOf: CtlError });
  t.is(err?.exitCode, 2);
  t.is(err?.code, 'CTL_USAGE');
  t.regex(err?.message ?? '', pattern);
}

test('show targets, with a revision for show config', (t) => {
  t.deepEqual(argv('show', 'counters'), { kind: 'show', what: 'counters' });
  t.deepEqual(argv('show', 'config', '3'), { kind: 'show', what: 'config', revision: 3 });
  refused(t, () => argv('show'), /show: what\?/);
  refused(t, () => argv('show', 'counter'), /show counter: unknown; one of config, running/);
  refused(t, () => argv('show', 'config', 'x'), /revision number/);
  refused(t, () => argv('show', 'ports', 'extra'), /unexpected "extra"/);
});

test('set keeps its value as written: the rest of a script line, the joined words of argv', (t) => {
  const json = '{"port": "cust0",  "vlan": {"outer": {"vid": 300}}}';
  t.deepEqual(line(`set attachments[a3] ${json}`), { kind: 'set', path: 'attachments[a3]', value: json });
  t.deepEqual(argv('set', 'ports[cust0].mtu', '9000'), { kind: 'set', path: 'ports[cust0].mtu', value: '9000' });
  refused(t, () => argv('set', 'ports[cust0].mtu'), /VALUE expected/);
  refused(t, () => argv('set'), /PATH expected/);
});

test('commit: confirmed [N], comment TEXT..., and edits in the same session', (t) => {
  t.deepEqual(argv('commit'), { kind: 'commit', confirmedSeconds: undefined, comment: '', edits: [] });
  t.deepEqual(argv('commit', 'confirmed'), { kind: 'commit', confirmedSeconds: DEFAULT_CONFIRM_SECONDS, comment: '', edits: [] });
  t.deepEqual(line('commit confirmed 120 comment jumbo   frames on cust0'), {
    kind: 'commit',
    confirmedSeconds: 120,
    comment: 'jumbo   frames on cust0',
    edits: [],
  });
  t.deepEqual(argv('commit', '--set', 'ports[cust0].mtu=9000', '--delete', 'attachments[a1]', '--load', 'x.yaml', '--merge', 'comment', 'a=b'), {
    kind: 'commit',
    confirmedSeconds: undefined,
    comment: 'a=b',
    edits: [
      { kind: 'set', path: 'ports[cust0].mtu', value: '9000' },
      { kind: 'delete', path: 'attachments[a1]' },
      { kind: 'load', load: { file: 'x.yaml', merge: true } },
    ],
  });
  t.deepEqual(argv('commit', '--set', 'services[s].xconnect.endpoints=["a","b=c"]'), {
    kind: 'commit',
    confirmedSeconds: undefined,
    comment: '',
    edits: [{ kind: 'set', path: 'services[s].xconnect.endpoints', value: '["a","b=c"]' }],
  });
  refused(t, () => argv('commit', 'confirmed', '0'), /1-86400/);
  refused(t, () => argv('commit', 'confirmed', 'confirmed'), /given twice/);
  refused(t, () => argv('commit', '--set', 'novalue'), /PATH=VALUE/);
  refused(t, () => argv('commit', '--merge'), /only with --load/);
  refused(t, () => argv('commit', 'now'), /unexpected "now"/);
  refused(t, () => argv('commit', 'comment'), /TEXT expected/);
});

test('rollback, compare, clear counters, watch, token, load', (t) => {
  t.deepEqual(argv('rollback', '2'), { kind: 'rollback', revision: 2, comment: '' });
  t.deepEqual(line('rollback 2 comment undo the mtu'), { kind: 'rollback', revision: 2, comment: 'undo the mtu' });
  t.deepEqual(argv('compare', '1', '3'), { kind: 'compare', from: 1, to: 3 });
  t.deepEqual(argv('clear', 'counters'), { kind: 'clear-counters' });
  t.deepEqual(argv('watch'), { kind: 'watch', intervalMs: 1000, count: undefined });
  t.deepEqual(argv('watch', 'counters', '--interval', '0.5', '--count', '3'), { kind: 'watch', intervalMs: 500, count: 3 });
  t.deepEqual(argv('token', 'create', 'bob', 'viewer', '--ttl', '3600'), { kind: 'token-create', user: 'bob', role: 'viewer', ttlSeconds: 3600 });
  t.deepEqual(argv('token', 'list'), { kind: 'token-list' });
  t.deepEqual(argv('load', 'f.yaml', '--merge'), { kind: 'load', load: { file: 'f.yaml', merge: true } });
  refused(t, () => argv('rollback', '0'), /revision number/);
  refused(t, () => argv('rollback', '-1'), /revision number/);
  refused(t, () => argv('rollback', '2', 'because'), /unexpected "because"/);
  refused(t, () => argv('compare', '1'), /compare N M/);
  refused(t, () => argv('clear', 'all'), /only "clear counters"/);
  refused(t, () => argv('watch', '--interval', '0.01'), /0\.1-3600/);
  refused(t, () => argv('watch', '--count', '0'), /1-1000000/);
  refused(t, () => argv('token', 'create', 'bob', 'root'), /role "root" unknown/);
  refused(t, () => argv('frobnicate'), /unknown command "frobnicate"/);
});

test('scripts: one command per line, comments and blank lines skipped, line numbers kept', (t) => {
  const lines = scriptLines('# change the mtu\n\n  set ports[cust0].mtu 9000  \r\ncommit comment x\n');
  t.deepEqual(lines.map((l) => l.number), [3, 4]);
  t.deepEqual(lines[0].words.list, ['set', 'ports[cust0].mtu', '9000']);
  t.is(lines[0].words.rest(2), '9000');
  t.is(wordsFromLine('a  b   c d').rest(1), 'b   c d');
  t.is(wordsFromLine('a').rest(5), '');
});

test('options: before the command, --json also last; conflicts refused', (t) => {
  const o = parseCtlOptions(['--url', 'ws://h:1', '--token-file=/tmp/t', 'show', 'ports', '--json']);
  t.is(o.url, 'ws://h:1');
  t.is(o.tokenFile, '/tmp/t');
  t.true(o.json);
  t.deepEqual(o.words, ['show', 'ports']);
  t.is(parseCtlOptions(['-f', '-']).script, '-');
  t.true(parseCtlOptions(['help']).help);
  refused(t, () => parseCtlOptions(['--token', 'a', '--token-file', 'b', 'show', 'ports']), /give one/);
  refused(t, () => parseCtlOptions(['--cert', 'c', 'show', 'ports']), /go together/);
  refused(t, () => parseCtlOptions(['--verbose', 'show']), /unknown option --verbose/);
  refused(t, () => parseCtlOptions(['--url']), /a value is expected/);
  refused(t, () => parseCtlOptions(['-f', 's.txt', 'show', 'ports']), /no command words with a script/);
});

test('rates: SI prefixes, three digits; JSON keeps 64-bit counters exact as strings', (t) => {
  t.is(fmtRate(undefined), '-');
  t.is(fmtRate(0), '0');
  t.is(fmtRate(950), '950');
  t.is(fmtRate(12_345), '12.3k');
  t.is(fmtRate(1_250_000_000), '1.25G');
  t.is(fmtRate(999_999), '1.00M');
  t.is(toJson({ n: 2n ** 64n - 1n }, false), '{"n":"18446744073709551615"}');
});

function sample(at: number, rx: bigint, baselineAt = 0n): CountersSample {
  const counters = { rxPackets: rx, rxBytes: rx * 100n, txPackets: rx, txBytes: rx * 100n, drops: { truncated: rx / 10n } };
  return {
    at: BigInt(at),
    revision: 1,
    baselineAt,
    ports: [{ name: 'p', interface: '', driver: 'mem', mode: '', link: 'LINK_STATE_UP', counters }],
    attachments: [{ name: 'a', port: 'p', service: '', counters }],
    drops: {},
  };
}

test('rates between samples come from the server\'s timestamps; unknown across a baseline reset', (t) => {
  const first = computeRates(sample(1000, 0n), undefined);
  t.is(first.seconds, undefined);
  t.is(first.ports.get('p')?.rxPps, undefined);
  const r = computeRates(sample(3000, 1000n), sample(1000, 0n));
  t.is(r.seconds, 2);
  t.deepEqual(r.ports.get('p'), { rxPps: 500, rxBps: 400_000, txPps: 500, txBps: 400_000, dropsPs: 50 });
  t.deepEqual(r.attachments.get('a'), r.ports.get('p'));
  t.is(r.total.rxPps, 500);
  const cleared = computeRates(sample(3000, 10n, 2500n), sample(1000, 1000n));
  t.is(cleared.seconds, undefined, 'clear counters in between');
  t.is(cleared.ports.get('p')?.rxPps, undefined);
  t.is(computeRates(sample(3000, 10n), sample(1000, 1000n)).ports.get('p')?.rxPps, undefined, 'a counter that went down');
});
