/**
 * Operational state as aligned tables for people (`show counters`, `show
 * ports`, ...). Counters are exact and relative to the display baseline the
 * server keeps (`clear counters`); the header says since when.
 */
import type {
  AttachmentStatus,
  Counters,
  DataplaneStatus,
  PortStatus,
  SaStatus,
  ServiceStatus,
  ShowReply,
  SystemStatus,
  WhoamiReply,
} from '../../mgmt/generated';
import { renderFields, renderTable } from '../table';
import { enumWord, fmtCount, fmtTime } from './format';

const ZERO: Counters = { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, drops: {} };

export function dropSum(c: Counters | undefined): bigint {
  let sum = 0n;
  for (const n of Object.values(c?.drops ?? {})) sum += n;
  return sum;
}

/** "counters since ..." line: the baseline of `clear counters`, or since the supervisor started. */
export function baselineLine(baselineAt: bigint): string {
  return baselineAt === 0n ? 'counters since the appliance started' : `counters since ${fmtTime(baselineAt)} (cleared)`;
}

export function renderPorts(ports: PortStatus[]): string {
  if (ports.length === 0) return '  no ports';
  const rows = [['port', 'interface', 'driver', 'mode', 'link', 'rx packets', 'rx bytes', 'tx packets', 'tx bytes', 'drops']];
  for (const p of ports) {
    const c = p.counters ?? ZERO;
    rows.push([
      p.name,
      p.interface || '-',
      p.driver || '-',
      p.mode || '-',
      enumWord(p.link, 'LINK_STATE_'),
      fmtCount(c.rxPackets),
      fmtCount(c.rxBytes),
      fmtCount(c.txPackets),
      fmtCount(c.txBytes),
      fmtCount(dropSum(c)),
    ]);
  }
  return renderTable(rows, ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r']);
}

export function renderAttachments(attachments: AttachmentStatus[]): string {
  if (attachments.length === 0) return '  no attachments';
  const rows = [['attachment', 'port', 'service', 'rx packets', 'rx bytes', 'tx packets', 'tx bytes', 'drops']];
  for (const a of attachments) {
    const c = a.counters ?? ZERO;
    rows.push([
      a.name,
      a.port,
      a.service || '-',
      fmtCount(c.rxPackets),
      fmtCount(c.rxBytes),
      fmtCount(c.txPackets),
      fmtCount(c.txBytes),
      fmtCount(dropSum(c)),
    ]);
  }
  return renderTable(rows, ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r']);
}

export function renderServices(services: ServiceStatus[]): string {
  if (services.length === 0) return '  no services';
  return renderTable([['service', 'kind', 'endpoints'], ...services.map((s) => [s.name, s.kind, s.endpoints.join(' <-> ')])]);
}

/** Drop totals by reason, every reason (zeros included), in the server's order. */
export function renderDropTotals(drops: Record<string, bigint>): string {
  const reasons = Object.keys(drops);
  if (reasons.length === 0) return '  no drop reasons reported';
  return renderTable([['reason', 'drops'], ...reasons.map((r) => [r, fmtCount(drops[r] ?? 0n)])], ['l', 'r']);
}

/** The non-zero drops of each object by reason, or a line saying there are none. */
export function renderDropsByObject(label: string, objects: Array<{ name: string; counters?: Counters }>): string {
  const rows = [[label, 'reason', 'drops']];
  for (const o of objects) {
    for (const [reason, n] of Object.entries(o.counters?.drops ?? {})) if (n > 0n) rows.push([o.name, reason, fmtCount(n)]);
  }
  return rows.length === 1 ? `  no ${label} dropped anything` : renderTable(rows, ['l', 'l', 'r']);
}

export function renderCounters(r: Pick<ShowReply, 'baselineAt' | 'ports' | 'attachments' | 'drops'>): string {
  const nonZero = Object.fromEntries(Object.entries(r.drops).filter(([, n]) => n > 0n));
  return [
    baselineLine(r.baselineAt),
    '',
    renderPorts(r.ports),
    '',
    renderAttachments(r.attachments),
    '',
    Object.keys(nonZero).length > 0 ? renderDropTotals(nonZero) : '  no drops',
  ].join('\n');
}

export function renderDrops(r: ShowReply): string {
  return [baselineLine(r.baselineAt), '', renderDropTotals(r.drops), '', renderDropsByObject('port', r.ports)].join('\n');
}

export function renderDataplane(d: DataplaneStatus | undefined): string {
  if (!d) return '  no data plane reported';
  return renderFields([
    ['state', enumWord(d.state, 'DATAPLANE_RUN_STATE_')],
    ['pid', d.pid === 0 ? '-' : String(d.pid)],
    ['workers', String(d.workers)],
    ['started', fmtTime(d.startedAt)],
    ['restarts', String(d.restarts)],
  ]);
}

export function renderSas(sas: SaStatus[]): string {
  if (sas.length === 0) return '  no security associations';
  return renderTable(
    [['sa', 'attachment', 'spi', 'state'], ...sas.map((s) => [s.name, s.attachment, `0x${s.spi.toString(16).padStart(8, '0')}`, s.state])],
  );
}

export function renderSystem(s: SystemStatus | undefined, d: DataplaneStatus | undefined): string {
  if (!s) return '  no system status reported';
  const pending = s.pendingConfirm;
  return [
    renderFields([
      ['version', s.version],
      ['hostname', s.hostname],
      ['up since', fmtTime(s.startedAt)],
      ['revision', String(s.revision)],
      ['pending confirm', pending ? `revision ${pending.number}, rolls back at ${fmtTime(pending.confirmDeadline)}` : 'none'],
      ['connections', String(s.connections)],
    ]),
    '',
    'data plane:',
    renderDataplane(d),
  ].join('\n');
}

export function renderWhoami(w: WhoamiReply): string {
  return renderFields([
    ['user', w.user],
    ['role', enumWord(w.role, 'ROLE_')],
    ['remote', w.remote],
    ['method', enumWord(w.method, 'AUTH_METHOD_')],
    ['token id', w.tokenId || '-'],
  ]);
}
