/**
 * The parts of the transactions API (src/txn) the management server uses:
 * narrow structural interfaces that the real TransactionManager and
 * ConfigStore satisfy, so the server depends on what it calls and nothing
 * more, and tests can give it a fake where a real one is beside the point.
 */
import type { Config } from '../config';
import type { AuditToken, CandidateSession, ConfigDiff, Principal, RevisionInfo, TransactionEvents } from '../txn';

export type { AuditToken, CandidateSession, ConfigDiff, DiffLine, Principal, RevisionInfo, Role, TransactionEvents } from '../txn';

/** What the server needs of the TransactionManager. */
export interface Transactions {
  openSession(p: Principal): CandidateSession;
  rollback(p: Principal, n: number, comment?: string): Promise<RevisionInfo>;
  compare(n: number, m: number): ConfigDiff;
  pendingConfirm(): RevisionInfo | undefined;
  on<E extends keyof TransactionEvents>(e: E, l: TransactionEvents[E]): () => void;
  /** Audits a token made or revoked (after the fact; never its secret). */
  recordAccess(p: Principal, event: 'token-create' | 'token-revoke', token: AuditToken): Promise<void>;
}

/** What the server needs of the ConfigStore. */
export interface Revisions {
  running(): { info: RevisionInfo; config: Config };
  get(n: number): { info: RevisionInfo; config: Config };
  history(): RevisionInfo[];
}
