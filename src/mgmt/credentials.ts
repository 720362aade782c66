/**
 * Where a client finds its bearer token, in order: an explicit token
 * (`--token`), $CIX_TOKEN, an explicit token file (`--token-file`), and last
 * the admin token the server wrote on first start (<stateDir>/admin.token),
 * which only root (or whoever runs the server) can read.
 */
import { readFileSync } from 'fs';

import { ClientError } from './errors';
import { adminTokenPath } from './paths';

export interface TokenSources {
  token?: string | undefined;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  tokenFile?: string | undefined;
  /** The server's state directory, for admin.token. */
  stateDir?: string | undefined;
}

function readToken(file: string): string | undefined {
  const text = readFileSync(file, 'utf8').trim();
  return text === '' ? undefined : text;
}

/** The token to use, or undefined (then only a client certificate can authenticate). */
export function loadToken(src: TokenSources): string | undefined {
  if (src.token !== undefined && src.token !== '') return src.token;
  const env = (src.env ?? process.env)['CIX_TOKEN'];
  if (env !== undefined && env !== '') return env;
  if (src.tokenFile !== undefined) {
    let token: string | undefined;
    try {
      token = readToken(src.tokenFile);
    } catch (err: unknown) {
      throw new ClientError('MGMT_TOKEN_FILE', `${src.tokenFile}: cannot read: ${(err as Error).message}`, { cause: err });
    }
    if (token === undefined) throw new ClientError('MGMT_TOKEN_FILE', `${src.tokenFile}: empty`);
    return token;
  }
  if (src.stateDir !== undefined) {
    try {
      return readToken(adminTokenPath(src.stateDir));
    } catch {
      return undefined; // not there, or not ours to read: no token
    }
  }
  return undefined;
}
