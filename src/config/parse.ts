/**
 * Text to a plain JS value: YAML 1.2 (core schema) or JSON. Syntax problems
 * become ConfigFileError with the parser's line and column; what the value
 * means is schema.ts's business.
 */
import * as path from 'path';
import * as YAML from 'yaml';

import { ConfigFileError } from './errors';

/** JSON for `.json`, YAML for everything else (JSON is YAML, but JSON.parse explains JSON better). */
export function isJsonFile(filename: string): boolean {
  return path.extname(filename).toLowerCase() === '.json';
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

// The key a DUPLICATE_KEY error points at, read from the source text.
function keyAt(text: string, offset: number): string | undefined {
  const m = /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:\s,{}[\]]+)/.exec(text.slice(offset));
  return m ? m[1] : undefined;
}

function yamlError(text: string, filename: string, err: YAML.YAMLError): ConfigFileError {
  const at = err.linePos?.[0];
  let reason: string;
  if (err.code === 'DUPLICATE_KEY') {
    const key = keyAt(text, err.pos[0]);
    reason = `duplicate key${key !== undefined ? ` ${key.startsWith('"') || key.startsWith("'") ? key : `"${key}"`}` : ''} (a key may appear once per mapping)`;
  } else {
    // The first line is the reason; the rest is a code frame for terminals.
    reason = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '');
  }
  return new ConfigFileError(filename, reason, { cause: err, line: at?.line, col: at?.col });
}

function parseJson(text: string, filename: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err: unknown) {
    const msg = err instanceof Error ? err.message : String(err);
    const m = / at position (\d+)/.exec(msg);
    // Newer V8 messages quote the text instead of giving a position; JSON is
    // YAML, so the YAML parser can still say where.
    const yamlPos = m ? undefined : YAML.parseDocument(text).errors[0]?.linePos?.[0];
    const pos = m ? lineCol(text, Number(m[1])) : yamlPos;
    const reason = msg
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/\s+/g, ' ');
    throw new ConfigFileError(filename, `invalid JSON: ${reason}`, { cause: err, line: pos?.line, col: pos?.col });
  }
  // JSON.parse keeps the last of duplicate keys silently; YAML's parser sees them.
  const doc = YAML.parseDocument(text, { schema: 'json', uniqueKeys: true, prettyErrors: true });
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (dup) throw yamlError(text, filename, dup);
  return value;
}

function parseYaml(text: string, filename: string): unknown {
  const doc = YAML.parseDocument(text, {
    version: '1.2',
    schema: 'core',
    uniqueKeys: true,
    prettyErrors: true,
  });
  const first = doc.errors[0];
  if (first) throw yamlError(text, filename, first);
  try {
    // The alias cap stops "billion laughs" documents from expanding.
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigFileError(filename, reason, { cause: err });
  }
}

/** The document as a plain value; undefined for an empty document. */
export function parseText(text: string, filename: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (isJsonFile(filename)) return body.trim() === '' ? undefined : parseJson(body, filename);
  return parseYaml(body, filename) ?? undefined;
}
