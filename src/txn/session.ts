/**
 * A candidate session: one client's private copy of the configuration. It
 * reads as the running configuration until edited; edits (set, delete,
 * load) are seen by nobody else until committed. An edit whose value does not
 * fit the schema is refused at once and leaves the candidate as it was;
 * what only the whole can tell (references, overlaps, a missing match) is
 * reported by validate() and refuses the commit.
 *
 * When someone else commits while this candidate is being edited, the
 * session's own changes are carried onto the new running configuration
 * (rebase.ts) the next time it is used; a clash is reported by commit.
 */
import {
  checkSchema,
  ConfigFileError,
  formatIssue,
  MAX_CONFIG_BYTES,
  parseText,
  type Config,
  type ConfigIssue,
} from '../config';
import { maskIssue } from '../config/secrets';
import { compareConfigs } from './diff';
import { canonicalKeys, configType, deletePath, mergeInto, setPath } from './edit';
import { TxnError } from './errors';
import { clone, isMapping, type JsonObject } from './json';
import { rebase } from './rebase';
import type { ConfigDiff, Principal, Revision, RevisionInfo } from './types';
import { candidateIssues, validationError } from './validate';

export interface CommitOptions {
  comment?: string;
  /** Makes it a commit-confirmed that rolls back unless confirmed within this many seconds. */
  confirmedSeconds?: number;
  /** A commit-confirmed with the manager's default time (600 s) when confirmedSeconds is not given. */
  confirmed?: boolean;
}

export interface LoadOptions {
  format: 'yaml' | 'json';
  /** replace: the text becomes the candidate. merge: it is merged into it (named items by name). */
  mode: 'replace' | 'merge';
}

export interface CandidateSession {
  readonly principal: Principal;
  /** A copy of the candidate (the running configuration until edited). */
  candidate(): Config;
  /** TXN_PATH for a path that is malformed or leads nowhere, TXN_VALIDATION for a value the schema refuses. */
  set(path: string, value: unknown): void;
  /** TXN_PATH when the path names nothing. */
  delete(path: string): void;
  /** Syntax and schema errors of the text: TXN_VALIDATION, candidate unchanged. */
  load(text: string, opts: LoadOptions): void;
  /** Every error of the candidate, as `cix validate` reports it; [] when it can be committed. */
  validate(): ConfigIssue[];
  /** The candidate against the running configuration (secrets masked). */
  diff(): ConfigDiff;
  /** Drops every edit: the candidate reads as the running configuration again. */
  discard(): void;
  /**
   * Commits the candidate (serialized with every other session). An
   * unedited candidate while this user's commit-confirmed is pending
   * confirms it (or, with confirmedSeconds/confirmed, moves its deadline).
   */
  commit(opts: CommitOptions): Promise<RevisionInfo>;
  close(): void;
}

/** The edits of a session, as the manager commits them. */
export interface CandidateChange {
  /** The candidate document. */
  doc: JsonObject;
  /** The revision it was made from. */
  base: Revision;
}

/** What a session needs from its manager. */
export interface SessionHost {
  /** A copy of the running revision. */
  running(): Revision;
  /** Its number (cheap: no copy). */
  runningNumber(): number;
  /** `change` undefined: nothing edited (a confirmation, or TXN_NO_CHANGES). */
  commit(p: Principal, change: CandidateChange | undefined, opts: CommitOptions): Promise<RevisionInfo>;
  isClosed(): boolean;
}

/** Issue `i` is at `target` or below it (`attachments[3]` holds `attachments[3].vlan.vid`). */
function isUnder(i: ConfigIssue, target: string): boolean {
  if (target === '') return true;
  const p = i.path;
  return p.startsWith(target) && (p.length === target.length || p[target.length] === '.' || p[target.length] === '[');
}

export class Session implements CandidateSession {
  readonly principal: Principal;
  private readonly host: SessionHost;
  private doc: JsonObject | undefined;
  private base: Revision | undefined;
  /** Schema issues of `doc` (formatted), so that an edit is judged only by the issues it adds. */
  private schemaIssues = new Set<string>();
  private closed = false;

  constructor(host: SessionHost, principal: Principal) {
    this.host = host;
    this.principal = { ...principal };
  }

  candidate(): Config {
    const doc = this.current();
    return this.doc ? checkSchema(doc).config : (doc as unknown as Config);
  }

  set(path: string, value: unknown): void {
    this.edit((doc) => setPath(doc, path, value), 'under');
  }

  delete(path: string): void {
    // Removing cannot make a value ill-typed; what it leaves missing is validate()'s to say.
    this.edit((doc) => {
      deletePath(doc, path);
      return undefined;
    }, 'none');
  }

  load(text: string, opts: LoadOptions): void {
    this.check();
    if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
      throw validationError([{ path: '', message: `more than ${MAX_CONFIG_BYTES} bytes` }], 'load refused');
    }
    let value: unknown;
    try {
      value = parseText(text, opts.format === 'json' ? 'candidate.json' : 'candidate.yaml');
    } catch (err: unknown) {
      if (err instanceof ConfigFileError) throw validationError([{ path: '', message: err.message }], 'load refused');
      throw err;
    }
    if (!isMapping(value)) {
      const issues = checkSchema(value).issues;
      throw validationError(issues.length > 0 ? issues : [{ path: '', message: 'expected a mapping' }], 'load refused');
    }
    if (opts.mode === 'replace') {
      this.edit((doc) => {
        for (const k of Object.keys(doc)) delete doc[k];
        Object.assign(doc, canonicalKeys(configType(), value));
        return '';
      }, 'all');
    } else {
      this.edit((doc) => {
        mergeInto(doc, value);
        return '';
      }, 'under');
    }
  }

  validate(): ConfigIssue[] {
    const doc = this.current();
    return this.doc ? candidateIssues(doc).map(maskIssue) : [];
  }

  diff(): ConfigDiff {
    const doc = this.current();
    const running = this.host.running().config;
    return compareConfigs(running, this.doc ? checkSchema(doc).config : running);
  }

  discard(): void {
    this.check();
    this.reset();
  }

  async commit(opts: CommitOptions): Promise<RevisionInfo> {
    this.check();
    this.current(); // carry the edits onto a newer running configuration first
    const change = this.doc && this.base ? { doc: clone(this.doc), base: this.base } : undefined;
    const info = await this.host.commit(this.principal, change, opts);
    // Edits made while the commit was on its way stay in the candidate.
    if (change && this.doc && JSON.stringify(this.doc) === JSON.stringify(change.doc)) this.reset();
    return info;
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  // ---- internals ------------------------------------------------------------

  private check(): void {
    if (this.closed) throw new TxnError('TXN_CLOSED', 'this session is closed');
    if (this.host.isClosed()) throw new TxnError('TXN_CLOSED', 'the transaction manager is closed');
  }

  private reset(): void {
    this.doc = undefined;
    this.base = undefined;
    this.schemaIssues = new Set();
  }

  /**
   * The candidate document: the running configuration until edited; once
   * edited, the edits, carried onto the running configuration if it moved
   * (left as they are on a clash, which commit reports).
   */
  private current(): JsonObject {
    this.check();
    if (!this.doc || !this.base) return this.host.running().config as unknown as JsonObject;
    if (this.base.info.number !== this.host.runningNumber() && this.schemaIssues.size === 0) {
      const running = this.host.running();
      const r = rebase(this.base.config, checkSchema(this.doc).config, running.config, `revision ${running.info.number}`);
      if (r.ok) {
        this.doc = r.config as unknown as JsonObject;
        this.base = running;
      }
    }
    return this.doc;
  }

  /**
   * Applies one edit to a copy of the candidate and keeps it when the schema
   * check finds no new issue where the gate looks: 'under' the path the edit
   * returns, 'all' anywhere (load replace), 'none' nowhere.
   */
  private edit(apply: (doc: JsonObject) => string | undefined, gate: 'under' | 'all' | 'none'): void {
    const before = this.current();
    const work = clone(before);
    const target = apply(work);
    const { config, issues } = checkSchema(work);
    if (gate !== 'none') {
      const fresh = issues.filter((i) => (gate === 'all' || !this.schemaIssues.has(formatIssue(i))) && isUnder(i, target ?? ''));
      if (fresh.length > 0) throw validationError(fresh, 'refused');
    }
    if (!this.base) this.base = this.host.running();
    // A document the schema accepts is kept in its checked form (canonical
    // names, defaults spelt out); one with issues is kept as written.
    this.doc = issues.length === 0 ? (config as unknown as JsonObject) : work;
    this.schemaIssues = new Set(issues.map(formatIssue));
  }
}
