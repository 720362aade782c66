/**
 * The audit log: one JSON line per change of the running configuration (and
 * per confirmation), fsynced before the commit is acknowledged: who, when,
 * from where, why (the comment) and what (the diff, secrets masked).
 *
 * A crash in the middle of an append can leave a torn last line; repair()
 * cuts it off, and the manager writes the entries a crash lost again from
 * the revisions themselves (marked `recovered`), so that every kept
 * revision has its line.
 *
 * The log rotates by size: before an append would take it past maxBytes,
 * audit.log becomes audit.log.1 (.1 becomes .2, and so on; the oldest past
 * `keep` files is dropped). What a crash lost is always the newest lines, so
 * only the current file and the one before it are read to find them.
 */
import * as path from 'path';

import { StateFiles } from './fsio';
import { isMapping } from './json';
import type { ConfigDiff, ConfirmState, RevisionInfo, Role } from './types';

export const AUDIT_VERSION = 1;

/**
 * commit/rollback/auto-rollback/initial: a new revision runs.
 * confirm: a pending commit-confirmed was confirmed. extend: its deadline moved.
 * token-create/token-revoke: who may operate the appliance changed; the
 * revision is the one running then, the diff empty, `token` says which.
 */
export type AuditEvent = 'initial' | 'commit' | 'rollback' | 'auto-rollback' | 'confirm' | 'extend' | 'token-create' | 'token-revoke';

/** A management token as the audit log names it: never its secret. */
export interface AuditToken {
  id: string;
  user: string;
  role: Role;
  /** Unix ms; absent = never expires. */
  expires?: number;
}

export interface AuditEntry {
  v: number;
  event: AuditEvent;
  /** Unix ms, and the same as ISO 8601 for people and grep. */
  at: number;
  time: string;
  revision: number;
  user: string;
  /** Where the request came from ("127.0.0.1:53122", "local"). */
  remote: string;
  role?: Role;
  comment: string;
  confirm: ConfirmState;
  confirmDeadline?: number;
  /** Secrets masked. */
  diff: ConfigDiff;
  /** Written after a restart because a crash lost the original line. */
  recovered?: true;
  /** token-create and token-revoke only. */
  token?: AuditToken;
}

export function auditEntry(
  event: AuditEvent,
  info: RevisionInfo,
  diff: ConfigDiff,
  extra: { at?: number; role?: Role; user?: string; remote?: string; recovered?: boolean } = {},
): AuditEntry {
  const at = extra.at ?? info.at;
  const e: AuditEntry = {
    v: AUDIT_VERSION,
    event,
    at,
    time: new Date(at).toISOString(),
    revision: info.number,
    user: extra.user ?? info.user,
    remote: extra.remote ?? info.remote,
    comment: info.comment,
    confirm: info.confirm,
    diff,
  };
  if (extra.role !== undefined) e.role = extra.role;
  if (info.confirmDeadline !== undefined) e.confirmDeadline = info.confirmDeadline;
  if (extra.recovered) e.recovered = true;
  return e;
}

function isEntry(v: unknown): v is AuditEntry {
  return (
    isMapping(v) &&
    typeof v.v === 'number' &&
    typeof v.event === 'string' &&
    typeof v.at === 'number' &&
    typeof v.revision === 'number' &&
    typeof v.user === 'string' &&
    typeof v.remote === 'string' &&
    typeof v.comment === 'string' &&
    isMapping(v.diff)
  );
}

/** 64 MiB: years of commits from people, weeks from an automation loop. */
export const DEFAULT_AUDIT_MAX_BYTES = 64 * 1024 * 1024;
/** Rotated files kept besides the current one. */
export const DEFAULT_AUDIT_KEEP = 8;

export interface AuditRotation {
  maxBytes?: number;
  keep?: number;
}

/** The events that make a revision: every kept revision has one such line. */
export const REVISION_EVENTS: readonly AuditEvent[] = ['initial', 'commit', 'rollback', 'auto-rollback'];

export class AuditLog {
  readonly file: string;
  readonly maxBytes: number;
  readonly keep: number;
  private readonly files: StateFiles;

  constructor(file: string, files: StateFiles = new StateFiles(), rotation: AuditRotation = {}) {
    this.file = file;
    this.files = files;
    this.maxBytes = rotation.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.keep = rotation.keep ?? DEFAULT_AUDIT_KEEP;
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 4096) throw new RangeError(`audit maxBytes: ${this.maxBytes}; at least 4096`);
    if (!Number.isInteger(this.keep) || this.keep < 1 || this.keep > 1000) throw new RangeError(`audit keep: ${this.keep}; 1..1000`);
  }

  /** Appends one entry as one line and fsyncs it, rotating first when the line would not fit. */
  async append(entry: AuditEntry): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    const size = await this.files.size(this.file);
    if (size > 0 && size + Buffer.byteLength(line, 'utf8') > this.maxBytes) await this.rotate();
    await this.files.append(this.file, line);
  }

  /** The name of rotated file `i` (1 = the newest). */
  rotated(i: number): string {
    return `${this.file}.${i}`;
  }

  /** The newest revision with its line, in the current file or (just rotated) the one before. */
  async newestRevisionLogged(): Promise<number | undefined> {
    for (const file of [this.file, this.rotated(1)]) {
      const { entries } = await this.scanFile(file);
      const numbers = entries.filter((e) => REVISION_EVENTS.includes(e.event)).map((e) => e.revision);
      if (numbers.length > 0) return Math.max(...numbers);
    }
    return undefined;
  }

  private async rotate(): Promise<void> {
    for (let i = this.keep - 1; i >= 1; i--) await this.files.rename(this.rotated(i), this.rotated(i + 1));
    await this.files.rename(this.file, this.rotated(1));
    await this.files.syncDir(path.dirname(this.file));
  }

  /** Every complete entry, oldest first (a torn last line is not one); throws on a line that is not an entry. */
  async read(): Promise<AuditEntry[]> {
    const { entries, bad } = await this.scan();
    if (bad.length > 0) throw new Error(`${this.file}: line ${bad[0]} is not an audit entry`);
    return entries;
  }

  /** The complete entries, and the (1-based) numbers of lines that are not entries. */
  scan(): Promise<{ entries: AuditEntry[]; bad: number[] }> {
    return this.scanFile(this.file);
  }

  private async scanFile(file: string): Promise<{ entries: AuditEntry[]; bad: number[] }> {
    const text = (await this.files.read(file)) ?? '';
    const lines = text.split('\n');
    lines.pop(); // after the last '\n': empty, or a torn line
    const entries: AuditEntry[] = [];
    const bad: number[] = [];
    lines.forEach((line, i) => {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        v = undefined;
      }
      if (isEntry(v)) entries.push(v);
      else bad.push(i + 1);
    });
    return { entries, bad };
  }

  /** Cuts off a torn last line (a crash in the middle of an append). */
  async repair(): Promise<void> {
    const text = await this.files.read(this.file);
    if (text === undefined || text === '' || text.endsWith('\n')) return;
    const keep = text.lastIndexOf('\n') + 1;
    await this.files.truncate(this.file, Buffer.byteLength(text.slice(0, keep), 'utf8'));
  }
}
