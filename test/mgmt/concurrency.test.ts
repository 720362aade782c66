/**
 * 50 clients at once, each subscribed to events and committing its own
 * changes for a bounded number of rounds: no errors, every client sees every
 * commit in order, and nothing is left behind (connections, subscriptions,
 * listeners, memory) once they are gone.
 */
import test from 'ava';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

import type { Event } from '../../src/mgmt/generated';
import { baseDoc, checked, rig, until } from './helpers';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const CLIENTS = 50;
const ROUNDS = 3;
/** The whole test is bounded: it stops waiting after this. */
const DEADLINE_MS = 90_000;

test(`${CLIENTS} clients subscribing and committing: no errors, every commit seen in order by all, no leaks`, async (t) => {
  t.timeout(DEADLINE_MS + 30_000);
  // One port per client, so that their edits never touch the same path.
  const doc = baseDoc() as { ports: Array<{ name: string; mtu?: number }> };
  for (let i = 0; i < CLIENTS; i++) doc.ports.push({ name: `p${i}` });
  const r = await rig(t, { initial: checked(doc) });
  const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => r.token('operator', `client${i}`)));

  // One round of warm-up, so that the measurement does not count first-use allocations.
  {
    const c = await r.client(tokens[0]);
    await c.subscribeEvents(() => undefined);
    await c.subscribeCounters({ intervalMs: 200 }, () => undefined);
    await c.close();
  }
  await until(() => r.server.stats().connections === 0, 5000, 'the warm-up client to go');
  const before = memory();

  const started = Date.now();
  const clients = await Promise.all(tokens.map((tok) => r.client(tok)));
  const seen: number[][] = clients.map(() => []);
  const samples = clients.map(() => 0);
  await Promise.all(
    clients.map(async (c, i) => {
      await c.subscribeEvents((e: Event) => {
        if (e.commit?.revision) seen[i]!.push(e.commit.revision.number);
      }, ['EVENT_KIND_COMMIT']);
      await c.subscribeCounters({ intervalMs: 250 }, () => samples[i]!++);
    }),
  );

  // Everyone commits ROUNDS times, all at once.
  const errors: unknown[] = [];
  const mine: number[][] = clients.map(() => []);
  await Promise.all(
    clients.map(async (c, i) => {
      for (let round = 0; round < ROUNDS && Date.now() - started < DEADLINE_MS; round++) {
        try {
          await c.set(`ports[p${i}].mtu`, String(1500 + round + 1));
          const rev = await c.commit({ comment: `client ${i} round ${round}` });
          mine[i]!.push(rev.number);
        } catch (err: unknown) {
          errors.push(err);
        }
      }
    }),
  );
  t.deepEqual(errors, [], 'no request failed');
  const committed = mine.flat().sort((a, b) => a - b);
  t.is(committed.length, CLIENTS * ROUNDS);
  t.deepEqual(committed, Array.from({ length: CLIENTS * ROUNDS }, (_, k) => k + 2), 'revisions 2.. with no gap and no duplicate');

  await until(() => seen.every((s) => s.length >= committed.length), 30_000, 'every client to see every commit');
  for (let i = 0; i < CLIENTS; i++) t.deepEqual(seen[i], committed, `client ${i} saw every commit, in order`);
  t.true(samples.every((n) => n >= 1), 'every client got counter samples');
  t.is(r.server.stats().connections, CLIENTS);
  t.is(r.server.stats().subscriptions.subscriptions, CLIENTS * 2);

  await Promise.all(clients.map((c) => c.close()));
  await until(() => r.server.stats().connections === 0, 10_000, 'every connection to go');
  const stats = r.server.stats();
  t.is(stats.subscriptions.subscriptions, 0);
  t.is(stats.subscriptions.timers, 0);
  t.is(r.view.listenerCount, 1);
  // Let closed sockets and timers finish, then measure.
  await new Promise((res) => setTimeout(res, 500));
  const after = memory();
  t.log(`heap+external before ${before} B, after ${after} B (${after - before} B) for ${CLIENTS} clients and ${committed.length} commits`);
  t.true(after - before < 8 * 1024 * 1024, `memory after the clients left: +${after - before} B`);
  t.deepEqual(r.logs.filter((l) => l.startsWith('warn:')), [], 'nothing went wrong in the server');

  // The store keeps the new revisions: that growth is wanted. Connections
  // alone must leave nothing: two more waves of 50 that subscribe, read
  // and leave, without committing.
  const idle = memory();
  for (let wave = 0; wave < 2; wave++) {
    const wave50 = await Promise.all(tokens.map((tok) => r.client(tok)));
    await Promise.all(
      wave50.map(async (c) => {
        await c.subscribeEvents(() => undefined);
        const sub = await c.subscribeCounters({ intervalMs: 100 }, () => undefined);
        await c.show('counters');
        await c.set('ports[cust0].mtu', '1234'); // a candidate, dropped with the connection
        await sub.close();
      }),
    );
    await Promise.all(wave50.map((c) => c.close()));
    await until(() => r.server.stats().connections === 0, 10_000, 'the wave to go');
  }
  await new Promise((res) => setTimeout(res, 500));
  const idleAfter = memory();
  t.log(`two waves of ${CLIENTS} connections: ${idle} -> ${idleAfter} B`);
  t.true(idleAfter - idle < 2 * 1024 * 1024, `connections left +${idleAfter - idle} B behind`);
  t.is(r.server.stats().subscriptions.subscriptions, 0);
});
