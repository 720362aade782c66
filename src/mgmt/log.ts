/**
 * The management server's log: one line per thing that happened
 * (connections, refusals, failures). Lines name users and token ids, never a
 * token, a key or any other secret.
 */
export type MgmtLogLevel = 'info' | 'warn';

export type MgmtLog = (level: MgmtLogLevel, message: string) => void;

/** The default: one line on stderr per event. */
export const stderrLog: MgmtLog = (level, message) => {
  process.stderr.write(`cix mgmt: ${level === 'warn' ? 'warning: ' : ''}${message}\n`);
};
