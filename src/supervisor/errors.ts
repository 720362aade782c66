/**
 * Errors of the supervisor, each with a stable `code` so that transactions,
 * the management channel and the CLI can branch without parsing messages.
 * Configuration problems are ConfigError (src/config/errors.ts) instead.
 */

export type SupervisorErrorCode =
  /** The dataplane process could not open its ports or start its workers; nothing stays open. */
  | 'CIX_DATAPLANE_START'
  /** The dataplane process refused the tables; the running epoch is unchanged. */
  | 'CIX_DATAPLANE_APPLY'
  /** The dataplane process exited while a request was outstanding. */
  | 'CIX_DATAPLANE_EXITED'
  /** The dataplane process did not answer in time (it is killed). */
  | 'CIX_DATAPLANE_TIMEOUT'
  /** The dataplane process could not be started at all (addon, fork). */
  | 'CIX_DATAPLANE_SPAWN'
  /** A fast-path capacity (ids) would be exceeded. */
  | 'CIX_DATAPLANE_CAPACITY'
  /** The supervisor was closed; nothing more is applied. */
  | 'CIX_SUPERVISOR_CLOSED';

export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;
  constructor(code: SupervisorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SupervisorError';
    this.code = code;
  }
}

/** An `ip` command (addresses, link state) failed; names the command and what it said. */
export class NetCommandError extends Error {
  readonly code = 'CIX_NET_COMMAND';
  readonly command: string;
  constructor(command: string, message: string, options?: { cause?: unknown }) {
    super(`${command}: ${message}`, options);
    this.name = 'NetCommandError';
    this.command = command;
  }
}
