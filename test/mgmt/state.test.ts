/**
 * Operational state over the channel: show, the display baseline of
 * `clear counters`, counter samples and events.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ClientError, RemoteError, SHOW_TOPICS, startManagementServer } from '../../src/mgmt';
import type { CountersSample, Event } from '../../src/mgmt/generated';
import { FakeView, rig, until } from './helpers';

test('show answers every topic with its part of the state; sa is an empty list', async (t) => {
  const r = await rig(t);
  r.view.bump(7n, 700n);
  const c = await r.client(await r.token('viewer'));
  const ports = await c.show('ports');
  t.deepEqual(ports.ports.map((p) => [p.name, p.interface, p.driver, p.mode, p.link]), [
    ['cust0', 'veth-cust0', 'afxdp', 'skb', 'LINK_STATE_UP'],
    ['cloud0', 'veth-cloud0', 'afxdp', 'skb', 'LINK_STATE_UP'],
  ]);
  t.is(ports.ports[0]!.counters!.rxPackets, 7n);
  t.is(ports.ports[0]!.counters!.drops['no_attachment'], 1n);
  t.is(ports.ports[0]!.counters!.drops['mtu_tx'], 0n, 'zeros included');
  t.deepEqual(ports.attachments, []);

  const atts = await c.show('attachments');
  t.deepEqual(atts.attachments.map((a) => [a.name, a.port, a.service]), [
    ['cust-a', 'cust0', 'xc-a'],
    ['cloud-a', 'cloud0', 'xc-a'],
  ]);
  t.deepEqual((await c.show('services')).services, [{ name: 'xc-a', kind: 'xconnect', endpoints: ['cust-a', 'cloud-a'] }]);
  const counters = await c.show('counters');
  t.is(counters.ports.length, 2);
  t.is(counters.attachments.length, 2);
  t.is(counters.drops['no_attachment'], 2n, 'totals over ports');
  const drops = await c.show('drops');
  t.is(drops.drops['no_attachment'], 2n);
  const sa = await c.show('sa');
  t.deepEqual(sa.sas, []);
  const dp = await c.show('dataplane');
  t.like(dp.dataplane, { state: 'DATAPLANE_RUN_STATE_RUNNING', pid: 4242, restarts: 0, workers: 2 });
  const sys = await c.show('system');
  t.like(sys.system, { revision: 1, connections: 1 });
  t.regex(sys.system!.version, /^\d+\.\d+\.\d+/);
  t.is(sys.revision, 1);
  t.deepEqual(Object.keys(SHOW_TOPICS).sort(), ['attachments', 'counters', 'dataplane', 'drops', 'ports', 'sa', 'services', 'system']);
  const bad = await t.throwsAsync(c.request('show', { what: 'SHOW_WHAT_UNSPECIFIED' }), { instanceOf: RemoteError });
  t.is(bad?.code, 'BAD_REQUEST');
});

test('clear counters moves the display baseline only: later connections see it, the view (metrics) does not', async (t) => {
  const r = await rig(t);
  r.view.bump(100n, 10_000n);
  const op = await r.client(await r.token('operator'));
  const at = await op.clearCounters();
  t.true(at > 0n);
  await op.close();
  r.view.bump(5n, 500n);

  // A later connection (a later `cix ctl`) sees counters since the clear.
  const viewer = await r.client(await r.token('viewer'));
  const shown = await viewer.show('counters');
  t.is(shown.baselineAt, at);
  t.is(shown.ports[0]!.counters!.rxPackets, 5n);
  t.is(shown.ports[0]!.counters!.rxBytes, 500n);
  t.is(shown.attachments[1]!.counters!.txBytes, 500n);
  t.is(shown.drops['no_attachment'], 2n);
  // The exported counters never moved.
  t.is(r.view.state().ports[0]!.counters.rxPackets, 105n);
  const file = JSON.parse(fs.readFileSync(path.join(r.dir, 'counters-baseline.json'), 'utf8')) as { counters: Record<string, string> };
  t.is(file.counters['port/cust0/rxPackets'], '100');
});

test('the baseline survives a server restart; a counter that was reset loses its baseline instead of going negative', async (t) => {
  const r = await rig(t);
  r.view.bump(100n, 10_000n);
  const c = await r.client();
  await c.clearCounters();
  await c.close();
  await r.server.close();

  // Same appliance, same counters: the baseline still applies.
  r.view.bump(1n, 1n);
  const again = await startManagementServer({ txn: r.txn, store: r.store, view: r.view, tokens: r.tokens, stateDir: r.dir, listen: { port: 0 }, log: () => undefined });
  t.teardown(() => again.close());
  const { ManagementClient } = await import('../../src/mgmt');
  const c2 = await ManagementClient.connect({ url: again.url, token: r.adminToken });
  t.is((await c2.show('counters')).ports[0]!.counters!.rxPackets, 1n);
  await c2.close();
  await again.close();

  // The appliance restarted: its counters began again at zero.
  const fresh = new FakeView();
  fresh.bump(3n, 30n);
  const third = await startManagementServer({ txn: r.txn, store: r.store, view: fresh, tokens: r.tokens, stateDir: r.dir, listen: { port: 0 }, log: () => undefined });
  t.teardown(() => third.close());
  const c3 = await ManagementClient.connect({ url: third.url, token: r.adminToken });
  fresh.bump(200n, 2000n); // grows past the old baseline: still counted from its reset
  const shown = await c3.show('counters');
  t.is(shown.ports[0]!.counters!.rxPackets, 203n);
  t.is(shown.ports[0]!.counters!.rxBytes, 2030n);
  await c3.close();
});

test('counter samples: the first at once, then every interval, relative to the baseline; unsubscribe stops them', async (t) => {
  const r = await rig(t);
  const c = await r.client(await r.token('viewer'));
  const samples: Array<{ s: CountersSample; skipped: number }> = [];
  r.view.bump(1n, 100n);
  const sub = await c.subscribeCounters({ intervalMs: 100 }, (s, skipped) => samples.push({ s, skipped }));
  await until(() => samples.length >= 1, 1000, 'the first sample');
  t.is(samples[0]!.s.ports[0]!.counters!.rxPackets, 1n);
  r.view.bump(2n, 200n);
  await until(() => samples.length >= 4, 5000, 'more samples');
  const last = samples[samples.length - 1]!.s;
  t.is(last.ports[0]!.counters!.rxPackets, 3n);
  t.is(last.attachments.length, 2);
  t.is(last.revision, 1);
  t.true(samples.every((x) => x.skipped === 0), 'a client that reads misses nothing');
  for (let i = 1; i < samples.length; i++) t.true(samples[i]!.s.at >= samples[i - 1]!.s.at);
  await sub.close();
  const n = samples.length;
  await new Promise((res) => setTimeout(res, 350));
  t.true(samples.length <= n + 1, 'no samples after unsubscribe (one may have been on its way)');
  t.is(r.server.stats().subscriptions.timers, 0, 'the timer went with its last subscription');
  const err = await t.throwsAsync(c.request('unsubscribe', { subscriptionId: sub.id }), { instanceOf: RemoteError });
  t.is(err?.code, 'NOT_FOUND');
});

test('one state read per tick serves every subscriber of an interval', async (t) => {
  const r = await rig(t);
  const clients = await Promise.all(Array.from({ length: 5 }, async () => r.client(await r.token('viewer'))));
  const counts = clients.map(() => 0);
  await Promise.all(clients.map((c, i) => c.subscribeCounters({ intervalMs: 200 }, () => counts[i]!++)));
  await until(() => counts.every((n) => n >= 4), 5000, 'samples');
  const calls0 = r.view.stateCalls;
  await new Promise((res) => setTimeout(res, 1000));
  const ticks = r.view.stateCalls - calls0;
  t.true(ticks <= 7, `${ticks} state reads for 5 subscribers over about 5 ticks`);
});

test('subscription requests are checked: interval bounds, a stream required, a limit per connection', async (t) => {
  const r = await rig(t, { server: { limits: { maxSubscriptions: 2 } } });
  const c = await r.client();
  for (const intervalMs of [1, 99, 3_600_001]) {
    const err = await t.throwsAsync(c.subscribeCounters({ intervalMs }, () => undefined), { instanceOf: RemoteError });
    t.is(err?.code, 'BAD_REQUEST');
  }
  t.like(await t.throwsAsync(c.request('subscribe', {}), { instanceOf: RemoteError }), { code: 'BAD_REQUEST' });
  const unknownOnly = await t.throwsAsync(c.request('subscribe', { events: { kinds: ['EVENT_KIND_UNSPECIFIED'] } }), { instanceOf: RemoteError });
  t.is(unknownOnly?.code, 'BAD_REQUEST');
  await c.subscribeEvents(() => undefined);
  await c.subscribeCounters({ intervalMs: 1000 }, () => undefined);
  const limit = await t.throwsAsync(c.subscribeEvents(() => undefined), { instanceOf: RemoteError });
  t.is(limit?.code, 'LIMIT');
  await c.close();
  await until(() => r.server.stats().subscriptions.subscriptions === 0, 5000, 'subscriptions to end with the connection');
});

test('events: link, data-plane restart, SA lifetime, commit, confirm and rollback, filtered by kind', async (t) => {
  const r = await rig(t);
  const watcher = await r.client(await r.token('viewer'));
  const all: Event[] = [];
  const links: Event[] = [];
  await watcher.subscribeEvents((e) => all.push(e));
  await watcher.subscribeEvents((e) => links.push(e), ['EVENT_KIND_LINK']);

  const at = Date.now();
  r.view.emit({ kind: 'link', port: 'cust0', link: 'down', at });
  r.view.emit({ kind: 'dataplane-restart', pid: 999, reason: 'worker crashed', at });
  r.view.emit({ kind: 'sa', sa: 'sa-1', state: 'soft-expired', at });
  // The view's own copies of commit events are not forwarded (they come from the transactions).
  r.view.emit({ kind: 'commit', revision: 77, user: 'x', comment: 'x', at });

  const op = await r.client(await r.token('operator'));
  await op.set('ports[cust0].mtu', '1600');
  const rev2 = await op.commit({ comment: 'try', confirmedSeconds: 60 });
  t.is(rev2.confirm, 'CONFIRM_STATE_PENDING');
  const confirmed = await op.commit({});
  t.is(confirmed.number, 2);
  const rev3 = await op.rollback(1, 'back');

  await until(() => all.length >= 6, 5000, 'six events');
  t.deepEqual(all[0]!.link, { port: 'cust0', link: 'LINK_STATE_DOWN' });
  t.is(all[0]!.at, BigInt(at));
  t.deepEqual(all[1]!.dataplaneRestart, { pid: 999, reason: 'worker crashed' });
  t.deepEqual(all[2]!.sa, { sa: 'sa-1', state: 'SA_LIFETIME_SOFT_EXPIRED' });
  t.like(all[3]!.commit?.revision, { number: 2, user: 'operator-user', comment: 'try', confirm: 'CONFIRM_STATE_PENDING' });
  t.like(all[4]!.confirm?.revision, { number: 2, confirm: 'CONFIRM_STATE_CONFIRMED' });
  t.like(all[5]!.rollback?.revision, { number: rev3.number, kind: 'REVISION_KIND_ROLLBACK' });
  t.is(all.length, 6, 'nothing else (no duplicate of the view commit event)');
  t.is(links.length, 1);
});

test('a closed connection ends its subscriptions and its candidate; pending requests reject', async (t) => {
  const r = await rig(t);
  let sessionsClosed = 0;
  const open = r.txn.openSession.bind(r.txn);
  r.txn.openSession = (p) => {
    const s = open(p);
    const close = s.close.bind(s);
    s.close = () => {
      sessionsClosed++;
      close();
    };
    return s;
  };
  const c = await r.client();
  await c.subscribeCounters({ intervalMs: 100 }, () => undefined);
  await c.subscribeEvents(() => undefined);
  await c.set('ports[cust0].mtu', '1700');
  t.is(r.server.stats().subscriptions.subscriptions, 2);
  await c.close();
  await until(() => r.server.stats().connections === 0, 5000, 'the connection to go');
  t.deepEqual(r.server.stats().subscriptions.subscriptions, 0);
  t.is(r.server.stats().subscriptions.timers, 0);
  t.is(r.view.listenerCount, 1, 'the server listens once, not once per connection');
  await t.throwsAsync(c.ping(), { instanceOf: ClientError, message: /closed/ });
  t.is(sessionsClosed, 1, 'the candidate session was closed with its connection');
});
