/**
 * cix_live_gen on a real veth pair in namespaces made here (cxb-t*, removed
 * afterwards, pass or fail), both senders (xdp, packet): it sends exactly
 * what it says, the sink's kernel counts the same number, the frames on the
 * wire are the bench frame byte for byte (captured by tcpdump, read back by
 * scapy), it never sends faster than asked, and bad arguments are refused. Needs root and the
 * generator built (bench/live/run.sh or cmake --build build/bench --target
 * cix_live_gen); skipped otherwise.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { BENCH_FRAME, buildFrame } from '../frame';
import { Generator, GENERATOR_MODES } from '../generator';
import { Net } from '../netns';

const GEN_BIN = process.env.CIX_LIVE_GEN ?? 'build/bench/cix_live_gen';
const NS_G = 'cxb-tgen';
const NS_S = 'cxb-tsink';
const GEN = { ns: NS_G, ifname: 'cxb-tgen0' };
const SINK = { ns: NS_S, ifname: 'cxb-tsink0' };
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(GEN_BIN) ? `${GEN_BIN} not built` : false;

const net = new Net();
const frame = buildFrame(BENCH_FRAME);

async function removeOurs(): Promise<void> {
  for (const ns of [NS_G, NS_S]) await net.delNetns(ns).catch(() => undefined);
}

before(async () => {
  if (skip) return;
  await removeOurs(); // leftovers of an interrupted run
  await net.addNetns(NS_G);
  await net.addNetns(NS_S);
  await net.addVeth(GEN, SINK);
  await net.up(GEN);
  await net.up(SINK);
  await net.setGro(SINK); // NAPI on the receiving veth: the xdp sender needs it, as in the bench
});

after(removeOurs);

for (const mode of GENERATOR_MODES) {
  test(`${mode}: sends exactly --count frames, and the sink counts them all`, { skip, timeout: 30_000 }, async () => {
    const c0 = await net.counters(SINK);
    const out = execFileSync('nsenter', [`--net=/run/netns/${NS_G}`, GEN_BIN, '--mode', mode, '--dev', GEN.ifname,
      '--frame', frame.toString('hex'), '--rate', '50000', '--count', '5000', '--duration', '10'], { encoding: 'utf8', timeout: 20_000 });
    const rep = JSON.parse(out) as { mode: string; sent: number; failed: number; unfinished: number; elapsed_s: number };
    assert.equal(rep.mode, mode);
    assert.equal(rep.sent, 5000);
    assert.equal(rep.failed, 0);
    assert.equal(rep.unfinished, 0);
    // Never faster than asked (a loaded machine can only make it slower).
    assert.ok(rep.elapsed_s >= 0.95 * (5000 / 50000), `5000 frames at 50 kpps took ${rep.elapsed_s} s`);
    await new Promise((r) => setTimeout(r, 200)); // frames still in the receiver's ring
    const c1 = await net.counters(SINK);
    assert.equal(c1.rxPackets - c0.rxPackets, 5000);
  });

  test(`${mode}: the frames on the wire are the bench frame, byte for byte (tcpdump + scapy)`, { skip, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxb-test-'));
    const pcap = join(dir, 'sink.pcap');
    try {
      const dump = spawn('nsenter', [`--net=/run/netns/${NS_S}`, 'tcpdump', '-i', SINK.ifname, '-c', '20', '-w', pcap, '-U'], { stdio: 'ignore' });
      const dumped = new Promise<void>((resolve) => dump.once('exit', () => resolve()));
      const killer = setTimeout(() => dump.kill('SIGKILL'), 20_000);
      await new Promise((r) => setTimeout(r, 1500)); // tcpdump attaches
      // Keep sending until tcpdump has its 20 frames (bounded by the kill above).
      const g = new Generator(GEN_BIN);
      for (let i = 0; i < 10 && dump.exitCode === null; i++) {
        await g.run({ mode, ns: NS_G, ifname: GEN.ifname, frame, ratePps: 1000, durationS: 0.2, cpu: 0, burst: 1 });
      }
      await dumped;
      clearTimeout(killer);
      const py = spawnSync('/usr/bin/python3', ['-c',
        'import sys\nfrom scapy.all import rdpcap, raw\nps = rdpcap(sys.argv[1])\nprint(len(ps), len(set(raw(p).hex() for p in ps)), raw(ps[0]).hex())', pcap],
        { encoding: 'utf8', timeout: 30_000 });
      assert.equal(py.status, 0, py.stderr);
      const [count, distinct, hex] = py.stdout.trim().split(' ');
      assert.equal(Number(count), 20);
      assert.equal(Number(distinct), 1);
      assert.equal(hex, frame.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('bad arguments are refused with exit code 2, naming the option', { skip }, () => {
  for (const [args, what] of [
    [['--dev', GEN.ifname], '--dev and --frame are required'],
    [['--dev', GEN.ifname, '--frame', 'abc'], '--frame'],
    [['--dev', GEN.ifname, '--frame', frame.toString('hex'), '--rate', '-5'], '--rate'],
    [['--dev', GEN.ifname, '--frame', frame.toString('hex'), '--ring', '1000'], '--ring'],
    [['--dev', GEN.ifname, '--frame', frame.toString('hex'), '--mode', 'dpdk'], '--mode'],
    [['--dev', GEN.ifname, '--frame', frame.toString('hex'), '--bogus', '1'], 'unknown option'],
  ] as const) {
    const r = spawnSync(GEN_BIN, args, { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(what.replace(/[-]/g, '\\-')));
  }
});

test('an interface that does not exist is an error naming it, exit code 1', { skip }, () => {
  const r = spawnSync('nsenter', [`--net=/run/netns/${NS_G}`, GEN_BIN, '--dev', 'cxb-nothere', '--frame', frame.toString('hex')], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cxb-nothere/);
});
