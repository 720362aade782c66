/** Requests about configuration: running, candidate edits, commit, revisions. */
import { maskIssue, pathIsSecret } from '../config/secrets';
import { TxnError, parseSetValue, type CommitOptions } from '../txn';
import { RequestError } from './errors';
import type { Handlers } from './handler-types';
import { configDocument, diffToWire, issuesToWire, revisionToWire } from './wire-config';

type ConfigHandlers = Pick<
  Handlers,
  | 'getRunning'
  | 'getCandidate'
  | 'getRevision'
  | 'listRevisions'
  | 'diff'
  | 'compare'
  | 'set'
  | 'delete'
  | 'load'
  | 'validate'
  | 'discard'
  | 'commit'
  | 'rollback'
>;

/** Paths are short; a long one is a mistake (or an attack on the parser). */
const MAX_PATH = 1024;

function requirePath(path: string): string {
  if (path.trim() === '') throw new RequestError('BAD_REQUEST', 'path: required', [{ path: 'path', message: 'required' }]);
  if (path.length > MAX_PATH) throw new RequestError('BAD_REQUEST', `path: longer than ${MAX_PATH} characters`);
  return path.trim();
}

/**
 * The value of a set: JSON, or a bare word taken as a string (src/txn's
 * rule). Its parse error quotes the text; under a secret path it must not.
 */
function setValue(path: string, text: string): unknown {
  try {
    return parseSetValue(text);
  } catch (err: unknown) {
    if (err instanceof TxnError && pathIsSecret(path)) {
      throw new RequestError('VALIDATION', `${path}: invalid JSON value`, [{ path, message: 'invalid JSON value' }]);
    }
    throw err;
  }
}

function requireRevision(n: number, field: string): number {
  if (n < 1) throw new RequestError('BAD_REQUEST', `${field}: a revision number (1 or more) is required`, [{ path: field, message: 'required' }]);
  return n;
}

export const configHandlers: ConfigHandlers = {
  getRunning: (ctx) => {
    const { info, config } = ctx.services.revisions.running();
    return configDocument(config, info);
  },
  getCandidate: (ctx) => configDocument(ctx.candidate().candidate()),
  getRevision: (ctx, b) => {
    const { info, config } = ctx.services.revisions.get(requireRevision(b.revision, 'revision'));
    return configDocument(config, info);
  },
  listRevisions: (ctx) => ({ revisions: ctx.services.revisions.history().map(revisionToWire) }),
  diff: (ctx) => diffToWire(ctx.candidate().diff()),
  compare: (ctx, b) => diffToWire(ctx.services.txn.compare(requireRevision(b.from, 'from'), requireRevision(b.to, 'to'))),
  set: (ctx, b) => {
    const path = requirePath(b.path);
    ctx.candidate().set(path, setValue(path, b.value));
    return {};
  },
  delete: (ctx, b) => {
    ctx.candidate().delete(requirePath(b.path));
    return {};
  },
  load: (ctx, b) => {
    ctx.candidate().load(b.text, {
      format: b.format === 'LOAD_FORMAT_JSON' ? 'json' : 'yaml',
      mode: b.mode === 'LOAD_MODE_MERGE' ? 'merge' : 'replace',
    });
    return {};
  },
  validate: (ctx) => ({ issues: issuesToWire(ctx.candidate().validate().map(maskIssue)) }),
  discard: (ctx) => {
    ctx.candidate().discard();
    return {};
  },
  commit: async (ctx, b) => {
    const opts: CommitOptions = {};
    if (b.comment !== '') opts.comment = b.comment;
    if (b.confirmedSeconds > 0) opts.confirmedSeconds = b.confirmedSeconds;
    else if (b.confirmed) opts.confirmed = true;
    return revisionToWire(await ctx.candidate().commit(opts));
  },
  rollback: async (ctx, b) => {
    const n = requireRevision(b.revision, 'revision');
    const info = await ctx.services.txn.rollback(ctx.identity.principal, n, b.comment !== '' ? b.comment : undefined);
    return revisionToWire(info);
  },
};
