import test from 'ava';

import { parseConfigText } from '../../src/config';
import { allocateIds, buildPlan, PlanCapacityError } from '../../src/dataplane/plan';

const BASE = `
ports: [{ name: p0 }, { name: p1 }, { name: p2 }]
attachments:
  - { name: a, port: p0, vlan: { outer: { vid: 1 } } }
  - { name: b, port: p1, vlan: { outer: { vid: 2 } } }
  - { name: c, port: p2, vlan: { outer: { vid: 3 } } }
  - { name: d, port: p2, vlan: { outer: { vid: 4 } } }
services:
  - { name: s1, xconnect: { endpoints: [a, b] } }
  - { name: s2, xconnect: { endpoints: [c, d] } }
`;

const ids = (items: { name: string; id: number }[]) => Object.fromEntries(items.map((i) => [i.name, i.id]));

test('without a previous plan ids are positions', (t) => {
  const plan = buildPlan(parseConfigText(BASE, 'a.yaml'));
  t.deepEqual(ids(plan.ports), { p0: 0, p1: 1, p2: 2 });
  t.deepEqual(ids(plan.attachments), { a: 0, b: 1, c: 2, d: 3 });
});

test('reordered and removed items keep their ids; peers follow the ids', (t) => {
  const prev = buildPlan(parseConfigText(BASE, 'a.yaml'));
  const next = buildPlan(
    parseConfigText(
      `
ports: [{ name: p2 }, { name: p0 }]
attachments:
  - { name: d, port: p2, vlan: { outer: { vid: 4 } } }
  - { name: a, port: p0, vlan: { outer: { vid: 1 } } }
  - { name: c, port: p2, vlan: { outer: { vid: 3 } } }
services:
  - { name: s1, xconnect: { endpoints: [a, d] } }
`,
      'b.yaml',
    ),
    prev,
  );
  t.deepEqual(ids(next.ports), { p2: 2, p0: 0 });
  t.deepEqual(ids(next.attachments), { d: 3, a: 0, c: 2 });
  t.deepEqual(
    next.attachments.map((a) => [a.name, a.port, a.peer]),
    [
      ['d', 2, 0],
      ['a', 0, 3],
      ['c', 2, -1],
    ],
  );
});

test('a new name takes an id neither plan uses before one this change frees', (t) => {
  const prev = new Map([
    ['a', 0],
    ['b', 1],
    ['c', 2],
  ]);
  // b goes, x and y come: x gets 3 (fresh), y gets 4 (fresh), b's 1 stays unused.
  t.deepEqual([...allocateIds(['a', 'x', 'c', 'y'], prev, 8, 'attachments')], [
    ['a', 0],
    ['x', 3],
    ['c', 2],
    ['y', 4],
  ]);
  // With room for 4 ids only, y has to take b's freed id.
  t.deepEqual([...allocateIds(['a', 'x', 'c', 'y'], prev, 4, 'attachments')], [
    ['a', 0],
    ['x', 3],
    ['c', 2],
    ['y', 1],
  ]);
  // Ids below the highest are reused once no plan holds them (an older plan's ids are not remembered).
  t.deepEqual([...allocateIds(['c', 'z'], new Map([['c', 2]]), 8, 'attachments')], [
    ['c', 2],
    ['z', 0],
  ]);
});

test('more names than ids is a capacity error', (t) => {
  t.throws(() => allocateIds(['a', 'b', 'c'], new Map(), 2, 'attachments'), {
    instanceOf: PlanCapacityError,
    message: '3 attachments; the fast path holds 2',
  });
});
