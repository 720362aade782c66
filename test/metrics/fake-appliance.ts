/**
 * A fake ApplianceView for the metrics and ctl tests: ports, attachments and
 * drop reasons by name, counters that only go up (also across a simulated
 * data-plane restart, as the supervisor promises), and a count of state()
 * calls so a test can see how often a scrape reads it.
 */
import type {
  ApplianceEvent,
  ApplianceView,
  AttachmentState,
  CounterValues,
  LinkState,
  OperationalState,
  PortState,
} from '../../src/supervisor/api';

/** The fast path's drop reasons by their exported names (docs/configuration.md). */
export const DROP_REASONS = [
  'truncated',
  'too_many_tags',
  'tpid_mismatch',
  'no_attachment',
  'no_service',
  'mtu_rx',
  'mtu_tx',
  'no_headroom',
  'tx_full',
  'port_down',
  'rx_no_buffer',
  'rx_ring_full',
  'rx_invalid',
] as const;

function zeroCounters(): CounterValues {
  const drops: Record<string, bigint> = {};
  for (const r of DROP_REASONS) drops[r] = 0n;
  return { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, drops };
}

function copyCounters(c: CounterValues): CounterValues {
  return { ...c, drops: { ...c.drops } };
}

export interface FakePort {
  name: string;
  interface: string;
  link: LinkState;
  counters: CounterValues;
}
export interface FakeAttachment {
  name: string;
  port: string;
  service: string | undefined;
  counters: CounterValues;
}

export class FakeAppliance implements ApplianceView {
  stateCalls = 0;
  revision = 1;
  restarts = 0;
  runState: OperationalState['dataplane']['state'] = 'running';
  /** Makes state() throw (a supervisor failure) with this message. */
  failWith: string | undefined;
  readonly ports: FakePort[] = [
    { name: 'cust0', interface: 'veth-c0', link: 'up', counters: zeroCounters() },
    { name: 'cloud0', interface: 'veth-k0', link: 'down', counters: zeroCounters() },
  ];
  attachments: FakeAttachment[] = [
    { name: 'cust0-100', port: 'cust0', service: 'svc1', counters: zeroCounters() },
    { name: 'cloud0-200', port: 'cloud0', service: 'svc1', counters: zeroCounters() },
  ];
  private listeners = new Set<(e: ApplianceEvent) => void>();

  state(): OperationalState {
    this.stateCalls++;
    if (this.failWith !== undefined) throw new Error(this.failWith);
    const drops: Record<string, bigint> = {};
    for (const r of DROP_REASONS) drops[r] = 0n;
    for (const p of this.ports) for (const r of DROP_REASONS) drops[r] += p.counters.drops[r] ?? 0n;
    const ports: PortState[] = this.ports.map((p) => ({
      name: p.name,
      interface: p.interface,
      driver: 'afxdp',
      mode: 'native',
      link: p.link,
      counters: copyCounters(p.counters),
    }));
    const attachments: AttachmentState[] = this.attachments.map((a) => ({
      name: a.name,
      port: a.port,
      service: a.service,
      counters: copyCounters(a.counters),
    }));
    return {
      revision: this.revision,
      dataplane: { state: this.runState, pid: 4242, restarts: this.restarts, startedAt: 1_700_000_000_000, workers: 2 },
      ports,
      attachments,
      services: [{ name: 'svc1', kind: 'xconnect', endpoints: ['cust0-100', 'cloud0-200'] }],
      drops,
      at: Date.now(),
    };
  }

  onEvent(listener: (e: ApplianceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: ApplianceEvent): void {
    for (const l of this.listeners) l(e);
  }

  /**
   * Frames cross the xconnect: `packets` frames of `size` bytes from cust0-100
   * to cloud0-200, plus `drops` frames dropped on cust0 as `reason`.
   */
  traffic(packets: bigint, size: bigint, drops = 0n, reason = 'no_attachment'): void {
    const [cust, cloud] = this.ports;
    const [from, to] = this.attachments;
    for (const c of [cust.counters, from?.counters]) {
      if (!c) continue;
      c.rxPackets += packets + drops;
      c.rxBytes += (packets + drops) * size;
    }
    for (const c of [cloud.counters, to?.counters]) {
      if (!c) continue;
      c.txPackets += packets;
      c.txBytes += packets * size;
    }
    cust.counters.drops[reason] += drops;
    if (from) from.counters.drops[reason] += drops;
  }

  /**
   * The data-plane process died and was restarted: its own counters started
   * from zero, but the supervisor carries the old totals forward, so the view
   * keeps counting up. Here that is simply: the counters stay, restarts++.
   */
  restart(): void {
    this.runState = 'restarting';
    this.restarts++;
    this.emit({ kind: 'dataplane-restart', pid: 4243, reason: 'killed by SIGKILL', at: Date.now() });
  }

  running(): void {
    this.runState = 'running';
  }
}
