/**
 * Configuration, revisions and diffs (src/txn) in their wire form
 * (proto/management.proto). Secrets are masked here, on the way out, so no
 * reply can carry one whatever the caller forgot.
 */
import type { Config, ConfigIssue } from '../config';
import { maskAt, maskSecrets } from '../config/secrets';
import type { ConfigDiff as WireDiff, ConfigDocument, DiffOp, Issue, RevisionInfo as WireRevision } from './generated';
import type { ConfigDiff, RevisionInfo } from './txn-types';

const KIND: Record<RevisionInfo['kind'], WireRevision['kind']> = {
  initial: 'REVISION_KIND_INITIAL',
  commit: 'REVISION_KIND_COMMIT',
  rollback: 'REVISION_KIND_ROLLBACK',
  'auto-rollback': 'REVISION_KIND_AUTO_ROLLBACK',
};

const CONFIRM: Record<RevisionInfo['confirm'], WireRevision['confirm']> = {
  none: 'CONFIRM_STATE_NONE',
  pending: 'CONFIRM_STATE_PENDING',
  confirmed: 'CONFIRM_STATE_CONFIRMED',
  'rolled-back': 'CONFIRM_STATE_ROLLED_BACK',
};

export function revisionToWire(r: RevisionInfo): WireRevision {
  return {
    number: r.number,
    at: BigInt(r.at),
    user: r.user,
    remote: r.remote,
    comment: r.comment,
    kind: KIND[r.kind] ?? 'REVISION_KIND_UNSPECIFIED',
    confirm: CONFIRM[r.confirm] ?? 'CONFIRM_STATE_UNSPECIFIED',
    confirmDeadline: BigInt(r.confirmDeadline ?? 0),
  };
}

export function configDocument(config: Config, info?: RevisionInfo): ConfigDocument {
  const doc: ConfigDocument = { json: `${JSON.stringify(maskSecrets(config), null, 2)}\n` };
  if (info) doc.revision = revisionToWire(info);
  return doc;
}

const OP: Record<string, DiffOp> = { '+': 'DIFF_OP_ADD', '-': 'DIFF_OP_REMOVE', '~': 'DIFF_OP_CHANGE' };

/** A diff value as JSON text, masked by its path (src/txn masks already; a second mask costs nothing). */
function valueText(path: string, v: unknown): string {
  return v === undefined ? '' : (JSON.stringify(maskAt(path, v)) ?? '');
}

export function diffToWire(d: ConfigDiff): WireDiff {
  return {
    lines: d.lines.map((l) => ({
      op: OP[l.op] ?? 'DIFF_OP_UNSPECIFIED',
      path: l.path,
      from: valueText(l.path, l.from),
      to: valueText(l.path, l.to),
      order: l.order === true,
    })),
    text: d.text,
  };
}

export function issuesToWire(issues: readonly ConfigIssue[]): Issue[] {
  return issues.map((i) => ({ path: i.path, message: i.message }));
}
