/**
 * Driving cix_live_gen (live_gen.c): one bounded run at one rate, inside the
 * generator's namespace, and its one-line JSON report, checked.
 */
import { runCommand } from './exec';
import { LiveBenchError } from './errors';

/** xdp: the kernel sends (BPF_PROG_TEST_RUN live frames), no skb per frame; packet: AF_PACKET TX_RING. */
export type GeneratorMode = 'xdp' | 'packet';
export const GENERATOR_MODES: readonly GeneratorMode[] = ['xdp', 'packet'];

export interface GeneratorRun {
  mode: GeneratorMode;
  ns: string;
  ifname: string;
  /** The frame's bytes (without FCS). */
  frame: Buffer;
  /** Frames per second; 0: as fast as the kernel takes them. */
  ratePps: number;
  durationS: number;
  /** The CPU the generator is pinned to. */
  cpu: number;
  /** packet: most frames per kick (and the pacing quantum); xdp: frames per batch of the kernel's loop. */
  burst: number;
}

/** What the generator says it did. */
export interface GeneratorReport {
  ratePps: number;
  /** Frames the kernel took from the ring. */
  sent: number;
  /** Frames the kernel refused (malformed: never expected). */
  failed: number;
  /** Frames still in the ring when the run had to end. */
  unfinished: number;
  elapsedS: number;
  achievedPps: number;
  kicks: number;
  ringFull: number;
}

interface RawReport {
  rate_pps?: unknown;
  sent?: unknown;
  failed?: unknown;
  unfinished?: unknown;
  elapsed_s?: unknown;
  achieved_pps?: unknown;
  kicks?: unknown;
  ring_full?: unknown;
}

function num(v: unknown, what: string, line: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new LiveBenchError('LIVE_GENERATOR', `generator report: ${what} missing or not a number: ${line}`);
  }
  return v;
}

export function parseReport(stdout: string): GeneratorReport {
  const line = stdout.trim().split('\n').pop() ?? '';
  let raw: RawReport;
  try {
    raw = JSON.parse(line) as RawReport;
  } catch (e) {
    throw new LiveBenchError('LIVE_GENERATOR', `generator report is not JSON: ${line.slice(0, 200)}`, { cause: e });
  }
  return {
    ratePps: num(raw.rate_pps, 'rate_pps', line),
    sent: num(raw.sent, 'sent', line),
    failed: num(raw.failed, 'failed', line),
    unfinished: num(raw.unfinished, 'unfinished', line),
    elapsedS: num(raw.elapsed_s, 'elapsed_s', line),
    achievedPps: num(raw.achieved_pps, 'achieved_pps', line),
    kicks: num(raw.kicks, 'kicks', line),
    ringFull: num(raw.ring_full, 'ring_full', line),
  };
}

export class Generator {
  constructor(
    private readonly binary: string,
    private readonly signal?: AbortSignal,
  ) {}

  async run(r: GeneratorRun): Promise<GeneratorReport> {
    // The generator stops itself at the duration and at its own hard timeout
    // (duration + 3 s); the command's limit is the last resort.
    const args = [
      `--net=/run/netns/${r.ns}`, this.binary,
      '--mode', r.mode,
      '--dev', r.ifname,
      '--frame', r.frame.toString('hex'),
      '--rate', String(Math.round(r.ratePps)),
      '--duration', String(r.durationS),
      '--timeout', String(r.durationS + 3),
      '--burst', String(r.burst),
      '--cpu', String(r.cpu),
    ];
    const out = await runCommand('nsenter', args, { timeoutMs: (r.durationS + 8) * 1000, signal: this.signal });
    const rep = parseReport(out);
    if (rep.failed > 0) {
      throw new LiveBenchError('LIVE_GENERATOR', `the kernel refused ${rep.failed} frames on ${r.ns}/${r.ifname}`);
    }
    return rep;
  }
}
