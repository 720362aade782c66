/**
 * Who may do what: the one table of roles (docs/management.md, "Roles",
 * shows the same). Roles are ordered; each request kind names the least role
 * that may make it. The server checks it on every message.
 */
import type { Role as WireRole } from './generated';
import type { RequestKind } from './protocol';
import type { Role } from './txn-types';

export type { RequestKind, Role };

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/**
 * viewer: read configuration and state, subscribe.
 * operator: + edit a candidate, commit, rollback, clear counters.
 * admin: + tokens.
 * A Record over every kind, so a new request kind does not compile until it
 * has a row here.
 */
export const REQUIRED_ROLE: Readonly<Record<RequestKind, Role>> = {
  getRunning: 'viewer',
  getRevision: 'viewer',
  listRevisions: 'viewer',
  compare: 'viewer',
  show: 'viewer',
  subscribe: 'viewer',
  unsubscribe: 'viewer',
  whoami: 'viewer',
  ping: 'viewer',

  getCandidate: 'operator',
  diff: 'operator',
  set: 'operator',
  delete: 'operator',
  load: 'operator',
  validate: 'operator',
  discard: 'operator',
  commit: 'operator',
  rollback: 'operator',
  clearCounters: 'operator',

  tokenCreate: 'admin',
  tokenRevoke: 'admin',
  tokenList: 'admin',
};

export function mayRequest(role: Role, kind: RequestKind): boolean {
  return RANK[role] >= RANK[REQUIRED_ROLE[kind]];
}

export function isRole(v: unknown): v is Role {
  return v === 'viewer' || v === 'operator' || v === 'admin';
}

const TO_WIRE: Record<Role, WireRole> = { viewer: 'ROLE_VIEWER', operator: 'ROLE_OPERATOR', admin: 'ROLE_ADMIN' };

export function roleToWire(role: Role): WireRole {
  return TO_WIRE[role];
}

/** undefined for ROLE_UNSPECIFIED (or a role this side does not know). */
export function roleFromWire(role: WireRole): Role | undefined {
  switch (role) {
    case 'ROLE_VIEWER':
      return 'viewer';
    case 'ROLE_OPERATOR':
      return 'operator';
    case 'ROLE_ADMIN':
      return 'admin';
    default:
      return undefined;
  }
}
