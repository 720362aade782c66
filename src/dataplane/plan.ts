/**
 * Normalized configuration to tables plan: names become the dense ids the
 * fast path indexes its tables and counters with. Ids are positions in the
 * configuration (port i = ports[i], attachment i = attachments[i]), so they
 * are stable for as long as the file keeps its order.
 */
import type { NormalizedConfig, NormalizedMatch, NormalizedTag } from '../config';
import { KEEP, MatchKind, type AttachmentPlan, type TablesPlan, type TagPlan } from '../native/plan';

/** name -> index of the first item with that name. */
export function indexByName(items: readonly { name: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  items.forEach((item, i) => {
    if (!m.has(item.name)) m.set(item.name, i);
  });
  return m;
}

export function portIdByName(plan: TablesPlan, name: string): number | undefined {
  return plan.ports.find((p) => p.name === name)?.id;
}

export function attachmentIdByName(plan: TablesPlan, name: string): number | undefined {
  return plan.attachments.find((a) => a.name === name)?.id;
}

const KIND: Record<NormalizedMatch['kind'], MatchKind> = {
  untagged: MatchKind.Untagged,
  wholePort: MatchKind.WholePort,
  outer: MatchKind.Outer,
  outerInner: MatchKind.OuterInner,
};

function tagPlan(t: NormalizedTag): TagPlan {
  return { tpid: t.tpid, vid: t.vid, pcp: t.pcp ?? KEEP, dei: t.dei ?? KEEP };
}

function lookup(ids: Map<string, number>, name: string, what: string): number {
  const id = ids.get(name);
  // validateConfig refuses unknown names; reaching this is a caller bug.
  if (id === undefined) throw new Error(`buildPlan: unknown ${what} "${name}" (config not validated)`);
  return id;
}

export function buildPlan(cfg: NormalizedConfig): TablesPlan {
  const portIds = indexByName(cfg.ports);
  const attIds = indexByName(cfg.attachments);

  const peer = new Array<number>(cfg.attachments.length).fill(-1);
  for (const s of cfg.services) {
    const a = lookup(attIds, s.endpoints[0], 'attachment');
    const b = lookup(attIds, s.endpoints[1], 'attachment');
    peer[a] = b;
    peer[b] = a;
  }

  const attachments: AttachmentPlan[] = cfg.attachments.map((a, id) => ({
    id,
    name: a.name,
    port: lookup(portIds, a.port, 'port'),
    kind: KIND[a.match.kind],
    tags: a.match.tags.map(tagPlan),
    peer: peer[id]!,
  }));

  return {
    ports: cfg.ports.map((p, id) => ({ id, name: p.name, mtu: p.mtu })),
    attachments,
  };
}
