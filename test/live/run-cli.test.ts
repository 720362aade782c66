/**
 * `cix run` as an operator runs it: a configuration refused with the field
 * named (exit 2), a missing interface refused with its name (exit 1), and
 * on a lab: up, then SIGTERM stops it cleanly (exit 0) with no XDP program,
 * no address and no counters file left.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import test from 'ava';

import { labDown, labNames, labUp } from '../../src/lab/topology';
import { RUNNING_LINE } from '../../src/cli/run';
import { cix, tempDir } from '../helpers/cli';
import { assertReleased, LAB_CONFIG, live, sleep, sweepBefore } from './helpers';

const PREFIX = 'cxld';
sweepBefore(PREFIX);
const CLI = path.resolve(__dirname, '../../src/cli/main.js');

/** A state directory of the test's own and kernel-chosen ports, so runs never share state or collide. */
function isolated(dir: string): string[] {
  return ['--state-dir', path.join(dir, 'state'), '--mgmt-listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'];
}

test('cix run refuses a configuration it cannot run live, naming the field', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'replay-only.yaml');
  fs.writeFileSync(
    file,
    'ports:\n  - { name: a, driver: pcap }\n  - { name: b, driver: afpacket }\nattachments: []\nservices: []\ndataplane: { workers: 1, cpus: [4096] }\n',
  );
  const r = cix(['run', file]);
  t.is(r.status, 2);
  t.deepEqual(r.stderr.trim().split('\n'), [
    `cix: ${file}: ports[0].driver: pcap cannot run live; cix run moves frames with afxdp or afpacket (pcap is for replay and benchmarks)`,
    `cix: ${file}: ports[1].interface: required for driver afpacket (the OS interface to bind to)`,
    `cix: ${file}: dataplane.cpus[0]: CPU 4096 is not online on this machine (online: ${r.stderr.match(/online: ([0-9,-]+)/)?.[1]})`,
  ]);
  t.is(r.stdout, '');
});

test('cix run usage errors', (t) => {
  t.is(cix(['run']).status, 2);
  t.regex(cix(['run', 'a.yaml', '--netns', '../x']).stderr, /--netns \.\.\/x: not a network namespace name/);
  const missing = cix(['run', 'examples/lab.yaml', '--netns', 'cxld-nowhere']);
  t.is(missing.status, 2);
  t.regex(missing.stderr, /--netns cxld-nowhere: no such network namespace/);
});

live('cix run on an interface that does not exist: one line naming it, exit 1, nothing left', async (t) => {
  t.timeout(60_000);
  const lab = labNames(`${PREFIX}1`);
  t.teardown(() => labDown(lab));
  await labUp(lab);
  const dir = tempDir(t);
  const file = path.join(dir, 'missing.yaml');
  fs.writeFileSync(file, fs.readFileSync(LAB_CONFIG, 'utf8').replace('interface: cloud0', 'interface: cloud9'));
  const r = cix(['run', file, '--netns', lab.namespaces.cix, ...isolated(dir)]);
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /cix run: cannot start: .*cloud9/);
  await assertReleased(t, lab);
});

live('cix run in a lab: SIGTERM stops it cleanly, XDP detached, addresses and counters file gone', async (t) => {
  t.timeout(60_000);
  const lab = labNames(`${PREFIX}0`);
  t.teardown(() => labDown(lab));
  await labUp(lab);
  const child = spawn(process.execPath, [CLI, 'run', LAB_CONFIG, '--netns', lab.namespaces.cix, ...isolated(tempDir(t))], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 300 && !out.includes(RUNNING_LINE); i++) await sleep(100);
  t.true(out.includes(RUNNING_LINE), out);
  t.regex(out, /cust0\s+cust0\s+afxdp\s+native\/copy\s+192\.0\.2\.1\/24/);
  t.true(fs.readdirSync('/dev/shm').some((f) => f.startsWith(`cix-${child.pid}-`)), 'counters file while running');

  child.kill('SIGTERM');
  t.is(await exited, 0, out);
  t.regex(out, /cix run: SIGTERM: stopping/);
  t.regex(out, /cix run: stopped/);
  await assertReleased(t, lab);
  t.false(fs.readdirSync('/dev/shm').some((f) => f.startsWith(`cix-${child.pid}-`)), 'counters file removed');
});
