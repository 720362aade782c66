/**
 * The files of the state directory and their format. A revision file is the
 * configuration in its JSON mapping plus the revision's metadata; `current`
 * names the running revision. Both are JSON with a format tag, so that a
 * later cix can tell what it reads.
 */
import type { Config } from '../config';
import { isMapping } from './json';
import type { ConfirmState, Revision, RevisionInfo, RevisionKind } from './types';

export const REVISION_FORMAT = 'cix-revision-v1';
export const CURRENT_FORMAT = 'cix-current-v1';

export const REVISIONS_DIR = 'revisions';
export const CURRENT_FILE = 'current';
export const AUDIT_FILE = 'audit.log';

const NAME_RE = /^r([0-9]{10})\.json$/;

/** `r0000000042.json`: sorts by number in any listing. */
export function revisionFileName(n: number): string {
  return `r${String(n).padStart(10, '0')}.json`;
}

/** The number of a revision file's name, or undefined for any other name. */
export function revisionNumberOf(name: string): number | undefined {
  const m = NAME_RE.exec(name);
  return m ? Number(m[1]) : undefined;
}

export interface RevisionRecord extends Revision {
  /**
   * Of a pending commit-confirmed: the revision whose configuration comes
   * back if it is not confirmed (the last one that was not pending).
   */
  confirmBase?: number;
}

export function encodeRevision(rec: RevisionRecord): string {
  const out: Record<string, unknown> = { format: REVISION_FORMAT, info: rec.info };
  if (rec.confirmBase !== undefined) out.confirmBase = rec.confirmBase;
  out.config = rec.config;
  return `${JSON.stringify(out, null, 2)}\n`;
}

const KINDS: readonly RevisionKind[] = ['initial', 'commit', 'rollback', 'auto-rollback'];
const CONFIRMS: readonly ConfirmState[] = ['none', 'pending', 'confirmed', 'rolled-back'];

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function decodeInfo(v: unknown): RevisionInfo | string {
  if (!isMapping(v)) return 'info is not a mapping';
  const { number, at, user, remote, comment, kind, confirm, confirmDeadline } = v;
  if (!isCount(number) || number < 1) return 'info.number is not a revision number';
  if (!isCount(at)) return 'info.at is not a time';
  if (typeof user !== 'string' || typeof remote !== 'string' || typeof comment !== 'string') return 'info.user/remote/comment are not strings';
  if (!KINDS.includes(kind as RevisionKind)) return 'info.kind is unknown';
  if (!CONFIRMS.includes(confirm as ConfirmState)) return 'info.confirm is unknown';
  if (confirmDeadline !== undefined && !isCount(confirmDeadline)) return 'info.confirmDeadline is not a time';
  const info: RevisionInfo = { number, at, user, remote, comment, kind: kind as RevisionKind, confirm: confirm as ConfirmState };
  if (confirmDeadline !== undefined) info.confirmDeadline = confirmDeadline;
  return info;
}

/** The record, or why the text is not one. */
export function decodeRevision(text: string): RevisionRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err: unknown) {
    return `not JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!isMapping(v) || v.format !== REVISION_FORMAT) return `not a ${REVISION_FORMAT} file`;
  const info = decodeInfo(v.info);
  if (typeof info === 'string') return info;
  if (!isMapping(v.config)) return 'config is not a mapping';
  const rec: RevisionRecord = { info, config: v.config as unknown as Config };
  if (v.confirmBase !== undefined) {
    if (!isCount(v.confirmBase)) return 'confirmBase is not a revision number';
    rec.confirmBase = v.confirmBase;
  }
  return rec;
}

export function encodeCurrent(n: number): string {
  return `${JSON.stringify({ format: CURRENT_FORMAT, revision: n })}\n`;
}

export function decodeCurrent(text: string): number | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err: unknown) {
    return `not JSON (${err instanceof Error ? err.message : String(err)})`;
  }
  if (!isMapping(v) || v.format !== CURRENT_FORMAT || !isCount(v.revision) || v.revision < 1) return `not a ${CURRENT_FORMAT} file`;
  return v.revision;
}
