/**
 * The configuration store: every kept revision of the configuration, and
 * which one runs, in a state directory that survives `kill -9` at any moment.
 *
 *     STATE/revisions/r0000000042.json   one revision: metadata + configuration
 *     STATE/current                      the running revision's number
 *
 * A revision is committed when `current` names it: its file is written first
 * (tmp, fsync, rename, fsync dir), then `current` the same way. On open, only
 * what `current` reached is trusted: a revision file numbered above it was
 * never acknowledged and is removed, a leftover temporary file is ignored.
 *
 * The store only keeps and persists; deciding (validation, the data plane,
 * confirmation) is the manager's.
 */
import * as path from 'path';

import type { Config } from '../config';
import { StateError, TxnError } from './errors';
import { StateFiles, TMP_SUFFIX } from './fsio';
import { clone } from './json';
import {
  CURRENT_FILE,
  decodeCurrent,
  decodeRevision,
  encodeCurrent,
  encodeRevision,
  REVISIONS_DIR,
  revisionFileName,
  revisionNumberOf,
  type RevisionRecord,
} from './revision-file';
import type { Revision, RevisionInfo } from './types';

/** Revisions kept by default; the oldest beyond it are pruned. */
export const DEFAULT_RETAIN = 100;
/** The fewest revisions a store may be told to keep. */
export const MIN_RETAIN = 50;

export interface StoreOptions {
  /** Revisions kept (>= MIN_RETAIN; default DEFAULT_RETAIN). */
  retain?: number;
  /** File operations (tests inject failures through it). */
  files?: StateFiles;
  /** Clock for the initial revision's time. */
  now?: () => number;
}

export interface InitialRevision {
  config: Config;
  user: string;
  comment: string;
}

export class ConfigStore {
  readonly dir: string;
  readonly retain: number;
  private readonly files: StateFiles;
  private readonly revDir: string;
  /** Metadata of every kept revision, by number. */
  private readonly infos = new Map<number, RevisionInfo>();
  private readonly confirmBases = new Map<number, number>();
  private head: Revision;
  /** The highest number the data plane has seen (numbers are never handed out twice). */
  private issued: number;

  private constructor(dir: string, retain: number, files: StateFiles, head: Revision) {
    this.dir = dir;
    this.retain = retain;
    this.files = files;
    this.revDir = path.join(dir, REVISIONS_DIR);
    this.head = head;
    this.issued = head.info.number;
  }

  /**
   * Opens `stateDir`, creating it (mode 0700). When it holds no revision,
   * `initial` becomes revision 1; when it holds some, `initial` is ignored.
   */
  static async open(stateDir: string, initial?: InitialRevision, opts: StoreOptions = {}): Promise<ConfigStore> {
    const retain = opts.retain ?? DEFAULT_RETAIN;
    if (!Number.isSafeInteger(retain) || retain < MIN_RETAIN) throw new RangeError(`retain: ${retain}; at least ${MIN_RETAIN} revisions are kept`);
    const files = opts.files ?? new StateFiles();
    const dir = path.resolve(stateDir);
    const revDir = path.join(dir, REVISIONS_DIR);
    await files.ensureDir(revDir);
    for (const name of await files.list(dir)) if (name.endsWith(TMP_SUFFIX)) await files.remove(path.join(dir, name));

    const currentFile = path.join(dir, CURRENT_FILE);
    const currentText = await files.read(currentFile);
    let current: number;
    if (currentText === undefined) {
      // No revision was ever committed; files there are remains of a first
      // commit that did not finish.
      for (const name of await files.list(revDir)) await files.remove(path.join(revDir, name));
      if (!initial) throw new StateError(dir, 'holds no configuration revision, and no initial configuration was given', { empty: true });
      const info: RevisionInfo = {
        number: 1,
        at: (opts.now ?? Date.now)(),
        user: initial.user,
        remote: 'local',
        comment: initial.comment,
        kind: 'initial',
        confirm: 'none',
      };
      await files.writeAtomic(path.join(revDir, revisionFileName(1)), encodeRevision({ info, config: initial.config }));
      await files.writeAtomic(currentFile, encodeCurrent(1));
      current = 1;
    } else {
      const n = decodeCurrent(currentText);
      if (typeof n === 'string') throw new StateError(currentFile, n);
      current = n;
    }

    const records = new Map<number, RevisionRecord>();
    for (const name of (await files.list(revDir)).sort()) {
      const file = path.join(revDir, name);
      const n = revisionNumberOf(name);
      if (n === undefined) {
        if (name.endsWith(TMP_SUFFIX)) await files.remove(file);
        continue;
      }
      if (n > current) {
        await files.remove(file); // written, never committed, never acknowledged
        continue;
      }
      const rec = decodeRevision((await files.read(file)) ?? '');
      if (typeof rec === 'string' || rec.info.number !== n) {
        // Only the running revision must be readable; an unreadable old one
        // is left where it is (for a person to look at) and not offered.
        if (n === current) throw new StateError(file, typeof rec === 'string' ? rec : `holds revision ${rec.info.number}`);
        continue;
      }
      records.set(n, rec);
    }
    const running = records.get(current);
    if (!running) {
      throw new StateError(currentFile, `names revision ${current}, which ${path.join(REVISIONS_DIR, revisionFileName(current))} does not hold`);
    }

    const store = new ConfigStore(dir, retain, files, { info: running.info, config: running.config });
    for (const [n, rec] of records) {
      store.infos.set(n, rec.info);
      if (rec.confirmBase !== undefined) store.confirmBases.set(n, rec.confirmBase);
    }
    await store.settleConfirmStates();
    await store.prune();
    return store;
  }

  /** The running revision (a copy). */
  running(): Revision {
    return { info: { ...this.head.info }, config: clone(this.head.config) };
  }

  runningNumber(): number {
    return this.head.info.number;
  }

  /** Revision `n` (a copy); TXN_NOT_FOUND when it never existed or was pruned. */
  get(n: number): Revision {
    if (n === this.head.info.number) return this.running();
    const info = this.infos.get(n);
    const text = info ? this.files.readSync(this.fileOf(n)) : undefined;
    const rec = text === undefined ? undefined : decodeRevision(text);
    if (!info || rec === undefined || typeof rec === 'string') {
      const oldest = this.numbers()[0];
      throw new TxnError('TXN_NOT_FOUND', `revision ${n} is not kept (kept: ${oldest ?? '-'}..${this.head.info.number})`);
    }
    return { info: { ...info }, config: rec.config };
  }

  /** Metadata of every kept revision, newest first. */
  history(): RevisionInfo[] {
    return this.numbers()
      .reverse()
      .map((n) => ({ ...this.infos.get(n)! }));
  }

  /** Revision `n`'s metadata, without reading its configuration. */
  info(n: number): RevisionInfo | undefined {
    const info = this.infos.get(n);
    return info ? { ...info } : undefined;
  }

  // ---- for the transaction manager ----------------------------------------

  /** The number the next revision gets. */
  nextNumber(): number {
    return this.issued + 1;
  }

  /**
   * The data plane has run revision `n` although it was not committed (the
   * disk failed after the apply): `n` is not handed out again.
   */
  burn(n: number): void {
    this.issued = Math.max(this.issued, n);
  }

  /** Of a pending commit-confirmed: the revision that comes back if it is not confirmed. */
  confirmBaseOf(n: number): number | undefined {
    return this.confirmBases.get(n);
  }

  /**
   * Commits a new revision: its file, then `current`. Throws with the store
   * unchanged when either write fails. `rev.info.number` must be nextNumber().
   */
  async append(rev: Revision, confirmBase?: number): Promise<void> {
    const n = rev.info.number;
    if (n !== this.nextNumber()) throw new Error(`ConfigStore.append: revision ${n}, expected ${this.nextNumber()}`);
    const rec: RevisionRecord = { info: { ...rev.info }, config: clone(rev.config) };
    if (confirmBase !== undefined) rec.confirmBase = confirmBase;
    const file = this.fileOf(n);
    try {
      await this.files.writeAtomic(file, encodeRevision(rec));
      await this.files.writeAtomic(path.join(this.dir, CURRENT_FILE), encodeCurrent(n));
    } catch (err: unknown) {
      // Not committed: a revision file above `current` would be removed on
      // open anyway; remove it now so that history never shows it.
      await this.files.remove(file).catch(() => undefined);
      this.burn(n);
      throw err;
    }
    this.infos.set(n, rec.info);
    if (confirmBase !== undefined) this.confirmBases.set(n, confirmBase);
    this.head = { info: rec.info, config: rec.config };
    this.issued = n;
    await this.prune();
  }

  /** Rewrites revision `n`'s metadata (its confirmation state), atomically. */
  async updateInfo(n: number, info: RevisionInfo): Promise<void> {
    const rec = n === this.head.info.number ? { ...this.head } : this.get(n);
    const out: RevisionRecord = { info: { ...info, number: n }, config: rec.config };
    const base = this.confirmBases.get(n);
    if (base !== undefined) out.confirmBase = base;
    await this.files.writeAtomic(this.fileOf(n), encodeRevision(out));
    this.infos.set(n, out.info);
    if (n === this.head.info.number) this.head = { info: out.info, config: this.head.config };
  }

  // ---- internals ------------------------------------------------------------

  private fileOf(n: number): string {
    return path.join(this.revDir, revisionFileName(n));
  }

  private numbers(): number[] {
    return [...this.infos.keys()].sort((a, b) => a - b);
  }

  /**
   * A crash while a confirmation was being recorded can leave revisions marked
   * pending that are not (the running one decides). Each such revision takes
   * the outcome of the first later revision that is not pending: a rollback
   * ended it, anything else confirmed it.
   */
  private async settleConfirmStates(): Promise<void> {
    const ns = this.numbers();
    const running = this.head.info;
    const chainBase = running.confirm === 'pending' ? (this.confirmBases.get(running.number) ?? running.number - 1) : undefined;
    for (const n of ns) {
      const info = this.infos.get(n)!;
      if (info.confirm !== 'pending') continue;
      if (chainBase !== undefined && n > chainBase) continue; // still part of the pending commit
      const later = ns.find((m) => m > n && this.infos.get(m)!.confirm !== 'pending');
      const by = later === undefined ? undefined : this.infos.get(later)!;
      const outcome = by && (by.kind === 'rollback' || by.kind === 'auto-rollback') ? 'rolled-back' : 'confirmed';
      const settled: RevisionInfo = { ...info, confirm: outcome };
      delete settled.confirmDeadline;
      await this.updateInfo(n, settled);
    }
  }

  /**
   * Keeps the newest `retain` revisions, and always the base of a pending
   * commit-confirmed (it must be there to roll back to).
   */
  private async prune(): Promise<void> {
    const ns = this.numbers();
    const pinned = new Set<number>([this.head.info.number]);
    const base = this.head.info.confirm === 'pending' ? this.confirmBases.get(this.head.info.number) : undefined;
    if (base !== undefined) pinned.add(base);
    let excess = ns.length - this.retain;
    for (const n of ns) {
      if (excess <= 0) break;
      if (pinned.has(n)) continue;
      this.infos.delete(n);
      this.confirmBases.delete(n);
      excess--;
      // A file left by a failed removal is pruned again on the next open.
      await this.files.remove(this.fileOf(n)).catch(() => undefined);
    }
  }
}
