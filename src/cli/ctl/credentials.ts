/**
 * What `cix ctl` connects with: the URL, the bearer token (--token,
 * --token-file, else $CIX_TOKEN) and the TLS files, read before connecting
 * so that a missing file is a usage error and nothing is sent. A token is
 * never printed, not even in an error about it.
 */
import * as fs from 'node:fs';

import { DEFAULT_URL, type ClientOptions } from '../../mgmt/client';
import { CtlError, usage } from './errors';
import type { CtlOptions } from './options';

function readFile(what: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err: unknown) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CtlError('CTL_FILE', `${what} ${file}: cannot read (${code})`, { exitCode: 2, cause: err });
  }
}

function readToken(file: string): string {
  const text = readFile('--token-file', file).toString('utf8').trim();
  if (text === '' || /\s/.test(text)) throw new CtlError('CTL_FILE', `--token-file ${file}: expected one token on one line`, { exitCode: 2 });
  return text;
}

export function clientOptions(opts: CtlOptions, env: NodeJS.ProcessEnv): ClientOptions {
  const url = opts.url ?? DEFAULT_URL;
  if (!/^wss?:\/\/[^/\s]+\/?$/.test(url)) throw usage(`--url ${url}: expected ws://HOST:PORT or wss://HOST:PORT`);
  const secure = url.startsWith('wss://');
  if (!secure && (opts.ca !== undefined || opts.cert !== undefined)) throw usage('--ca, --cert and --key need a wss:// URL');

  let token = opts.token;
  if (token === undefined && opts.tokenFile !== undefined) token = readToken(opts.tokenFile);
  if (token === undefined) {
    const fromEnv = env.CIX_TOKEN?.trim();
    if (fromEnv) token = fromEnv;
  }
  if (token === undefined && opts.cert === undefined) {
    throw usage('no credentials: give --token-file FILE, $CIX_TOKEN, --token TOKEN, or --cert/--key');
  }
  const client: ClientOptions = { url };
  if (token !== undefined) client.token = token;
  if (secure) {
    client.tls = {};
    if (opts.ca !== undefined) client.tls.ca = readFile('--ca', opts.ca);
    if (opts.cert !== undefined) client.tls.cert = readFile('--cert', opts.cert);
    if (opts.key !== undefined) client.tls.key = readFile('--key', opts.key);
  }
  return client;
}
