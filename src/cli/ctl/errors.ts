/**
 * Errors of `cix ctl`, each with a stable code and the exit code it means:
 * 2 the input was wrong (usage, a bad path, an invalid candidate, an unknown
 * revision), 1 anything else (connection, authentication, the server).
 */
import type { ConfigIssue } from '../../config';

export class CtlError extends Error {
  /** 'CTL_USAGE', 'CTL_CONNECT', 'CTL_FILE', or the server's error code ('VALIDATION', 'PATH', ...). */
  readonly code: string;
  readonly exitCode: 1 | 2;
  /** Every issue with its path (validation). */
  readonly issues: ConfigIssue[];

  constructor(code: string, message: string, opts: { exitCode?: 1 | 2; issues?: ConfigIssue[]; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'CtlError';
    this.code = code;
    this.exitCode = opts.exitCode ?? 1;
    this.issues = opts.issues ?? [];
  }
}

/** The command line or a script line is wrong: exit code 2, nothing sent. */
export function usage(message: string): CtlError {
  return new CtlError('CTL_USAGE', message, { exitCode: 2 });
}
