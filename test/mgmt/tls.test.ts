/**
 * wss with client certificates made by openssl in the test: the CA, the
 * server's certificate, clients' certificates (one from another CA).
 * Identity = subject CN, role from clients.json.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ClientError, ManagementClient, MgmtSetupError, RemoteError, startManagementServer, type ClientTlsOptions } from '../../src/mgmt';
import { tempDir } from '../helpers/cli';
import { rig } from './helpers';

interface Pki {
  dir: string;
  file(name: string): string;
  read(name: string): Buffer;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makePki(t: { teardown(fn: () => void): void }): Pki {
  const dir = tempDir(t, 'cix-pki-');
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string): void => openssl(['req', '-x509', ...key, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
  const leaf = (name: string, cn: string, caName: string, ext: string): void => {
    openssl(['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], dir);
    fs.writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`], dir);
  };
  ca('test-ca');
  ca('rogue-ca');
  leaf('server', 'localhost', 'test-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  leaf('ops', 'ops-laptop', 'test-ca', 'extendedKeyUsage=clientAuth');
  leaf('auditor', 'auditor', 'test-ca', 'extendedKeyUsage=clientAuth');
  leaf('intruder', 'intruder', 'test-ca', 'extendedKeyUsage=clientAuth');
  leaf('rogue', 'ops-laptop', 'rogue-ca', 'extendedKeyUsage=clientAuth');
  return { dir, file: (n) => path.join(dir, n), read: (n) => fs.readFileSync(path.join(dir, n)) };
}

async function tlsRig(t: Parameters<typeof rig>[0] & { teardown(fn: () => void): void }) {
  const pki = makePki(t);
  const r = await rig(t, {
    server: { tls: { certFile: pki.file('server.crt'), keyFile: pki.file('server.key'), clientCaFile: pki.file('test-ca.crt') } },
  });
  fs.writeFileSync(path.join(r.dir, 'clients.json'), JSON.stringify({ 'ops-laptop': 'operator', auditor: 'viewer' }));
  const connect = (tls: ClientTlsOptions, token?: string): Promise<ManagementClient> => {
    const opts = token === undefined ? { url: r.url, tls } : { url: r.url, tls, token };
    return ManagementClient.connect(opts).then((c) => {
      t.teardown(() => c.close());
      return c;
    });
  };
  const refused = (tls: ClientTlsOptions, token?: string): Promise<ClientError> =>
    connect(tls, token).then(
      () => {
        throw new Error('connected, but should have been refused');
      },
      (e: unknown) => {
        if (!(e instanceof ClientError)) throw e;
        return e;
      },
    );
  return { pki, r, connect, refused };
}

test('wss: a client certificate names the user (CN) and clients.json its role', async (t) => {
  const { pki, r, connect } = await tlsRig(t);
  t.regex(r.url, /^wss:\/\/127\.0\.0\.1:\d+$/);
  const ops = await connect({ ca: pki.read('test-ca.crt'), cert: pki.read('ops.crt'), key: pki.read('ops.key') });
  t.like(await ops.whoami(), { user: 'ops-laptop', role: 'ROLE_OPERATOR', method: 'AUTH_METHOD_CERTIFICATE', tokenId: '' });
  await ops.set('ports[cust0].mtu', '1600');
  t.is((await ops.commit({ comment: 'over mTLS' })).user, 'ops-laptop');
  const denied = await t.throwsAsync(ops.tokenList(), { instanceOf: RemoteError });
  t.is(denied?.code, 'PERMISSION_DENIED');

  const auditor = await connect({ ca: pki.read('test-ca.crt'), cert: pki.read('auditor.crt'), key: pki.read('auditor.key') });
  t.is((await auditor.whoami()).role, 'ROLE_VIEWER');
  t.true(r.logs.some((l) => l.includes('ops-laptop@127.0.0.1') && l.includes('client certificate')));
});

test('wss: an untrusted certificate is refused 401, an unmapped CN 403, none at all 401; a token still works', async (t) => {
  const { pki, r, refused, connect } = await tlsRig(t);
  const ca = pki.read('test-ca.crt');
  const rogue = await refused({ ca, cert: pki.read('rogue.crt'), key: pki.read('rogue.key') });
  t.like(rogue, { code: 'MGMT_UNAUTHORIZED', status: 401 });
  t.regex(rogue.message, /not trusted/);
  const intruder = await refused({ ca, cert: pki.read('intruder.crt'), key: pki.read('intruder.key') });
  t.like(intruder, { code: 'MGMT_FORBIDDEN', status: 403 });
  t.regex(intruder.message, /intruder/);
  t.like(await refused({ ca }), { code: 'MGMT_UNAUTHORIZED', status: 401 });

  // Without a client certificate, a bearer token over TLS.
  const admin = await connect({ ca }, r.adminToken);
  t.like(await admin.whoami(), { user: 'admin', method: 'AUTH_METHOD_TOKEN' });

  // clients.json is read again when it changes: the next connection sees the edit.
  fs.writeFileSync(path.join(r.dir, 'clients.json'), JSON.stringify({ intruder: 'viewer' }));
  const now = await connect({ ca, cert: pki.read('intruder.crt'), key: pki.read('intruder.key') });
  t.is((await now.whoami()).role, 'ROLE_VIEWER');
  t.like(await refused({ ca, cert: pki.read('ops.crt'), key: pki.read('ops.key') }), { status: 403 });
  fs.writeFileSync(path.join(r.dir, 'clients.json'), '{"intruder": "superuser"}');
  t.like(await refused({ ca, cert: pki.read('intruder.crt'), key: pki.read('intruder.key') }), { status: 403 });
});

test('wss: the client checks the server (wrong CA: no connection); plain ws to a wss port fails', async (t) => {
  const { pki, r } = await tlsRig(t);
  const wrongCa = await ManagementClient.connect({ url: r.url, token: r.adminToken, tls: { ca: pki.read('rogue-ca.crt') } }).catch((e: unknown) => e);
  t.like(wrongCa, { code: 'MGMT_CONNECT' });
  const plain = await ManagementClient.connect({ url: r.url.replace('wss:', 'ws:'), token: r.adminToken }).catch((e: unknown) => e);
  t.true(plain instanceof ClientError);
});

test('a non-loopback address without TLS is refused; unreadable TLS files are named', async (t) => {
  const r = await rig(t);
  const base = { txn: r.txn, store: r.store, view: r.view, tokens: r.tokens, stateDir: r.dir, log: () => undefined };
  const insecure = await t.throwsAsync(startManagementServer({ ...base, listen: { host: '0.0.0.0', port: 0 } }), { instanceOf: MgmtSetupError });
  t.is(insecure?.code, 'MGMT_INSECURE');
  const dir = tempDir(t, 'cix-tls-');
  const missing = await t.throwsAsync(
    startManagementServer({ ...base, listen: { port: 0 }, tls: { certFile: path.join(dir, 'nope.crt'), keyFile: path.join(dir, 'nope.key') } }),
    { instanceOf: MgmtSetupError },
  );
  t.is(missing?.code, 'MGMT_TLS');
  t.regex(missing!.message, /certFile/);
  const inUse = await t.throwsAsync(startManagementServer({ ...base, listen: { port: r.server.port } }), { instanceOf: MgmtSetupError });
  t.is(inUse?.code, 'MGMT_LISTEN');
  const badLimit = await t.throwsAsync(startManagementServer({ ...base, listen: { port: 0 }, limits: { maxPayload: 0 } }), { instanceOf: MgmtSetupError });
  t.is(badLimit?.code, 'MGMT_OPTIONS');
});
