/**
 * Secrets never appear in a reply, a log line, an audit entry, a state file
 * or a metric. Tokens are secrets: shown once, in the reply that made them,
 * and nowhere else. Every output is collected and grepped.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { ClientError, ManagementClient } from '../../src/mgmt';
import { startMetricsServer } from '../../src/metrics';
import { rig } from './helpers';

const SECRET_VALUE = 'S3cr3t-Pre-Shared-Key-0123456789';

function text(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('no token and no secret value in replies, errors, logs, audit, state files or metrics', async (t) => {
  const r = await rig(t);
  const outputs: string[] = [];
  const record = async <T>(p: Promise<T>): Promise<T | undefined> => {
    try {
      const v = await p;
      outputs.push(text(v));
      return v;
    } catch (err: unknown) {
      outputs.push(err instanceof Error ? `${err.message} ${text(err)}` : text(err));
      return undefined;
    }
  };

  const admin = await r.client();
  const made = await admin.tokenCreate('ops', 'operator', 3600);
  const secrets = [r.adminToken, made.token];
  const madeViewer = await admin.tokenCreate('watcher', 'viewer');
  secrets.push(madeViewer.token);

  const ops = await r.client(made.token);
  const watcher = await r.client(madeViewer.token);
  const events: unknown[] = [];
  await watcher.subscribeEvents((e) => events.push(e));

  // Every read an admin and an operator can make.
  await record(admin.whoami());
  await record(admin.tokenList());
  await record(ops.whoami());
  await record(watcher.whoami());
  for (const topic of ['ports', 'attachments', 'services', 'counters', 'drops', 'sa', 'dataplane', 'system'] as const) await record(admin.show(topic));
  await record(admin.getRunning());
  await record(admin.listRevisions());

  // Secret values in requests (fields that do not exist yet, or malformed): refused without echo.
  await record(ops.set('ports[cust0].macsec.cak', JSON.stringify(SECRET_VALUE)));
  await record(ops.set('ports[cust0].psk', SECRET_VALUE));
  await record(ops.set('ports[cust0].pre_shared_key', `{"broken ${SECRET_VALUE}`));
  await record(ops.load(`ports:\n  - name: x\n    psk: ${SECRET_VALUE}\n`));
  // Secrets pasted where they do not belong.
  await record(admin.tokenRevoke(made.token));
  await record(admin.tokenCreate(made.token, 'viewer'));

  // A real change, committed and rolled back (audit entries, events).
  await record(ops.set('ports[cust0].mtu', '1600'));
  await record(ops.diff());
  await record(ops.commit({ comment: 'mtu' }));
  await record(ops.rollback(1));
  await record(ops.compare(1, 2));
  await record(ops.clearCounters());

  // Refused upgrades with wrong tokens: the answer does not quote them.
  const wrong = `cix_${'B'.repeat(43)}`;
  secrets.push(wrong);
  for (const token of [wrong, `${wrong} extra`]) {
    const err = await ManagementClient.connect({ url: r.url, token }).catch((e: unknown) => e);
    t.true(err instanceof ClientError);
    outputs.push((err as Error).message);
  }
  // A revoked token's connection, closed: its close reason.
  const revokedClosed = new Promise<ClientError>((resolve) => watcher.onClose(resolve));
  await admin.tokenRevoke(madeViewer.info.id);
  outputs.push((await revokedClosed).message);
  await t.throwsAsync(watcher.ping(), { instanceOf: ClientError });
  t.true(outputs.some((o) => o.includes('4401')));

  // Metrics over the same view, and the server's own stats.
  const metrics = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, view: r.view });
  t.teardown(() => metrics.close());
  outputs.push(await get(metrics.url));
  outputs.push(text(r.server.stats()));

  const files = fs.readdirSync(r.dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  const fileTexts = files
    .filter((d) => !(d.name === 'admin.token' && path.resolve(d.parentPath ?? r.dir) === path.resolve(r.dir)))
    .map((d) => ({ name: d.name, text: fs.readFileSync(path.join(d.parentPath ?? r.dir, d.name), 'utf8') }));
  t.true(fileTexts.some((f) => f.name === 'audit.log'), 'the audit log was written');
  t.true(fileTexts.some((f) => f.name === 'tokens.json'));

  const everything: Array<[string, string]> = [
    ...outputs.map((o, i): [string, string] => [`output ${i}`, o]),
    ...r.logs.map((l, i): [string, string] => [`log ${i}`, l]),
    ...events.map((e, i): [string, string] => [`event ${i}`, text(e)]),
    ...fileTexts.map((f): [string, string] => [`file ${f.name}`, f.text]),
  ];
  t.true(everything.length > 40);
  for (const [where, body] of everything) {
    for (const s of secrets) {
      t.false(body.includes(s), `${where} holds a token`);
      t.false(body.includes(s.slice(4, 24)), `${where} holds part of a token`);
    }
    t.false(body.includes(SECRET_VALUE), `${where} holds the secret value: ${body.slice(0, 300)}`);
  }
  // The replies that refused secrets did refuse them.
  t.true(outputs.filter((o) => /VALIDATION|PATH|BAD_REQUEST|NOT_FOUND/.test(o)).length >= 5);
  t.true(r.logs.some((l) => l.includes(made.info.id)), 'logs name tokens by id');
});
