import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';

import { TokenStore, TokenStoreError } from '../../src/mgmt';
import { tempDir } from '../helpers/cli';

const TOKEN_RE = /^cix_[A-Za-z0-9_-]{43}$/;

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

test('first start makes an admin token, writes it to admin.token (0600) and only its hash to tokens.json (0600)', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  const store = await TokenStore.open(dir);
  t.is(store.bootstrapTokenFile, path.join(dir, 'admin.token'));
  const token = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
  t.regex(token, TOKEN_RE);
  t.is(mode(path.join(dir, 'admin.token')), 0o600);
  t.is(mode(path.join(dir, 'tokens.json')), 0o600);
  const file = fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8');
  t.false(file.includes(token), 'the secret is not in tokens.json');
  t.false(file.includes(token.slice(4)), 'not even without its prefix');
  const info = store.authenticate(token);
  t.like(info, { user: 'admin', role: 'admin', expires: undefined });
  t.deepEqual(store.list().map((i) => i.user), ['admin']);

  // A second start keeps the tokens and makes no new admin token.
  fs.rmSync(path.join(dir, 'admin.token'));
  const again = await TokenStore.open(dir);
  t.is(again.bootstrapTokenFile, undefined);
  t.false(fs.existsSync(path.join(dir, 'admin.token')));
  t.like(again.authenticate(token), { user: 'admin' });
});

test('create returns the secret once; authenticate takes it, refuses others; revoke ends it', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  const store = await TokenStore.open(dir);
  const { token, info } = await store.create({ user: 'alice', role: 'operator' });
  t.regex(token, TOKEN_RE);
  t.regex(info.id, /^[0-9a-f]{12}$/);
  t.like(store.authenticate(token), { id: info.id, user: 'alice', role: 'operator' });
  t.is(store.authenticate(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`), undefined, 'one character off');
  t.is(store.authenticate('cix_short'), undefined);
  t.is(store.authenticate(''), undefined);
  t.false(JSON.stringify(store.list()).includes(token));
  t.true(store.isValid(info.id));

  t.true(await store.revoke(info.id));
  t.is(store.authenticate(token), undefined);
  t.false(store.isValid(info.id));
  t.false(await store.revoke(info.id), 'a second revoke finds nothing');
  // Revocation is on disk.
  t.is((await TokenStore.open(dir)).authenticate(token), undefined);
});

test('a token with a ttl expires (clock injected)', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  let now = 1_700_000_000_000;
  const store = await TokenStore.open(dir, { now: () => now });
  const { token, info } = await store.create({ user: 'temp', role: 'viewer', ttlSeconds: 60 });
  t.is(info.expires, now + 60_000);
  t.truthy(store.authenticate(token));
  now += 59_999;
  t.truthy(store.authenticate(token));
  now += 1;
  t.is(store.authenticate(token), undefined, 'expired at its expiry time');
  t.false(store.isValid(info.id));
  t.false(store.list().some((i) => i.id === info.id), 'an expired token is not listed');
  // The next write prunes it from the file.
  await store.create({ user: 'other', role: 'viewer' });
  t.false(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8').includes(info.id));
});

test('bad token requests are refused with MGMT_TOKEN_INVALID and change nothing', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  const store = await TokenStore.open(dir);
  const before = fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8');
  for (const req of [
    { user: '', role: 'viewer' as const },
    { user: 'has space', role: 'viewer' as const },
    { user: 'x'.repeat(65), role: 'viewer' as const },
    { user: 'ok', role: 'root' as unknown as 'viewer' },
    { user: 'ok', role: 'viewer' as const, ttlSeconds: -1 },
    { user: 'ok', role: 'viewer' as const, ttlSeconds: 1.5 },
  ]) {
    const err = await t.throwsAsync(store.create(req), { instanceOf: TokenStoreError });
    t.is(err?.code, 'MGMT_TOKEN_INVALID');
  }
  t.is(fs.readFileSync(path.join(dir, 'tokens.json'), 'utf8'), before);
});

test('a malformed tokens.json is refused whole, naming the problem', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  await TokenStore.open(dir);
  const file = path.join(dir, 'tokens.json');
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { tokens: Array<Record<string, unknown>> };
  doc.tokens[0]!['role'] = 'root';
  fs.writeFileSync(file, JSON.stringify(doc));
  const err = await t.throwsAsync(TokenStore.open(dir), { instanceOf: TokenStoreError });
  t.is(err?.code, 'MGMT_TOKENS_FILE');
  t.regex(err!.message, /tokens\[0\]\.role/);
  fs.writeFileSync(file, '{not json');
  await t.throwsAsync(TokenStore.open(dir), { instanceOf: TokenStoreError, message: /not JSON/ });
});

test('concurrent creates all persist', async (t) => {
  const dir = tempDir(t, 'cix-tokens-');
  const store = await TokenStore.open(dir);
  const made = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create({ user: `u${i}`, role: 'viewer' })));
  const reopened = await TokenStore.open(dir);
  for (const m of made) t.like(reopened.authenticate(m.token), { id: m.info.id });
  t.is(reopened.list().length, 21);
});
