/**
 * A candidate made from an older running configuration, carried onto the
 * newer one: the changes the session made (its diff against the revision it
 * started from) are replayed onto what runs now. Where someone else changed
 * the same place meanwhile, differently, nothing is guessed: every such
 * path is a conflict.
 */
import { checkSchema, type Config, type ConfigIssue } from '../config';
import { diffConfigs } from './diff';
import { deletePath, reorderList, setPath } from './edit';
import { clone, deepEqual, type JsonObject } from './json';
import { pathsOverlap } from './path';
import type { DiffLine } from './types';

export type RebaseResult = { ok: true; config: Config } | { ok: false; conflicts: ConfigIssue[] };

function sameEffect(a: DiffLine, b: DiffLine): boolean {
  return a.op === b.op && !!a.order === !!b.order && a.path === b.path && deepEqual(a.to, b.to);
}

/** `ports[x]` is an item of the list `ports`. */
function isItemOf(path: string, list: string): boolean {
  return path.startsWith(list) && /^\[[^\]]+\]$/.test(path.slice(list.length));
}

/**
 * A reorder touches the list's membership and order only: it clashes with
 * another reorder, with items added to or removed from that list, and with
 * a change of the list (or what holds it) as a whole.
 */
function clashes(mine: DiffLine, theirs: DiffLine): boolean {
  if (sameEffect(mine, theirs)) return false;
  if (mine.order || theirs.order) {
    const [o, other] = mine.order ? [mine, theirs] : [theirs, mine];
    if (other.order) return other.path === o.path;
    if (other.op !== '~' && isItemOf(other.path, o.path)) return true;
    return o.path === other.path || o.path.startsWith(`${other.path}.`) || o.path.startsWith(`${other.path}[`);
  }
  return pathsOverlap(mine.path, theirs.path);
}

/**
 * `candidate` was edited from `base`; `running` is what runs now. Returns
 * the candidate's changes applied onto `running`, or the conflicting paths.
 */
export function rebase(base: Config, candidate: Config, running: Config, by: string): RebaseResult {
  const mine = diffConfigs(base, candidate);
  const theirs = diffConfigs(base, running);
  const conflicts: ConfigIssue[] = [];
  for (const m of mine) {
    const t = theirs.find((x) => clashes(m, x));
    if (t) conflicts.push({ path: m.path, message: `changed by ${by} since this candidate was made (${t.op} ${t.path}); discard it and edit again` });
  }
  if (conflicts.length > 0) return { ok: false, conflicts };

  const doc = clone(running) as unknown as JsonObject;
  for (const m of mine) {
    if (m.order || theirs.some((t) => sameEffect(m, t))) continue;
    if (m.op === '-') deletePath(doc, m.path, { missingOk: true });
    else setPath(doc, m.path, m.to, { exclusiveOneof: false });
  }
  for (const m of mine) if (m.order) reorderList(doc, m.path, m.to as unknown[]);
  return { ok: true, config: checkSchema(doc).config };
}
