/**
 * Replay end to end: captures built by scapy go through `cix replay`; every
 * output frame is checked by scapy (byte for byte against the frame scapy
 * expects, and its tags decoded) and by tshark, and the JSON summary counts
 * each drop under its reason.
 */
import test, { type ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { cix, python, tempDir, tshark } from '../helpers/cli';

const CONFIG = 'test/fixtures/e2e.yaml';
const SCRIPT = 'test/scapy/e2e_frames.py';

interface Expected {
  outputs: Record<string, { ts: number; hex: string }[]>;
  drops: Record<string, number>;
  rx: Record<string, number>;
}

interface Summary {
  frames: { read: number; written: number };
  ports: Record<string, { rx_packets: number; tx_packets: number; drops: Record<string, number> }>;
  attachments: Record<string, { rx_packets: number; tx_packets: number; drops: Record<string, number> }>;
  drops: Record<string, number>;
}

function makeCaptures(t: ExecutionContext): { dir: string; expected: Expected; inArgs: string[] } {
  const dir = tempDir(t);
  const made = python(SCRIPT, ['make', dir]);
  if (made.status !== 0) throw new Error(`scapy could not build the captures: ${made.stderr}`);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
  const inArgs = ['a=a.pcapng', 'b=b.pcap', 'c=c.pcap', 'w=w.pcap'].flatMap((s) => {
    const [port, file] = s.split('=');
    return ['--in', `${port}=${path.join(dir, file)}`];
  });
  return { dir, expected, inArgs };
}

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

test('every tag operation, checked by scapy byte for byte and by tshark', (t) => {
  const { dir, expected, inArgs } = makeCaptures(t);
  const out = path.join(dir, 'out');
  const r = cix(['replay', CONFIG, ...inArgs, '--out', out]);
  t.is(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as Summary;

  // scapy: each port sent exactly the frames scapy expects, in capture-time order.
  const check = python(SCRIPT, ['check', dir, out]);
  t.is(check.status, 0, check.stderr);
  const report = JSON.parse(check.stdout) as { ok: boolean; errors: string[] };
  t.deepEqual(report.errors, []);
  t.true(report.ok);

  // Counters: received per port, and every frame not sent counted under its one reason.
  for (const [port, n] of Object.entries(expected.rx)) t.is(summary.ports[port].rx_packets, n, `rx on ${port}`);
  for (const [port, frames] of Object.entries(expected.outputs)) {
    t.is(summary.ports[port].tx_packets, frames.length, `tx on ${port}`);
  }
  const nonzero = Object.fromEntries(Object.entries(summary.drops).filter(([, n]) => n > 0));
  t.deepEqual(nonzero, expected.drops);
  const sent = Object.values(expected.outputs).reduce((a, f) => a + f.length, 0);
  const dropped = Object.values(summary.drops).reduce((a, b) => a + b, 0);
  t.is(summary.frames.read, sent + dropped);
  t.is(summary.frames.written, sent);
  t.is(summary.attachments.a90.drops.no_service, 1);

  // tshark, a second decoder: frame counts and the VLAN IDs of the 802.1Q/802.1ad tags.
  for (const [port, frames] of Object.entries(expected.outputs)) {
    const file = path.join(out, `${port}.pcap`);
    const ts = tshark(['-r', file, '-T', 'fields', '-e', 'frame.len', '-e', 'ieee8021ad.id', '-e', 'vlan.id', '-E', 'occurrence=a', '-E', 'aggregator=/']);
    t.is(ts.status, 0, ts.stderr);
    const lines = ts.stdout.split('\n').filter((l) => l.length > 0);
    t.is(lines.length, frames.length, `tshark frames on ${port}`);
    lines.forEach((line, i) => {
      const [len] = line.split('\t');
      t.is(Number(len), frames[i].hex.length / 2, `${port} frame ${i + 1} length`);
    });
  }
  // One frame decoded in full: push 1->2 of a C-tagged frame to S-VID 100 / C-VID 10, PCP kept.
  const b = tshark(['-r', path.join(out, 'b.pcap'), '-c', '1', '-T', 'fields', '-e', 'eth.type', '-e', 'ieee8021ad.id', '-e', 'ieee8021ad.priority', '-e', 'vlan.id', '-e', 'vlan.priority']);
  t.is(b.stdout.trim(), '0x88a8\t100\t0\t10\t0');
});

test('replay is exact: the same captures give the same bytes, whatever the burst size', (t) => {
  const { dir, inArgs } = makeCaptures(t);
  const digests: string[] = [];
  for (const burst of ['1', '7', '256']) {
    const out = path.join(dir, `out-${burst}`);
    const r = cix(['replay', CONFIG, ...inArgs, '--out', out, '--burst', burst]);
    t.is(r.status, 0, r.stderr);
    digests.push(['a', 'b', 'c', 'w'].map((p) => sha(path.join(out, `${p}.pcap`))).join(','));
  }
  t.is(new Set(digests).size, 1);
});

test('the demo captures replay through the example config with only the drops they were made to show', (t) => {
  const out = path.join(tempDir(t), 'out');
  const ins = ['cust0', 'cust1', 'cloud0'].flatMap((p) => ['--in', `${p}=examples/captures/${p}.pcap`]);
  const r = cix(['replay', 'examples/qinq-xconnect.yaml', ...ins, '--out', out]);
  t.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Summary;
  const nonzero = Object.fromEntries(Object.entries(s.drops).filter(([, n]) => n > 0));
  t.deepEqual(nonzero, { truncated: 1, too_many_tags: 1, tpid_mismatch: 1, no_attachment: 2, mtu_tx: 1 });
  for (const name of ['cust-a-edge', 'cust-b-edge', 'cust-c-edge']) t.true(s.attachments[name].tx_packets > 0);
});
