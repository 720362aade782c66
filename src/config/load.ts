/**
 * The configuration pipeline: file -> text -> value (parse.ts) -> checked
 * form (schema.ts) -> validated (validate.ts) -> normalized (normalize.ts).
 * Either every issue is thrown at once as a ConfigError, or the normalized
 * configuration comes back; nothing in between.
 */
import { promises as fs } from 'fs';

import { ConfigError, ConfigFileError, type ConfigIssue } from './errors';
import type { Config } from './generated';
import { normalizeConfig } from './normalize';
import { parseText } from './parse';
import { checkSchema } from './schema';
import type { NormalizedConfig } from './types';
import { validateConfig } from './validate';

/** A configuration file is small; refuse anything that could only be a mistake. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/**
 * The normalized configuration (validated, every default applied: what
 * buildPlan takes), plus where it came from and what looked suspicious.
 */
export interface LoadedConfig extends NormalizedConfig {
  /** The checked document as written (proto3 JSON form, no cix defaults applied). */
  source: Config;
  /** Legal but suspicious (e.g. an attachment in no service). */
  warnings: ConfigIssue[];
  /** Where it came from ('<value>' when not from a file). */
  file: string;
}

/** Check and normalize an already parsed document (e.g. from the management channel). */
export function configFromValue(value: unknown, file = '<value>'): LoadedConfig {
  const schema = checkSchema(value);
  // Semantic checks on a structurally broken document would report the
  // breakage a second time in other words; structure first.
  if (schema.issues.length > 0) throw new ConfigError(schema.issues, file);
  const { errors, warnings } = validateConfig(schema.config);
  if (errors.length > 0) throw new ConfigError(errors, file);
  return { ...normalizeConfig(schema.config), source: schema.config, warnings, file };
}

/** YAML, or JSON when filename ends in .json. */
export function parseConfigText(text: string, filename: string): LoadedConfig {
  return configFromValue(parseText(text, filename), filename);
}

export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new ConfigFileError(file, 'not a regular file');
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigFileError(file, `${st.size} bytes; a configuration is at most ${MAX_CONFIG_BYTES}`);
    text = await fs.readFile(file, 'utf8');
  } catch (err: unknown) {
    if (err instanceof ConfigFileError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigFileError(file, `cannot read: ${reason}`, { cause: err });
  }
  return parseConfigText(text, file);
}
