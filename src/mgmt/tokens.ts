/**
 * Bearer tokens: "cix_" + 32 random bytes in base64url. Only their SHA-256
 * is stored, in <stateDir>/tokens.json (0600, replaced atomically); the
 * secret exists in the reply that created it and nowhere else. A presented
 * token is compared with every stored hash in constant time.
 *
 * On first start (no tokens.json) an admin token is made and its secret
 * written to <stateDir>/admin.token (0600): that is how an operator gets in.
 * Deleting tokens.json (server stopped) makes a new one on the next start.
 */
import { createHash, randomBytes, timingSafeEqual } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';

import { StateFiles } from '../txn/fsio';
import { TokenStoreError } from './errors';
import { ADMIN_TOKEN_FILE, TOKENS_FILE } from './paths';
import { isRole, type Role } from './roles';

export const TOKEN_PREFIX = 'cix_';
const TOKEN_RE = /^cix_[A-Za-z0-9_-]{43}$/;
const USER_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const ID_RE = /^[0-9a-f]{12}$/;
/** Ten years: longer is a mistake, not a policy. */
export const MAX_TOKEN_TTL_SECONDS = 10 * 366 * 24 * 3600;

/** What is known about a token; never its secret. */
export interface TokenInfo {
  /** 12 hex digits; names the token in lists, logs and revoke. */
  id: string;
  user: string;
  role: Role;
  /** Unix ms. */
  created: number;
  /** Unix ms; undefined = never expires. */
  expires: number | undefined;
}

interface StoredToken extends TokenInfo {
  /** Hex SHA-256 of the token text. */
  sha256: string;
}

interface TokensFile {
  version: 1;
  tokens: Array<{ id: string; user: string; role: Role; sha256: string; created: number; expires: number | null }>;
}

export interface CreatedToken {
  /** The secret: give it to the user once. */
  token: string;
  info: TokenInfo;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function publicInfo(t: StoredToken): TokenInfo {
  return { id: t.id, user: t.user, role: t.role, created: t.created, expires: t.expires };
}

function parseTokensFile(file: string, text: string): StoredToken[] {
  const bad = (why: string): TokenStoreError => new TokenStoreError('MGMT_TOKENS_FILE', `${file}: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err: unknown) {
    throw new TokenStoreError('MGMT_TOKENS_FILE', `${file}: not JSON`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw bad('not an object');
  const d = doc as Record<string, unknown>;
  if (d['version'] !== 1) throw bad(`version ${String(d['version'])} is not 1`);
  if (!Array.isArray(d['tokens'])) throw bad('tokens: not a list');
  const out: StoredToken[] = [];
  d['tokens'].forEach((raw: unknown, i: number) => {
    if (typeof raw !== 'object' || raw === null) throw bad(`tokens[${i}]: not an object`);
    const t = raw as Record<string, unknown>;
    const { id, user, role, sha256: hash, created, expires } = t;
    if (typeof id !== 'string' || !ID_RE.test(id)) throw bad(`tokens[${i}].id: malformed`);
    if (typeof user !== 'string' || !USER_RE.test(user)) throw bad(`tokens[${i}].user: malformed`);
    if (!isRole(role)) throw bad(`tokens[${i}].role: not viewer, operator or admin`);
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw bad(`tokens[${i}].sha256: malformed`);
    if (typeof created !== 'number' || !Number.isSafeInteger(created)) throw bad(`tokens[${i}].created: not a time`);
    if (expires !== null && (typeof expires !== 'number' || !Number.isSafeInteger(expires))) {
      throw bad(`tokens[${i}].expires: not a time or null`);
    }
    out.push({ id, user, role, sha256: hash, created, expires: expires ?? undefined });
  });
  return out;
}

export class TokenStore {
  private tokens: StoredToken[];
  /** Hashes as buffers, parallel to `tokens`, for timingSafeEqual. */
  private hashes: Buffer[];
  private readonly file: string;
  private readonly now: () => number;
  private readonly files: StateFiles;
  /** Mutations run one at a time: change, persist, then the next. */
  private chain: Promise<unknown> = Promise.resolve();
  /** The admin.token path when open() made the first admin token; else undefined. */
  readonly bootstrapTokenFile: string | undefined;

  private constructor(file: string, tokens: StoredToken[], now: () => number, files: StateFiles, bootstrapTokenFile: string | undefined) {
    this.file = file;
    this.files = files;
    this.tokens = tokens;
    this.hashes = tokens.map((t) => Buffer.from(t.sha256, 'hex'));
    this.now = now;
    this.bootstrapTokenFile = bootstrapTokenFile;
  }

  /** Opens (and on first start creates) the token store of stateDir. */
  static async open(stateDir: string, opts: { now?: () => number; files?: StateFiles } = {}): Promise<TokenStore> {
    const now = opts.now ?? Date.now;
    const files = opts.files ?? new StateFiles();
    await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const file = path.join(stateDir, TOKENS_FILE);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new TokenStoreError('MGMT_TOKENS_FILE', `${file}: cannot read: ${(err as Error).message}`, { cause: err });
      }
    }
    if (text !== undefined) return new TokenStore(file, parseTokensFile(file, text), now, files, undefined);

    // First start. admin.token is written before tokens.json: a crash in
    // between leaves no tokens.json, so the next start simply does it again;
    // the other order could leave an admin token nobody knows.
    const adminFile = path.join(stateDir, ADMIN_TOKEN_FILE);
    const store = new TokenStore(file, [], now, files, adminFile);
    const { token, stored } = store.mint('admin', 'admin', undefined);
    await files.writeAtomic(adminFile, `${token}\n`);
    store.tokens.push(stored);
    store.hashes.push(Buffer.from(stored.sha256, 'hex'));
    await store.persist();
    return store;
  }

  private mint(user: string, role: Role, ttlSeconds: number | undefined): { token: string; stored: StoredToken } {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    let id: string;
    do id = randomBytes(6).toString('hex');
    while (this.tokens.some((t) => t.id === id));
    const created = this.now();
    const expires = ttlSeconds ? created + ttlSeconds * 1000 : undefined;
    return { token, stored: { id, user, role, sha256: sha256(token).toString('hex'), created, expires } };
  }

  private live(t: StoredToken): boolean {
    return t.expires === undefined || t.expires > this.now();
  }

  private async persist(): Promise<void> {
    const doc: TokensFile = {
      version: 1,
      tokens: this.tokens.map((t) => ({
        id: t.id,
        user: t.user,
        role: t.role,
        sha256: t.sha256,
        created: t.created,
        expires: t.expires ?? null,
      })),
    };
    await this.files.writeAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`);
  }

  /** Runs one mutation after the previous one; on a failed write the tokens are as before. */
  private mutate<T>(change: (tokens: StoredToken[]) => { next: StoredToken[]; result: T }): Promise<T> {
    const run = async (): Promise<T> => {
      const { next, result } = change(this.tokens);
      const before = this.tokens;
      this.tokens = next;
      this.hashes = next.map((t) => Buffer.from(t.sha256, 'hex'));
      try {
        await this.persist();
      } catch (err: unknown) {
        this.tokens = before;
        this.hashes = before.map((t) => Buffer.from(t.sha256, 'hex'));
        throw err;
      }
      return result;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** A new token; `token` is its secret, returned here only. Expired tokens are pruned on the way. */
  create(req: { user: string; role: Role; ttlSeconds?: number }): Promise<CreatedToken> {
    if (!USER_RE.test(req.user)) {
      return Promise.reject(
        new TokenStoreError('MGMT_TOKEN_INVALID', 'user: letters, digits, "_", ".", "@", "-" (64 at most), starting with a letter or digit'),
      );
    }
    // A token pasted into the wrong field would be stored and listed in clear.
    if (req.user.startsWith(TOKEN_PREFIX)) {
      return Promise.reject(new TokenStoreError('MGMT_TOKEN_INVALID', `user: must not start with "${TOKEN_PREFIX}" (that is a token)`));
    }
    if (!isRole(req.role)) return Promise.reject(new TokenStoreError('MGMT_TOKEN_INVALID', 'role: viewer, operator or admin'));
    const ttl = req.ttlSeconds ?? 0;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TOKEN_TTL_SECONDS) {
      return Promise.reject(new TokenStoreError('MGMT_TOKEN_INVALID', `ttl_seconds: 0 (never expires) to ${MAX_TOKEN_TTL_SECONDS}`));
    }
    return this.mutate((tokens) => {
      const { token, stored } = this.mint(req.user, req.role, ttl || undefined);
      return { next: [...tokens.filter((t) => this.live(t)), stored], result: { token, info: publicInfo(stored) } };
    });
  }

  /** false when no such token exists. */
  revoke(id: string): Promise<boolean> {
    return this.mutate((tokens) => {
      const next = tokens.filter((t) => t.id !== id && this.live(t));
      return { next, result: tokens.some((t) => t.id === id) };
    });
  }

  /** Tokens that are valid now, oldest first. */
  list(): TokenInfo[] {
    return this.tokens.filter((t) => this.live(t)).map(publicInfo);
  }

  /** The token a secret belongs to, if it exists and has not expired. */
  authenticate(secret: string): TokenInfo | undefined {
    if (!TOKEN_RE.test(secret)) return undefined;
    const presented = sha256(secret);
    // Every stored hash is compared, so the time taken says nothing about
    // which (or whether a) token matched.
    let match = -1;
    for (let i = 0; i < this.hashes.length; i++) {
      if (timingSafeEqual(presented, this.hashes[i]!)) match = i;
    }
    const t = match >= 0 ? this.tokens[match] : undefined;
    return t && this.live(t) ? publicInfo(t) : undefined;
  }

  /** Whether the token `id` still exists and has not expired (checked on every message). */
  isValid(id: string): boolean {
    const t = this.tokens.find((x) => x.id === id);
    return t !== undefined && this.live(t);
  }
}
