/**
 * The live benchmark's figures: per topology the NDR and PDR, the line rate
 * they fill, the ratio to the kernel and to the ceiling measured in the same
 * run, what the machine spent per packet; as a terminal table and as a
 * dated section of bench/RESULTS.md (results_file.ts puts it there).
 */
import type { BenchCase } from './cases';
import { FCS_LEN, L1_OVERHEAD } from './frame';
import type { Machine } from './machine';
import { machineLine } from './machine';
import type { LiveOptions } from './options';
import type { SearchOptions, SearchResult } from './search';
import type { TopologyId } from './topology';
import { topologyLabel } from './topology';
import type { TrialResult } from './trial';

export const PDR_LOSS = 0.005;
/** cix counts as "at the ceiling" within this fraction of the ceiling's NDR. */
export const AT_CEILING = 0.98;

export interface Measured {
  id: TopologyId;
  /** The flat-out trial with the highest offered rate. */
  unpaced: TrialResult;
  ndr: SearchResult<TrialResult>;
  pdr: SearchResult<TrialResult>;
  /** Every trial after the warm-up, in order. */
  trials: TrialResult[];
  /** What the device said about itself (cix: its ports' driver modes). */
  note?: string;
}

export interface NotMeasured {
  id: TopologyId;
  reason: string;
}

export type Outcome = Measured | NotMeasured;

export interface Report {
  date: string;
  machine: Machine;
  options: LiveOptions;
  search: SearchOptions;
  benchCase: BenchCase;
  outcomes: Outcome[];
}

const isMeasured = (o: Outcome): o is Measured => 'ndr' in o;

/** The figure a search stands for: the offered rate of its best passing trial. */
function ratePps(r: SearchResult<TrialResult>): number | undefined {
  return r.best?.offeredPps;
}

function mpps(pps: number | undefined): string {
  return pps === undefined ? '—' : (pps / 1e6).toFixed(3);
}

function gbitL1(pps: number | undefined, wireSize: number): string {
  return pps === undefined ? '—' : ((pps * (wireSize + L1_OVERHEAD) * 8) / 1e9).toFixed(3);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || !b ? '—' : (a / b).toFixed(2);
}

/** All CPUs' busy time during the trial, in nominal clock cycles, per frame that arrived. */
function cyclesPerPacket(t: TrialResult | undefined, m: Machine): string {
  if (!t || !t.received || !m.nominalMhz) return '—';
  let busy = 0;
  for (const f of t.busy.values()) busy += f;
  return Math.round((busy * t.elapsedS * m.nominalMhz * 1e6) / t.received).toString();
}

function busyText(t: TrialResult | undefined, o: LiveOptions): string {
  if (!t) return '—';
  const pct = (cpu: number): string => `${Math.round((t.busy.get(cpu) ?? 0) * 100)}%`;
  return o.genCpu === o.dutCpu ? `CPU ${o.genCpu}: ${pct(o.genCpu)}` : `gen CPU ${o.genCpu}: ${pct(o.genCpu)}, dut CPU ${o.dutCpu}: ${pct(o.dutCpu)}`;
}

function endText(r: SearchResult<TrialResult>): string {
  switch (r.end) {
    case 'at-generator-limit':
      return 'no loss flat out';
    case 'resolution':
      return `closed at ${mpps(r.lowPps)}–${mpps(r.highPps)}`;
    case 'trials':
      return `trials ran out at ${mpps(r.lowPps)}–${mpps(r.highPps)}`;
  }
}

function ndrOf(r: Report, id: TopologyId): number | undefined {
  const o = r.outcomes.find((x) => x.id === id);
  return o && isMeasured(o) ? ratePps(o.ndr) : undefined;
}

export function goalVerdict(r: Report): string {
  const cix = ndrOf(r, 'cix');
  const kernel = ndrOf(r, 'kernel');
  const ceiling = ndrOf(r, 'ceiling');
  if (cix === undefined || kernel === undefined || ceiling === undefined) return 'not judged: cix, kernel and ceiling are needed in the same run';
  const x = cix / kernel;
  const c = cix / ceiling;
  // "At the generator's ceiling" is the ceiling path's rate. No loss with the
  // generator flat out in cix's topology is not enough: there the generator's
  // CPU also runs the veth's receive path and the XDP redirect into cix's
  // socket, cix's own kernel-side work, which slows the generator down.
  const cixOutcome = r.outcomes.find((o): o is Measured => o.id === 'cix' && isMeasured(o));
  const flatOut = cixOutcome?.ndr.end === 'at-generator-limit';
  const met = x >= 2 || c >= AT_CEILING;
  return (
    `${met ? 'met' : 'NOT met'}: cix NDR ${mpps(cix)} Mpps = ${x.toFixed(2)}× the kernel's and ${(c * 100).toFixed(0)}% of the ceiling's` +
    (flatOut ? ' (no loss with the generator flat out: the generator\'s CPU, which also runs the XDP redirect into cix, was the limit)' : '')
  );
}

const HEAD = [
  'topology', 'NDR Mpps', 'PDR Mpps', 'Gbit/s at NDR (L1)', '× kernel (NDR)', '× ceiling (NDR)',
  'cycles/pkt at NDR (all CPUs)', 'CPU busy at NDR', 'flat out: offered → forwarded Mpps', 'NDR search',
];

function rows(r: Report): string[][] {
  const kernel = ndrOf(r, 'kernel');
  const ceiling = ndrOf(r, 'ceiling');
  return r.outcomes.map((o) => {
    if (!isMeasured(o)) return [topologyLabel(o.id, r.benchCase.id), '—', '—', '—', '—', '—', '—', '—', '—', `not measured: ${o.reason}`];
    const ndr = ratePps(o.ndr);
    return [
      topologyLabel(o.id, r.benchCase.id),
      mpps(ndr),
      mpps(ratePps(o.pdr)),
      gbitL1(ndr, r.benchCase.frame.wireSize),
      o.id === 'kernel' ? '1 (reference)' : ratio(ndr, kernel),
      o.id === 'ceiling' ? '1 (reference)' : ratio(ndr, ceiling),
      cyclesPerPacket(o.ndr.best, r.machine),
      busyText(o.ndr.best, r.options),
      `${mpps(o.unpaced.offeredPps)} → ${mpps(o.unpaced.forwardedPps)}`,
      endText(o.ndr),
    ];
  });
}

/** One line per trial: asked → offered, forwarded, loss. */
export function trialLine(t: TrialResult): string {
  const asked = t.requestedPps === 0 ? 'flat out' : `${mpps(t.requestedPps)} Mpps`;
  return `${asked.padStart(14)} -> offered ${mpps(t.offeredPps)}, forwarded ${mpps(t.forwardedPps)} Mpps, loss ${(t.loss * 100).toFixed(3)}% (${t.sent - Math.min(t.sent, t.received)} of ${t.sent})`;
}

function trialLog(r: Report): string[] {
  const out: string[] = [];
  for (const o of r.outcomes) {
    if (!isMeasured(o)) continue;
    out.push(`${topologyLabel(o.id, r.benchCase.id)}:`);
    for (const t of o.trials) out.push(`  ${trialLine(t)}`);
  }
  return out;
}

function runLine(r: Report): string {
  const o = r.options;
  const s = r.search;
  return (
    `generator on CPU ${o.genCpu}, device (cix's worker) on CPU ${o.dutCpu}; ${o.durationS} s trials; ` +
    `NDR: highest rate with no loss, PDR: loss <= ${PDR_LOSS * 100}%; ${o.flatOutTrials} flat-out trial(s), then binary search (RFC 2544 §26.1) ` +
    `to ${s.resolution * 100}% of the flat-out rate or ${s.maxTrials} trials per search; a trial passes only if the generator offered ` +
    `>= ${s.minOfferedRatio * 100}% of the rate asked; a rate holds after ${s.passesToHold} passing trials and fails with one failed trial` +
    (o.note ? `; ${o.note}` : '')
  );
}

function frameLine(r: Report): string {
  const size = r.benchCase.frame.wireSize;
  const tags = r.benchCase.frame.tags.length ? 'Ethernet/802.1ad/802.1Q/IPv4/UDP' : 'Ethernet/IPv4/UDP';
  return (
    `${r.benchCase.id}: ${r.benchCase.title}. ${size} B on the wire (${size - FCS_LEN} B + FCS), ${tags}, one flow, fixed destination MAC, ` +
    `the same frame for every topology; Gbit/s counts the ${L1_OVERHEAD} B of preamble and inter-frame gap (L1): ${size + L1_OVERHEAD} B per frame`
  );
}

function generatorLine(r: Report): string {
  const how =
    r.options.genMode === 'xdp'
      ? 'xdp: an XDP program run by BPF_PROG_TEST_RUN (live frames) paces frame by frame and redirects to the veth, no skb per frame'
      : `packet: AF_PACKET TX_RING with qdisc bypass, bursts of ${r.options.burst} paced by credit`;
  return `cix_live_gen (bench/live/live_gen.c), ${how}; sent = its count (checked against the generator veth), received = the sink veth's rx_packets`;
}

function notes(r: Report): string[] {
  return r.outcomes.filter(isMeasured).filter((o) => o.note).map((o) => `${topologyLabel(o.id, r.benchCase.id)}: ${o.note}`);
}

export function terminalReport(r: Report): string {
  const table = [HEAD, ...rows(r)];
  const widths = HEAD.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const fmt = (row: string[]): string => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [
    `Machine: ${machineLine(r.machine)}`,
    `Run: ${runLine(r)}`,
    `Case: ${frameLine(r)}`,
    `Generator: ${generatorLine(r)}`,
    ...notes(r),
    '',
    fmt(HEAD),
    ...rows(r).map(fmt),
    '',
    r.benchCase.frame.wireSize === 64
      ? `Goal (cix >= 2x the kernel, or at the generator's ceiling): ${goalVerdict(r)}`
      : `Against the goal's measure (set for 64-byte frames; for reference here): ${goalVerdict(r)}`,
  ].join('\n');
}

export function sectionHeading(r: Report): string {
  return `## live · ${r.benchCase.id} · ${r.date} · ${r.machine.cpu} · ${r.machine.cores} cores · ${r.machine.kernel}`;
}

export function markdownSection(r: Report): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [
    sectionHeading(r),
    '',
    `- Machine: ${machineLine(r.machine)}`,
    `- Run: ${runLine(r)}`,
    `- Case: ${frameLine(r)}`,
    `- Generator: ${generatorLine(r)}`,
    ...notes(r).map((n) => `- ${n}`),
    '',
    line(HEAD),
    line(HEAD.map((_, i) => (i === 0 || i >= 7 ? '---' : '--:'))),
    ...rows(r).map(line),
    '',
    r.benchCase.frame.wireSize === 64
      ? `Goal (issue 3: cix ≥ 2× the kernel, or at the generator's ceiling): **${goalVerdict(r)}**.`
      : `Against the goal's measure (issue 3 sets it for 64-byte frames; for reference here): ${goalVerdict(r)}.`,
    '',
    'Every trial (asked → offered, forwarded, loss):',
    '',
    '```',
    ...trialLog(r),
    '```',
    '',
    '',
  ].join('\n');
}
