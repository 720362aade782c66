/**
 * One trial: offer one rate for a fixed time and count what arrived.
 *
 * Sent is the generator's own count of frames the kernel took from its
 * ring; it is checked against the generator veth's counters (tx_packets +
 * tx_dropped), an independent count. Received is the sink veth's
 * rx_packets: a veth counts a frame there once it has been queued to the
 * sink's receive path (its backlog or its NAPI ring), and a frame refused
 * for lack of room is counted as dropped on the sending side instead, so
 * the counter holds frames that really arrived. After the generator stops,
 * the sink's counter is read until it stops moving (frames still in the
 * device's rings get there), for at most a second.
 */
import type { GeneratorMode, GeneratorReport } from './generator';
import { Generator } from './generator';
import { busyBetween, readCpuTimes } from './machine';
import type { Endpoint, Net } from './netns';
import type { Trial } from './search';

export interface TrialResult extends Trial {
  sent: number;
  received: number;
  elapsedS: number;
  /** Frames the generator veth counted (sent + dropped) in the same time: should equal `sent`. */
  genIfCount: number;
  /** Busy fraction of each CPU during the trial. */
  busy: Map<number, number>;
  gen: GeneratorReport;
}

export interface TrialSetup {
  net: Net;
  generator: Generator;
  genMode: GeneratorMode;
  gen: Endpoint;
  sink: Endpoint;
  frame: Buffer;
  genCpu: number;
  burst: number;
}

const SETTLE_POLL_MS = 20;
const SETTLE_MAX_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runTrial(s: TrialSetup, ratePps: number, durationS: number): Promise<TrialResult> {
  const sink0 = await s.net.counters(s.sink);
  const gen0 = await s.net.counters(s.gen);
  const cpu0 = readCpuTimes();
  const rep = await s.generator.run({
    mode: s.genMode,
    ns: s.gen.ns,
    ifname: s.gen.ifname,
    frame: s.frame,
    ratePps,
    durationS,
    cpu: s.genCpu,
    burst: s.burst,
  });
  const cpu1 = readCpuTimes();
  let sink1 = await s.net.counters(s.sink);
  for (let waited = 0; waited < SETTLE_MAX_MS; waited += SETTLE_POLL_MS) {
    await sleep(SETTLE_POLL_MS);
    const again = await s.net.counters(s.sink);
    if (again.rxPackets === sink1.rxPackets) break;
    sink1 = again;
  }
  const gen1 = await s.net.counters(s.gen);
  const sent = rep.sent;
  const received = sink1.rxPackets - sink0.rxPackets;
  const elapsed = rep.elapsedS > 0 ? rep.elapsedS : durationS;
  return {
    requestedPps: ratePps,
    offeredPps: rep.achievedPps,
    forwardedPps: received / elapsed,
    // More received than sent would be someone else's frames; none cross these
    // links (IPv6 off, nothing else sends), and loss is never negative.
    loss: sent > 0 ? Math.max(0, sent - received) / sent : 1,
    sent,
    received,
    elapsedS: elapsed,
    genIfCount: gen1.txPackets + gen1.txDropped - (gen0.txPackets + gen0.txDropped),
    busy: busyBetween(cpu0, cpu1),
    gen: rep,
  };
}
