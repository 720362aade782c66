/**
 * A candidate checked exactly as a configuration file is (`cix validate`):
 * the config module's configFromValue, so every message and path is the
 * same; only the error type differs (TxnError TXN_VALIDATION, secrets masked).
 */
import { ConfigError, configFromValue, formatIssue, type Config, type ConfigIssue } from '../config';
import { TxnError } from './errors';

/** The errors of a candidate document; [] when it can be committed. */
export function candidateIssues(doc: unknown): ConfigIssue[] {
  try {
    configFromValue(doc, '<candidate>');
    return [];
  } catch (err: unknown) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
}

export function validationError(issues: ConfigIssue[], what = 'the candidate is not valid'): TxnError {
  const err = new TxnError('TXN_VALIDATION', what, { issues });
  const first = err.issues[0];
  if (first) err.message = `${what}: ${formatIssue(first)}${err.issues.length > 1 ? ` (and ${err.issues.length - 1} more)` : ''}`;
  return err;
}

/** The checked configuration of a valid candidate; TXN_VALIDATION naming every problem otherwise. */
export function validatedConfig(doc: unknown): Config {
  try {
    return configFromValue(doc, '<candidate>').source;
  } catch (err: unknown) {
    if (err instanceof ConfigError) throw validationError(err.issues);
    throw err;
  }
}
