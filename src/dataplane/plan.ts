/**
 * Normalized configuration to tables plan: names become the dense ids the
 * fast path indexes its tables and counters with.
 *
 * Ids are stable across commits: a name that was in the previous plan keeps
 * its id, so a commit that reorders or removes items never moves counts from
 * one name to another. A new name takes the lowest id that neither plan
 * uses; only when none is left below the capacity does it take an id this
 * very change frees. Counters of a reused id still hold the old name's
 * counts, so whoever exports counters takes a baseline of every id given to
 * a new name (src/supervisor/counters.ts). Without a previous plan, ids are
 * the positions in the configuration.
 */
import { MAX_ATTACHMENTS, MAX_PORTS, type NormalizedConfig, type NormalizedMatch, type NormalizedTag } from '../config';
import { KEEP, MatchKind, type AttachmentPlan, type TablesPlan, type TagPlan } from '../native/plan';

/** What a plan is built from: the tables part of a normalized configuration. */
export type PlanInput = Omit<NormalizedConfig, 'dataplane'>;

/** How many ids the fast path holds (ports: CIX_MAX_PORTS; attachments: the Dataplane's maxAttachments). */
export interface IdCapacity {
  ports: number;
  attachments: number;
}

export const DEFAULT_CAPACITY: IdCapacity = { ports: MAX_PORTS, attachments: MAX_ATTACHMENTS };

export class PlanCapacityError extends Error {
  readonly code = 'CIX_PLAN_CAPACITY';
  constructor(message: string) {
    super(message);
    this.name = 'PlanCapacityError';
  }
}

/** name -> index of the first item with that name. */
export function indexByName(items: readonly { name: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  items.forEach((item, i) => {
    if (!m.has(item.name)) m.set(item.name, i);
  });
  return m;
}

/** name -> id of a plan's items. */
export function idsByName(items: readonly { id: number; name: string }[]): Map<string, number> {
  return new Map(items.map((item) => [item.name, item.id]));
}

/**
 * An id for every name (unique names, in order): kept from `previous` where
 * the name was there, else the lowest id used by neither plan, else the
 * lowest id freed by this change. Throws PlanCapacityError when the names do
 * not fit in `capacity` ids.
 */
export function allocateIds(names: readonly string[], previous: ReadonlyMap<string, number>, capacity: number, what: string): Map<string, number> {
  if (names.length > capacity) throw new PlanCapacityError(`${names.length} ${what}; the fast path holds ${capacity}`);
  const kept = new Map<string, number>();
  for (const name of names) {
    const id = previous.get(name);
    if (id !== undefined) kept.set(name, id);
  }
  const taken = new Set(kept.values());
  const usedBefore = new Set(previous.values());
  const ids = new Map<string, number>();
  let fresh = 0; // scan cursor over ids neither plan uses
  let freed = 0; // scan cursor over ids only the previous plan used
  for (const name of names) {
    let id = kept.get(name);
    if (id === undefined) {
      while (fresh < capacity && (taken.has(fresh) || usedBefore.has(fresh))) fresh++;
      id = fresh;
      if (id >= capacity) {
        while (freed < capacity && taken.has(freed)) freed++;
        id = freed;
      }
      // names.length <= capacity, so a free id always exists.
      taken.add(id);
    }
    ids.set(name, id);
  }
  return ids;
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

/**
 * The tables plan of a configuration. Pass the running plan as `previous`
 * so that names keep their ids across the change.
 */
export function buildPlan(cfg: PlanInput, previous?: TablesPlan, capacity: IdCapacity = DEFAULT_CAPACITY): TablesPlan {
  const portIds = allocateIds(
    [...indexByName(cfg.ports).keys()],
    previous ? idsByName(previous.ports) : new Map(),
    capacity.ports,
    'ports',
  );
  const attIds = allocateIds(
    [...indexByName(cfg.attachments).keys()],
    previous ? idsByName(previous.attachments) : new Map(),
    capacity.attachments,
    'attachments',
  );

  const peer = new Map<number, number>();
  for (const s of cfg.services) {
    const a = lookup(attIds, s.endpoints[0], 'attachment');
    const b = lookup(attIds, s.endpoints[1], 'attachment');
    peer.set(a, b);
    peer.set(b, a);
  }

  const attachments: AttachmentPlan[] = cfg.attachments.map((a) => {
    const id = lookup(attIds, a.name, 'attachment');
    return {
      id,
      name: a.name,
      port: lookup(portIds, a.port, 'port'),
      kind: KIND[a.match.kind],
      tags: a.match.tags.map(tagPlan),
      peer: peer.get(id) ?? -1,
    };
  });

  return {
    ports: cfg.ports.map((p) => ({ id: lookup(portIds, p.name, 'port'), name: p.name, mtu: p.mtu })),
    attachments,
  };
}
