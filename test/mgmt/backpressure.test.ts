/**
 * A client that never reads: its samples are coalesced (counted, never
 * queued), the server's memory stays bounded, and past the hard limit the
 * connection is closed (1013). Other clients are unaffected throughout.
 */
import test from 'ava';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

import { encodeClientMessage, encodeMessage } from '../../src/mgmt/codec';
import { countersSample } from '../../src/mgmt/wire-state';
import { FakeView, rig, until } from './helpers';
import { frame, rawConnect } from './raw';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memory(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

/** A view with many attachments, so that one sample is large (hundreds of kB). */
function bigView(): FakeView {
  const names = Array.from({ length: 2000 }, (_, i) => `attachment-${i}`);
  const view = new FakeView(['cust0', 'cloud0'], names);
  view.bump(123_456_789_012n, 987_654_321_098_765n, { no_attachment: 1_000_000_007n, mtu_rx: 55_555_555n });
  return view;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('samples to a client that never reads are coalesced; memory stays bounded; a reading client gets every tick', async (t) => {
  const view = bigView();
  const r = await rig(t, { view });
  const soft = 1024 * 1024; // the default sendSoftLimit
  const s = r.view.state();
  const oneSample = encodeMessage('CountersSample', countersSample(s, 0)).length;
  t.true(oneSample > 200_000, `one sample is ${oneSample} B`);

  const fast = await r.client(await r.token('viewer', 'fast'));
  let fastSamples = 0;
  await fast.subscribeCounters({ intervalMs: 100 }, () => fastSamples++);

  const slow = await rawConnect(r.url, { Authorization: `Bearer ${await r.token('viewer', 'slow')}` }, { read: false });
  t.is(slow.status, 101);
  slow.socket.write(frame(2, Buffer.from(encodeClientMessage({ request: { id: 1, subscribe: { counters: { intervalMs: 100 } } } }))));

  await until(() => r.server.stats().subscriptions.samplesSkipped > 0, 20_000, 'samples to be skipped for the slow client');
  const m0 = memory();
  let maxBuffered = 0;
  const fast0 = fastSamples;
  const skipped0 = r.server.stats().subscriptions.samplesSkipped;
  for (let i = 0; i < 30; i++) {
    await sleep(100);
    maxBuffered = Math.max(maxBuffered, r.server.stats().maxSendBuffered);
  }
  const m1 = memory();
  const stats = r.server.stats();
  t.log(`max queued for one client ${maxBuffered} B, skipped ${stats.subscriptions.samplesSkipped}, heap+external ${m0} -> ${m1}`);
  t.true(stats.subscriptions.samplesSkipped - skipped0 >= 10, 'the slow client keeps missing samples');
  t.true(maxBuffered <= soft + 2 * oneSample, `queued ${maxBuffered} B: at most the soft limit and a sample or two`);
  t.true(m1 - m0 < 16 * 1024 * 1024, `memory grew by ${m1 - m0} B over 3 s of a stalled client`);
  t.is(stats.connections, 2, 'coalescing, not closing: the slow client is still connected');
  t.is(stats.closedSlow, 0);
  t.true(fastSamples - fast0 >= 10, `the reading client got ${fastSamples - fast0} samples meanwhile`);
  t.truthy(await fast.ping());
  slow.socket.destroy();
});

test('past the hard limit (events are never dropped) the slow client is closed 1013; others keep everything', async (t) => {
  const r = await rig(t, { server: { limits: { sendSoftLimit: 64 * 1024, sendHardLimit: 512 * 1024 } } });
  const fast = await r.client(await r.token('viewer', 'fast'));
  let fastEvents = 0;
  await fast.subscribeEvents(() => fastEvents++, ['EVENT_KIND_LINK']);

  const slow = await rawConnect(r.url, { Authorization: `Bearer ${await r.token('viewer', 'slow')}` }, { read: false });
  slow.socket.write(frame(2, Buffer.from(encodeClientMessage({ request: { id: 1, subscribe: { events: { kinds: [] } } } }))));
  await until(() => r.server.stats().subscriptions.subscriptions === 2, 5000, 'both subscriptions');

  // 40 MB of events in batches (the reading client drains between them).
  const port = 'p'.repeat(1000);
  const total = 40_000;
  let maxBuffered = 0;
  for (let sent = 0; sent < total; sent += 200) {
    for (let i = 0; i < 200; i++) r.view.emit({ kind: 'link', port, link: i % 2 ? 'up' : 'down', at: Date.now() });
    maxBuffered = Math.max(maxBuffered, r.server.stats().maxSendBuffered);
    await new Promise((res) => setImmediate(res));
  }
  await until(() => r.server.stats().closedSlow === 1, 10_000, 'the slow client to be closed');
  t.true(maxBuffered <= 512 * 1024 + 200 * 1100, `queued ${maxBuffered} B for one client: bounded by the hard limit`);
  await until(() => fastEvents === total, 20_000, `every event at the reading client (${fastEvents})`);
  t.is(r.server.stats().connections, 1);
  t.truthy(await fast.ping());
  slow.socket.destroy();
});
