import test from 'ava';

import { parseConfigText } from '../../src/config';
import { attachmentIdByName, buildPlan, portIdByName } from '../../src/dataplane/plan';
import { KEEP, MatchKind } from '../../src/native/plan';

const QINQ = `
ports:
  - { name: cust0 }
  - { name: cust1, mtu: 1600 }
  - { name: cloud0, mtu: 9000 }
attachments:
  - { name: a-edge, port: cust0, vlan: { outer: { vid: 200 } } }
  - { name: a-cloud, port: cloud0, vlan: { outer: { vid: 100 }, inner: { vid: 200 } } }
  - { name: b-edge, port: cust0, vlan: { outer: { tpid: 0x88a8, vid: 300 }, inner: { vid: 10 } } }
  - { name: b-cloud, port: cloud0, vlan: { outer: { tpid: 0x8100, vid: 400, pcp: 5 }, inner: { tpid: 0x8100, vid: 20, dei: false } } }
  - { name: c-edge, port: cust1, untagged: {} }
  - { name: c-cloud, port: cloud0, vlan: { outer: { vid: 500, dei: true } } }
  - { name: tap, port: cust1, vlan: { outer: { vid: 9 } } }
  - { name: d-all, port: cloud0, vlan: { outer: { vid: 600, tpid: 0x9100 } } }
services:
  - { name: xc-b, xconnect: { endpoints: [b-cloud, b-edge] } }
  - { name: xc-a, xconnect: { endpoints: [a-edge, a-cloud] } }
  - { name: xc-c, xconnect: { endpoints: [c-edge, c-cloud] } }
`;

const tag = (tpid: number, vid: number, pcp = KEEP, dei = KEEP) => ({ tpid, vid, pcp, dei });

test('a Q-in-Q configuration becomes the expected tables plan', (t) => {
  const plan = buildPlan(parseConfigText(QINQ, 'qinq.yaml'));
  t.deepEqual(plan.ports, [
    { id: 0, name: 'cust0', mtu: 1500 },
    { id: 1, name: 'cust1', mtu: 1600 },
    { id: 2, name: 'cloud0', mtu: 9000 },
  ]);
  t.deepEqual(plan.attachments, [
    { id: 0, name: 'a-edge', port: 0, kind: MatchKind.Outer, tags: [tag(0x8100, 200)], peer: 1 },
    { id: 1, name: 'a-cloud', port: 2, kind: MatchKind.OuterInner, tags: [tag(0x88a8, 100), tag(0x8100, 200)], peer: 0 },
    { id: 2, name: 'b-edge', port: 0, kind: MatchKind.OuterInner, tags: [tag(0x88a8, 300), tag(0x8100, 10)], peer: 3 },
    { id: 3, name: 'b-cloud', port: 2, kind: MatchKind.OuterInner, tags: [tag(0x8100, 400, 5), tag(0x8100, 20, KEEP, 0)], peer: 2 },
    { id: 4, name: 'c-edge', port: 1, kind: MatchKind.Untagged, tags: [], peer: 5 },
    { id: 5, name: 'c-cloud', port: 2, kind: MatchKind.Outer, tags: [tag(0x8100, 500, KEEP, 1)], peer: 4 },
    { id: 6, name: 'tap', port: 1, kind: MatchKind.Outer, tags: [tag(0x8100, 9)], peer: -1 },
    { id: 7, name: 'd-all', port: 2, kind: MatchKind.Outer, tags: [tag(0x9100, 600)], peer: -1 },
  ]);
});

test('a whole-port attachment has no tags and kind WholePort', (t) => {
  const cfg = parseConfigText(
    'ports: [{name: a}, {name: b}]\nattachments: [{name: x, port: a, untagged: {wholePort: true}}, {name: y, port: b, untagged: {}}]\nservices: [{name: s, xconnect: {endpoints: [x, y]}}]\n',
    'w.yaml',
  );
  const plan = buildPlan(cfg);
  t.is(plan.attachments[0]!.kind, MatchKind.WholePort);
  t.deepEqual(plan.attachments[0]!.tags, []);
  t.is(plan.attachments[1]!.kind, MatchKind.Untagged);
});

test('name lookups', (t) => {
  const plan = buildPlan(parseConfigText(QINQ, 'qinq.yaml'));
  t.is(portIdByName(plan, 'cloud0'), 2);
  t.is(portIdByName(plan, 'nope'), undefined);
  t.is(attachmentIdByName(plan, 'c-cloud'), 5);
});

test('buildPlan refuses a configuration that was not validated', (t) => {
  t.throws(
    () =>
      buildPlan({
        version: 0,
        ports: [],
        attachments: [{ name: 'x', port: 'ghost', match: { kind: 'untagged', tags: [] } }],
        services: [],
      }),
    { message: /unknown port "ghost"/ },
  );
});
