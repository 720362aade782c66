/** Files of the management server in the state directory (one place for their names). */
import * as path from 'path';

/** Bearer tokens, hashed: [{id, user, role, sha256, created, expires}] (0600). */
export const TOKENS_FILE = 'tokens.json';
/** The first admin token, written once when tokens.json did not exist (0600). */
export const ADMIN_TOKEN_FILE = 'admin.token';
/** Client certificate subject CN -> role: {"ops-laptop": "operator"}. */
export const CLIENTS_FILE = 'clients.json';
/** The display baseline of counters (`clear counters`). */
export const BASELINE_FILE = 'counters-baseline.json';

export function adminTokenPath(stateDir: string): string {
  return path.join(stateDir, ADMIN_TOKEN_FILE);
}
