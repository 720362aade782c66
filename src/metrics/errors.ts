/** Errors of the metrics exporter, with a stable `code` callers can branch on. */
export type MetricsErrorCode =
  /** The listen address is malformed ("host:port" expected, port 0-65535). */
  | 'METRICS_ADDRESS'
  /** The HTTP server could not listen (address in use, not available, no permission). */
  | 'METRICS_LISTEN';

export class MetricsError extends Error {
  readonly code: MetricsErrorCode;
  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricsError';
    this.code = code;
  }
}
