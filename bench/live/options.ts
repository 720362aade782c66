/**
 * The live benchmark's command line (see `--help`). Every value is checked
 * here, once; a bad one is a LIVE_USAGE error naming the option.
 */
import type { CaseId } from './cases';
import { CASE_IDS, CASES } from './cases';
import { LiveBenchError } from './errors';
import type { GeneratorMode } from './generator';
import { GENERATOR_MODES } from './generator';
import { onlineCpus } from './machine';
import type { TopologyId } from './topology';
import { TOPOLOGIES } from './topology';

export interface LiveOptions {
  only: TopologyId[];
  /** The frame and cix configuration (cases.ts). */
  case: CaseId;
  /** Seconds per trial. */
  durationS: number;
  /** Most trials per search (NDR, then PDR), the flat-out trials not counted. */
  maxTrials: number;
  /** Flat-out (unpaced) trials before the search. */
  flatOutTrials: number;
  /** Passing trials for a rate to hold (1 in a quick run). */
  passesToHold: number;
  genCpu: number;
  dutCpu: number;
  /** How the generator sends (generator.ts). */
  genMode: GeneratorMode;
  /** Frames per generator kick (packet) or per batch of the kernel's loop (xdp). */
  burst: number;
  generator: string;
  cixMain: string;
  /** cix's configuration template; default: the case's. */
  cixConfig: string;
  markdown: string | undefined;
  note: string | undefined;
  quick: boolean;
}

export const USAGE = `usage: node dist/bench/live/main.js [options]   (as root; bench/live/run.sh builds and runs it)
  --only LIST        topologies, comma-separated: ceiling, kernel, cix (default: all three)
  --case NAME        xconnect: untagged frames, whole-port cross-connect (default);
                     qinq: Q-in-Q frames, cix translates both tags (the bridge passes them);
                     jumbo: 9018-byte frames (9000-byte IPv4) on veths of MTU 9216, packet mode
  --duration S       seconds per trial (default 2)
  --max-trials N     most trials per search, NDR then PDR (default 12)
  --flat-out N       flat-out trials before the search (default 3)
  --gen-cpu N        the generator's CPU (default: the first online)
  --dut-cpu N        the device's CPU: cix's worker (default: the last online)
  --gen-mode MODE    xdp: the kernel sends, paced frame by frame by an XDP program (default);
                     packet: AF_PACKET TX_RING, paced in bursts from user space
  --burst N          frames per generator kick or kernel batch (default 32)
  --generator PATH   the generator binary (default build/bench/cix_live_gen)
  --cix-main PATH    cix's CLI (default dist/src/cli/main.js)
  --cix-config FILE  cix's configuration template (default: the case's, bench/live/cix-CASE.yaml)
  --markdown FILE    write the results as a dated section into FILE (bench/RESULTS.md)
  --note TEXT        added to the Run line of the section
  --quick            a smoke run: 0.3 s trials, 1 flat out, 3 per search, a rate holds after
                     one pass, nothing written`;

function usage(msg: string): LiveBenchError {
  return new LiveBenchError('LIVE_USAGE', `${msg}\n${USAGE}`);
}

function int(opt: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < lo || n > hi) throw usage(`${opt}: ${JSON.stringify(v)} is not a whole number from ${lo} to ${hi}`);
  return n;
}

export function parseOptions(argv: readonly string[]): LiveOptions | 'help' {
  const cpus = onlineCpus();
  const o: LiveOptions = {
    only: [...TOPOLOGIES],
    case: 'xconnect',
    durationS: 2,
    maxTrials: 12,
    flatOutTrials: 3,
    passesToHold: 2,
    genCpu: cpus[0],
    dutCpu: cpus[cpus.length - 1],
    genMode: 'xdp',
    burst: 32,
    generator: 'build/bench/cix_live_gen',
    cixMain: 'dist/src/cli/main.js',
    cixConfig: '',
    markdown: undefined,
    note: undefined,
    quick: false,
  };
  let durationSet = false;
  let trialsSet = false;
  let flatSet = false;
  let genModeSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--quick') {
      o.quick = true;
      continue;
    }
    const v = argv[i + 1];
    if (v === undefined) throw usage(`${a}: needs a value`);
    i++;
    switch (a) {
      case '--only': {
        const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
        const bad = ids.filter((id) => !(TOPOLOGIES as readonly string[]).includes(id));
        if (!ids.length || bad.length) throw usage(`--only: ${bad.join(', ') || '(empty)'}: not a topology (ceiling, kernel, cix)`);
        // Always in the canonical order: the references first.
        o.only = TOPOLOGIES.filter((t) => ids.includes(t));
        break;
      }
      case '--case':
        if (!(CASE_IDS as readonly string[]).includes(v)) throw usage(`--case: ${JSON.stringify(v)} is not a case (${CASE_IDS.join(', ')})`);
        o.case = v as CaseId;
        break;
      case '--duration': {
        const d = Number(v);
        if (!(d >= 0.1 && d <= 60)) throw usage(`--duration: ${JSON.stringify(v)} is not a number of seconds from 0.1 to 60`);
        o.durationS = d;
        durationSet = true;
        break;
      }
      case '--max-trials':
        o.maxTrials = int(a, v, 1, 30);
        trialsSet = true;
        break;
      case '--flat-out':
        o.flatOutTrials = int(a, v, 1, 10);
        flatSet = true;
        break;
      case '--gen-cpu':
        o.genCpu = int(a, v, 0, 4095);
        break;
      case '--dut-cpu':
        o.dutCpu = int(a, v, 0, 4095);
        break;
      case '--gen-mode':
        if (!(GENERATOR_MODES as readonly string[]).includes(v)) throw usage(`--gen-mode: ${JSON.stringify(v)} is not xdp or packet`);
        o.genMode = v as GeneratorMode;
        genModeSet = true;
        break;
      case '--burst':
        o.burst = int(a, v, 1, 256);
        break;
      case '--generator':
        o.generator = v;
        break;
      case '--cix-main':
        o.cixMain = v;
        break;
      case '--cix-config':
        o.cixConfig = v;
        break;
      case '--markdown':
        o.markdown = v;
        break;
      case '--note':
        o.note = v;
        break;
      default:
        throw usage(`${a}: unknown option`);
    }
  }
  for (const [opt, cpu] of [['--gen-cpu', o.genCpu], ['--dut-cpu', o.dutCpu]] as const) {
    if (!cpus.includes(cpu)) throw usage(`${opt}: CPU ${cpu} is not online (online: ${cpus.join(',')})`);
  }
  if (!o.cixConfig) o.cixConfig = CASES[o.case].cixConfig;
  const needs = CASES[o.case].genMode;
  if (needs !== undefined && needs !== o.genMode) {
    if (genModeSet) throw usage(`--gen-mode ${o.genMode}: the ${o.case} case's frames can only be sent in ${needs} mode`);
    o.genMode = needs;
  }
  if (o.quick) {
    if (!durationSet) o.durationS = 0.3;
    if (!trialsSet) o.maxTrials = 3;
    if (!flatSet) o.flatOutTrials = 1;
    o.passesToHold = 1;
    o.markdown = undefined;
  }
  return o;
}
