import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

import { findProjectRoot } from '../../src/config';
import { decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeMessage, encodePush, encodeServerMessage } from '../../src/mgmt/codec';
import { CodecError } from '../../src/mgmt/errors';
import type { CountersSample, ServerMessage } from '../../src/mgmt/generated';

const root = findProjectRoot(__dirname);

interface Generator {
  generateTarget: (target: { out: string }) => string;
  TARGETS: Array<{ proto: string; out: string }>;
}

test('src/mgmt/generated.ts is what scripts/gen-proto-types.js generates from proto/management.proto', (t) => {
  const mod = require(path.join(root, 'scripts', 'gen-proto-types.js')) as Generator;
  const target = mod.TARGETS.find((x) => x.proto === 'proto/management.proto');
  if (!target) return t.fail('no target for proto/management.proto');
  t.is(fs.readFileSync(path.join(root, target.out), 'utf8'), mod.generateTarget(target), 'stale: run node scripts/gen-proto-types.js');
});

test('a request survives encode and decode with its kind and fields', (t) => {
  const bytes = encodeClientMessage({ request: { id: 7, set: { path: 'ports[cust0].mtu', value: '9000' } } });
  t.deepEqual(decodeClientMessage(bytes), { request: { id: 7, set: { path: 'ports[cust0].mtu', value: '9000' } } });
  // A request kind whose message has no fields still names the kind.
  t.deepEqual(decodeClientMessage(encodeClientMessage({ request: { id: 1, ping: {} } })), { request: { id: 1, ping: {} } });
});

test('uint64 counters keep every bit (bigint), maps and enums by name', (t) => {
  const big = 18_446_744_073_709_551_615n; // 2^64 - 1
  const msg: ServerMessage = {
    response: {
      id: 3,
      show: {
        at: 1_700_000_000_123n,
        revision: 4,
        baselineAt: 0n,
        ports: [{ name: 'p', interface: '', driver: 'afxdp', mode: 'skb', link: 'LINK_STATE_UP', counters: { rxPackets: big, rxBytes: 1n, txPackets: 2n, txBytes: 3n, drops: { mtu_rx: big - 1n } } }],
        attachments: [],
        services: [],
        drops: { mtu_rx: 5n },
        sas: [],
      },
    },
  };
  const back = decodeServerMessage(encodeServerMessage(msg));
  t.deepEqual(back, msg);
});

test('unset messages are absent and fields without presence are zero after decoding', (t) => {
  const back = decodeServerMessage(encodeServerMessage({ response: { id: 1, getRunning: { json: '{}' } } }));
  t.deepEqual(back, { response: { id: 1, getRunning: { json: '{}' } } });
  t.false('revision' in back.response!.getRunning!);
  const empty = decodeServerMessage(encodeServerMessage({ response: { id: 2, whoami: { user: '', role: 'ROLE_UNSPECIFIED', remote: '', method: 'AUTH_METHOD_UNSPECIFIED', tokenId: '' } } }));
  t.is(empty.response!.whoami!.role, 'ROLE_UNSPECIFIED');
});

test('an enum value this side does not know reads as the zero name, never a number', (t) => {
  // Request{id: 1, show (23): ShowRequest{what (1): 99}} written by hand, as a newer client would.
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork(); // ClientMessage.request
  w.uint32(1 << 3).uint32(1); // id
  w.uint32((23 << 3) | 2).fork().uint32(1 << 3).uint32(99).ldelim(); // show{what: 99}
  w.ldelim();
  const msg = decodeClientMessage(w.finish());
  t.is(msg.request!.show!.what, 'SHOW_WHAT_UNSPECIFIED');
});

test('a request kind this side does not know decodes with no kind (answered UNSUPPORTED)', (t) => {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork();
  w.uint32(1 << 3).uint32(5);
  w.uint32((200 << 3) | 2).fork().ldelim(); // field 200: not in this schema
  w.ldelim();
  t.deepEqual(decodeClientMessage(w.finish()), { request: { id: 5 } });
});

test('garbage and truncated bytes throw CodecError', (t) => {
  const good = encodeClientMessage({ request: { id: 9, getRevision: { revision: 3 } } });
  t.throws(() => decodeClientMessage(good.subarray(0, good.length - 1)), { instanceOf: CodecError });
  t.throws(() => decodeClientMessage(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), { instanceOf: CodecError });
  t.throws(() => decodeClientMessage(Buffer.from([0x07])), { instanceOf: CodecError }); // wire type 7 does not exist
  const err = t.throws(() => decodeClientMessage(Buffer.from('GET / HTTP/1.1\r\n')), { instanceOf: CodecError });
  t.is(err?.code, 'MGMT_MALFORMED');
});

test('encodePush around a body encoded once decodes like a push encoded whole', (t) => {
  const sample: CountersSample = {
    at: 1_700_000_000_000n,
    revision: 2,
    baselineAt: 0n,
    ports: [{ name: 'cust0', interface: 'eth0', driver: 'afxdp', mode: 'skb', link: 'LINK_STATE_DOWN', counters: { rxPackets: 1n, rxBytes: 2n, txPackets: 3n, txBytes: 4n, drops: { a: 1n } } }],
    attachments: [],
    drops: { a: 1n },
  };
  const body = encodeMessage('CountersSample', sample);
  for (const [id, skipped] of [[1, 0], [300, 7], [0xffffffff, 0xffffffff]] as const) {
    const fast = encodePush(id, skipped, 'counters', body);
    const whole = encodeServerMessage({ push: { subscriptionId: id, skipped, counters: sample } });
    t.deepEqual(decodeServerMessage(fast), decodeServerMessage(whole));
    t.deepEqual(Buffer.from(fast), Buffer.from(whole), 'byte for byte the same as protobufjs writes it');
  }
  const ev = encodeMessage('Event', { at: 5n, link: { port: 'cust0', link: 'LINK_STATE_UP' } });
  t.deepEqual(decodeServerMessage(encodePush(2, 0, 'event', ev)), { push: { subscriptionId: 2, skipped: 0, event: { at: 5n, link: { port: 'cust0', link: 'LINK_STATE_UP' } } } });
});
