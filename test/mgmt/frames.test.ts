/**
 * Bad input on the wire: text frames, garbage, truncated and oversized
 * messages, broken WebSocket frames, floods. Each closes (or answers) the
 * offending connection with a clear code and never disturbs another one.
 */
import test from 'ava';
import * as http from 'node:http';
import { WebSocket } from 'ws';

import { ClientError, ManagementClient, RemoteError } from '../../src/mgmt';
import { decodeServerMessage, encodeClientMessage } from '../../src/mgmt/codec';
import { frame, rawConnect } from './raw';
import { rig, until, type Rig } from './helpers';

/** A ws-library connection with the admin token, for sending what ManagementClient never does. */
function plainWs(r: Rig): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(r.url, ['cix.v1'], { headers: { Authorization: `Bearer ${r.adminToken}` } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function closeCode(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

/** A client that keeps working throughout: subscribed to samples every 100 ms. */
async function bystander(r: Rig): Promise<{ client: ManagementClient; samples: () => number }> {
  const client = await r.client();
  let n = 0;
  await client.subscribeCounters({ intervalMs: 100 }, () => n++);
  return { client, samples: () => n };
}

async function stillFine(t: { true(v: boolean, m?: string): void }, b: { client: ManagementClient; samples: () => number }): Promise<void> {
  const before = b.samples();
  t.true((await b.client.ping()) > 0n, 'the bystander is answered');
  await until(() => b.samples() >= before + 2, 5000, 'bystander samples');
}

test('a text frame closes with 1003, garbage and truncated protobuf with 1007, others unaffected', async (t) => {
  const r = await rig(t);
  const b = await bystander(r);

  const text = await plainWs(r);
  const textClosed = closeCode(text);
  text.send('{"request": {"id": 1, "ping": {}}}');
  t.is(await textClosed, 1003);

  const garbage = await plainWs(r);
  const garbageClosed = closeCode(garbage);
  garbage.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  t.is(await garbageClosed, 1007);

  const good = encodeClientMessage({ request: { id: 1, set: { path: 'ports[cust0].mtu', value: '9000' } } });
  const truncated = await plainWs(r);
  const truncatedClosed = closeCode(truncated);
  truncated.send(good.subarray(0, good.length - 3));
  t.is(await truncatedClosed, 1007);

  const empty = await plainWs(r);
  const emptyClosed = closeCode(empty);
  empty.send(Buffer.alloc(0)); // a ClientMessage with no request in it
  t.is(await emptyClosed, 1007);

  await stillFine(t, b);
  await until(() => r.server.stats().connections === 1, 5000, 'the closed connections to be gone');
  t.is(r.store.history().length, 1, 'nothing of the truncated set was applied');
});

test('a message over maxPayload closes with 1009; one just under it is answered', async (t) => {
  const r = await rig(t, { server: { limits: { maxPayload: 64 * 1024 } } });
  const b = await bystander(r);
  const c = await r.client();
  // Just under the limit: a load whose text fills it (a valid request, refused as bad YAML-level content or not).
  const fits = 'x'.repeat(64 * 1024 - 64);
  await t.throwsAsync(c.load(`# ${fits}\nports: 7\n`), { instanceOf: RemoteError });
  const closed = new Promise<ClientError>((resolve) => c.onClose(resolve));
  await t.throwsAsync(c.load(`# ${'y'.repeat(70 * 1024)}\n`), { instanceOf: ClientError });
  t.is((await closed).closeCode, 1009);
  await stillFine(t, b);
});

test('broken and truncated WebSocket frames: the connection goes, the server and others stay', async (t) => {
  const r = await rig(t);
  const b = await bystander(r);
  const auth = { Authorization: `Bearer ${r.adminToken}`, 'Sec-WebSocket-Protocol': 'cix.v1' };
  const ping = Buffer.from(encodeClientMessage({ request: { id: 1, ping: {} } }));

  // A client frame without a mask violates RFC 6455: 1002.
  const unmasked = await rawConnect(r.url, auth);
  t.is(unmasked.status, 101);
  unmasked.socket.write(frame(2, ping, { mask: false }));
  await unmasked.closed;
  t.is(unmasked.closeCode(), 1002);

  // Reserved bits set without an extension: 1002.
  const rsv = await rawConnect(r.url, auth);
  rsv.socket.write(frame(2, ping, { rsv: 0b100 }));
  await rsv.closed;
  t.is(rsv.closeCode(), 1002);

  // A frame cut short, then the peer goes away: nothing is left behind.
  const cut = await rawConnect(r.url, auth);
  cut.socket.write(frame(2, Buffer.alloc(10, 1), { claimedLength: 1000 }).subarray(0, 16));
  await new Promise((res) => setTimeout(res, 100));
  cut.socket.destroy();

  // A frame whose length claims more than maxPayload: 1009 before the body arrives.
  const huge = await rawConnect(r.url, auth);
  huge.socket.write(frame(2, Buffer.alloc(4), { claimedLength: 0x7fffffff }).subarray(0, 14));
  await huge.closed;
  t.is(huge.closeCode(), 1009);

  // A well-formed frame by hand is answered.
  const fine = await rawConnect(r.url, auth);
  fine.socket.write(frame(2, ping));
  await until(() => fine.frames.length > 0, 5000, 'a reply');
  t.is(fine.frames[0]!.opcode, 2);
  fine.socket.destroy();

  await stillFine(t, b);
  await until(() => r.server.stats().connections === 1, 5000, 'every raw connection to be gone');
});

test('a request kind the server does not know is answered UNSUPPORTED with its id; the connection stays', async (t) => {
  const r = await rig(t);
  const c = await r.client();
  const ws = (c as unknown as { ws: WebSocket }).ws;
  const reply = new Promise<Buffer>((resolve) => ws.once('message', (d: Buffer) => resolve(d)));
  // ClientMessage{request (1): Request{id (1): 77, field 200 (tag 0x642 = varint c2 0c): {}}}
  ws.send(Buffer.from([0x0a, 0x05, 0x08, 77, 0xc2, 0x0c, 0x00]));
  const msg = decodeServerMessage(await reply);
  t.is(msg.response?.id, 77);
  t.is(msg.response?.error?.code, 'ERROR_CODE_UNSUPPORTED');
  t.truthy(await c.ping());
});

test('a flood is answered RATE_LIMITED past the burst, and closed 1008 when it goes on', async (t) => {
  const r = await rig(t, { server: { limits: { rate: { messagesPerSecond: 5, burst: 10, abuseBurst: 10, abusePerSecond: 1 } } } });
  const b = await bystander(r);
  const c = await r.client();
  const first = await Promise.allSettled(Array.from({ length: 15 }, () => c.ping()));
  const ok = first.filter((x) => x.status === 'fulfilled').length;
  const limited = first.filter((x) => x.status === 'rejected' && x.reason instanceof RemoteError && x.reason.code === 'RATE_LIMITED').length;
  // The burst (10), plus what refilled while they arrived (5/s): never all 15 at once.
  t.true(ok >= 10 && ok < 15, `${ok} answered`);
  t.is(ok + limited, 15);
  const closed = new Promise<ClientError>((resolve) => c.onClose(resolve));
  await Promise.allSettled(Array.from({ length: 30 }, () => c.ping()));
  t.is((await closed).closeCode, 1008);
  await stillFine(t, b);
});

test('requests queue behind a slow one up to maxInFlight; past it they are refused RATE_LIMITED', async (t) => {
  const r = await rig(t, { server: { limits: { maxInFlight: 4 } } });
  r.applier.delayMs = 500;
  const c = await r.client();
  await c.set('ports[cust0].mtu', '1600');
  const commit = c.commit({ comment: 'slow' });
  await until(() => r.applier.started > 0, 5000, 'the commit to reach the data plane');
  const pings = await Promise.allSettled(Array.from({ length: 10 }, () => c.ping()));
  t.is(pings.filter((p) => p.status === 'fulfilled').length, 4);
  for (const p of pings) if (p.status === 'rejected') t.like(p.reason, { code: 'RATE_LIMITED' });
  t.is((await commit).number, 2);
});

test('origin, subprotocol, connection limit and plain HTTP are refused before a WebSocket exists', async (t) => {
  const r = await rig(t, { server: { allowedOrigins: ['https://noc.example.net'], limits: { maxConnections: 2 } } });
  const fromBrowser = (origin: string): Promise<ClientError | ManagementClient> =>
    ManagementClient.connect({ url: r.url, token: r.adminToken, origin }).catch((e: ClientError) => e);
  const evil = await fromBrowser('https://evil.example.com');
  t.true(evil instanceof ClientError);
  t.like(evil, { code: 'MGMT_FORBIDDEN', status: 403 });
  const noc = await fromBrowser('https://noc.example.net');
  t.true(noc instanceof ManagementClient);
  if (noc instanceof ManagementClient) await noc.close();

  const wrongProto = await rawConnect(r.url, { Authorization: `Bearer ${r.adminToken}`, 'Sec-WebSocket-Protocol': 'mqtt' });
  t.is(wrongProto.status, 400);

  const a = await r.client();
  const b = await r.client();
  const third = await ManagementClient.connect({ url: r.url, token: r.adminToken }).catch((e: ClientError) => e);
  t.like(third, { code: 'MGMT_HTTP', status: 503 });
  await a.close();
  await b.close();

  const status = await new Promise<number>((resolve, reject) => {
    http.get(r.url.replace('ws:', 'http:'), (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
  t.is(status, 426);
});

test('a peer that stops answering pings is cut; one that answers stays', async (t) => {
  const r = await rig(t, { server: { limits: { heartbeatMs: 200 } } });
  const alive = await r.client();
  const dead = await rawConnect(r.url, { Authorization: `Bearer ${r.adminToken}` }, { read: false });
  t.is(dead.status, 101);
  await until(() => r.server.stats().connections === 2, 2000, 'both connected');
  await until(() => r.server.stats().connections === 1, 5000, 'the silent peer to be cut');
  t.truthy(await alive.ping());
  dead.socket.destroy();
});
