/**
 * The live benchmark: NDR and PDR of cix forwarding real frames between
 * network namespaces, with the Linux kernel (a bridge) and the bare
 * generator -> sink path as references measured in the same run.
 *
 * For each topology in turn: build it (topology.ts), start the device (cix
 * only), warm up until frames cross, flat-out trials, then the NDR and
 * PDR searches (search.ts), then remove everything. Results go to the
 * terminal and, with --markdown, into bench/RESULTS.md. Every trial is
 * bounded (the generator's duration and hard timeout, the command's limit);
 * Ctrl-C or SIGTERM stops the trial under way and removes what was made.
 * bench/live/run.sh builds what this needs and sweeps leftovers whatever
 * happens.
 */
import { existsSync } from 'node:fs';

import { CASES } from './cases';
import { CixRun } from './cix';
import { LiveBenchError } from './errors';
import { buildFrame } from './frame';
import { Generator } from './generator';
import { describeMachine, machineLine } from './machine';
import { Net } from './netns';
import type { LiveOptions } from './options';
import { parseOptions, USAGE } from './options';
import type { Measured, Outcome, Report } from './report';
import { markdownSection, PDR_LOSS, terminalReport, trialLine } from './report';
import { writeSection } from './results_file';
import type { SearchOptions } from './search';
import { DEFAULT_SEARCH, flatOut, highestHeld, searchRate } from './search';
import type { TopologyId, Wires } from './topology';
import { build, NS_DUT, teardown, topologyLabel } from './topology';
import type { TrialResult, TrialSetup } from './trial';
import { runTrial } from './trial';

/** What `cix run` prints once its ports are open and its worker runs (src/cli/run.ts RUNNING_LINE). */
const CIX_RUNNING_LINE = 'cix run: running';
const CIX_START_LIMIT_S = 30;

/** Warm-up: short trials at a low rate until one loses nothing (bridge ready, cix's ports open). */
const WARMUP_PPS = 20_000;
const WARMUP_TRIAL_S = 0.25;
const WARMUP_LIMIT_S: Record<TopologyId, number> = { ceiling: 5, kernel: 5, cix: 10 };

interface Context {
  o: LiveOptions;
  search: SearchOptions;
  net: Net;
  /** For cleanup: not tied to the abort signal, so it still works after Ctrl-C. */
  cleanNet: Net;
  generator: Generator;
  frame: Buffer;
  signal: AbortSignal;
}

const say = (s: string): void => void process.stdout.write(`${s}\n`);

async function warmUp(ctx: Context, setup: TrialSetup, id: TopologyId, cix: CixRun | undefined): Promise<void> {
  const deadline = Date.now() + WARMUP_LIMIT_S[id] * 1000;
  let last: TrialResult | undefined;
  while (Date.now() < deadline) {
    cix?.checkAlive();
    last = await runTrial(setup, WARMUP_PPS, WARMUP_TRIAL_S);
    if (last.sent > 0 && last.loss === 0) return;
    if (ctx.signal.aborted) break;
  }
  cix?.checkAlive();
  const what = last ? `last try: ${last.received} of ${last.sent} frames arrived` : 'no trial ran';
  throw new LiveBenchError('LIVE_NO_TRAFFIC', `${topologyLabel(id, ctx.o.case)}: frames do not cross at ${WARMUP_PPS} pps after ${WARMUP_LIMIT_S[id]} s (${what})`);
}

/** The driver modes cix printed for its ports, for the Run notes. */
function cixNote(cix: CixRun): string | undefined {
  const lines = cix.logHead(40).split('\n').filter((l) => /afxdp|afpacket/.test(l));
  return lines.length ? `ports (port, interface, driver, mode, addresses): ${lines.map((l) => l.trim().split(/\s+/).join(' ')).join('; ')}` : undefined;
}

async function measure(ctx: Context, id: TopologyId): Promise<Measured> {
  if (id === 'cix' && !existsSync(ctx.o.cixMain)) {
    throw new LiveBenchError('LIVE_PREREQ', `${ctx.o.cixMain} is missing (npm run build)`);
  }
  const wires: Wires = await build(ctx.net, id, CASES[ctx.o.case].linkMtu);
  let cix: CixRun | undefined;
  let failed = true;
  try {
    if (id === 'cix') {
      cix = CixRun.start({ mainJs: ctx.o.cixMain, configTemplate: ctx.o.cixConfig, netns: NS_DUT, cpu: ctx.o.dutCpu });
      await cix.waitFor(CIX_RUNNING_LINE, CIX_START_LIMIT_S * 1000, ctx.signal);
    }
    const setup: TrialSetup = {
      net: ctx.net,
      generator: ctx.generator,
      genMode: ctx.o.genMode,
      gen: wires.gen,
      sink: wires.sink,
      frame: ctx.frame,
      genCpu: ctx.o.genCpu,
      burst: ctx.o.burst,
    };
    await warmUp(ctx, setup, id, cix);
    const trial = async (ratePps: number): Promise<TrialResult> => {
      cix?.checkAlive();
      const t = await runTrial(setup, ratePps, ctx.o.durationS);
      cix?.checkAlive();
      // Cross-checks: the generator veth's own count, and frames nobody sent (there should be none).
      const mismatch = Math.abs(t.genIfCount - t.sent) > Math.max(10, t.sent * 0.001);
      const extra = t.received - t.sent;
      say(`  ${trialLine(t)}${mismatch ? `  [generator veth counted ${t.genIfCount}]` : ''}${extra > 0 ? `  [${extra} frames more than sent]` : ''}`);
      return t;
    };
    // Flat out a few times: the top of the range, and the answer itself when nothing is lost.
    const trials: TrialResult[] = [];
    for (let i = 0; i < ctx.o.flatOutTrials; i++) trials.push(await trial(0));
    const ndrSearch = await searchRate(0, trials, trial, ctx.search);
    const pdr = await searchRate(PDR_LOSS, trials, trial, ctx.search);
    // A rate that held without loss during the PDR search is a zero-loss rate
    // too: the NDR is the highest of the whole run.
    const ndr = { ...ndrSearch, best: highestHeld(trials, 0, ctx.search) ?? ndrSearch.best };
    failed = false;
    const note = cix ? cixNote(cix) : undefined;
    const unpaced = flatOut(trials) ?? trials[0];
    return { id, unpaced, ndr, pdr, trials, ...(note ? { note } : {}) };
  } finally {
    if (cix) {
      await cix.stop(failed);
      if (failed) say(`  cix's log: ${cix.logPath}`);
    }
    for (const p of await teardown(ctx.cleanNet, wires)) say(`  cleanup: ${p}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseOptions(argv);
  if (parsed === 'help') {
    say(USAGE);
    return 0;
  }
  const o = parsed;
  if (process.getuid?.() !== 0) throw new LiveBenchError('LIVE_PREREQ', 'the live benchmark makes network namespaces: run it as root');
  if (!existsSync(o.generator)) throw new LiveBenchError('LIVE_PREREQ', `${o.generator} is missing (bench/live/run.sh builds it)`);

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const search: SearchOptions = { ...DEFAULT_SEARCH, maxTrials: o.maxTrials, passesToHold: o.passesToHold };
  const ctx: Context = {
    o,
    search,
    net: new Net(controller.signal),
    cleanNet: new Net(),
    generator: new Generator(o.generator, controller.signal),
    frame: buildFrame(CASES[o.case].frame),
    signal: controller.signal,
  };
  for (const p of await ctx.cleanNet.sweep()) say(`leftover not removed: ${p}`);

  const machine = describeMachine();
  say(`Machine: ${machineLine(machine)}`);
  const outcomes: Outcome[] = [];
  for (const id of o.only) {
    say(`==> ${topologyLabel(id, o.case)}`);
    try {
      outcomes.push(await measure(ctx, id));
    } catch (e) {
      if (controller.signal.aborted) throw new LiveBenchError('LIVE_INTERRUPTED', 'interrupted; everything made was removed', { cause: e });
      const msg = e instanceof Error ? e.message : String(e);
      say(`  not measured: ${msg}`);
      outcomes.push({ id, reason: msg.split('\n')[0] });
    }
  }

  const report: Report = {
    date: new Date().toISOString().slice(0, 10),
    machine,
    options: o,
    search,
    benchCase: CASES[o.case],
    outcomes,
  };
  say('');
  say(terminalReport(report));
  const complete = outcomes.every((x) => 'ndr' in x);
  if (o.markdown) {
    if (complete) {
      writeSection(o.markdown, markdownSection(report));
      say(`written: ${o.markdown}`);
    } else {
      say(`not written to ${o.markdown}: not every topology was measured`);
    }
  }
  return complete ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (rc) => {
    process.exitCode = rc;
  },
  (e: unknown) => {
    const err = e instanceof LiveBenchError ? e : undefined;
    process.stderr.write(`live bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = err?.code === 'LIVE_INTERRUPTED' ? 130 : err?.code === 'LIVE_USAGE' ? 2 : 1;
  },
);
