/**
 * Which configuration fields hold secrets, and how they are hidden. A secret
 * (a MACsec CAK, an IKE pre-shared key, a token) is found by the name of the
 * field that holds it, so that a field added to the schema later is masked
 * the day it appears, without a second list to keep in step. Everything that
 * shows configuration to a person (diffs, the audit log, error messages)
 * goes through these functions; only the state directory's revision files
 * (mode 0600) hold the values themselves.
 */
import type { ConfigIssue } from './errors';

/**
 * Words that make a field secret when its name ends with one of them (case,
 * '_' and '-' ignored): `cak`, `pre_shared_key`, `authKey`, `tokens`.
 * Over-masking is the safe mistake; `key_id` or `ckn` (identifiers, public
 * by design) do not end with any of these.
 */
export const SECRET_FIELD_WORDS: readonly string[] = [
  'key',
  'cak',
  'psk',
  'secret',
  'password',
  'passphrase',
  'token',
  'private_key',
  'credential',
];

/** What a secret value is shown as. */
export const SECRET_MASK = '********';

const fold = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
const FOLDED_WORDS = SECRET_FIELD_WORDS.map(fold);

/** True when a field of this name holds a secret (its plural too: a list of keys). */
export function isSecretField(name: string): boolean {
  const f = fold(name);
  return FOLDED_WORDS.some((w) => f.endsWith(w) || f.endsWith(`${w}s`));
}

/** The field names of a path like `ports[cust0].macsec.cak` (brackets left out). */
function fieldsOfPath(path: string): string[] {
  return path
    .replace(/\[[^\]]*\]/g, '')
    .split('.')
    .filter((s) => s !== '');
}

/** True when any field along the path is secret: everything under a secret is secret. */
export function pathIsSecret(path: string): boolean {
  return fieldsOfPath(path).some(isSecretField);
}

/**
 * A deep copy of a JSON-like value with every secret field's value replaced
 * by SECRET_MASK, whatever its type. `secret` says the value itself sits
 * under a secret field (e.g. it is the value of `cak`).
 */
export function maskSecrets(value: unknown, secret = false): unknown {
  if (secret) return value === undefined ? undefined : SECRET_MASK;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskSecrets(v, isSecretField(k));
    return out;
  }
  return value;
}

/** The value found at `path`, masked as that path requires. */
export function maskAt(path: string, value: unknown): unknown {
  return maskSecrets(value, pathIsSecret(path));
}

/**
 * An issue whose path names a secret field may quote the value (`expected a
 * string, got 1234 (put it in quotes)`, `"s3cr3t" is not ...`): every quoted
 * string and whatever follows "got " in its message is masked.
 */
export function maskIssue(issue: ConfigIssue): ConfigIssue {
  if (!pathIsSecret(issue.path)) return issue;
  const message = issue.message
    .replace(/"(?:[^"\\]|\\.)*"/g, `"${SECRET_MASK}"`)
    .replace(/\bgot (?!"\*)[^\s()]+/g, `got ${SECRET_MASK}`);
  return { path: issue.path, message };
}
