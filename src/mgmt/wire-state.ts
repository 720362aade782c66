/**
 * Operational state (src/supervisor/api.ts) in its wire form
 * (proto/management.proto): what `show` answers and counter samples carry.
 * Counters given here are already relative to the display baseline.
 */
import type {
  ApplianceEvent,
  AttachmentState,
  CounterValues,
  DataplaneState,
  LinkState as ViewLinkState,
  OperationalState,
  PortState,
  ServiceState,
} from '../supervisor/api';
import type {
  AttachmentStatus,
  Counters,
  CountersSample,
  DataplaneRunState,
  DataplaneStatus,
  Event,
  EventKind,
  LinkState,
  PortStatus,
  ServiceStatus,
  ShowReply,
  ShowWhat,
  SystemStatus,
} from './generated';

export function countersToWire(c: CounterValues): Counters {
  return { rxPackets: c.rxPackets, rxBytes: c.rxBytes, txPackets: c.txPackets, txBytes: c.txBytes, drops: { ...c.drops } };
}

export function linkToWire(l: ViewLinkState): LinkState {
  return l === 'up' ? 'LINK_STATE_UP' : l === 'down' ? 'LINK_STATE_DOWN' : 'LINK_STATE_UNKNOWN';
}

export function portToWire(p: PortState): PortStatus {
  return {
    name: p.name,
    interface: p.interface ?? '',
    driver: p.driver,
    mode: p.mode,
    link: linkToWire(p.link),
    counters: countersToWire(p.counters),
  };
}

export function attachmentToWire(a: AttachmentState): AttachmentStatus {
  return { name: a.name, port: a.port, service: a.service ?? '', counters: countersToWire(a.counters) };
}

export function serviceToWire(s: ServiceState): ServiceStatus {
  return { name: s.name, kind: s.kind, endpoints: [...s.endpoints] };
}

const RUN_STATE: Record<DataplaneState['state'], DataplaneRunState> = {
  starting: 'DATAPLANE_RUN_STATE_STARTING',
  running: 'DATAPLANE_RUN_STATE_RUNNING',
  restarting: 'DATAPLANE_RUN_STATE_RESTARTING',
  stopped: 'DATAPLANE_RUN_STATE_STOPPED',
};

export function dataplaneToWire(d: DataplaneState): DataplaneStatus {
  return {
    state: RUN_STATE[d.state] ?? 'DATAPLANE_RUN_STATE_UNSPECIFIED',
    pid: d.pid ?? 0,
    restarts: d.restarts,
    startedAt: BigInt(d.startedAt ?? 0),
    workers: d.workers,
  };
}

/** `show <what>` of one (baseline-relative) state; `system` is filled for SHOW_WHAT_SYSTEM only. */
export function showReply(what: ShowWhat, state: OperationalState, baselineAt: number, system: () => SystemStatus): ShowReply {
  const reply: ShowReply = {
    at: BigInt(state.at),
    revision: state.revision,
    baselineAt: BigInt(baselineAt),
    ports: [],
    attachments: [],
    services: [],
    drops: {},
    sas: [],
  };
  switch (what) {
    case 'SHOW_WHAT_PORTS':
      reply.ports = state.ports.map(portToWire);
      break;
    case 'SHOW_WHAT_ATTACHMENTS':
      reply.attachments = state.attachments.map(attachmentToWire);
      break;
    case 'SHOW_WHAT_SERVICES':
      reply.services = state.services.map(serviceToWire);
      break;
    case 'SHOW_WHAT_COUNTERS':
      reply.ports = state.ports.map(portToWire);
      reply.attachments = state.attachments.map(attachmentToWire);
      reply.drops = { ...state.drops };
      break;
    case 'SHOW_WHAT_DROPS':
      reply.ports = state.ports.map(portToWire);
      reply.drops = { ...state.drops };
      break;
    case 'SHOW_WHAT_SA':
      // No security associations exist before IPsec does: an empty list.
      break;
    case 'SHOW_WHAT_DATAPLANE':
      reply.dataplane = dataplaneToWire(state.dataplane);
      break;
    case 'SHOW_WHAT_SYSTEM':
      reply.dataplane = dataplaneToWire(state.dataplane);
      reply.system = system();
      break;
    case 'SHOW_WHAT_UNSPECIFIED':
      break;
  }
  return reply;
}

/** A counters sample: the `show counters` view of one (baseline-relative) state. */
export function countersSample(state: OperationalState, baselineAt: number): CountersSample {
  return {
    at: BigInt(state.at),
    revision: state.revision,
    baselineAt: BigInt(baselineAt),
    ports: state.ports.map(portToWire),
    attachments: state.attachments.map(attachmentToWire),
    drops: { ...state.drops },
  };
}

/**
 * The wire form of an appliance event, or undefined for the kinds the
 * server takes from elsewhere: commit and rollback events come from the
 * TransactionManager itself (with the whole RevisionInfo), so the view's
 * copies of them are not forwarded twice.
 */
export function applianceEventToWire(e: ApplianceEvent): Event | undefined {
  const at = BigInt(e.at);
  switch (e.kind) {
    case 'link':
      return { at, link: { port: e.port, link: linkToWire(e.link) } };
    case 'dataplane-restart':
      return { at, dataplaneRestart: { pid: e.pid ?? 0, reason: e.reason } };
    case 'sa':
      return {
        at,
        sa: { sa: e.sa, state: e.state === 'soft-expired' ? 'SA_LIFETIME_SOFT_EXPIRED' : 'SA_LIFETIME_HARD_EXPIRED' },
      };
    case 'commit':
    case 'rollback':
      return undefined;
  }
}

/** The kind of an event, for subscription filters. */
export function eventKind(e: Event): EventKind {
  if (e.link) return 'EVENT_KIND_LINK';
  if (e.dataplaneRestart) return 'EVENT_KIND_DATAPLANE_RESTART';
  if (e.commit) return 'EVENT_KIND_COMMIT';
  if (e.rollback) return 'EVENT_KIND_ROLLBACK';
  if (e.sa) return 'EVENT_KIND_SA';
  if (e.confirm) return 'EVENT_KIND_CONFIRM';
  return 'EVENT_KIND_UNSPECIFIED';
}
