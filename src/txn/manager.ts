/**
 * The transaction manager: commits, rollbacks and commit-confirmed, one at a
 * time, each all-or-nothing. A commit is, in this order:
 *
 *   1. validate the candidate (the config file's checks, path-named errors)
 *   2. applier.apply(config, n): the data plane swaps its tables
 *   3. store.append: revision file, then `current` (each tmp, fsync, rename,
 *      fsync dir); `current` naming n is the moment n is committed
 *   4. audit log line (fsync)
 *   5. events, and the answer to the client
 *
 * A failure at 2 changes nothing (the applier promises that). A failure at 3
 * applies the previous configuration again, so the data plane and the store
 * both stay at the previous revision. A crash anywhere leaves the store at
 * the previous revision or at n; the supervisor applies the running revision
 * when it starts, and start() writes any audit line a crash lost.
 *
 * Commit-confirmed: the new revision is marked pending with a deadline; the
 * same user confirms it with a commit of an unedited candidate (or extends
 * it with another commit-confirmed), any other user's commit is refused
 * meanwhile. Unconfirmed at the deadline, the configuration from before the
 * first pending commit is applied again as a new revision (auto-rollback):
 * the same table swap as any commit, nothing restarted.
 */
import * as path from 'path';

import { checkSchema, type Config } from '../config';
import type { ConfigApplier } from '../supervisor/api';
import { AuditLog, REVISION_EVENTS, auditEntry, type AuditEntry, type AuditToken } from './audit';
import { compareConfigs, diffConfigs, presentDiff } from './diff';
import { reasonOf, TxnError } from './errors';
import { rebase } from './rebase';
import { AUDIT_FILE } from './revision-file';
import { SerialQueue } from './serial';
import { Session, type CandidateChange, type CandidateSession, type CommitOptions, type SessionHost } from './session';
import type { ConfigStore } from './store';
import { SYSTEM_PRINCIPAL, type ConfigDiff, type Principal, type Revision, type RevisionInfo, type TransactionEvents } from './types';
import { validatedConfig, validationError } from './validate';

export const DEFAULT_CONFIRM_SECONDS = 600;
/** Longest commit-confirmed: a day (Junos allows about 45; a forgotten one should not lie in wait longer). */
export const MAX_CONFIRM_SECONDS = 86_400;
export const MAX_COMMENT_LENGTH = 1024;
/** How soon an automatic rollback the data plane refused is tried again. */
export const ROLLBACK_RETRY_MS = 5_000;

export interface ManagerOptions {
  /** Time of a commit-confirmed that gives none (default 600 s). */
  confirmDefaultSeconds?: number;
  /** Clock of revision times and deadlines (timers still run on real time). */
  now?: () => number;
  /** Default: audit.log in the store's directory. */
  audit?: AuditLog;
  /** Problems with no caller to throw to (a background rollback the data plane refused, an audit write). */
  onError?: (err: Error) => void;
}

interface PendingConfirm {
  /** The newest revision of the pending commit (the one a confirmation confirms). */
  head: number;
  user: string;
  /** The revision whose configuration comes back if the deadline passes. */
  base: number;
  deadline: number;
}

type Listeners = { [E in keyof TransactionEvents]: Set<TransactionEvents[E]> };

export class TransactionManager {
  readonly store: ConfigStore;
  readonly audit: AuditLog;
  readonly confirmDefaultSeconds: number;
  private readonly applier: ConfigApplier;
  private readonly now: () => number;
  private readonly onError: (err: Error) => void;
  private readonly queue = new SerialQueue();
  private readonly listeners: Listeners = { commit: new Set(), rollback: new Set(), confirm: new Set() };
  private pending: PendingConfirm | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private started = false;
  /** An audit line could not be written; the next write first writes what is missing. */
  private auditBehind = false;

  constructor(store: ConfigStore, applier: ConfigApplier, opts: ManagerOptions = {}) {
    const seconds = opts.confirmDefaultSeconds ?? DEFAULT_CONFIRM_SECONDS;
    if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_CONFIRM_SECONDS) {
      throw new RangeError(`confirmDefaultSeconds: ${seconds}; 1..${MAX_CONFIRM_SECONDS}`);
    }
    this.store = store;
    this.applier = applier;
    this.confirmDefaultSeconds = seconds;
    this.now = opts.now ?? Date.now;
    this.audit = opts.audit ?? new AuditLog(path.join(store.dir, AUDIT_FILE));
    this.onError = opts.onError ?? ((err) => process.stderr.write(`cix: transactions: ${err.message}\n`));
    // Known from the start, so that a commit before start() is judged right.
    const head = store.running().info;
    if (head.confirm === 'pending') {
      this.pending = {
        head: head.number,
        user: head.user,
        base: store.confirmBaseOf(head.number) ?? head.number - 1,
        deadline: head.confirmDeadline ?? this.now(),
      };
    }
  }

  /**
   * Repairs the audit log after a crash (torn line cut, lost lines written
   * again) and re-arms a pending commit-confirmed found on disk, rolling it
   * back at once when its deadline has passed.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.queue.run(async () => {
      await this.audit.repair();
      await this.backfillAudit();
    });
    if (this.pending && this.pending.deadline <= this.now()) await this.queue.run(() => this.autoRollback());
    else this.arm();
  }

  /**
   * Puts a change of who may operate the appliance (a token made or revoked)
   * in the audit log, in line with the commits. The change itself is already
   * done: a failed write is reported and written by nobody later (unlike a
   * revision, a token leaves nothing to write it again from).
   */
  recordAccess(p: Principal, event: 'token-create' | 'token-revoke', token: AuditToken): Promise<void> {
    return this.queue.run(async () => {
      const running = this.store.running().info;
      const at = this.now();
      const comment = `token ${token.id} for ${token.user} (${token.role}) ${event === 'token-create' ? 'created' : 'revoked'}`;
      const entry = auditEntry(event, { ...running, comment }, presentDiff([]), { at, role: p.role, user: p.user, remote: p.remote });
      delete entry.confirmDeadline;
      entry.confirm = 'none';
      entry.token = { ...token };
      await this.writeAudit(entry);
    });
  }

  openSession(p: Principal): CandidateSession {
    this.checkOpen();
    return new Session(this.host, p);
  }

  /** Makes revision `n`'s configuration the running one, as a new revision. Ends a pending commit-confirmed. */
  rollback(p: Principal, n: number, comment?: string): Promise<RevisionInfo> {
    return this.queue.run(async () => {
      this.checkOpen();
      checkComment(comment);
      const target = this.store.get(n);
      // Checked like any candidate: a revision saved by an older cix may not pass today's rules.
      const config = validatedConfig(target.config);
      const running = this.store.running();
      const lines = diffConfigs(running.config, config);
      if (lines.length === 0) {
        throw new TxnError('TXN_NO_CHANGES', `revision ${n}'s configuration is already running (revision ${running.info.number})`);
      }
      const info = this.newInfo(p, 'rollback', comment ?? `rollback to revision ${n}`);
      await this.applyAndPersist({ info, config }, running);
      const reason = `rollback to revision ${n} by ${p.user}`;
      await this.endPending('rolled-back');
      const diff = presentDiff(lines);
      await this.writeAudit(auditEntry('rollback', info, diff, { role: p.role }));
      this.emit('rollback', { ...info }, reason);
      return { ...info };
    });
  }

  /** What changes from revision n to revision m (TXN_NOT_FOUND for either unknown). */
  compare(n: number, m: number): ConfigDiff {
    return compareConfigs(this.store.get(n).config, this.store.get(m).config);
  }

  /** The revision awaiting confirmation, if any. */
  pendingConfirm(): RevisionInfo | undefined {
    return this.pending ? this.store.info(this.pending.head) : undefined;
  }

  on<E extends keyof TransactionEvents>(e: E, l: TransactionEvents[E]): () => void {
    const set = this.listeners[e] as Set<TransactionEvents[E]>;
    set.add(l);
    return () => void set.delete(l);
  }

  /** Stops the confirmation timer (a pending commit stays pending on disk) and waits for a commit under way. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarm();
    await this.queue.idle();
  }

  // ---- commits ------------------------------------------------------------------

  private readonly host: SessionHost = {
    running: () => this.store.running(),
    runningNumber: () => this.store.runningNumber(),
    commit: (p, change, opts) => this.queue.run(() => this.commitCandidate(p, change, opts)),
    isClosed: () => this.closed,
  };

  private async commitCandidate(p: Principal, change: CandidateChange | undefined, opts: CommitOptions): Promise<RevisionInfo> {
    this.checkOpen();
    checkComment(opts.comment);
    const seconds = this.confirmSeconds(opts);
    if (this.pending && this.pending.user !== p.user) {
      const head = this.store.running().info;
      throw new TxnError(
        'TXN_CONFIRM_PENDING',
        `revision ${head.number} by ${this.pending.user} awaits confirmation until ` +
          `${new Date(this.pending.deadline).toISOString()}; commits are refused until it is confirmed or rolled back`,
      );
    }
    const running = this.store.running();
    const config = change ? this.candidateOnto(change, running) : undefined;
    const lines = config ? diffConfigs(running.config, config) : [];
    if (lines.length === 0) {
      if (this.pending) return this.confirmOrExtend(p, seconds);
      throw new TxnError('TXN_NO_CHANGES', 'nothing to commit: the candidate is the running configuration');
    }

    const info = this.newInfo(p, 'commit', opts.comment ?? '');
    if (seconds !== undefined) {
      info.confirm = 'pending';
      info.confirmDeadline = info.at + seconds * 1000;
    }
    const confirmBase = seconds === undefined ? undefined : (this.pending?.base ?? running.info.number);
    await this.applyAndPersist({ info, config: config! }, running, confirmBase);

    const diff = presentDiff(lines);
    if (this.pending && seconds === undefined) {
      // A plain commit by the same user confirms the pending one.
      const confirmed: RevisionInfo = { ...running.info, confirm: 'confirmed' };
      delete confirmed.confirmDeadline;
      await this.endPending('confirmed');
      await this.writeAudit(auditEntry('confirm', confirmed, presentDiff([]), { at: info.at, role: p.role, user: p.user, remote: p.remote }));
      this.emit('confirm', confirmed);
    } else if (seconds !== undefined) {
      this.pending = { head: info.number, user: p.user, base: confirmBase!, deadline: info.confirmDeadline! };
      this.arm();
    }
    await this.writeAudit(auditEntry('commit', info, diff, { role: p.role }));
    this.emit('commit', { ...info }, diff);
    return { ...info };
  }

  /**
   * The candidate's configuration on top of the running revision, validated
   * there (after carrying it over: it may rely on what was committed since).
   */
  private candidateOnto(change: CandidateChange, running: Revision): Config {
    const schema = checkSchema(change.doc);
    if (schema.issues.length > 0) throw validationError(schema.issues);
    let config = schema.config;
    if (change.base.info.number !== running.info.number) {
      const by = this.store
        .history()
        .filter((i) => i.number > change.base.info.number)
        .map((i) => `revision ${i.number} (${i.user})`)
        .reverse()
        .join(', ');
      const r = rebase(change.base.config, config, running.config, by || `revision ${running.info.number}`);
      if (!r.ok) {
        const first = r.conflicts[0]!;
        throw new TxnError('TXN_CONFLICT', `${first.path}: ${first.message}`, { issues: r.conflicts });
      }
      config = r.config;
    }
    return validatedConfig(config);
  }

  /** An unedited commit while this user's commit-confirmed is pending: confirm it, or move its deadline. */
  private async confirmOrExtend(p: Principal, seconds: number | undefined): Promise<RevisionInfo> {
    const head = this.store.running().info;
    const at = this.now();
    if (seconds !== undefined) {
      const info: RevisionInfo = { ...head, confirmDeadline: at + seconds * 1000 };
      await this.persistInfo(info);
      this.pending = { ...this.pending!, deadline: info.confirmDeadline! };
      this.arm();
      await this.writeAudit(auditEntry('extend', info, presentDiff([]), { at, role: p.role, user: p.user, remote: p.remote }));
      this.emit('confirm', { ...info });
      return { ...info };
    }
    const info: RevisionInfo = { ...head, confirm: 'confirmed' };
    delete info.confirmDeadline;
    await this.persistInfo(info); // the confirmation is durable once the running revision says so
    await this.endPending('confirmed');
    await this.writeAudit(auditEntry('confirm', info, presentDiff([]), { at, role: p.role, user: p.user, remote: p.remote }));
    this.emit('confirm', { ...info });
    return { ...info };
  }

  private async persistInfo(info: RevisionInfo): Promise<void> {
    try {
      await this.store.updateInfo(info.number, info);
    } catch (err: unknown) {
      const message = `cannot record revision ${info.number}'s confirmation: ${reasonOf(err)}; nothing changed`;
      throw new TxnError('TXN_PERSIST_FAILED', message, { cause: err });
    }
  }

  /** The timer's job: roll back an unconfirmed commit (or re-arm if its deadline moved). */
  private async autoRollback(): Promise<void> {
    const pending = this.pending;
    if (this.closed || !pending) return;
    if (this.now() < pending.deadline) return this.arm();
    const running = this.store.running();
    let base: Revision;
    try {
      base = this.store.get(pending.base);
    } catch (err: unknown) {
      // The store pins the base; losing it is damage to the state directory.
      this.onError(new Error(`cannot roll back revision ${running.info.number}: ${reasonOf(err)}`));
      return;
    }
    const reason =
      `commit confirmed of revision ${running.info.number} (${pending.user}) was not confirmed by ` +
      `${new Date(pending.deadline).toISOString()}; configuration of revision ${pending.base} restored`;
    const info = this.newInfo(SYSTEM_PRINCIPAL, 'auto-rollback', reason);
    try {
      await this.applyAndPersist({ info, config: base.config }, running);
    } catch (err: unknown) {
      this.onError(new Error(`automatic rollback failed, trying again in ${ROLLBACK_RETRY_MS / 1000} s: ${reasonOf(err)}`));
      this.arm(ROLLBACK_RETRY_MS);
      return;
    }
    await this.endPending('rolled-back');
    const diff = compareConfigs(running.config, base.config);
    await this.writeAudit(auditEntry('auto-rollback', info, diff));
    this.emit('rollback', { ...info }, reason);
  }

  /**
   * Steps 2 and 3 of a commit. Rejects with TXN_APPLY_FAILED (nothing
   * changed) or TXN_PERSIST_FAILED (the previous configuration applied again).
   */
  private async applyAndPersist(rev: Revision, previous: Revision, confirmBase?: number): Promise<void> {
    const n = rev.info.number;
    try {
      await this.applier.apply(rev.config, n);
    } catch (err: unknown) {
      const message = `the data plane refused revision ${n}: ${reasonOf(err)}; revision ${previous.info.number} still runs`;
      throw new TxnError('TXN_APPLY_FAILED', message, { cause: err });
    }
    try {
      await this.store.append(rev, confirmBase);
    } catch (err: unknown) {
      let restored = `revision ${previous.info.number} applied again`;
      try {
        await this.applier.apply(previous.config, previous.info.number);
      } catch (err2: unknown) {
        restored = `applying revision ${previous.info.number} again failed too (${reasonOf(err2)})`;
        this.onError(new Error(`revision ${n} could not be saved and ${restored}: the data plane may run an unsaved configuration`));
      }
      throw new TxnError('TXN_PERSIST_FAILED', `cannot save revision ${n}: ${reasonOf(err)}; ${restored}, nothing committed`, { cause: err });
    }
  }

  /** The pending commit-confirmed is over: mark every revision of it. */
  private async endPending(outcome: 'confirmed' | 'rolled-back'): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    this.disarm();
    for (const info of this.store.history()) {
      if (info.number <= pending.base || info.confirm !== 'pending') continue;
      const settled: RevisionInfo = { ...info, confirm: outcome };
      delete settled.confirmDeadline;
      // A failure here is settled from the later revisions on the next open.
      await this.store.updateInfo(info.number, settled).catch((err: unknown) => this.onError(new Error(`revision ${info.number}: ${reasonOf(err)}`)));
    }
  }

  // ---- audit, timer, events ----------------------------------------------------

  private async writeAudit(entry: AuditEntry): Promise<void> {
    try {
      // The entry of a new revision is its own line; any other entry names a revision whose line may be the lost one.
      if (this.auditBehind) await this.backfillAudit(REVISION_EVENTS.includes(entry.event) ? entry.revision : undefined);
      await this.audit.append(entry);
      this.auditBehind = false;
    } catch (err: unknown) {
      // The revision is committed; its line is written later from the revision itself.
      this.auditBehind = true;
      this.onError(new Error(`audit log ${this.audit.file}: ${reasonOf(err)}`));
    }
  }

  /**
   * Writes a line for every kept revision newer than the newest one logged (a
   * crash lost them: lines are written in order, so only the newest can be
   * missing; older ones may sit in rotated files).
   */
  private async backfillAudit(except?: number): Promise<void> {
    const newest = (await this.audit.newestRevisionLogged()) ?? 0;
    const history = this.store.history().reverse();
    for (let i = 0; i < history.length; i++) {
      const info = history[i]!;
      if (info.number <= newest || info.number === except) continue;
      const prev = history[i - 1];
      const diff = prev && info.kind !== 'initial' ? this.compare(prev.number, info.number) : presentDiff([]);
      await this.audit.append(auditEntry(info.kind, info, diff, { recovered: info.kind !== 'initial' }));
    }
  }

  private arm(delayMs?: number): void {
    this.disarm();
    const pending = this.pending;
    if (!pending || this.closed) return;
    // setTimeout holds at most 2^31-1 ms; a longer wait re-arms when it fires.
    const wait = Math.min(delayMs ?? Math.max(0, pending.deadline - this.now()), 0x7fffffff);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.queue.run(() => this.autoRollback()).catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))));
    }, wait);
    // A pending confirmation alone does not keep the process alive.
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit<E extends keyof TransactionEvents>(e: E, ...args: Parameters<TransactionEvents[E]>): void {
    for (const l of this.listeners[e]) {
      try {
        (l as (...a: Parameters<TransactionEvents[E]>) => void)(...args);
      } catch (err: unknown) {
        this.onError(new Error(`${e} listener: ${reasonOf(err)}`));
      }
    }
  }

  // ---- small checks ---------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw new TxnError('TXN_CLOSED', 'the transaction manager is closed');
  }

  private newInfo(p: Principal, kind: RevisionInfo['kind'], comment: string): RevisionInfo {
    return { number: this.store.nextNumber(), at: this.now(), user: p.user, remote: p.remote, comment, kind, confirm: 'none' };
  }

  /** Seconds of a commit-confirmed, or undefined for a plain commit. */
  private confirmSeconds(opts: CommitOptions): number | undefined {
    const s = opts.confirmedSeconds;
    if (s === undefined || s === 0) return opts.confirmed ? this.confirmDefaultSeconds : undefined;
    if (!Number.isSafeInteger(s) || s < 1 || s > MAX_CONFIRM_SECONDS) {
      throw validationError([{ path: 'confirmed_seconds', message: `${s} is out of range (1-${MAX_CONFIRM_SECONDS})` }], 'commit refused');
    }
    return s;
  }
}

function checkComment(comment: string | undefined): void {
  if (comment !== undefined && comment.length > MAX_COMMENT_LENGTH) {
    throw validationError([{ path: 'comment', message: `${comment.length} characters; at most ${MAX_COMMENT_LENGTH}` }], 'commit refused');
  }
}
