import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { isSecretField, maskIssue, maskSecrets, pathIsSecret, SECRET_MASK } from '../../src/config/secrets';
import { AuditLog, presentDiff, TxnError, type DiffLine } from '../../src/txn';
import { auditEntry } from '../../src/txn/audit';
import { tempDir } from '../helpers/cli';

const SECRETS = ['0123456789abcdef0123456789abcdef', 'hunter2', 'cix_s3cr3tt0k3n', 'correct horse battery staple', 'MIIEvQIBADANBg'];

/**
 * A configuration as later schemas will have it (MACsec CAKs, IKE
 * pre-shared keys, tokens); today's schema has no secret field, so it goes
 * straight to the masking functions.
 */
function futureConfig(): Record<string, unknown> {
  return {
    ports: [{ name: 'cloud0', mtu: 9000, macsec: { ckn: 'aa01', cak: SECRETS[0], cipher: 'gcm-aes-xpn-256' } }],
    ipsec: [{ name: 'tun1', peer: '198.51.100.7', pre_shared_key: SECRETS[1], keyId: 7 }],
    management: { tokens: [SECRETS[2]], adminPassword: SECRETS[3], tls: { private_key: SECRETS[4], cert: 'PUBLIC' } },
  };
}

function noSecretIn(t: { false(v: boolean, m?: string): void }, text: string): void {
  for (const s of SECRETS) t.false(text.includes(s), `"${s}" leaked`);
}

test('secret fields are known by name, in any case and spelling', (t) => {
  for (const n of ['key', 'cak', 'psk', 'secret', 'password', 'token', 'private_key', 'privateKey', 'pre_shared_key', 'preSharedKey', 'authKey', 'tokens', 'keys', 'adminPassword', 'client-secret']) {
    t.true(isSecretField(n), n);
  }
  for (const n of ['name', 'mtu', 'ckn', 'keyId', 'key_id', 'peer', 'cipher', 'cert', 'port', 'vid', 'interface', 'endpoints']) {
    t.false(isSecretField(n), n);
  }
  t.true(pathIsSecret('ports[cloud0].macsec.cak'));
  t.true(pathIsSecret('management.tokens[0]'));
  t.false(pathIsSecret('ports[cloud0].macsec.ckn'));
});

test('maskSecrets hides every secret value and keeps the rest', (t) => {
  const masked = maskSecrets(futureConfig()) as ReturnType<typeof futureConfig>;
  noSecretIn(t, JSON.stringify(masked));
  const port = (masked.ports as Record<string, unknown>[])[0]!;
  t.deepEqual(port.macsec, { ckn: 'aa01', cak: SECRET_MASK, cipher: 'gcm-aes-xpn-256' });
  t.deepEqual((masked.ipsec as unknown[])[0], { name: 'tun1', peer: '198.51.100.7', pre_shared_key: SECRET_MASK, keyId: 7 });
  t.deepEqual(masked.management, { tokens: SECRET_MASK, adminPassword: SECRET_MASK, tls: { private_key: SECRET_MASK, cert: 'PUBLIC' } });
  t.is(JSON.stringify(futureConfig()).includes(SECRETS[0]!), true, 'the input is not modified');
});

test('diffs mask secrets in lines and text, at any depth', (t) => {
  const lines: DiffLine[] = [
    { op: '~', path: 'ports[cloud0].macsec.cak', from: 'f'.repeat(32), to: SECRETS[0] },
    { op: '+', path: 'ipsec[tun1]', to: (futureConfig().ipsec as unknown[])[0] },
    { op: '-', path: 'management', from: futureConfig().management },
    { op: '~', path: 'ports[cloud0].mtu', from: 1500, to: 9000 },
  ];
  const d = presentDiff(lines);
  noSecretIn(t, JSON.stringify(d.lines));
  noSecretIn(t, d.text);
  t.false(d.text.includes('f'.repeat(32)));
  t.deepEqual(d.lines[0], { op: '~', path: 'ports[cloud0].macsec.cak', from: SECRET_MASK, to: SECRET_MASK });
  t.deepEqual(d.lines[3], lines[3]);
  t.regex(d.text, /\+ {3}mtu 9000/);
  t.regex(d.text, /198\.51\.100\.7/);
});

test('the audit log never holds a secret', async (t) => {
  const dir = tempDir(t);
  const log = new AuditLog(path.join(dir, 'audit.log'));
  const diff = presentDiff([
    { op: '+', path: 'ipsec[tun1]', to: (futureConfig().ipsec as unknown[])[0] },
    { op: '~', path: 'management.tokens', from: [], to: [SECRETS[2]] },
  ]);
  await log.append(auditEntry('commit', { number: 2, at: Date.now(), user: 'alice', remote: '127.0.0.1:1', comment: 'keys', kind: 'commit', confirm: 'none' }, diff));
  const text = fs.readFileSync(log.file, 'utf8');
  noSecretIn(t, text);
  t.is((await log.read()).length, 1);
  t.is(fs.statSync(log.file).mode & 0o777, 0o600);
});

test('validation messages about a secret field do not echo its value', (t) => {
  const issues = [
    { path: 'ports[0].macsec.cak', message: `expected a string, got ${1234567} (put it in quotes)` },
    { path: 'ipsec[0].psk', message: `"${SECRETS[1]}" is too short` },
    { path: 'ports[0].mtu', message: 'expected an unsigned integer, got "big"' },
  ];
  const masked = issues.map(maskIssue);
  t.false(masked[0]!.message.includes('1234567'));
  t.is(masked[0]!.message, `expected a string, got ${SECRET_MASK} (put it in quotes)`);
  t.is(masked[1]!.message, `"${SECRET_MASK}" is too short`);
  t.deepEqual(masked[2], issues[2], 'other fields keep their message');
  const err = new TxnError('TXN_VALIDATION', 'refused', { issues });
  noSecretIn(t, JSON.stringify(err.issues));
  t.false(JSON.stringify(err.issues).includes('1234567'));
});
