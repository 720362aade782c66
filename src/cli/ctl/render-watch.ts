/**
 * What `watch` prints per sample: a live table (TTY, redrawn in place), one
 * line per sample (pipe or file: totals over all ports, a header once), or
 * one JSON object per line (--json).
 */
import type { CountersSample } from '../../mgmt/generated';
import { renderTable } from '../table';
import { enumWord, fmtCount, fmtRate, fmtTime } from './format';
import type { ObjectRates, SampleRates } from './rates';
import { baselineLine, dropSum } from './render-state';

function rateCells(r: ObjectRates | undefined): string[] {
  return [fmtRate(r?.rxPps), fmtRate(r?.rxBps), fmtRate(r?.txPps), fmtRate(r?.txBps), fmtRate(r?.dropsPs)];
}

const RATE_HEADERS = ['rx pps', 'rx bit/s', 'tx pps', 'tx bit/s', 'drops/s'];

/** The full table of one sample, for a terminal. */
export function renderWatchTable(s: CountersSample, rates: SampleRates, index: number, count: number | undefined, intervalMs: number): string {
  const of = count === undefined ? '' : `/${count}`;
  const head = `sample ${index}${of} at ${fmtTime(s.at)}, every ${intervalMs / 1000}s, revision ${s.revision}; ${baselineLine(s.baselineAt)}`;
  const ports = [['port', 'link', ...RATE_HEADERS, 'rx packets', 'tx packets', 'drops']];
  for (const p of s.ports) {
    const c = p.counters;
    ports.push([
      p.name,
      enumWord(p.link, 'LINK_STATE_'),
      ...rateCells(rates.ports.get(p.name)),
      fmtCount(c?.rxPackets ?? 0n),
      fmtCount(c?.txPackets ?? 0n),
      fmtCount(dropSum(c)),
    ]);
  }
  const attachments = [['attachment', 'port', ...RATE_HEADERS, 'rx packets', 'tx packets', 'drops']];
  for (const a of s.attachments) {
    const c = a.counters;
    attachments.push([
      a.name,
      a.port,
      ...rateCells(rates.attachments.get(a.name)),
      fmtCount(c?.rxPackets ?? 0n),
      fmtCount(c?.txPackets ?? 0n),
      fmtCount(dropSum(c)),
    ]);
  }
  const right: ('l' | 'r')[] = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'];
  return [head, '', renderTable(ports, right), '', renderTable(attachments, right)].join('\n');
}

const LINE_COLUMNS: Array<[string, number]> = [
  ['time', 20],
  ['rx pps', 9],
  ['rx bit/s', 9],
  ['tx pps', 9],
  ['tx bit/s', 9],
  ['drops/s', 9],
  ['rx packets', 14],
  ['tx packets', 14],
  ['drops', 12],
];

function line(cells: string[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(LINE_COLUMNS[i][1]) : c.padStart(LINE_COLUMNS[i][1]))).join('  ');
}

export function watchLineHeader(): string {
  return line(LINE_COLUMNS.map(([h]) => h));
}

/** One line per sample: totals over all ports. */
export function renderWatchLine(s: CountersSample, rates: SampleRates): string {
  let rx = 0n;
  let tx = 0n;
  let drops = 0n;
  for (const p of s.ports) {
    rx += p.counters?.rxPackets ?? 0n;
    tx += p.counters?.txPackets ?? 0n;
    drops += dropSum(p.counters);
  }
  return line([fmtTime(s.at), ...rateCells(rates.total), fmtCount(rx), fmtCount(tx), fmtCount(drops)]);
}

/** The JSON object of one sample: the sample itself plus rates (null where unknown). */
export function watchJson(s: CountersSample, rates: SampleRates): unknown {
  const json = (r: ObjectRates | undefined): Record<string, number | null> => ({
    rxPps: r?.rxPps ?? null,
    rxBps: r?.rxBps ?? null,
    txPps: r?.txPps ?? null,
    txBps: r?.txBps ?? null,
    dropsPs: r?.dropsPs ?? null,
  });
  return {
    at: s.at,
    revision: s.revision,
    baselineAt: s.baselineAt,
    seconds: rates.seconds ?? null,
    total: json(rates.total),
    ports: s.ports.map((p) => ({ ...p, rates: json(rates.ports.get(p.name)) })),
    attachments: s.attachments.map((a) => ({ ...a, rates: json(rates.attachments.get(a.name)) })),
    drops: s.drops,
  };
}
