/**
 * Typed wrappers around src/lab/scapy/lab_traffic.py (Debian's python3 with
 * scapy): real frames between the lab's namespaces, built and checked by
 * scapy. Every run has a hard time limit and is killed when it overruns.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

import { findProjectRoot } from '../config';
import type { LabEnd } from './topology';

/** Debian's python3-scapy belongs to /usr/bin/python3, not the first python3 on PATH. */
export const PYTHON = '/usr/bin/python3';
export const TRAFFIC_SCRIPT = path.join(findProjectRoot(), 'src', 'lab', 'scapy', 'lab_traffic.py');

/** [tpid, vid, pcp, dei], outer first. */
export type Tag = [number, number, number, number];

export interface Flow {
  name?: string;
  tx: { netns: string; iface: string };
  rx: { netns: string; iface: string };
  tags_in: Tag[];
  tags_out: Tag[];
  src: string;
  dst: string;
  count?: number;
  size?: number;
}

export interface FlowReport {
  name: string;
  sent: number;
  received: number;
  /** Received and byte for byte what scapy expected. */
  equal: number;
  mismatches: { expected: string; got: string; expected_hex: string; got_hex: string }[];
}

export interface CheckReport {
  flows: FlowReport[];
  strays: { flow: number; seq: number; at: string[] }[];
}

export interface StreamReport {
  sent: number;
  received: number;
  equal: number;
  duplicates: number;
  lost: number;
  lost_first: number[];
  /** Longest silence between two frames at the receiver (s). */
  max_gap_s: number | null;
  send_s: number;
  mismatch: string | null;
}

export interface ProbeReport {
  /** MAC that answered ARP for the target, null when none did. */
  arp: string | null;
  /** Echo replies received (of `pings`). */
  ping: number;
}

export class TrafficError extends Error {
  readonly code = 'CIX_LAB_TRAFFIC';
  constructor(message: string) {
    super(message);
    this.name = 'TrafficError';
  }
}

/** A flow from one lab end to another with the given tags on each side. */
export function flow(name: string, from: LabEnd, to: LabEnd, tagsIn: Tag[], tagsOut: Tag[], extra: Partial<Flow> = {}): Flow {
  return {
    name,
    tx: { netns: from.netnsPath, iface: from.iface },
    rx: { netns: to.netnsPath, iface: to.iface },
    tags_in: tagsIn,
    tags_out: tagsOut,
    src: '02:00:5e:10:00:01',
    dst: '02:00:5e:10:00:02',
    ...extra,
  };
}

export interface Running<T> {
  /** Resolves when the script's sockets are open ("started"), for stream. */
  started: Promise<void>;
  result: Promise<T>;
  kill(): void;
  readonly process: ChildProcess;
}

function launch<T>(mode: 'check' | 'stream' | 'probe', spec: unknown, timeoutMs: number): Running<T> {
  const child = spawn(PYTHON, [TRAFFIC_SCRIPT, mode, '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (/^started$/m.test(stdout)) markStarted();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(JSON.stringify(spec));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const result = new Promise<T>((resolve, reject) => {
    child.on('error', (err) => reject(new TrafficError(`${PYTHON} ${mode}: ${err.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      markStarted();
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as T);
      else reject(new TrafficError(`lab_traffic.py ${mode} ${signal !== null ? `killed by ${signal}` : `exited ${code}`}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
  // Handled here too, so that a run killed in a cleanup is never an unhandled rejection.
  result.catch(() => undefined);
  return { started, result, kill: () => child.kill('SIGKILL'), process: child };
}

/** Sends every flow's frames once and reports what arrived (byte-compared by scapy). */
export function checkFlows(flows: Flow[], opts: { linger?: number; timeoutMs?: number } = {}): Promise<CheckReport> {
  return launch<CheckReport>('check', { flows, linger: opts.linger ?? 1.0 }, opts.timeoutMs ?? 60_000).result;
}

/** A paced numbered stream on one flow; `started` resolves once it sends. Streams side by side need distinct flowIds. */
export function startStream(f: Flow, count: number, rate: number, opts: { linger?: number; flowId?: number } = {}): Running<StreamReport> {
  const limitMs = (count / rate) * 1000 + 60_000;
  return launch<StreamReport>('stream', { flow: f, count, rate, linger: opts.linger ?? 1.0, flow_id: opts.flowId ?? 0 }, limitMs);
}

/** ARP who-has and ICMP echo from `from` (address srcIp) to target. */
export function probe(from: LabEnd, srcIp: string, target: string, pings = 3): Promise<ProbeReport> {
  return launch<ProbeReport>('probe', { from: { netns: from.netnsPath, iface: from.iface }, src_ip: srcIp, target, pings }, 30_000).result;
}
