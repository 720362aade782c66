/**
 * The audit log: one JSON line per change of the running configuration (and
 * per confirmation), fsynced before the commit is acknowledged: who, when,
 * from where, why (the comment) and what (the diff, secrets masked).
 *
 * A crash in the middle of an append can leave a torn last line; repair()
 * cuts it off, and the manager writes the entries a crash lost again from
 * the revisions themselves (marked `recovered`), so that every kept
 * revision has its line.
 */
import { StateFiles } from './fsio';
import { isMapping } from './json';
import type { ConfigDiff, ConfirmState, RevisionInfo, Role } from './types';

export const AUDIT_VERSION = 1;

/**
 * commit/rollback/auto-rollback/initial: a new revision runs.
 * confirm: a pending commit-confirmed was confirmed. extend: its deadline moved.
 */
export type AuditEvent = 'initial' | 'commit' | 'rollback' | 'auto-rollback' | 'confirm' | 'extend';

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

export class AuditLog {
  readonly file: string;
  private readonly files: StateFiles;

  constructor(file: string, files: StateFiles = new StateFiles()) {
    this.file = file;
    this.files = files;
  }

  /** Appends one entry as one line and fsyncs it. */
  async append(entry: AuditEntry): Promise<void> {
    await this.files.append(this.file, `${JSON.stringify(entry)}\n`);
  }

  /** Every complete entry, oldest first (a torn last line is not one); throws on a line that is not an entry. */
  async read(): Promise<AuditEntry[]> {
    const { entries, bad } = await this.scan();
    if (bad.length > 0) throw new Error(`${this.file}: line ${bad[0]} is not an audit entry`);
    return entries;
  }

  /** The complete entries, and the (1-based) numbers of lines that are not entries. */
  async scan(): Promise<{ entries: AuditEntry[]; bad: number[] }> {
    const text = (await this.files.read(this.file)) ?? '';
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
