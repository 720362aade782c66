/**
 * What a request handler works with: the server's shared services and the
 * connection the request came on.
 */
import type { ApplianceView } from '../supervisor/api';
import type { Identity } from './auth';
import type { CounterBaseline } from './baseline';
import type { EventKind, SystemStatus } from './generated';
import type { MgmtLog } from './log';
import type { TokenStore } from './tokens';
import type { CandidateSession, Revisions, Transactions } from './txn-types';

/** One per server. */
export interface ServerServices {
  txn: Transactions;
  revisions: Revisions;
  view: ApplianceView;
  tokens: TokenStore;
  baseline: CounterBaseline;
  log: MgmtLog;
  now: () => number;
  /** `show system`. */
  system(): SystemStatus;
  /** Closes every connection authenticated by token `id` (it was revoked). */
  dropToken(id: string): void;
}

/** One per request. */
export interface RequestContext {
  services: ServerServices;
  identity: Identity;
  /** This connection's candidate session, opened on first use. */
  candidate(): CandidateSession;
  /**
   * Starts a counters subscription and returns its id; its first sample
   * follows the reply at once. RequestError LIMIT past the per-connection
   * limit.
   */
  subscribeCounters(intervalMs: number): number;
  subscribeEvents(kinds: EventKind[]): number;
  /** false when this connection has no such subscription. */
  unsubscribe(id: number): boolean;
}
