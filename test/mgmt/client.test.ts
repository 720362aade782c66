/** The client library on its own: connection failures, timeouts, a misbehaving server, token lookup, pipelining. */
import test from 'ava';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { WebSocketServer } from 'ws';

import { ClientError, ManagementClient, loadToken } from '../../src/mgmt';
import { tempDir } from '../helpers/cli';
import { rig } from './helpers';

/** A WebSocket server that speaks no cix: `onMessage` decides what (if anything) to answer. */
async function fakeServer(t: { teardown(fn: () => void | Promise<void>): void }, onMessage: (ws: import('ws').WebSocket) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'cix.v1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => ws.on('message', () => onMessage(ws)));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  );
  return `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}`;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('nothing listening: MGMT_CONNECT', async (t) => {
  const err = await t.throwsAsync(ManagementClient.connect({ url: `ws://127.0.0.1:${await freePort()}`, token: 'x' }), { instanceOf: ClientError });
  t.is(err?.code, 'MGMT_CONNECT');
});

test('no reply in time: MGMT_TIMEOUT; the connection closing rejects what is pending with MGMT_CLOSED and its code', async (t) => {
  let socket: import('ws').WebSocket | undefined;
  const url = await fakeServer(t, (ws) => {
    socket = ws;
  });
  const c = await ManagementClient.connect({ url, requestTimeoutMs: 200 });
  const timedOut = await t.throwsAsync(c.ping(), { instanceOf: ClientError });
  t.is(timedOut?.code, 'MGMT_TIMEOUT');
  const c2 = await ManagementClient.connect({ url, requestTimeoutMs: 10_000 });
  const pending = c2.whoami();
  await new Promise((r) => setTimeout(r, 100));
  socket!.close(1011, 'server broke');
  const closed = await t.throwsAsync(pending, { instanceOf: ClientError });
  t.like(closed, { code: 'MGMT_CLOSED', closeCode: 1011, closeReason: 'server broke' });
  t.true(c2.closed);
  await t.throwsAsync(c2.ping(), { instanceOf: ClientError, message: /closed/ });
  await c.close();
});

test('a server that sends garbage: MGMT_PROTOCOL, and the client hangs up', async (t) => {
  const url = await fakeServer(t, (ws) => ws.send(Buffer.from([0xff, 0xff, 0xff])));
  const c = await ManagementClient.connect({ url });
  const err = await t.throwsAsync(c.ping(), { instanceOf: ClientError });
  t.is(err?.code, 'MGMT_PROTOCOL');
  t.true(c.closed);
});

test('pipelined requests are answered in order: a read after a commit sees it', async (t) => {
  const r = await rig(t);
  const c = await r.client();
  const [, rev, running, revisions] = await Promise.all([
    c.set('ports[cust0].mtu', '2000'),
    c.commit({ comment: 'pipelined' }),
    c.getRunning(),
    c.listRevisions(),
  ]);
  t.is(rev.number, 2);
  t.is(running.revision?.number, 2);
  t.is(JSON.parse(running.json).ports[0].mtu, 2000);
  t.is(revisions[0]!.number, 2);
});

test('loadToken: --token, then $CIX_TOKEN, then --token-file, then <stateDir>/admin.token', (t) => {
  const dir = tempDir(t, 'cix-token-');
  fs.writeFileSync(path.join(dir, 'admin.token'), 'cix_from_state_dir\n');
  fs.writeFileSync(path.join(dir, 'mine'), '  cix_from_file \n');
  fs.writeFileSync(path.join(dir, 'empty'), '\n');
  const env = { CIX_TOKEN: 'cix_from_env' };
  t.is(loadToken({ token: 'cix_flag', env, tokenFile: path.join(dir, 'mine'), stateDir: dir }), 'cix_flag');
  t.is(loadToken({ env, tokenFile: path.join(dir, 'mine'), stateDir: dir }), 'cix_from_env');
  t.is(loadToken({ env: {}, tokenFile: path.join(dir, 'mine'), stateDir: dir }), 'cix_from_file');
  t.is(loadToken({ env: {}, stateDir: dir }), 'cix_from_state_dir');
  t.is(loadToken({ env: {}, stateDir: path.join(dir, 'nope') }), undefined);
  t.is(loadToken({ env: {} }), undefined);
  t.like(t.throws(() => loadToken({ env: {}, tokenFile: path.join(dir, 'nope') })), { code: 'MGMT_TOKEN_FILE' });
  t.like(t.throws(() => loadToken({ env: {}, tokenFile: path.join(dir, 'empty') })), { code: 'MGMT_TOKEN_FILE' });
});
