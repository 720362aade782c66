/**
 * The live runtime on real interfaces: veth pairs whose peers sit in network
 * namespaces made here, frames built, sent and checked byte for byte with
 * scapy, cix's workers in between (in this process, root namespace).
 * Everything is named "cxw..." and removed after each test, pass or fail,
 * and swept before the first. Serial: the tests share the machine's cores
 * and every one of them moves real frames.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import test, { type ExecutionContext } from 'ava';

import { mapCounterFile } from '../../src/dataplane/counters';
import { DataplaneHost, LiveStartError } from '../../src/dataplane/host';
import { LiveSpecError } from '../../src/dataplane/live-spec';
import type { LiveDriver, LivePortSpec, LiveRunSpec, XdpModeName } from '../../src/native/binding';
import { hasXdp, makeSide, openFds, removeSide, sweep, threads, traffic, type Side } from './live-net';
import { CLOUD_TO_CUST, CUST_TO_CLOUD, frames, PLAN, PLAN_WITH_SPARE } from './live-plan';

const isRoot = process.getuid?.() === 0;
const live = isRoot ? test.serial : test.serial.skip;

test.before(() => {
  if (isRoot) sweep();
});
test.after.always(() => {
  if (isRoot) sweep();
});

/** Two sides (cust, cloud) made for one test and removed when it ends. */
function topology(t: ExecutionContext, tag: string, queues = 1): { cust: Side; cloud: Side } {
  const made: Side[] = [];
  t.teardown(() => made.forEach(removeSide));
  const cust = makeSide(`${tag}a`, queues);
  made.push(cust);
  const cloud = makeSide(`${tag}b`, queues);
  made.push(cloud);
  return { cust, cloud };
}

function port(id: number, name: string, side: Side | string, driver: LiveDriver, xdpMode: XdpModeName = 'auto'): LivePortSpec {
  return { id, name, interface: typeof side === 'string' ? side : side.host, driver, xdpMode, addresses: [] };
}

function runSpec(ports: LivePortSpec[], workers = 1): LiveRunSpec {
  return { ports, workers, cpus: [], burst: 64 };
}

function newHost(t: ExecutionContext, workers = 1, countersPath?: string): DataplaneHost {
  const host = new DataplaneHost(countersPath === undefined ? { workers, maxAttachments: 16 } : { workers, maxAttachments: 16, countersPath });
  t.teardown(() => host.close());
  return host;
}

/** Both directions through a started host: every frame arrives once, as scapy built it. */
async function bothWays(t: ExecutionContext, cust: Side, cloud: Side): Promise<void> {
  const up = await traffic('exchange', { tx: cust, rx: cloud, cases: CUST_TO_CLOUD });
  t.deepEqual(up.bad, [], 'cust -> cloud frames as scapy expects them');
  t.deepEqual(up.missing, []);
  t.is(up.received, frames(CUST_TO_CLOUD));
  t.is(up.duplicates, 0);
  const down = await traffic('exchange', { tx: cloud, rx: cust, cases: CLOUD_TO_CUST });
  t.deepEqual(down.bad, [], 'cloud -> cust frames as scapy expects them');
  t.deepEqual(down.missing, []);
  t.is(down.received, frames(CLOUD_TO_CUST));
  t.is(down.duplicates, 0);
}

function forwards(driver: LiveDriver, xdpMode: XdpModeName, tag: string, wantMode: string, workers = 1) {
  return async (t: ExecutionContext) => {
    t.timeout(60_000);
    const { cust, cloud } = topology(t, tag, workers);
    const host = newHost(t, workers);
    host.publish(PLAN);
    const status = host.start(runSpec([port(0, 'cust0', cust, driver, xdpMode), port(1, 'cloud0', cloud, driver, xdpMode)], workers));
    t.is(status.length, 2);
    for (const p of status) {
      t.is(p.driver, driver);
      t.is(p.mode, wantMode);
      t.deepEqual(
        p.sockets.map((s) => [s.queue, s.worker]),
        Array.from({ length: workers }, (_, q) => [q, q]),
      );
      for (const s of p.sockets) t.true(driver === 'afxdp' ? ['copy', 'zerocopy'].includes(s.mode) : s.mode === 'tpacket-v3');
    }
    t.deepEqual(status.map((p) => [p.id, p.name, p.interface]), [
      [0, 'cust0', cust.host],
      [1, 'cloud0', cloud.host],
    ]);
    if (driver === 'afxdp') t.true(hasXdp(cust.host) && hasXdp(cloud.host), 'XDP attached while running');
    t.true(host.running());

    await bothWays(t, cust, cloud);

    const snap = host.snapshot();
    const up = frames(CUST_TO_CLOUD);
    const down = frames(CLOUD_TO_CUST);
    t.is(snap.ports.get('cust0')?.rx_packets, BigInt(up));
    t.is(snap.ports.get('cloud0')?.tx_packets, BigInt(up));
    t.is(snap.ports.get('cloud0')?.rx_packets, BigInt(down));
    t.is(snap.ports.get('cust0')?.tx_packets, BigInt(down));
    t.is(snap.attachments.get('cust-c')?.rx_packets, 8n);
    t.is(snap.attachments.get('cloud-c')?.tx_packets, 8n);
    t.true(Object.values(snap.drops).every((n) => n === 0n), 'nothing dropped');
    const stats = host.socketStats();
    t.is(stats.length, 2 * workers);
    t.deepEqual(
      stats.map((s) => [s.port, s.queue, s.worker]),
      [0, 1].flatMap((p) => Array.from({ length: workers }, (_, q) => [p, q, q])),
    );
    t.true(stats.every((s) => typeof s.rxEmptyPolls === 'bigint' && s.txKicks >= 0n));

    host.stop();
    t.false(host.running());
    t.is(host.missingBuffers(), 0, 'every buffer back in its pool');
    t.false(hasXdp(cust.host) || hasXdp(cloud.host), 'no XDP program left after stop');
    t.deepEqual(host.socketStats(), []);
  };
}

live('afpacket forwards both ways with the configured tags, byte for byte', forwards('afpacket', 'auto', 'p', 'tpacket-v3'));
live('afxdp in native mode forwards both ways, byte for byte', forwards('afxdp', 'native', 'n', 'native'));
live('afxdp in skb mode forwards both ways, byte for byte', forwards('afxdp', 'skb', 's', 'skb'));
live('two workers: afpacket with one socket per worker and queue', forwards('afpacket', 'auto', 'q', 'tpacket-v3', 2));
live('two workers: afxdp with one socket per worker and queue', forwards('afxdp', 'auto', 'x', 'native', 2));

live('start and stop 20 times: no descriptor, memory, buffer or XDP program left behind', async (t) => {
  t.timeout(120_000);
  const { cust, cloud } = topology(t, 'c');
  const host = newHost(t);
  host.publish(PLAN);
  const spec = runSpec([port(0, 'cust0', cust, 'afxdp'), port(1, 'cloud0', cloud, 'afpacket')]);
  // One cycle first: libraries may open what they keep (e.g. a BPF feature probe).
  host.start(spec);
  host.stop();
  const fds = openFds();
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < 20; i++) {
    host.start(spec);
    t.true(hasXdp(cust.host));
    host.stop();
    t.is(host.missingBuffers(), 0, `cycle ${i}: buffers`);
    t.false(hasXdp(cust.host), `cycle ${i}: XDP detached`);
  }
  const added = openFds().filter((fd) => !fds.includes(fd));
  t.deepEqual(added, [], 'no descriptor left open');
  const grown = process.memoryUsage().rss - rss;
  t.true(grown < 32 * 1024 * 1024, `resident memory grew by ${grown} bytes`);
  // And it still forwards.
  host.start(spec);
  await bothWays(t, cust, cloud);
  host.stop();
  t.is(host.missingBuffers(), 0);
});

live('50 plans published under a steady stream: every frame sent is received', async (t) => {
  t.timeout(90_000);
  const { cust, cloud } = topology(t, 'e');
  const host = newHost(t);
  const g0 = host.publish(PLAN);
  host.start(runSpec([port(0, 'cust0', cust, 'afxdp'), port(1, 'cloud0', cloud, 'afxdp')]));
  const count = 3000;
  const stream = traffic('stream', {
    tx: cust,
    rx: cloud,
    cases: [CUST_TO_CLOUD[0]!],
    count,
    pps: 1000,
    timeout: 5,
  });
  // Publish once the frames flow (python takes a moment to start), 50 times in about a second.
  const received = () => host.snapshot().ports.get('cust0')?.rx_packets ?? 0n;
  for (let i = 0; i < 400 && received() === 0n; i++) await new Promise((r) => setTimeout(r, 50));
  const first = received();
  let generation = g0;
  for (let i = 0; i < 50; i++) {
    generation = host.publish(i % 2 === 0 ? PLAN_WITH_SPARE : PLAN);
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = received();
  const r = await stream;
  t.is(generation, g0 + 50);
  t.true(first > 0n && last > first && last < BigInt(count), `publishes under traffic (${first}..${last} of ${count} frames)`);
  t.deepEqual(r.bad, []);
  t.deepEqual(r.missing, []);
  t.is(r.sent, count);
  t.is(r.received, count, 'frames sent == frames received');
  t.is(r.duplicates, 0);
  const snap = host.snapshot();
  t.is(snap.ports.get('cust0')?.rx_packets, BigInt(count));
  t.is(snap.ports.get('cloud0')?.tx_packets, BigInt(count));
  t.true(Object.values(snap.drops).every((n) => n === 0n));
});

live('stop under traffic: workers end between bursts and every buffer comes home', async (t) => {
  t.timeout(60_000);
  const { cust, cloud } = topology(t, 'u');
  const host = newHost(t);
  host.publish(PLAN);
  host.start(runSpec([port(0, 'cust0', cust, 'afxdp'), port(1, 'cloud0', cloud, 'afxdp')]));
  const stream = traffic('stream', { tx: cust, rx: cloud, cases: [CUST_TO_CLOUD[0]!], count: 2000, pps: 1000, timeout: 1 });
  const received = () => host.snapshot().ports.get('cust0')?.rx_packets ?? 0n;
  for (let i = 0; i < 400 && received() < 200n; i++) await new Promise((r) => setTimeout(r, 50));
  t.true(received() >= 200n, 'frames were flowing');
  host.stop();
  t.is(host.missingBuffers(), 0, 'fill, rx and tx rings gave their buffers back');
  t.false(hasXdp(cust.host) || hasXdp(cloud.host));
  const r = await stream;
  t.true(r.received < r.sent, 'the stream outlived the dataplane');
  t.deepEqual(r.bad, [], 'what got through before the stop was right');
});

live('counters in a shared file: a second mapping reads them, also after the dataplane was killed', async (t) => {
  t.timeout(60_000);
  const { cust, cloud } = topology(t, 'k');
  const file = `/dev/shm/cxw-counters-${process.pid}`;
  t.teardown(() => fs.rmSync(file, { force: true }));
  const child = spawn(process.execPath, [path.join(__dirname, 'live-child.js'), file, cust.host, cloud.host], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child not ready: ${err}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });

  const mapped = mapCounterFile(file, 1, 16);
  t.teardown(() => mapped.close());
  const names = { ports: ['cust0', 'cloud0'], attachments: PLAN.attachments.map((a) => a.name) };
  t.is(mapped.reader.snapshot(names.ports, names.attachments).ports.get('cust0')?.rx_packets, 0n);
  const up = await traffic('exchange', { tx: cust, rx: cloud, cases: CUST_TO_CLOUD });
  t.is(up.received, frames(CUST_TO_CLOUD));
  const before = mapped.reader.snapshot(names.ports, names.attachments);
  t.is(before.ports.get('cust0')?.rx_packets, BigInt(frames(CUST_TO_CLOUD)));
  t.is(before.ports.get('cloud0')?.tx_packets, BigInt(frames(CUST_TO_CLOUD)));
  t.is(before.attachments.get('cloud-b')?.tx_packets, 8n);

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const after = mapped.reader.snapshot(names.ports, names.attachments);
  t.deepEqual(after.ports, before.ports, 'every count still there after kill -9');
  // A mapping made after the writer died reads the same.
  const late = mapCounterFile(file, 1, 16);
  t.is(late.reader.read(0).rx_packets, BigInt(frames(CUST_TO_CLOUD)));
  late.close();
  // The wrong shape is refused, naming what the file was made for.
  t.throws(() => mapCounterFile(file, 2, 16), { message: /made for 1 workers and 16 attachments/ });
});

live('a port that cannot be opened stops the start, names itself and leaves no XDP program behind', async (t) => {
  t.timeout(60_000);
  const { cust, cloud } = topology(t, 'f');
  const host = newHost(t);
  host.publish(PLAN);
  const bad = 'cxwnosuch0';
  for (const driver of ['afxdp', 'afpacket'] as const) {
    const err = t.throws(() => host.start(runSpec([port(0, 'cust0', cust, 'afxdp'), port(1, 'cloud0', bad, driver)])), {
      instanceOf: LiveStartError,
    });
    t.is(err?.code, 'CIX_LIVE_START');
    t.regex(err?.message ?? '', /cloud0/);
    t.regex(err?.message ?? '', new RegExp(bad));
    t.false(hasXdp(cust.host), `${driver}: the first port's program was detached again`);
    t.false(host.running());
  }
  // Nothing half-open stays in the way of a good start.
  host.start(runSpec([port(0, 'cust0', cust, 'afxdp'), port(1, 'cloud0', cloud, 'afxdp')]));
  t.true(hasXdp(cust.host) && hasXdp(cloud.host));
  await bothWays(t, cust, cloud);
  host.stop();
  t.false(hasXdp(cust.host) || hasXdp(cloud.host));
});

live('workers are threads named cix-w<i>, pinned to their CPUs, gone after stop', async (t) => {
  t.timeout(60_000);
  const { cust, cloud } = topology(t, 'w', 2);
  const host = newHost(t, 2);
  host.publish(PLAN);
  const ports = [port(0, 'cust0', cust, 'afpacket'), port(1, 'cloud0', cloud, 'afxdp')];
  const twoCpus = os.availableParallelism() >= 2;
  host.start({ ports, workers: 2, cpus: twoCpus ? [1, 0] : [0, 0], burst: 32 });
  const named = threads();
  t.deepEqual(named.get('cix-w0'), [twoCpus ? '1' : '0']);
  t.deepEqual(named.get('cix-w1'), ['0']);
  await bothWays(t, cust, cloud);
  host.stop();
  t.false([...threads().keys()].some((n) => n.startsWith('cix-w')), 'no worker thread left');
  // A CPU that does not exist: refused by the system, named, nothing left open.
  const err = t.throws(() => host.start({ ports, workers: 2, cpus: [0, 999], burst: 32 }), { instanceOf: LiveStartError });
  t.regex(err?.message ?? '', /worker 1: .*cpu 999/);
  t.false(host.running());
  t.false(hasXdp(cloud.host));
  t.false([...threads().keys()].some((n) => n.startsWith('cix-w')));
});

test('a bad run spec is refused whole, every field named, before anything opens', (t) => {
  const host = newHost(t, 2);
  t.throws(() => host.start(runSpec([port(0, 'cust0', 'eth0', 'afpacket')], 2)), { message: /publish a plan/ });
  host.publish(PLAN);
  const err = t.throws(
    () =>
      host.start({
        ports: [
          { id: 0, name: 'cust0', interface: 'bad/name', driver: 'afpacket', xdpMode: 'auto', addresses: ['192.0.2.1', '300.1.1.1'] },
          { id: 0, name: 'cloud0', interface: 'a-very-long-interface-name', driver: 'dpdk' as LiveDriver, xdpMode: 'fast' as XdpModeName, addresses: [] },
          { id: 7, name: '', interface: 'cxwq', driver: 'afxdp', xdpMode: 'skb', addresses: [] },
        ],
        workers: 3,
        cpus: [0],
        burst: 0,
      }),
    { instanceOf: LiveSpecError },
  );
  t.is(err?.code, 'CIX_LIVE_SPEC');
  t.deepEqual(
    err?.issues.map((i) => i.path),
    [
      'ports[0].interface',
      'ports[0].addresses[1]',
      'ports[1].id',
      'ports[1].interface',
      'ports[1].driver',
      'ports[1].xdpMode',
      'ports[2].id',
      'ports[2].name',
      'workers',
      'cpus',
      'burst',
    ],
  );
  t.false(host.running());
  t.deepEqual(host.socketStats(), []);
  host.stop(); // not running: nothing to do
});
