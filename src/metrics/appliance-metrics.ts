/**
 * The cix_* metrics of the appliance, filled at scrape time from one
 * OperationalState (see ScrapeState). Labels are names only (port,
 * attachment, reason), never indices: an attachment keeps its series when
 * others are added or removed. Every series is rebuilt per scrape, so a
 * deleted attachment's series disappears instead of freezing.
 *
 * The names are the contract with dashboards and alerts: docs/metrics.md
 * lists them, and test/metrics checks the Grafana dashboard only uses these.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

import type { CounterValues } from '../supervisor/api';
import type { BuildInfo } from './build-info';
import { counterValue } from './counter-value';
import type { ScrapeState } from './scrape-state';

type Direction = 'rx' | 'tx';
type Unit = 'packets' | 'bytes';
const TRAFFIC: ReadonlyArray<{ dir: Direction; unit: Unit; field: keyof Omit<CounterValues, 'drops'> }> = [
  { dir: 'rx', unit: 'packets', field: 'rxPackets' },
  { dir: 'rx', unit: 'bytes', field: 'rxBytes' },
  { dir: 'tx', unit: 'packets', field: 'txPackets' },
  { dir: 'tx', unit: 'bytes', field: 'txBytes' },
];

const DIR_WORD: Record<Direction, string> = { rx: 'received', tx: 'transmitted' };
// Bytes count whole Ethernet frames as on the wire (tags included), without FCS.
const UNIT_WORD: Record<Unit, string> = { packets: 'Frames', bytes: 'Bytes of Ethernet frames (no FCS)' };

/** Registers the appliance's metrics into `registry`; collectors read `scrape`. */
export function registerApplianceMetrics(registry: Registry, scrape: ScrapeState, build: BuildInfo): void {
  const registers = [registry];

  for (const { dir, unit, field } of TRAFFIC) {
    new Counter({
      name: `cix_port_${dir}_${unit}_total`,
      help: `${UNIT_WORD[unit]} ${DIR_WORD[dir]} on the port.`,
      labelNames: ['port'],
      registers,
      collect(this: Counter<'port'>) {
        this.reset();
        for (const p of scrape.get().ports) this.inc({ port: p.name }, counterValue(p.counters[field]));
      },
    });
    new Counter({
      name: `cix_attachment_${dir}_${unit}_total`,
      help: `${UNIT_WORD[unit]} of the attachment ${DIR_WORD[dir]}.`,
      labelNames: ['attachment', 'port'],
      registers,
      collect(this: Counter<'attachment' | 'port'>) {
        this.reset();
        for (const a of scrape.get().attachments) {
          this.inc({ attachment: a.name, port: a.port }, counterValue(a.counters[field]));
        }
      },
    });
  }

  new Counter({
    name: 'cix_port_drops_total',
    help: 'Frames dropped, counted on the port they were received on, by drop reason.',
    labelNames: ['port', 'reason'],
    registers,
    collect(this: Counter<'port' | 'reason'>) {
      this.reset();
      for (const p of scrape.get().ports) {
        for (const [reason, n] of Object.entries(p.counters.drops)) this.inc({ port: p.name, reason }, counterValue(n));
      }
    },
  });

  new Counter({
    name: 'cix_attachment_drops_total',
    help: 'Frames of the attachment dropped, by drop reason.',
    labelNames: ['attachment', 'port', 'reason'],
    registers,
    collect(this: Counter<'attachment' | 'port' | 'reason'>) {
      this.reset();
      for (const a of scrape.get().attachments) {
        for (const [reason, n] of Object.entries(a.counters.drops)) {
          this.inc({ attachment: a.name, port: a.port, reason }, counterValue(n));
        }
      }
    },
  });

  new Gauge({
    name: 'cix_port_link_up',
    help: 'Link state of the port: 1 up, 0 down (no series while the state is unknown).',
    labelNames: ['port'],
    registers,
    collect(this: Gauge<'port'>) {
      this.reset();
      for (const p of scrape.get().ports) {
        if (p.link !== 'unknown') this.set({ port: p.name }, p.link === 'up' ? 1 : 0);
      }
    },
  });

  new Counter({
    name: 'cix_dataplane_restarts_total',
    help: 'Times the supervisor restarted the data-plane process after it died.',
    registers,
    collect(this: Counter) {
      this.reset();
      this.inc(scrape.get().dataplane.restarts);
    },
  });

  new Gauge({
    name: 'cix_dataplane_up',
    help: 'Whether the data plane is running (1) or starting, restarting or stopped (0).',
    registers,
    collect(this: Gauge) {
      this.set(scrape.get().dataplane.state === 'running' ? 1 : 0);
    },
  });

  new Gauge({
    name: 'cix_config_revision',
    help: 'Revision number of the running configuration (0 before the first apply).',
    registers,
    collect(this: Gauge) {
      this.set(scrape.get().revision);
    },
  });

  // Constant: set once, no collector.
  new Gauge({
    name: 'cix_build_info',
    help: 'Always 1; the labels say which cix build runs on which Node.js and kernel.',
    labelNames: ['version', 'commit', 'node', 'kernel'],
    registers,
  }).set({ version: build.version, commit: build.commit, node: build.node, kernel: build.kernel }, 1);
}
