/**
 * What the supervisor offers the rest of the control side: the contract
 * between the supervisor (src/supervisor), transactions (src/txn),
 * management (src/mgmt) and metrics (src/metrics). Only types live here so
 * each side can be built and tested against it alone.
 */
import type { Config, ConfigIssue } from '../config';

/** One object's counters, monotonic for the life of the supervisor (never go backwards). */
export interface CounterValues {
  rxPackets: bigint;
  rxBytes: bigint;
  txPackets: bigint;
  txBytes: bigint;
  /** Every drop reason by its exported name (docs/configuration.md), zeros included. */
  drops: Record<string, bigint>;
}

export type LinkState = 'up' | 'down' | 'unknown';

export interface PortState {
  name: string;
  interface: string | undefined;
  driver: string;
  /** How the driver really runs: 'native', 'skb', 'zerocopy', 'copy', 'tpacket-v3', ... */
  mode: string;
  link: LinkState;
  counters: CounterValues;
}

export interface AttachmentState {
  name: string;
  port: string;
  /** The service it belongs to, if any. */
  service: string | undefined;
  counters: CounterValues;
}

export interface ServiceState {
  name: string;
  kind: string;
  endpoints: string[];
}

export type DataplaneRunState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface DataplaneState {
  state: DataplaneRunState;
  pid: number | undefined;
  /** Times the supervisor restarted the dataplane process after it died. */
  restarts: number;
  /** Unix ms the current dataplane process started. */
  startedAt: number | undefined;
  workers: number;
}

/** A point-in-time view; counters read in place from the fast path's shared memory. */
export interface OperationalState {
  /** Revision of the running configuration (0 before the first apply). */
  revision: number;
  dataplane: DataplaneState;
  ports: PortState[];
  attachments: AttachmentState[];
  services: ServiceState[];
  /** Totals by drop reason over all ports. */
  drops: Record<string, bigint>;
  /** Unix ms when this view was taken. */
  at: number;
}

/** Something that happened, pushed to subscribers as it happens. */
export type ApplianceEvent =
  | { kind: 'link'; port: string; link: LinkState; at: number }
  | { kind: 'dataplane-restart'; pid: number | undefined; reason: string; at: number }
  | { kind: 'commit'; revision: number; user: string; comment: string; at: number }
  | { kind: 'rollback'; revision: number; reason: string; at: number }
  | { kind: 'sa'; sa: string; state: 'soft-expired' | 'hard-expired'; at: number };

/** Puts a validated configuration into the data plane, all or nothing. */
export interface ConfigApplier {
  /**
   * Resolves once the fast path runs `config` (tables swapped as one epoch,
   * no restart where only tables change). Rejects with the running data plane
   * exactly as before when any step fails.
   */
  apply(config: Config, revision: number): Promise<void>;
  /**
   * Added for issue 3 (optional, so appliers without it still fit): issues
   * that would make apply refuse `config` on this machine beyond
   * validateConfig (live drivers, interfaces, CPUs that exist), each with
   * its path, so that candidate validation can show them before a commit.
   * [] when apply would accept it.
   */
  check?(config: Config): ConfigIssue[];
}

/** The supervisor as management and metrics see it. */
export interface ApplianceView {
  state(): OperationalState;
  onEvent(listener: (e: ApplianceEvent) => void): () => void;
}
