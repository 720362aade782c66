/**
 * Roles of client certificates: <stateDir>/clients.json maps a certificate's
 * subject CN to a role, {"ops-laptop": "operator"}. Read when a connection
 * presents a certificate, and re-read only when the file changed, so an edit
 * applies to the next connection without a restart. A missing file maps no
 * one; a malformed one maps no one either (and says why), never a guess.
 */
import { promises as fs } from 'fs';
import * as path from 'path';

import { TokenStoreError } from './errors';
import { CLIENTS_FILE } from './paths';
import { isRole, type Role } from './roles';

export class CertificateRoles {
  private readonly file: string;
  private stamp = '';
  private roles = new Map<string, Role>();
  private problem: TokenStoreError | undefined;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, CLIENTS_FILE);
  }

  /** The role of a certificate CN; throws TokenStoreError while the file is malformed. */
  async roleOf(cn: string): Promise<Role | undefined> {
    await this.refresh();
    if (this.problem) throw this.problem;
    return this.roles.get(cn);
  }

  private async refresh(): Promise<void> {
    let stamp: string;
    try {
      const st = await fs.stat(this.file);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      stamp = 'absent';
    }
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.roles = new Map();
    this.problem = undefined;
    if (stamp === 'absent') return;
    try {
      this.roles = parseClients(this.file, await fs.readFile(this.file, 'utf8'));
    } catch (err: unknown) {
      this.problem =
        err instanceof TokenStoreError
          ? err
          : new TokenStoreError('MGMT_TOKENS_FILE', `${this.file}: cannot read: ${(err as Error).message}`, { cause: err });
    }
  }
}

function parseClients(file: string, text: string): Map<string, Role> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err: unknown) {
    throw new TokenStoreError('MGMT_TOKENS_FILE', `${file}: not JSON`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new TokenStoreError('MGMT_TOKENS_FILE', `${file}: not an object of "CN": "role"`);
  }
  const roles = new Map<string, Role>();
  for (const [cn, role] of Object.entries(doc)) {
    if (!isRole(role)) throw new TokenStoreError('MGMT_TOKENS_FILE', `${file}: "${cn}": role must be viewer, operator or admin`);
    roles.set(cn, role);
  }
  return roles;
}
