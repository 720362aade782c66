/**
 * Errors of the live benchmark, each with a stable `code`; main.ts prints
 * the message and exits nonzero, after the cleanup.
 */

export type LiveBenchErrorCode =
  /** Bad command-line options. */
  | 'LIVE_USAGE'
  /** Not root, or a tool / build output the bench needs is missing. */
  | 'LIVE_PREREQ'
  /** A command (ip, bridge, nsenter) failed or timed out. */
  | 'LIVE_COMMAND'
  /** The generator failed or said something that is not its report. */
  | 'LIVE_GENERATOR'
  /** A topology forwarded nothing (or far too little) at a low rate. */
  | 'LIVE_NO_TRAFFIC'
  /** `cix run` could not be started or died during the measurement. */
  | 'LIVE_CIX'
  /** SIGINT / SIGTERM: the run stops, everything made is removed. */
  | 'LIVE_INTERRUPTED';

export class LiveBenchError extends Error {
  readonly code: LiveBenchErrorCode;
  constructor(code: LiveBenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LiveBenchError';
    this.code = code;
  }
}
