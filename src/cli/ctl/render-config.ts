/**
 * Configurations, diffs, revisions, validation issues and tokens for people.
 * A configuration is shown as YAML (the configuration file's own format);
 * diffs are the server's Junos-style text, secrets already masked there.
 */
import { stringify as toYaml } from 'yaml';

import type { ConfigDiff, ConfigDocument, Issue, RevisionInfo, TokenInfo } from '../../mgmt/generated';
import { renderTable } from '../table';
import { enumWord, fmtTime } from './format';

export function describeRevision(r: RevisionInfo): string {
  const comment = r.comment ? `: ${r.comment}` : '';
  return `revision ${r.number} (${enumWord(r.kind, 'REVISION_KIND_')}) by ${r.user} at ${fmtTime(r.at)}${comment}`;
}

export function renderConfig(doc: ConfigDocument, label: string): string {
  const header = doc.revision ? `# ${label}: ${describeRevision(doc.revision)}` : `# ${label}`;
  const body = toYaml(JSON.parse(doc.json) as unknown, { lineWidth: 0 }).trimEnd();
  return `${header}\n${body}`;
}

export function renderDiff(diff: ConfigDiff, none: string): string {
  return diff.lines.length === 0 ? none : diff.text.trimEnd();
}

export function renderRevisions(revisions: RevisionInfo[]): string {
  if (revisions.length === 0) return '  no revisions';
  const rows = [['rev', 'at', 'user', 'from', 'kind', 'confirm', 'comment']];
  for (const r of revisions) {
    const pending = r.confirm === 'CONFIRM_STATE_PENDING' ? ` until ${fmtTime(r.confirmDeadline)}` : '';
    rows.push([
      String(r.number),
      fmtTime(r.at),
      r.user,
      r.remote,
      enumWord(r.kind, 'REVISION_KIND_'),
      enumWord(r.confirm, 'CONFIRM_STATE_') + pending,
      r.comment,
    ]);
  }
  return renderTable(rows, ['r']);
}

/** One line per issue, `path: message` (the same lines as `cix validate` prints). */
export function issueLines(issues: Issue[]): string[] {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

export function renderCommitted(r: RevisionInfo, what: string): string {
  const lines = [`${what} complete: ${describeRevision(r)}`];
  if (r.confirm === 'CONFIRM_STATE_PENDING') {
    lines.push(`rolled back automatically at ${fmtTime(r.confirmDeadline)} unless confirmed (cix ctl commit)`);
  }
  return lines.join('\n');
}

export function renderTokens(tokens: TokenInfo[]): string {
  if (tokens.length === 0) return '  no tokens';
  return renderTable([
    ['id', 'user', 'role', 'created', 'expires'],
    ...tokens.map((t) => [t.id, t.user, enumWord(t.role, 'ROLE_'), fmtTime(t.createdAt), t.expiresAt === 0n ? 'never' : fmtTime(t.expiresAt)]),
  ]);
}
