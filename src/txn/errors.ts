/**
 * Errors of transactions. TxnError carries a stable `code` the management
 * channel maps to its error replies, and the path-named issues of a
 * refused candidate (secrets already masked).
 */
import type { ConfigIssue } from '../config';
import { maskIssue } from '../config/secrets';

export type TxnErrorCode =
  /** The candidate is invalid: `issues` names every problem by its path. */
  | 'TXN_VALIDATION'
  /** A set/delete path is malformed or names nothing. */
  | 'TXN_PATH'
  /** Commit with nothing to commit and no pending confirmation. */
  | 'TXN_NO_CHANGES'
  /** The revision number is unknown (never existed, or pruned). */
  | 'TXN_NOT_FOUND'
  /** The data plane refused the configuration; the running configuration is unchanged. */
  | 'TXN_APPLY_FAILED'
  /** The state directory could not be written; the data plane was restored, running unchanged. */
  | 'TXN_PERSIST_FAILED'
  /** Another user's commit-confirmed awaits confirmation; commits are refused until then. */
  | 'TXN_CONFIRM_PENDING'
  /**
   * Someone committed, since this candidate was made, a change to a path this
   * candidate changes too; `issues` names the paths. Discard and edit again.
   */
  | 'TXN_CONFLICT'
  /** The session or the manager is closed. */
  | 'TXN_CLOSED';

export class TxnError extends Error {
  readonly code: TxnErrorCode;
  /** Path-named problems (TXN_VALIDATION, TXN_CONFLICT, TXN_PATH); secrets masked. */
  readonly issues: ConfigIssue[];

  constructor(code: TxnErrorCode, message: string, opts: { issues?: ConfigIssue[]; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'TxnError';
    this.code = code;
    this.issues = (opts.issues ?? []).map(maskIssue);
  }
}

/**
 * The state directory holds something this code cannot trust (a revision file
 * that does not parse, a `current` pointer to a missing revision). Opening
 * refuses rather than guess which configuration is running.
 */
export class StateError extends Error {
  /** CORRUPT: something there cannot be trusted. EMPTY: no revision and no initial configuration. */
  readonly code: 'CIX_STATE_CORRUPT' | 'CIX_STATE_EMPTY';
  readonly file: string;

  constructor(file: string, reason: string, opts: { cause?: unknown; empty?: boolean } = {}) {
    super(`${file}: ${reason}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'StateError';
    this.code = opts.empty ? 'CIX_STATE_EMPTY' : 'CIX_STATE_CORRUPT';
    this.file = file;
  }
}

/** The message of anything thrown, for wrapping it in a TxnError. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
