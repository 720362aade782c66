/**
 * The vocabulary of transactions: who acts, what a revision is, what a diff
 * is. Shared by the store, the manager, the audit log and the management
 * channel (src/mgmt), so it holds types only.
 */
import type { Config } from '../config';

export type Role = 'viewer' | 'operator' | 'admin';

/** Who asks: the user a token or certificate names, and where the request came from. */
export interface Principal {
  user: string;
  role: Role;
  /** "127.0.0.1:53122", or "local" for the appliance itself. */
  remote: string;
}

/** The appliance itself, as it acts on its own (automatic rollback). */
export const SYSTEM_PRINCIPAL: Principal = { user: 'cix', role: 'admin', remote: 'local' };

export type RevisionKind = 'initial' | 'commit' | 'rollback' | 'auto-rollback';

/**
 * none: a plain commit. pending: a commit-confirmed still awaiting its
 * confirmation. confirmed: it was confirmed in time. rolled-back: it was not
 * (or an explicit rollback ended it), and the configuration before it was
 * restored.
 */
export type ConfirmState = 'none' | 'pending' | 'confirmed' | 'rolled-back';

export interface RevisionInfo {
  /** 1, 2, 3, ...: never reused. */
  number: number;
  /** Unix ms of the commit. */
  at: number;
  user: string;
  remote: string;
  comment: string;
  kind: RevisionKind;
  confirm: ConfirmState;
  /** Unix ms by which a pending commit-confirmed must be confirmed (only while pending). */
  confirmDeadline?: number;
}

/** A revision's metadata and its configuration (the checked proto3 JSON form). */
export interface Revision {
  info: RevisionInfo;
  config: Config;
}

/**
 * One difference between two configurations, at a path in the syntax of
 * set/delete (`ports[cust0].mtu`): '+' added (`to`), '-' removed (`from`),
 * '~' changed (`from` -> `to`). A line with `order` says the named list at
 * `path` was reordered (positions are ids in the fast path): `from`/`to`
 * are the names in their old and new order.
 */
export interface DiffLine {
  op: '+' | '-' | '~';
  path: string;
  from?: unknown;
  to?: unknown;
  order?: true;
}

export interface ConfigDiff {
  lines: DiffLine[];
  /** The same, as Junos-style text for people; secrets masked, like `lines`. */
  text: string;
}

/** One event per new revision (commit or rollback), plus confirm for a pending commit-confirmed. */
export interface TransactionEvents {
  /** A new revision from a commit is applied and persisted. */
  commit(info: RevisionInfo, diff: ConfigDiff): void;
  /** A new revision from a rollback is applied and persisted, including the automatic one of an unconfirmed commit. */
  rollback(info: RevisionInfo, reason: string): void;
  /** A pending commit-confirmed was confirmed (info.confirm 'confirmed') or its deadline moved (still 'pending'). */
  confirm(info: RevisionInfo): void;
}
