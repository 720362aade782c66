/**
 * The grammar of ctl commands: words in, a typed command out, or a usage
 * error naming what is wrong. Parsing sends nothing, so a script with a
 * typo on line 9 is refused before line 1 runs.
 */
import { usage } from './errors';
import type { Words } from './words';

export const SHOW_TARGETS = [
  'config',
  'running',
  'candidate',
  'diff',
  'revisions',
  'counters',
  'attachments',
  'ports',
  'services',
  'drops',
  'dataplane',
  'sa',
  'system',
  'whoami',
] as const;
export type ShowTarget = (typeof SHOW_TARGETS)[number];

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type RoleName = (typeof ROLES)[number];

/**
 * Commit-confirmed without a number: 10 minutes, as Junos and the transaction
 * manager's default (the protocol has no "the server's default", so ctl sends it).
 */
export const DEFAULT_CONFIRM_SECONDS = 600;

export interface LoadSpec {
  file: string;
  merge: boolean;
}

export type CtlCommand =
  | { kind: 'show'; what: ShowTarget; revision?: number }
  | { kind: 'set'; path: string; value: string }
  | { kind: 'delete'; path: string }
  | { kind: 'load'; load: LoadSpec }
  | { kind: 'validate' }
  | { kind: 'discard' }
  | {
      kind: 'commit';
      confirmedSeconds: number | undefined;
      comment: string;
      /** Edits made in the same session right before the commit (--set, --delete, --load). */
      edits: Array<{ kind: 'set'; path: string; value: string } | { kind: 'delete'; path: string } | { kind: 'load'; load: LoadSpec }>;
    }
  | { kind: 'rollback'; revision: number; comment: string }
  | { kind: 'compare'; from: number; to: number }
  | { kind: 'clear-counters' }
  | { kind: 'watch'; intervalMs: number; count: number | undefined }
  | { kind: 'token-create'; user: string; role: RoleName; ttlSeconds: number }
  | { kind: 'token-revoke'; id: string }
  | { kind: 'token-list' }
  | { kind: 'ping' };

export const COMMAND_HELP = `commands (one per invocation, or one per line with -f FILE / -f -):
  show config [N] | running | candidate | diff | revisions | counters | attachments | ports
       | services | drops | dataplane | sa | system | whoami
  set PATH VALUE            e.g. set ports[cust0].mtu 9000; VALUE is JSON or a bare word
  delete PATH               e.g. delete attachments[cust0-300]
  load FILE [--merge]       a YAML/JSON document replaces (or merges into) the candidate
  validate                  check the candidate; one line per issue with its path
  discard                   drop the candidate's edits
  commit [confirmed [N]] [comment TEXT...] [--set PATH=VALUE]... [--delete PATH]... [--load FILE [--merge]]
                            edits given here are made in the same session, then committed;
                            confirmed: rolled back after N seconds (default 600) unless a
                            plain commit confirms it
  rollback N [comment TEXT...]
  compare N M               what changed from revision N to M
  clear counters            resets the display baseline (exported metrics never move)
  watch [counters] [--interval S] [--count N]
  token create USER viewer|operator|admin [--ttl SECONDS] | token revoke ID | token list
  ping`;

function revisionNumber(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d{1,9}$/.test(text) || Number(text) < 1) {
    throw usage(`${what}: expected a revision number (1, 2, ...), got ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return Number(text);
}

function positiveInt(text: string | undefined, what: string, max: number): number {
  if (text === undefined || !/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw usage(`${what}: expected a whole number 1-${max}, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return Number(text);
}

function noMore(w: Words, from: number, command: string): void {
  if (w.list.length > from) throw usage(`${command}: unexpected "${w.list[from]}"`);
}

function parseShow(w: Words): CtlCommand {
  const what = w.list[1];
  if (what === undefined) throw usage(`show: what? (${SHOW_TARGETS.join(', ')})`);
  if (!(SHOW_TARGETS as readonly string[]).includes(what)) {
    throw usage(`show ${what}: unknown; one of ${SHOW_TARGETS.join(', ')}`);
  }
  if (what === 'config' && w.list.length > 2) {
    noMore(w, 3, 'show config N');
    return { kind: 'show', what, revision: revisionNumber(w.list[2], 'show config N') };
  }
  noMore(w, 2, `show ${what}`);
  return { kind: 'show', what: what as ShowTarget };
}

function pathArg(w: Words, i: number, command: string): string {
  const p = w.list[i];
  if (p === undefined) throw usage(`${command}: PATH expected (e.g. ports[cust0].mtu)`);
  return p;
}

/** `PATH=VALUE` of commit --set; the value may hold '=' itself. */
function splitAssignment(text: string | undefined): { path: string; value: string } {
  const eq = text?.indexOf('=') ?? -1;
  if (text === undefined || eq <= 0) throw usage(`commit --set: expected PATH=VALUE, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  return { path: text.slice(0, eq), value: text.slice(eq + 1) };
}

function parseCommit(w: Words): CtlCommand {
  let confirmedSeconds: number | undefined;
  let comment = '';
  const edits: Extract<CtlCommand, { kind: 'commit' }>['edits'] = [];
  let merge = false;
  let i = 1;
  while (i < w.list.length) {
    const word = w.list[i];
    if (word === 'confirmed') {
      if (confirmedSeconds !== undefined) throw usage('commit: "confirmed" given twice');
      const n = w.list[i + 1];
      if (n !== undefined && /^\d+$/.test(n)) {
        confirmedSeconds = positiveInt(n, 'commit confirmed N (seconds)', 86_400);
        i += 2;
      } else {
        confirmedSeconds = DEFAULT_CONFIRM_SECONDS;
        i += 1;
      }
    } else if (word === 'comment') {
      comment = w.rest(i + 1);
      if (comment === '') throw usage('commit comment: TEXT expected');
      break; // the comment is the rest of the line
    } else if (word === '--set') {
      edits.push({ kind: 'set', ...splitAssignment(w.list[i + 1]) });
      i += 2;
    } else if (word === '--delete') {
      edits.push({ kind: 'delete', path: pathArg(w, i + 1, 'commit --delete') });
      i += 2;
    } else if (word === '--load') {
      const file = w.list[i + 1];
      if (file === undefined) throw usage('commit --load: FILE expected');
      edits.push({ kind: 'load', load: { file, merge: false } });
      i += 2;
    } else if (word === '--merge') {
      merge = true;
      i += 1;
    } else {
      throw usage(`commit: unexpected "${word}" (commit [confirmed [N]] [comment TEXT...])`);
    }
  }
  const loads = edits.filter((e) => e.kind === 'load');
  if (merge && loads.length === 0) throw usage('commit --merge: only with --load FILE');
  for (const e of loads) e.load.merge = merge;
  return { kind: 'commit', confirmedSeconds, comment, edits };
}

function parseWatch(w: Words): CtlCommand {
  let intervalMs = 1000;
  let count: number | undefined;
  let i = 1;
  if (w.list[i] === 'counters') i++;
  while (i < w.list.length) {
    const word = w.list[i];
    const value = w.list[i + 1];
    if (word === '--interval') {
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || Number(value) < 0.1 || Number(value) > 3600) {
        throw usage(`watch --interval: expected seconds 0.1-3600, got ${value === undefined ? 'nothing' : `"${value}"`}`);
      }
      intervalMs = Math.round(Number(value) * 1000);
    } else if (word === '--count') {
      count = positiveInt(value, 'watch --count', 1_000_000);
    } else {
      throw usage(`watch: unexpected "${word}" (watch [counters] [--interval S] [--count N])`);
    }
    i += 2;
  }
  return { kind: 'watch', intervalMs, count };
}

function parseToken(w: Words): CtlCommand {
  const sub = w.list[1];
  if (sub === 'list') {
    noMore(w, 2, 'token list');
    return { kind: 'token-list' };
  }
  if (sub === 'revoke') {
    const id = w.list[2];
    if (id === undefined) throw usage('token revoke: ID expected (see token list)');
    noMore(w, 3, 'token revoke');
    return { kind: 'token-revoke', id };
  }
  if (sub === 'create') {
    const user = w.list[2];
    const role = w.list[3];
    if (user === undefined || role === undefined) throw usage('token create: USER and ROLE expected (viewer, operator, admin)');
    if (!(ROLES as readonly string[]).includes(role)) throw usage(`token create: role "${role}" unknown; one of ${ROLES.join(', ')}`);
    let ttlSeconds = 0;
    if (w.list.length > 4) {
      if (w.list[4] !== '--ttl') throw usage(`token create: unexpected "${w.list[4]}"`);
      ttlSeconds = positiveInt(w.list[5], 'token create --ttl (seconds)', 4_294_967_295);
      noMore(w, 6, 'token create');
    }
    return { kind: 'token-create', user, role: role as RoleName, ttlSeconds };
  }
  throw usage('token: create, revoke or list');
}

export function parseCommand(w: Words): CtlCommand {
  const [verb] = w.list;
  switch (verb) {
    case 'show':
      return parseShow(w);
    case 'set': {
      const path = pathArg(w, 1, 'set');
      const value = w.rest(2);
      if (value === '') throw usage(`set ${path}: VALUE expected (JSON, or a bare word taken as a string)`);
      return { kind: 'set', path, value };
    }
    case 'delete':
      noMore(w, 2, 'delete');
      return { kind: 'delete', path: pathArg(w, 1, 'delete') };
    case 'load': {
      const file = w.list[1];
      if (file === undefined) throw usage('load: FILE expected');
      const merge = w.list[2] === '--merge';
      noMore(w, merge ? 3 : 2, 'load');
      return { kind: 'load', load: { file, merge } };
    }
    case 'validate':
    case 'discard':
    case 'ping':
      noMore(w, 1, verb);
      return { kind: verb };
    case 'commit':
      return parseCommit(w);
    case 'rollback': {
      const revision = revisionNumber(w.list[1], 'rollback N');
      let comment = '';
      if (w.list.length > 2) {
        if (w.list[2] !== 'comment') throw usage(`rollback: unexpected "${w.list[2]}" (rollback N [comment TEXT...])`);
        comment = w.rest(3);
        if (comment === '') throw usage('rollback comment: TEXT expected');
      }
      return { kind: 'rollback', revision, comment };
    }
    case 'compare': {
      const from = revisionNumber(w.list[1], 'compare N M');
      const to = revisionNumber(w.list[2], 'compare N M');
      noMore(w, 3, 'compare');
      return { kind: 'compare', from, to };
    }
    case 'clear':
      if (w.list[1] !== 'counters') throw usage('clear: only "clear counters"');
      noMore(w, 2, 'clear counters');
      return { kind: 'clear-counters' };
    case 'watch':
      return parseWatch(w);
    case 'token':
      return parseToken(w);
    case undefined:
      throw usage('a command is expected (try: cix ctl help)');
    default:
      throw usage(`unknown command "${verb}" (try: cix ctl help)`);
  }
}
