/**
 * Transactions on the configuration: private candidates, validation, diff,
 * commit and commit-confirmed, rollback, persistence and the audit log.
 * See docs/management.md ("Transactions") for the semantics.
 */
export type { Role, Principal, RevisionKind, ConfirmState, RevisionInfo, Revision, DiffLine, ConfigDiff, TransactionEvents } from './types';
export { SYSTEM_PRINCIPAL } from './types';
export { TxnError, StateError, type TxnErrorCode } from './errors';
export { ConfigStore, DEFAULT_RETAIN, MIN_RETAIN, type StoreOptions, type InitialRevision } from './store';
export {
  TransactionManager,
  DEFAULT_CONFIRM_SECONDS,
  MAX_CONFIRM_SECONDS,
  MAX_COMMENT_LENGTH,
  type ManagerOptions,
} from './manager';
export type { CandidateSession, CommitOptions, LoadOptions } from './session';
export { AuditLog, type AuditEntry, type AuditEvent, type AuditToken } from './audit';
export { StateFiles } from './fsio';
export { compareConfigs, diffConfigs, presentDiff } from './diff';
export { parsePath, parseSetValue, formatPath, type PathSegment } from './path';
