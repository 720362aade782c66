/**
 * Edits of a configuration document by path: set, delete, merge, reorder.
 * The schema (proto/cix.proto, by reflection) says which fields exist, which
 * are lists of named items and which are oneof members, so that
 * `ports[cust0].mtu` finds the right place and a field given in snake_case
 * is stored under its canonical (lowerCamelCase) name. Whether the value set
 * is well-typed is not checked here: the session runs the config module's
 * schema check over the result, which names the paths.
 *
 * Every function edits the document it is given in place; callers edit a
 * copy and keep it only when the edit was accepted.
 */
import * as protobuf from 'protobufjs';

import { messageType } from '../config/proto';
import { TxnError } from './errors';
import { clone, isMapping, type JsonObject } from './json';
import { formatPath, parsePath, type PathSegment } from './path';

const fieldIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** A field by any name it answers to: canonical, JSON or .proto (snake_case). */
export function fieldByKey(type: protobuf.Type, key: string): protobuf.Field | undefined {
  let m = fieldIndex.get(type);
  if (!m) {
    m = new Map();
    for (const f of type.fieldsArray) for (const k of [f.name, f.jsonName, f.protoName]) if (k) m.set(k, f);
    fieldIndex.set(type, m);
  }
  return m.get(key);
}

export function configType(): protobuf.Type {
  return messageType('Config');
}

function messageOf(f: protobuf.Field): protobuf.Type | undefined {
  return f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
}

/** A list of messages that have a `name`: items are selected by name. */
export function isNamedList(f: protobuf.Field): boolean {
  const t = messageOf(f);
  return f.repeated && t !== undefined && t.fields.name !== undefined;
}

/** The other members of the (real, not proto3-optional) oneof `f` belongs to. */
function oneofSiblings(f: protobuf.Field): protobuf.Field[] {
  const o = f.partOf;
  if (!o || o.isProto3Optional) return [];
  return o.fieldsArray.filter((g) => g !== f);
}

function pathError(path: string, message: string): TxnError {
  return new TxnError('TXN_PATH', `${path}: ${message}`, { issues: [{ path, message }] });
}

/**
 * A value with every known key renamed to its canonical field name, all the
 * way down, so that the document never holds `xdp_mode` next to `xdpMode`.
 * Unknown keys stay as they are (the schema check reports them); a key
 * whose canonical name is already taken stays too (reported as given twice).
 */
export function canonicalKeys(type: protobuf.Type, value: unknown): unknown {
  if (!isMapping(value)) return clone(value);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const f = fieldByKey(type, k);
    const key = f && !(f.name in out) ? f.name : k;
    out[key] = f ? canonicalFieldValue(f, v) : clone(v);
  }
  return out;
}

function canonicalFieldValue(f: protobuf.Field, v: unknown): unknown {
  const t = messageOf(f);
  if (!t) return clone(v);
  if (f.repeated && Array.isArray(v)) return v.map((item) => canonicalKeys(t, item));
  return f.repeated ? clone(v) : canonicalKeys(t, v);
}

/** Where a path leads in a document. */
interface Target {
  /** The object holding the field, or the list holding the item. */
  holder: JsonObject | unknown[];
  key: string | number;
  /** The field the target belongs to (for a list item: the list's field). */
  field: protobuf.Field;
  /** The message object that holds `field`. */
  owner: JsonObject;
  /** The name in brackets, when the target is an item of a named list. */
  itemName: string | undefined;
  /** The path as the config checker writes it (`attachments[3].vlan`). */
  indexPath: string;
  exists: boolean;
}

/**
 * Walks a path through a document. With `create`, missing mappings and named
 * items on the way are created (`set`); without it, undefined comes back when
 * the path names nothing. A path the schema does not allow throws TXN_PATH.
 */
function resolve(doc: JsonObject, segs: readonly PathSegment[], create: boolean): Target | undefined {
  let obj = doc;
  let type = configType();
  let indexPath = '';
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    const shown = formatPath(segs.slice(0, i + 1));
    const f = fieldByKey(type, seg.field);
    if (!f) {
      const names = type.fieldsArray.map((g) => g.name).join(', ');
      throw pathError(shown, `unknown field "${seg.field}" (expected ${names})`);
    }
    const key = f.name;
    const fieldPath = indexPath ? `${indexPath}.${key}` : key;
    if (seg.select) {
      if (!f.repeated) throw pathError(shown, `${key} is not a list; nothing to select with [...]`);
      let list = obj[key];
      if (list === undefined || list === null) {
        if (!create) return undefined;
        obj[key] = list = [];
      }
      if (!Array.isArray(list)) throw pathError(shown, `${key} is not a list in the candidate`);
      let idx: number;
      let itemName: string | undefined;
      if ('index' in seg.select) {
        idx = seg.select.index;
        const appending = create && last && idx === list.length;
        if (idx >= list.length && !appending) {
          if (!create) return undefined;
          throw pathError(shown, `${key} has ${list.length} items; position ${idx} is past the end`);
        }
      } else {
        if (!isNamedList(f)) throw pathError(shown, `items of ${key} have no name; select one by position (${key}[0])`);
        const name = seg.select.name;
        itemName = name;
        idx = list.findIndex((item) => isMapping(item) && item.name === name);
        if (idx < 0) {
          if (!create) return undefined;
          idx = list.length;
          // An item created on the way to a field of it starts as just its name.
          if (!last) list.push({ name });
        }
      }
      const itemPath = `${fieldPath}[${idx}]`;
      if (last) return { holder: list, key: idx, field: f, owner: obj, itemName, indexPath: itemPath, exists: idx < list.length };
      const t = messageOf(f);
      const item: unknown = list[idx];
      if (!t) throw pathError(shown, `items of ${key} are plain values; nothing lies under them`);
      if (!isMapping(item)) throw pathError(shown, `${shown} is not a mapping in the candidate`);
      obj = item;
      type = t;
      indexPath = itemPath;
      continue;
    }
    if (last) return { holder: obj, key, field: f, owner: obj, itemName: undefined, indexPath: fieldPath, exists: obj[key] !== undefined };
    if (f.repeated) {
      const how = isNamedList(f) ? `${key}[NAME]` : `${key}[0]`;
      throw pathError(shown, `${key} is a list; select an item (${how})`);
    }
    const t = messageOf(f);
    if (!t) throw pathError(shown, `${key} is a plain value; nothing lies under it`);
    let next = obj[key];
    if (next === undefined || next === null) {
      if (!create) return undefined;
      obj[key] = next = {};
      for (const g of oneofSiblings(f)) delete obj[g.name];
    }
    if (!isMapping(next)) throw pathError(shown, `${shown} is not a mapping in the candidate`);
    obj = next;
    type = t;
    indexPath = fieldPath;
  }
  // parsePath never returns an empty list.
  throw pathError('', 'empty path');
}

export interface EditOptions {
  /**
   * Setting a member of a oneof removes the others (`set ...untagged {}`
   * turns a VLAN attachment into an untagged one). Off when replaying a diff,
   * whose lines say themselves what goes.
   */
  exclusiveOneof?: boolean;
}

/** `set PATH VALUE`; returns the path of what was set as the config checker writes it. */
export function setPath(doc: JsonObject, path: string, value: unknown, opts: EditOptions = {}): string {
  const segs = parsePath(path);
  const t = resolve(doc, segs, true)!;
  if (Array.isArray(t.holder)) {
    const elem = messageOf(t.field);
    let v = elem ? canonicalKeys(elem, value) : clone(value);
    if (t.itemName !== undefined && isMapping(v)) {
      if (v.name !== undefined && v.name !== t.itemName) {
        throw pathError(formatPath(segs), `the value is named ${JSON.stringify(v.name)}, the path [${t.itemName}]`);
      }
      v = { name: t.itemName, ...v };
    }
    t.holder[t.key as number] = v;
  } else {
    t.holder[t.key as string] = canonicalFieldValue(t.field, value);
    if (opts.exclusiveOneof !== false) for (const g of oneofSiblings(t.field)) delete t.owner[g.name];
  }
  return t.indexPath;
}

/**
 * `delete PATH`: removes a field or a list item. A path that names nothing is
 * TXN_PATH, unless `missingOk` (replaying a diff onto a document where it is
 * already gone).
 */
export function deletePath(doc: JsonObject, path: string, opts: { missingOk?: boolean } = {}): string | undefined {
  const segs = parsePath(path);
  const t = resolve(doc, segs, false);
  if (!t || !t.exists) {
    if (opts.missingOk) return undefined;
    throw pathError(formatPath(segs), 'names nothing in the candidate');
  }
  if (Array.isArray(t.holder)) t.holder.splice(t.key as number, 1);
  else delete t.holder[t.key as string];
  return t.indexPath;
}

/**
 * `load merge`: the source's fields replace the document's, mappings are
 * merged recursively, items of named lists are merged by name (new names
 * appended), other lists are replaced.
 */
export function mergeInto(doc: JsonObject, source: JsonObject, type: protobuf.Type = configType()): void {
  const src = canonicalKeys(type, source) as JsonObject;
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    const f = fieldByKey(type, k);
    const t = f ? messageOf(f) : undefined;
    const cur = doc[k];
    if (f && t && isNamedList(f) && Array.isArray(v) && Array.isArray(cur)) {
      for (const item of v) {
        const idx = isMapping(item) ? cur.findIndex((c) => isMapping(c) && c.name === item.name) : -1;
        const target: unknown = idx >= 0 ? cur[idx] : undefined;
        if (isMapping(item) && isMapping(target)) mergeInto(target, item, t);
        else cur.push(clone(item));
      }
    } else if (f && t && !f.repeated && isMapping(v) && isMapping(cur)) {
      mergeInto(cur, v, t);
    } else {
      doc[k] = clone(v);
    }
    // The source chose this member of a oneof: the document's other choice goes.
    if (f) for (const g of oneofSiblings(f)) if (!(g.name in src)) delete doc[g.name];
  }
}

/**
 * Puts the items of the named list at `path` in the order of `names`; items
 * not named keep their relative order after them.
 */
export function reorderList(doc: JsonObject, path: string, names: readonly unknown[]): void {
  const segs = parsePath(path);
  const t = resolve(doc, segs, false);
  if (!t || Array.isArray(t.holder)) return;
  const list = t.holder[t.key as string];
  if (!Array.isArray(list)) return;
  const rank = new Map<unknown, number>(names.map((n, i) => [n, i]));
  const at = (item: unknown): number => (isMapping(item) ? (rank.get(item.name) ?? names.length) : names.length);
  const sorted = list.map((item, i) => ({ item, i })).sort((a, b) => at(a.item) - at(b.item) || a.i - b.i);
  t.holder[t.key as string] = sorted.map((s) => s.item);
}
