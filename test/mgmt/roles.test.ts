/**
 * Every role against every request kind, allowed and refused; and the ways
 * in: no token, a wrong one, an expired one, a revoked one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import test from 'ava';

import { ClientError, ManagementClient, RemoteError, REQUIRED_ROLE, ROLES, mayRequest, type RequestBody, type RequestKind, type Role } from '../../src/mgmt';
import { mgmtType } from '../../src/mgmt/schema';
import { AuditLog } from '../../src/txn';
import { rig, until } from './helpers';

/** A plausible body for every kind (a Record: a new kind does not compile until it has one). */
const BODIES: { [K in RequestKind]: RequestBody<K> } = {
  getRunning: {},
  getCandidate: {},
  getRevision: { revision: 1 },
  listRevisions: {},
  diff: {},
  compare: { from: 1, to: 1 },
  set: { path: 'ports[cust0].mtu', value: '1600' },
  delete: { path: 'services[xc-a]' },
  load: { text: 'ports: []\n', format: 'LOAD_FORMAT_YAML', mode: 'LOAD_MODE_MERGE' },
  validate: {},
  discard: {},
  commit: { comment: 'role test', confirmedSeconds: 0, confirmed: false },
  rollback: { revision: 1, comment: 'role test' },
  show: { what: 'SHOW_WHAT_SYSTEM' },
  clearCounters: {},
  subscribe: { events: { kinds: [] } },
  unsubscribe: { subscriptionId: 12345 },
  tokenCreate: { user: 'made-in-test', role: 'ROLE_VIEWER', ttlSeconds: 60 },
  tokenRevoke: { id: '000000000000' },
  tokenList: {},
  whoami: {},
  ping: {},
};

test('the roles table names every request kind of the schema, and nothing else', (t) => {
  const kinds = mgmtType('Request').oneofs['kind']!.oneof;
  t.deepEqual([...kinds].sort(), Object.keys(REQUIRED_ROLE).sort());
  // The response has a member of the same name for every request kind.
  const replies = mgmtType('Response').oneofs['result']!.oneof;
  for (const k of kinds) {
    t.true(replies.includes(k), `Response.${k}`);
    t.is(mgmtType('Response').fields[k]!.id, mgmtType('Request').fields[k]!.id, `${k}: same field number`);
  }
});

test('roles are ordered: viewer reads, operator edits, admin manages tokens', (t) => {
  t.true(mayRequest('viewer', 'show'));
  t.false(mayRequest('viewer', 'set'));
  t.true(mayRequest('operator', 'commit'));
  t.false(mayRequest('operator', 'tokenCreate'));
  t.true(mayRequest('admin', 'tokenCreate'));
  for (const k of Object.keys(REQUIRED_ROLE) as RequestKind[]) t.true(mayRequest('admin', k), `admin may ${k}`);
});

for (const role of ROLES) {
  test(`${role}: every request kind is answered, or refused PERMISSION_DENIED exactly when the table says`, async (t) => {
    const r = await rig(t);
    const c = await r.client(await r.token(role));
    const tokensBefore = r.tokens.list().length;
    for (const kind of Object.keys(BODIES) as RequestKind[]) {
      const allowed = mayRequest(role, kind);
      const revisionsBefore = r.store.history().length;
      try {
        await c.request(kind, BODIES[kind] as RequestBody<typeof kind>);
        t.true(allowed, `${role} ${kind}: answered`);
      } catch (err: unknown) {
        if (!(err instanceof RemoteError)) throw err;
        if (allowed) t.not(err.code, 'PERMISSION_DENIED', `${role} ${kind}: ${err.message}`);
        else {
          t.is(err.code, 'PERMISSION_DENIED', `${role} ${kind}`);
          t.regex(err.message, new RegExp(`needs the ${REQUIRED_ROLE[kind]} role`));
          t.is(r.store.history().length, revisionsBefore, `${role} ${kind}: refused, nothing changed`);
        }
      }
    }
    // Refused token requests made no token; the admin's made one.
    t.is(r.tokens.list().length, tokensBefore + (role === 'admin' ? 1 : 0));
    const refusals = r.logs.filter((l) => l.includes('refused'));
    t.is(refusals.length, (Object.keys(BODIES) as RequestKind[]).filter((k) => !mayRequest(role, k)).length);
  });
}

async function connectError(url: string, token?: string): Promise<ClientError> {
  const opts = token === undefined ? { url } : { url, token };
  const err = await (async () => {
    try {
      await ManagementClient.connect(opts);
    } catch (e: unknown) {
      return e;
    }
    return undefined;
  })();
  if (!(err instanceof ClientError)) throw new Error(`expected a ClientError, got ${String(err)}`);
  return err;
}

test('no token, a wrong token, a malformed header: HTTP 401 before any WebSocket exists', async (t) => {
  const r = await rig(t);
  const none = await connectError(r.url);
  t.is(none.code, 'MGMT_UNAUTHORIZED');
  t.is(none.status, 401);
  t.regex(none.message, /no credentials/);
  const wrongToken = `cix_${'A'.repeat(43)}`;
  const wrong = await connectError(r.url, wrongToken);
  t.is(wrong.code, 'MGMT_UNAUTHORIZED');
  t.false(wrong.message.includes(wrongToken), 'the refusal does not echo the token');
  t.is((await connectError(r.url, 'not-a-token')).status, 401);
  t.is(r.server.stats().connections, 0);
  t.is(r.server.stats().refused, 3);
});

test('an expired token is refused at the upgrade, and an open connection using it is closed 4401', async (t) => {
  let now = Date.now();
  const r = await rig(t, { now: () => now });
  const token = await r.token('operator', 'shortlived', 60);
  const c = await r.client(token);
  t.truthy(await c.whoami());
  const closed = new Promise<ClientError>((resolve) => c.onClose(resolve));
  now += 61_000;
  const err = await closed; // the server's sweep (every second) finds it
  t.is(err.closeCode, 4401);
  t.regex(err.closeReason ?? '', /expired/);
  const refused = await connectError(r.url, token);
  t.is(refused.status, 401);
  t.regex(refused.message, /unknown or expired token/);
});

test('revoking a token closes its connections at once (4401); other connections stay', async (t) => {
  const r = await rig(t);
  const admin = await r.client();
  const victimToken = await r.token('viewer', 'victim');
  const victim = await r.client(victimToken);
  const bystander = await r.client(await r.token('viewer', 'bystander'));
  const me = await victim.whoami();
  t.is(me.method, 'AUTH_METHOD_TOKEN');
  const closed = new Promise<ClientError>((resolve) => victim.onClose(resolve));
  await admin.tokenRevoke(me.tokenId);
  t.is((await closed).closeCode, 4401);
  await t.throwsAsync(victim.ping(), { instanceOf: ClientError, message: /closed/ });
  t.truthy(await bystander.ping());
  await until(() => r.server.stats().connections === 2, 5000, 'the victim to be gone');
  t.is((await connectError(r.url, victimToken)).status, 401);
});

test('tokens made over the channel: secret once, listed without it, usable for their role', async (t) => {
  const r = await rig(t);
  const admin = await r.client();
  const made = await admin.tokenCreate('carol', 'viewer' as Role, 3600);
  t.regex(made.token, /^cix_/);
  t.is(made.info.user, 'carol');
  t.is(made.info.role, 'ROLE_VIEWER');
  t.true(made.info.expiresAt > made.info.createdAt);
  const list = await admin.tokenList();
  t.true(list.some((i) => i.id === made.info.id));
  t.false(JSON.stringify(list, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)).includes(made.token));
  const carol = await r.client(made.token);
  t.like(await carol.whoami(), { user: 'carol', role: 'ROLE_VIEWER', tokenId: made.info.id });
  await t.throwsAsync(carol.set('ports[cust0].mtu', '1600'), { instanceOf: RemoteError, message: /needs the operator role/ });
  const bad = await t.throwsAsync(admin.tokenCreate('bad user', 'viewer'), { instanceOf: RemoteError });
  t.is(bad?.code, 'BAD_REQUEST');
  const norole = await t.throwsAsync(admin.request('tokenCreate', { user: 'x', role: 'ROLE_UNSPECIFIED', ttlSeconds: 0 }), { instanceOf: RemoteError });
  t.is(norole?.code, 'BAD_REQUEST');
  const missing = await t.throwsAsync(admin.tokenRevoke('ffffffffffff'), { instanceOf: RemoteError });
  t.is(missing?.code, 'NOT_FOUND');
});

test('making and revoking a token are audit lines: who, from where, which token, never its secret', async (t) => {
  const r = await rig(t);
  const admin = await r.client();
  const made = await admin.tokenCreate('dave', 'operator', 3600);
  await admin.tokenRevoke(made.info.id);
  await t.throwsAsync(admin.tokenRevoke(made.info.id), { instanceOf: RemoteError });
  const text = fs.readFileSync(path.join(r.dir, 'audit.log'), 'utf8');
  t.false(text.includes(made.token));
  const lines = (await new AuditLog(path.join(r.dir, 'audit.log')).read()).filter((e) => e.event.startsWith('token-'));
  t.deepEqual(
    lines.map((e) => [e.event, e.user, e.role, e.revision, e.token?.id, e.token?.user, e.token?.role, e.token?.expires]),
    [
      ['token-create', 'admin', 'admin', 1, made.info.id, 'dave', 'operator', Number(made.info.expiresAt)],
      ['token-revoke', 'admin', 'admin', 1, made.info.id, 'dave', 'operator', Number(made.info.expiresAt)],
    ],
  );
  t.regex(lines[0]!.remote, /^127\.0\.0\.1:\d+$/);
  t.deepEqual(lines[0]!.diff.lines, []);
});
