/**
 * Errors of the configuration module. Both carry a stable `code` so that
 * callers (CLI, management channel) can branch without parsing messages.
 */

/** One thing wrong with a configuration, at a path like `attachments[2].vlan.outer.vid`. */
export interface ConfigIssue {
  /** Where; '' for the document as a whole. */
  path: string;
  /** Why, as an operator reads it. */
  message: string;
}

/** `path: message`, or the message alone for the whole document. */
export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** The configuration was read but is not valid: every issue found, not just the first. */
export class ConfigError extends Error {
  readonly code = 'CIX_CONFIG_INVALID';
  readonly issues: ConfigIssue[];
  /** The file the configuration came from, when it came from one. */
  readonly file: string | undefined;

  constructor(issues: ConfigIssue[], file?: string) {
    if (issues.length === 0) throw new TypeError('ConfigError needs at least one issue');
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super(formatIssue(issues[0]!) + more);
    this.name = 'ConfigError';
    this.issues = issues;
    this.file = file;
  }

  /** Every issue, one per line, prefixed with the file when known. */
  report(): string {
    const prefix = this.file ? `${this.file}: ` : '';
    return this.issues.map((i) => prefix + formatIssue(i)).join('\n');
  }
}

/** The file could not be read or is not well-formed YAML/JSON. */
export class ConfigFileError extends Error {
  readonly code = 'CIX_CONFIG_FILE';
  readonly file: string;
  /** 1-based position of the syntax error, when the parser gives one. */
  readonly line: number | undefined;
  readonly col: number | undefined;

  constructor(file: string, reason: string, opts: { cause?: unknown; line?: number; col?: number } = {}) {
    const where = opts.line !== undefined ? `:${opts.line}${opts.col !== undefined ? `:${opts.col}` : ''}` : '';
    super(`${file}${where}: ${reason}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'ConfigFileError';
    this.file = file;
    this.line = opts.line;
    this.col = opts.col;
  }
}
