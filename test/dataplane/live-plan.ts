/**
 * The tables the live tests run: two ports, three cross-connects that push,
 * pop and translate tags, and the frames each one turns into what.
 *
 *   cust0 8100/200              <-> cloud0 88a8/100 + 8100/200   (push 1->2, keep PCP/DEI)
 *   cust0 untagged              <-> cloud0 8100/300, PCP 2       (push 0->1, priority set)
 *   cust0 88a8/10 + 8100/20     <-> cloud0 9100/30               (translate 2->1)
 */
import { KEEP, MatchKind, type TablesPlan } from '../../src/native/plan';
import type { Tag, TrafficCase } from './live-net';

const keep = { pcp: KEEP, dei: KEEP };

export const PLAN: TablesPlan = {
  ports: [
    { id: 0, name: 'cust0', mtu: 1500 },
    { id: 1, name: 'cloud0', mtu: 1500 },
  ],
  attachments: [
    { id: 0, name: 'cust-a', port: 0, kind: MatchKind.Outer, tags: [{ tpid: 0x8100, vid: 200, ...keep }], peer: 1 },
    {
      id: 1,
      name: 'cloud-a',
      port: 1,
      kind: MatchKind.OuterInner,
      tags: [
        { tpid: 0x88a8, vid: 100, ...keep },
        { tpid: 0x8100, vid: 200, ...keep },
      ],
      peer: 0,
    },
    { id: 2, name: 'cust-b', port: 0, kind: MatchKind.Untagged, tags: [], peer: 3 },
    { id: 3, name: 'cloud-b', port: 1, kind: MatchKind.Outer, tags: [{ tpid: 0x8100, vid: 300, pcp: 2, dei: 0 }], peer: 2 },
    {
      id: 4,
      name: 'cust-c',
      port: 0,
      kind: MatchKind.OuterInner,
      tags: [
        { tpid: 0x88a8, vid: 10, ...keep },
        { tpid: 0x8100, vid: 20, ...keep },
      ],
      peer: 5,
    },
    { id: 5, name: 'cloud-c', port: 1, kind: MatchKind.Outer, tags: [{ tpid: 0x9100, vid: 30, ...keep }], peer: 4 },
  ],
};

/** The same forwarding with one more (unused) attachment: a different epoch that moves no frame elsewhere. */
export const PLAN_WITH_SPARE: TablesPlan = {
  ports: PLAN.ports,
  attachments: [...PLAN.attachments, { id: 6, name: 'spare', port: 0, kind: MatchKind.Outer, tags: [{ tpid: 0x8100, vid: 999, ...keep }], peer: -1 }],
};

const t = (tpid: number, vid: number, pcp: number, dei: number): Tag => [tpid, vid, pcp, dei];

/** Frames the customer sends and what the cloud side must receive. */
export const CUST_TO_CLOUD: TrafficCase[] = [
  { send: [t(0x8100, 200, 5, 0)], expect: [t(0x88a8, 100, 5, 0), t(0x8100, 200, 5, 0)], count: 8 },
  { send: [t(0x8100, 200, 1, 1)], expect: [t(0x88a8, 100, 1, 1), t(0x8100, 200, 1, 1)], count: 2, size: 1400 },
  { send: [], expect: [t(0x8100, 300, 2, 0)], count: 8 },
  { send: [t(0x88a8, 10, 1, 1), t(0x8100, 20, 4, 0)], expect: [t(0x9100, 30, 4, 0)], count: 8 },
];

export const CLOUD_TO_CUST: TrafficCase[] = [
  { send: [t(0x88a8, 100, 6, 0), t(0x8100, 200, 6, 1)], expect: [t(0x8100, 200, 6, 1)], count: 8 },
  { send: [t(0x8100, 300, 7, 0)], expect: [], count: 8, size: 1000 },
  { send: [t(0x9100, 30, 2, 0)], expect: [t(0x88a8, 10, 2, 0), t(0x8100, 20, 2, 0)], count: 8 },
];

/** Frames of a set of cases. */
export function frames(cases: TrafficCase[]): number {
  return cases.reduce((n, c) => n + (c.count ?? 1), 0);
}
