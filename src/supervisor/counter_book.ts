/**
 * Counters as the supervisor exports them: monotonic per name for the life
 * of the supervisor, across dataplane restarts and commits.
 *
 *   exported(name) = carried(name) + live(id) - baseline(id)
 *
 * live is read in place from the running dataplane process's counter block.
 * When that process ends (death or a planned restart) its final counts are
 * still readable in the mapping: they are folded into carried and the
 * block is dropped; the next process starts from zero. A commit that gives
 * an id to a new name takes a baseline of that id (the block may still hold
 * a removed name's counts), so the new name starts at zero. A removed name's
 * drops stay in the per-reason totals (retired), which therefore never go
 * backwards either.
 */
import type { TablesPlan } from '../native/plan';
import type { CounterValues } from './api';

export type ObjectKind = 'port' | 'attachment';

/** A counter block to read, by kind and id (summed over workers). */
export interface CounterSource {
  read(kind: ObjectKind, id: number): CounterValues;
  close(): void;
}

export function zeroCounters(reasons: readonly string[]): CounterValues {
  const drops: Record<string, bigint> = {};
  for (const r of reasons) drops[r] = 0n;
  return { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, drops };
}

function combine(a: CounterValues, b: CounterValues, sign: 1n | -1n): CounterValues {
  const drops: Record<string, bigint> = { ...a.drops };
  for (const [r, n] of Object.entries(b.drops)) drops[r] = (drops[r] ?? 0n) + sign * n;
  return {
    rxPackets: a.rxPackets + sign * b.rxPackets,
    rxBytes: a.rxBytes + sign * b.rxBytes,
    txPackets: a.txPackets + sign * b.txPackets,
    txBytes: a.txBytes + sign * b.txBytes,
    drops,
  };
}

export const addCounters = (a: CounterValues, b: CounterValues): CounterValues => combine(a, b, 1n);
const subCounters = (a: CounterValues, b: CounterValues): CounterValues => combine(a, b, -1n);

/** A plan change between its two halves (see CounterBook.prepare). */
export interface PreparedPlan {
  plan: TablesPlan;
  baselines: Record<ObjectKind, Map<number, CounterValues>>;
  source: CounterSource | undefined;
}

interface KindBook {
  /** name -> id in the running plan. */
  ids: Map<string, number>;
  /** name -> counts of earlier processes. */
  carried: Map<string, CounterValues>;
  /** id -> live value when its current name got it. */
  baseline: Map<number, CounterValues>;
}

function emptyKind(): KindBook {
  return { ids: new Map(), carried: new Map(), baseline: new Map() };
}

export class CounterBook {
  private readonly books: Record<ObjectKind, KindBook> = { port: emptyKind(), attachment: emptyKind() };
  private source: CounterSource | undefined;
  private retired: Record<string, bigint>;

  constructor(private readonly reasons: readonly string[]) {
    this.retired = zeroCounters(reasons).drops;
  }

  /** Starts reading a fresh process's block (all zeros, so no baselines). */
  attach(source: CounterSource): void {
    if (this.source !== undefined) this.fold();
    this.source = source;
    for (const b of Object.values(this.books)) b.baseline.clear();
  }

  get attached(): boolean {
    return this.source !== undefined;
  }

  /**
   * The process ended: its final counts go to carried and its block is
   * closed. Call before unlinking the counters file.
   */
  fold(): void {
    const src = this.source;
    if (src === undefined) return;
    for (const [kind, b] of Object.entries(this.books) as [ObjectKind, KindBook][]) {
      for (const name of b.ids.keys()) b.carried.set(name, this.value(kind, name));
      b.baseline.clear();
    }
    this.source = undefined;
    src.close();
  }

  /**
   * First half of a plan change: the baselines of the ids `next` gives to
   * new names, read now, before the new tables are published (a fresh id
   * counts for its new name as soon as the fast path runs them).
   */
  prepare(next: TablesPlan): PreparedPlan {
    const baselines: Record<ObjectKind, Map<number, CounterValues>> = { port: new Map(), attachment: new Map() };
    const src = this.source;
    if (src !== undefined) {
      for (const [kind, items] of [['port', next.ports], ['attachment', next.attachments]] as const) {
        const known = this.books[kind].ids;
        for (const { name, id } of items) if (!known.has(name)) baselines[kind].set(id, src.read(kind, id));
      }
    }
    return { plan: next, baselines, source: src };
  }

  /**
   * Second half, once the fast path runs the new plan (or, detached, before
   * the next process starts): new names count from their baseline, removed
   * names retire.
   */
  commit(prepared: PreparedPlan): void {
    if (prepared.source !== this.source) throw new Error('CounterBook.commit: the counter block changed since prepare (caller bug)');
    this.commitKind('port', prepared.plan.ports, prepared.baselines.port);
    this.commitKind('attachment', prepared.plan.attachments, prepared.baselines.attachment);
  }

  /** prepare + commit at once: for a book that is not attached, or tests. */
  replan(next: TablesPlan): void {
    this.commit(this.prepare(next));
  }

  /** The exported counters of a name in the running plan (zeros for an unknown name). */
  value(kind: ObjectKind, name: string): CounterValues {
    const b = this.books[kind];
    const carried = b.carried.get(name) ?? zeroCounters(this.reasons);
    const id = b.ids.get(name);
    if (this.source === undefined || id === undefined) return carried;
    const live = this.source.read(kind, id);
    const base = b.baseline.get(id);
    return addCounters(carried, base === undefined ? live : subCounters(live, base));
  }

  /** Drops by reason over every port there is and ever was. */
  dropTotals(): Record<string, bigint> {
    const totals = { ...this.retired };
    for (const name of this.books.port.ids.keys()) {
      for (const [r, n] of Object.entries(this.value('port', name).drops)) totals[r] = (totals[r] ?? 0n) + n;
    }
    return totals;
  }

  private commitKind(kind: ObjectKind, items: readonly { id: number; name: string }[], baselines: Map<number, CounterValues>): void {
    const b = this.books[kind];
    const next = new Map(items.map((i) => [i.name, i.id]));
    for (const name of b.ids.keys()) {
      if (next.has(name)) continue;
      if (kind === 'port') {
        for (const [r, n] of Object.entries(this.value(kind, name).drops)) this.retired[r] = (this.retired[r] ?? 0n) + n;
      }
      b.carried.delete(name);
    }
    for (const [name, id] of next) {
      if (b.ids.has(name)) continue;
      b.carried.delete(name);
      const base = baselines.get(id);
      if (base !== undefined) b.baseline.set(id, base);
      else b.baseline.delete(id);
    }
    b.ids = next;
  }
}
