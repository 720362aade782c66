/**
 * The live demo (`npm run demo`): a lab, cix running in it, real traffic
 * both ways for a few seconds with the counters shown once a second, then
 * everything removed again, on success, on failure and on Ctrl-C.
 */
import { loadConfigFile, validateLive, ConfigError } from '../config';
import { renderTable } from '../cli/table';
import type { OperationalState } from '../supervisor/api';
import { Supervisor } from '../supervisor/supervisor';
import { CIX_CUST_ADDRESS, labDown, labNames, labUp, type Lab } from './topology';
import { flow, probe, startStream, type ProbeReport, type Running, type StreamReport, type Tag } from './traffic';

export const DEMO_PREFIX = 'cix-lab-demo';

export interface LiveDemoOptions {
  /** Names of the lab's namespaces (src/lab/topology.ts labNames). */
  prefix: string;
  configPath: string;
  seconds: number;
  /** Frames per second of each stream. */
  rate: number;
  out: (text: string) => void;
  /** Redraw the counters in place (a terminal) instead of printing them again. */
  redraw: boolean;
}

const C200: Tag = [0x8100, 200, 0, 0];
const S100: Tag = [0x88a8, 100, 0, 0];
const C300: Tag = [0x8100, 300, 0, 0];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

function countersTable(s: OperationalState, elapsed: number): string {
  const rows = [['attachment', 'port', 'rx packets', 'tx packets', 'rx bytes', 'tx bytes']];
  for (const a of s.attachments) {
    const c = a.counters;
    rows.push([a.name, a.port, String(c.rxPackets), String(c.txPackets), String(c.rxBytes), String(c.txBytes)]);
  }
  const drops = Object.entries(s.drops).filter(([, n]) => n > 0n);
  const ports = s.ports.map((p) => `${p.name} ${p.link} ${p.mode}`).join(', ');
  return [
    `t=${elapsed}s  dataplane pid ${s.dataplane.pid ?? '-'} ${s.dataplane.state}  ports: ${ports}`,
    renderTable(rows, ['l', 'l', 'r', 'r', 'r', 'r']),
    `  drops: ${drops.length > 0 ? drops.map(([r, n]) => `${r} ${n}`).join(', ') : 'none'}`,
  ].join('\n');
}

function streamLine(name: string, r: StreamReport | Error): string {
  if (r instanceof Error) return `  ${name}: ${r.message}`;
  return `  ${name}: ${r.sent} sent, ${r.received} arrived, ${r.equal} of them byte for byte as scapy expects`;
}

/** ok: every stream arrived whole and cix answered ARP and ping. */
export type DemoOutcome = 'ok' | 'failed' | 'interrupted';

export async function runLiveDemo(opts: LiveDemoOptions): Promise<DemoOutcome> {
  const config = await loadConfigFile(opts.configPath);
  const live = validateLive(config.source);
  if (live.length > 0) throw new ConfigError(live, opts.configPath);
  const lab: Lab = labNames(opts.prefix);
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) return;
    opts.out(`\ncix demo: ${signal}: cleaning up\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const streams: Running<StreamReport>[] = [];
  let sup: Supervisor | undefined;
  try {
    await labDown(lab); // what a killed demo may have left
    opts.out(`cix demo: namespaces ${Object.values(lab.namespaces).join(', ')}; veth pairs cust<->cix, cix<->cloud\n`);
    await labUp(lab, { queues: config.dataplane.workers });
    if (abort.signal.aborted) return 'interrupted';

    sup = new Supervisor({ netns: lab.namespaces.cix, log: (l) => opts.out(`cix: ${l}\n`) });
    await sup.apply(config.source, 1);
    if (abort.signal.aborted) return 'interrupted';
    const st = sup.state();
    opts.out(`cix demo: cix runs ${opts.configPath} in ${lab.namespaces.cix} (dataplane pid ${st.dataplane.pid}); ports ${st.ports.map((p) => `${p.name} ${p.driver} ${p.mode}`).join(', ')}\n`);
    opts.out(`cix demo: ${opts.seconds} s of traffic at ${opts.rate} frames/s each way, made and checked with scapy:\n`);
    opts.out('  customer C-tag 200 -> cloud S-tag 100 + C-tag 200, and back; customer untagged -> cloud C-tag 300;\n');
    opts.out(`  ARP and ping from the customer host to cix's own address ${CIX_CUST_ADDRESS}\n\n`);

    const count = Math.round(opts.seconds * opts.rate);
    const back = { src: '02:00:5e:10:00:02', dst: '02:00:5e:10:00:01' };
    const up = startStream(flow('cust->cloud', lab.custHost, lab.cloudHost, [C200], [S100, C200]), count, opts.rate, { flowId: 1 });
    const down = startStream(flow('cloud->cust', lab.cloudHost, lab.custHost, [S100, C200], [C200], back), count, opts.rate, { flowId: 2 });
    const untagged = startStream(flow('untagged', lab.custHost, lab.cloudHost, [], [C300]), count, opts.rate, { flowId: 3 });
    streams.push(up, down, untagged);
    const probed: Promise<ProbeReport | Error> = probe(lab.custHost, '192.0.2.2', CIX_CUST_ADDRESS).catch((e: Error) => e);

    // Once a second until the streams are done (bounded: scapy may take a moment to start), then once more.
    const results: (StreamReport | Error)[] = [];
    let finished = false;
    void Promise.all(streams.map((s) => s.result.catch((e: Error) => e))).then((r) => {
      results.push(...r);
      finished = true;
    });
    const start = Date.now();
    let lines = 0;
    for (let i = 0; i <= opts.seconds + 15 && !abort.signal.aborted; i++) {
      const done = finished;
      const text = countersTable(sup.state(), Math.round((Date.now() - start) / 1000));
      if (opts.redraw && lines > 0) opts.out(`\x1b[${lines}A\x1b[J`);
      opts.out(`${text}\n`);
      lines = text.split('\n').length;
      if (done) break;
      await sleep(1_000, abort.signal);
    }
    if (abort.signal.aborted) return 'interrupted';
    if (!finished) {
      opts.out('cix demo: the traffic did not finish in time\n');
      return 'failed';
    }
    const p = await probed;
    opts.out('\ncix demo: what arrived (checked by scapy in the receiving namespace):\n');
    ['customer -> cloud (C200 -> S100+C200)', 'cloud -> customer (S100+C200 -> C200)', 'customer untagged -> cloud (C300)'].forEach((name, i) =>
      opts.out(`${streamLine(name, results[i]!)}\n`),
    );
    if (p instanceof Error) opts.out(`  ARP/ping ${CIX_CUST_ADDRESS}: ${p.message}\n`);
    else opts.out(`  ARP for ${CIX_CUST_ADDRESS}: ${p.arp === null ? 'no answer' : `answered by ${p.arp}`}; ping: ${p.ping} of 3 answered (the kernel behind cix, not the fast path)\n`);
    const streamsOk = results.every((r) => !(r instanceof Error) && r.sent > 0 && r.equal === r.sent);
    const probeOk = !(p instanceof Error) && p.arp !== null && p.ping > 0;
    return streamsOk && probeOk ? 'ok' : 'failed';
  } finally {
    for (const s of streams) s.kill();
    await sup?.close().catch(() => undefined);
    const removed = await labDown(lab).catch((e: Error) => [`(cleanup failed: ${e.message})`]);
    opts.out(`cix demo: stopped cix, removed ${removed.join(', ') || 'nothing'}\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
