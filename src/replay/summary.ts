/**
 * The replay summary: counters per port and per attachment with drops by
 * reason, as JSON for scripts and as tables for people.
 */
import type { CounterSet, CounterSnapshot } from '../dataplane/counters';
import { renderTable } from '../cli/table';

export interface CounterJson {
  rx_packets: number;
  rx_bytes: number;
  tx_packets: number;
  tx_bytes: number;
  drops: Record<string, number>;
}

export interface ReplaySummary {
  config: string;
  frames: { read: number; written: number };
  /** Capture time covered, first to last frame. */
  time: { first_ns: string; last_ns: string };
  ports: Record<string, CounterJson>;
  attachments: Record<string, CounterJson>;
  drops: Record<string, number>;
  outputs: Record<string, string>;
}

function num(n: bigint): number {
  // Counters of a replay stay far below 2^53; refuse to round silently anyway.
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`counter ${n} exceeds 2^53`);
  return Number(n);
}

function toJson(c: CounterSet): CounterJson {
  const drops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(c.drops)) drops[reason] = num(n);
  return {
    rx_packets: num(c.rx_packets),
    rx_bytes: num(c.rx_bytes),
    tx_packets: num(c.tx_packets),
    tx_bytes: num(c.tx_bytes),
    drops,
  };
}

export function summarize(
  config: string,
  snap: CounterSnapshot,
  frames: { read: number; written: number },
  time: { firstNs: bigint; lastNs: bigint },
  outputs: Record<string, string>,
): ReplaySummary {
  const ports: Record<string, CounterJson> = {};
  const attachments: Record<string, CounterJson> = {};
  for (const [name, c] of snap.ports) ports[name] = toJson(c);
  for (const [name, c] of snap.attachments) attachments[name] = toJson(c);
  const drops: Record<string, number> = {};
  for (const [reason, n] of Object.entries(snap.drops)) drops[reason] = num(n);
  return {
    config,
    frames,
    time: { first_ns: time.firstNs.toString(), last_ns: time.lastNs.toString() },
    ports,
    attachments,
    drops,
    outputs,
  };
}

function dropText(drops: Record<string, number>): string {
  const parts = Object.entries(drops)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason}=${n}`);
  return parts.length ? parts.join(' ') : '-';
}

function counterRows(objs: Record<string, CounterJson>): string[][] {
  return Object.entries(objs).map(([name, c]) => [
    name,
    String(c.rx_packets),
    String(c.rx_bytes),
    String(c.tx_packets),
    String(c.tx_bytes),
    dropText(c.drops),
  ]);
}

/** The summary as aligned tables, for people. */
export function renderSummary(s: ReplaySummary): string {
  const header = ['', 'rx frames', 'rx bytes', 'tx frames', 'tx bytes', 'drops'];
  const align: ('l' | 'r')[] = ['l', 'r', 'r', 'r', 'r', 'l'];
  const dropped = Object.values(s.drops).reduce((a, b) => a + b, 0);
  const lines = [
    `replay of ${s.config}: ${s.frames.read} frames in, ${s.frames.written} out, ${dropped} dropped`,
    '',
    'ports',
    renderTable([['port', ...header.slice(1)], ...counterRows(s.ports)], align),
    '',
    'attachments',
    renderTable([['attachment', ...header.slice(1)], ...counterRows(s.attachments)], align),
    '',
    'drops by reason',
  ];
  const reasons = Object.entries(s.drops).filter(([, n]) => n > 0);
  lines.push(
    reasons.length
      ? renderTable([['reason', 'frames'], ...reasons.map(([r, n]) => [r, String(n)])], ['l', 'r'])
      : '  none',
  );
  lines.push('', 'outputs');
  for (const [port, file] of Object.entries(s.outputs)) lines.push(`  ${port}: ${file}`);
  return lines.join('\n');
}
