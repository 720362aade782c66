/**
 * What a run measures: the frame every topology gets and the configuration
 * cix runs. The references (kernel bridge, ceiling) get the same frame, so
 * each case compares like with like: the bridge passes tags through, as a
 * whole-port cross-connect does; for the Q-in-Q case cix does more work than
 * the bridge (it rewrites both tags), which the ratio then includes.
 */
import type { FrameSpec } from './frame';
import { BENCH_FRAME, JUMBO_FRAME, QINQ_FRAME } from './frame';
import type { GeneratorMode } from './generator';

export type CaseId = 'xconnect' | 'qinq' | 'jumbo';
export const CASE_IDS: readonly CaseId[] = ['xconnect', 'qinq', 'jumbo'];

export interface BenchCase {
  id: CaseId;
  /** For the report. */
  title: string;
  frame: FrameSpec;
  /** cix's configuration template (dataplane.cpus is set by the bench). */
  cixConfig: string;
  /** The MTU of every veth of the topology (and so the bridge's); default the kernel's 1500. */
  linkMtu?: number;
  /** The only generator mode that can send the frame (the XDP sender's live frames stop at a page). */
  genMode?: GeneratorMode;
}

export const CASES: Record<CaseId, BenchCase> = {
  xconnect: {
    id: 'xconnect',
    title: 'untagged frames, whole-port cross-connect',
    frame: BENCH_FRAME,
    cixConfig: 'bench/live/cix-xconnect.yaml',
  },
  qinq: {
    id: 'qinq',
    title: 'Q-in-Q frames (S-VID 100, C-VID 200), cix translates both tags (S-VID 300, C-VID 400)',
    frame: QINQ_FRAME,
    cixConfig: 'bench/live/cix-qinq.yaml',
  },
  jumbo: {
    id: 'jumbo',
    title: 'untagged 9000-byte IPv4 packets, whole-port cross-connect (veth MTU 9216)',
    frame: JUMBO_FRAME,
    cixConfig: 'bench/live/cix-jumbo.yaml',
    linkMtu: 9216,
    genMode: 'packet',
  },
};
