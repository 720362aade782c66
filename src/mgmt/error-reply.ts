/**
 * What the client is told when a request fails: every error a handler can
 * meet becomes a RequestError with a wire code. Errors of other modules are
 * recognised by their stable `code`; anything unrecognised is a bug, answered
 * INTERNAL with no detail (the detail goes to the log, which never holds a
 * secret either).
 */
import { formatIssue } from '../config/errors';
import { maskIssue } from '../config/secrets';
import { RequestError, type RemoteErrorCode } from './errors';
import type { Issue } from './generated';

const TXN_CODES: Record<string, RemoteErrorCode> = {
  TXN_VALIDATION: 'VALIDATION',
  TXN_PATH: 'PATH',
  TXN_NO_CHANGES: 'NO_CHANGES',
  TXN_NOT_FOUND: 'NOT_FOUND',
  TXN_APPLY_FAILED: 'APPLY_FAILED',
  TXN_PERSIST_FAILED: 'PERSIST_FAILED',
  TXN_CONFIRM_PENDING: 'CONFIRM_PENDING',
  // Someone else committed a change to the same path: the candidate must be
  // edited again, like a validation failure naming the paths.
  TXN_CONFLICT: 'VALIDATION',
  TXN_CLOSED: 'UNAVAILABLE',
};

function issuesOf(err: object): Issue[] {
  const raw = (err as { issues?: unknown }).issues;
  if (!Array.isArray(raw)) return [];
  const out: Issue[] = [];
  for (const i of raw) {
    if (typeof i === 'object' && i !== null && typeof (i as Issue).path === 'string' && typeof (i as Issue).message === 'string') {
      out.push(maskIssue({ path: (i as Issue).path, message: (i as Issue).message }));
    }
  }
  return out;
}

/** The error reply for `err`; `internal` is called with the error when it is not one we expect. */
export function toRequestError(err: unknown, internal: (err: unknown) => void): RequestError {
  if (err instanceof RequestError) return err;
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    const e = err as Error;
    const mapped = TXN_CODES[code];
    if (mapped) return new RequestError(mapped, e.message, issuesOf(e));
    // A document that does not parse or check (src/config): path-named issues.
    // Its message quotes the first issue unmasked, so it is made again from the masked ones.
    if (code === 'CIX_CONFIG_INVALID') {
      const issues = issuesOf(e);
      const first = issues[0] ? formatIssue(issues[0]) : 'invalid configuration';
      return new RequestError('VALIDATION', issues.length > 1 ? `${first} (and ${issues.length - 1} more)` : first, issues);
    }
    if (code === 'CIX_CONFIG_FILE') return new RequestError('VALIDATION', e.message);
    if (code === 'MGMT_TOKEN_INVALID') return new RequestError('BAD_REQUEST', e.message);
  }
  internal(err);
  return new RequestError('INTERNAL', 'internal error (see the server log)');
}
