/**
 * The display baseline of counters (`clear counters`): what the management
 * channel shows is the fast path's counter minus the value it had when
 * counters were last cleared. The exported counters (metrics, ApplianceView)
 * never move; only this baseline does. It is one per appliance, kept in
 * <stateDir>/counters-baseline.json so a later connection (a later `cix ctl`)
 * and a restarted server see the same.
 *
 * A counter found below its baseline was reset (the appliance restarted and
 * its counters began again at zero): that counter's baseline is dropped, so
 * it shows its whole new value, never a negative or wrapped one. This is
 * checked when the baseline is opened (counters are young then) and on every
 * read.
 */
import { promises as fs } from 'fs';
import * as path from 'path';

import type { CounterValues, OperationalState } from '../supervisor/api';
import { StateFiles } from '../txn/fsio';
import { BASELINE_FILE } from './paths';

interface BaselineFile {
  version: 1;
  /** Unix ms of the clear. */
  at: number;
  /** "port/<name>/rxPackets", "attachment/<name>/drop/<reason>", "drop/<reason>" -> decimal. */
  counters: Record<string, string>;
}

const SCALARS = ['rxPackets', 'rxBytes', 'txPackets', 'txBytes'] as const;

/** Every counter of a state, by its baseline key. */
function eachCounter(state: OperationalState, visit: (key: string, value: bigint) => void): void {
  const object = (prefix: string, c: CounterValues): void => {
    for (const s of SCALARS) visit(`${prefix}/${s}`, c[s]);
    for (const [reason, v] of Object.entries(c.drops)) visit(`${prefix}/drop/${reason}`, v);
  };
  for (const p of state.ports) object(`port/${p.name}`, p.counters);
  for (const a of state.attachments) object(`attachment/${a.name}`, a.counters);
  for (const [reason, v] of Object.entries(state.drops)) visit(`drop/${reason}`, v);
}

export class CounterBaseline {
  private base: Map<string, bigint>;
  private atMs: number;
  private readonly file: string;
  private readonly files = new StateFiles();
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(file: string, at: number, base: Map<string, bigint>) {
    this.file = file;
    this.atMs = at;
    this.base = base;
  }

  /** Reads the baseline of stateDir (none yet: nothing cleared); `current` prunes reset counters. */
  static async open(stateDir: string, current: OperationalState): Promise<CounterBaseline> {
    const file = path.join(stateDir, BASELINE_FILE);
    let at = 0;
    const base = new Map<string, bigint>();
    try {
      const doc = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<BaselineFile>;
      if (doc.version === 1 && typeof doc.at === 'number' && typeof doc.counters === 'object' && doc.counters) {
        at = doc.at;
        for (const [k, v] of Object.entries(doc.counters)) {
          if (typeof v === 'string' && /^[0-9]{1,20}$/.test(v)) base.set(k, BigInt(v));
        }
      }
    } catch {
      // No file, or one that is not ours to trust: a baseline is only a
      // display aid, so starting from "never cleared" is the safe answer.
    }
    const b = new CounterBaseline(file, at, base);
    b.relative(current);
    return b;
  }

  /** Unix ms of the last clear; 0 = never. */
  get at(): number {
    return this.atMs;
  }

  /** `state` with every counter relative to the baseline (a new object; `state` is not changed). */
  relative(state: OperationalState): OperationalState {
    if (this.base.size === 0) return state;
    const rel = (key: string, v: bigint): bigint => {
      const b = this.base.get(key);
      if (b === undefined) return v;
      if (v < b) {
        this.base.delete(key);
        return v;
      }
      return v - b;
    };
    const counters = (prefix: string, c: CounterValues): CounterValues => {
      const drops: Record<string, bigint> = {};
      for (const [reason, v] of Object.entries(c.drops)) drops[reason] = rel(`${prefix}/drop/${reason}`, v);
      return {
        rxPackets: rel(`${prefix}/rxPackets`, c.rxPackets),
        rxBytes: rel(`${prefix}/rxBytes`, c.rxBytes),
        txPackets: rel(`${prefix}/txPackets`, c.txPackets),
        txBytes: rel(`${prefix}/txBytes`, c.txBytes),
        drops,
      };
    };
    const drops: Record<string, bigint> = {};
    for (const [reason, v] of Object.entries(state.drops)) drops[reason] = rel(`drop/${reason}`, v);
    return {
      ...state,
      ports: state.ports.map((p) => ({ ...p, counters: counters(`port/${p.name}`, p.counters) })),
      attachments: state.attachments.map((a) => ({ ...a, counters: counters(`attachment/${a.name}`, a.counters) })),
      drops,
    };
  }

  /** Makes `state`'s counters the new zero, persisted before it takes effect; returns its time. */
  async clear(state: OperationalState, now: number): Promise<number> {
    const base = new Map<string, bigint>();
    eachCounter(state, (k, v) => base.set(k, v));
    const doc: BaselineFile = { version: 1, at: now, counters: {} };
    for (const [k, v] of base) doc.counters[k] = v.toString();
    const write = this.writing.then(() => this.files.writeAtomic(this.file, `${JSON.stringify(doc)}\n`));
    this.writing = write.catch(() => undefined);
    await write;
    this.base = base;
    this.atMs = now;
    return now;
  }
}
