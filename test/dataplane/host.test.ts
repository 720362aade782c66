/**
 * The dataplane host: plans published as epochs, counters read in place and
 * summed over workers, malformed plans refused without touching what runs.
 */
import test from 'ava';

import { DataplaneError, DataplaneHost } from '../../src/dataplane/host';
import { native } from '../../src/native/binding';
import { KEEP, MatchKind, type TablesPlan } from '../../src/native/plan';

const PLAN: TablesPlan = {
  ports: [
    { id: 0, name: 'cust0', mtu: 1500 },
    { id: 1, name: 'cloud0', mtu: 9000 },
  ],
  attachments: [
    { id: 0, name: 'edge', port: 0, kind: MatchKind.Outer, tags: [{ tpid: 0x8100, vid: 200, pcp: KEEP, dei: KEEP }], peer: 1 },
    {
      id: 1,
      name: 'cloud',
      port: 1,
      kind: MatchKind.OuterInner,
      tags: [
        { tpid: 0x88a8, vid: 100, pcp: KEEP, dei: KEEP },
        { tpid: 0x8100, vid: 200, pcp: 3, dei: 0 },
      ],
      peer: 0,
    },
  ],
};

test('drop reasons and counter slots come from the fast path, in one order', (t) => {
  const mod = native();
  const reasons = mod.dropReasons().map((r) => r.name);
  t.is(reasons[0], 'none');
  t.true(reasons.includes('no_attachment'));
  t.true(reasons.includes('tpid_mismatch'));
  const slots = mod.counterSlots();
  t.deepEqual(slots.slice(0, 4), ['rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes']);
  reasons.forEach((r, i) => t.is(slots[mod.limits.dropBase + i], `drop_${r}`));
  for (const r of mod.dropReasons()) t.true(r.help.length > 0);
});

test('each publish is a new generation', (t) => {
  const host = new DataplaneHost({ workers: 2, maxAttachments: 8 });
  t.teardown(() => host.close());
  const g1 = host.publish(PLAN);
  const g2 = host.publish(PLAN);
  t.is(g2, g1 + 1);
});

test('counters are read in place and summed over workers', (t) => {
  const mod = native();
  const dp = new mod.Dataplane({ workers: 3, maxAttachments: 8 });
  t.teardown(() => dp.close());
  dp.publish(PLAN);
  const layout = dp.layout();
  t.is(layout.byteOffset % 8, 0);
  t.is((layout.slots * 8) % 64, 0, 'one object fills whole cache lines');
  // Play the workers: each adds to its own block, as the fast path does.
  const view = new BigUint64Array(layout.buffer, layout.byteOffset, layout.workers * layout.objects * layout.slots);
  const slot = (w: number, obj: number, s: number) => (w * layout.objects + obj) * layout.slots + s;
  const noAtt = mod.limits.dropBase + mod.dropReasons().findIndex((r) => r.name === 'no_attachment');
  for (let w = 0; w < 3; w++) {
    view[slot(w, layout.portBase + 1, 0)] += BigInt(w + 1); // rx_packets on cloud0
    view[slot(w, layout.attachmentBase + 0, 2)] += 10n; // tx_packets on edge
    view[slot(w, layout.portBase + 0, noAtt)] += 1n;
  }
  const { CounterReader } = require('../../src/dataplane/counters') as typeof import('../../src/dataplane/counters');
  const reader = new CounterReader(layout, mod.counterSlots(), mod.dropReasons(), mod.limits.dropBase);
  const snap = reader.snapshot(['cust0', 'cloud0'], ['edge', 'cloud']);
  t.is(snap.ports.get('cloud0')?.rx_packets, 6n);
  t.is(snap.attachments.get('edge')?.tx_packets, 30n);
  t.is(snap.ports.get('cust0')?.drops.no_attachment, 3n);
  t.is(snap.drops.no_attachment, 3n);
  t.false('none' in snap.drops);
});

test('a plan the fast path cannot build is refused and the running one stays', (t) => {
  const host = new DataplaneHost({ workers: 1, maxAttachments: 8 });
  t.teardown(() => host.close());
  const g = host.publish(PLAN);
  const overlap: TablesPlan = {
    ports: PLAN.ports,
    attachments: [PLAN.attachments[0], { ...PLAN.attachments[0], id: 1, name: 'dup', peer: 0 }],
  };
  const err = t.throws(() => host.publish(overlap), { instanceOf: DataplaneError });
  t.regex(err?.message ?? '', /two attachments match the same frames/);
  t.throws(() => host.publish({ ...PLAN, ports: [{ id: 99, name: 'x', mtu: 1500 }] }), { instanceOf: DataplaneError });
  t.is(host.publish(PLAN), g + 1, 'the failed publishes used no generation');
  t.deepEqual([...host.snapshot().ports.keys()], ['cust0', 'cloud0']);
});

test('a closed dataplane refuses work instead of crashing', (t) => {
  const mod = native();
  const dp = new mod.Dataplane({ workers: 1, maxAttachments: 4 });
  dp.close();
  t.throws(() => dp.publish(PLAN), { message: /closed/ });
  t.throws(() => dp.layout(), { message: /closed/ });
  dp.close();
  // A method called on something that is not a Dataplane.
  const publish = mod.Dataplane.prototype.publish as (this: unknown, p: TablesPlan) => number;
  t.throws(() => publish.call({}, PLAN));
});

test('bad constructor arguments are refused', (t) => {
  const mod = native();
  t.throws(() => new mod.Dataplane({ workers: 0, maxAttachments: 4 }), { instanceOf: RangeError });
  t.throws(() => new mod.Dataplane({ workers: 1, maxAttachments: 1e9 }), { instanceOf: RangeError });
});
