/**
 * Differences between two configurations, walked by the schema so that
 * items of named lists are matched by name (`attachments[cust-a].vlan.outer.vid`)
 * whatever their position, and a change of position (an id in the fast
 * path) is a line of its own. diffConfigs gives the raw lines (values in
 * clear, for rebasing a candidate); presentDiff masks secrets and writes the
 * text people read.
 */
import * as protobuf from 'protobufjs';

import type { Config } from '../config';
import { maskAt } from '../config/secrets';
import { configType, isNamedList } from './edit';
import { deepEqual, isMapping, type JsonObject } from './json';
import type { ConfigDiff, DiffLine } from './types';

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Names that can select their item in a path: every item a mapping with a
 * name, unique, that brackets can hold and that does not read as a position.
 */
function usableNames(list: readonly unknown[]): string[] | undefined {
  const names: string[] = [];
  for (const item of list) {
    const name = isMapping(item) ? item.name : undefined;
    if (typeof name !== 'string' || name === '' || /^[0-9]+$/.test(name) || /[[\]\s]/.test(name)) return undefined;
    names.push(name);
  }
  return new Set(names).size === names.length ? names : undefined;
}

function hasPresence(f: protobuf.Field): boolean {
  return !f.repeated && (f.partOf !== null || f.resolvedType instanceof protobuf.Type);
}

function isZero(f: protobuf.Field, v: unknown): boolean {
  if (f.repeated) return Array.isArray(v) && v.length === 0;
  if (f.resolvedType instanceof protobuf.Enum) return v === f.resolvedType.valuesById[0];
  return v === '' || v === 0 || v === false;
}

/**
 * A message value without the fields that only hold their zero (the checked
 * form spells them all out): `{"name":"p9"}` rather than every empty field.
 * Fields with presence are kept, zero or not (`pcp: 0` is a choice).
 */
function compact(type: protobuf.Type, v: unknown): unknown {
  if (!isMapping(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    const f = type.fields[k];
    const t = f?.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    if (f && !hasPresence(f) && isZero(f, x)) continue;
    out[k] = t && f ? (f.repeated && Array.isArray(x) ? x.map((i) => compact(t, i)) : compact(t, x)) : x;
  }
  return out;
}

class Differ {
  readonly lines: DiffLine[] = [];

  message(type: protobuf.Type, path: string, a: JsonObject, b: JsonObject): void {
    const known = new Set<string>();
    for (const f of type.fieldsArray) {
      known.add(f.name);
      this.field(f, join(path, f.name), a[f.name], b[f.name]);
    }
    // Keys the schema does not know (only in documents that failed the check).
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!known.has(k)) this.value(join(path, k), a[k], b[k]);
    }
  }

  private value(path: string, a: unknown, b: unknown, t?: protobuf.Type): void {
    if (deepEqual(a, b)) return;
    if (a === undefined) this.lines.push({ op: '+', path, to: t ? compact(t, b) : b });
    else if (b === undefined) this.lines.push({ op: '-', path, from: t ? compact(t, a) : a });
    else this.lines.push({ op: '~', path, from: a, to: b });
  }

  // Lists and messages are walked without comparing them whole first: on a
  // large configuration that would serialize every subtree once per level.
  private field(f: protobuf.Field, path: string, a: unknown, b: unknown): void {
    const t = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    if (t && isNamedList(f) && Array.isArray(a) && Array.isArray(b)) {
      const an = usableNames(a);
      const bn = usableNames(b);
      if (an && bn) return this.namedList(t, path, a as JsonObject[], an, b as JsonObject[], bn);
    }
    if (t && !f.repeated && isMapping(a) && isMapping(b)) return this.message(t, path, a, b);
    this.value(path, a, b, t && !f.repeated ? t : undefined);
  }

  private namedList(t: protobuf.Type, path: string, a: JsonObject[], an: string[], b: JsonObject[], bn: string[]): void {
    const inA = new Map(an.map((n, i) => [n, a[i]!]));
    const inB = new Set(bn);
    an.forEach((n, i) => {
      if (!inB.has(n)) this.lines.push({ op: '-', path: `${path}[${n}]`, from: compact(t, a[i]) });
    });
    bn.forEach((n, i) => {
      const old = inA.get(n);
      if (old) this.message(t, `${path}[${n}]`, old, b[i]!);
      else this.lines.push({ op: '+', path: `${path}[${n}]`, to: compact(t, b[i]) });
    });
    // Where the items would be if only the lines above were applied: kept
    // ones in their old order, new ones appended. Anything else is a reorder.
    const expected = [...an.filter((n) => inB.has(n)), ...bn.filter((n) => !inA.has(n))];
    if (expected.some((n, i) => n !== bn[i])) this.lines.push({ op: '~', path, from: an, to: bn, order: true });
  }
}

/** Every difference from `a` to `b`, values in clear. */
export function diffConfigs(a: Config, b: Config): DiffLine[] {
  const d = new Differ();
  d.message(configType(), '', a as unknown as JsonObject, b as unknown as JsonObject);
  return d.lines;
}

function masked(line: DiffLine): DiffLine {
  const out: DiffLine = { op: line.op, path: line.path };
  if ('from' in line) out.from = maskAt(line.path, line.from);
  if ('to' in line) out.to = maskAt(line.path, line.to);
  if (line.order) out.order = true;
  return out;
}

/** `attachments[cust-a].vlan` -> ['attachments[cust-a]', 'vlan']; `ports[x]` -> ['ports', '[x]']. */
function splitLast(path: string): { parent: string; last: string } {
  if (path.endsWith(']')) {
    const open = path.lastIndexOf('[');
    return { parent: path.slice(0, open), last: path.slice(open) };
  }
  const dot = path.lastIndexOf('.');
  return dot < 0 ? { parent: '', last: path } : { parent: path.slice(0, dot), last: path.slice(dot + 1) };
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? 'null';
}

/**
 * Junos `show | compare` style: a `[edit PARENT]` header per place, then
 * `-` for what goes and `+` for what comes.
 */
function diffText(lines: readonly DiffLine[]): string {
  const out: string[] = [];
  let header: string | undefined;
  for (const l of lines) {
    const { parent, last } = splitLast(l.path);
    const h = parent ? `[edit ${parent}]` : '[edit]';
    if (h !== header) out.push((header = h));
    if (l.order) {
      const names = (v: unknown): string => (Array.isArray(v) ? v.join(' ') : show(v));
      out.push(`-   ${last} (order) ${names(l.from)}`, `+   ${last} (order) ${names(l.to)}`);
      continue;
    }
    if (l.op !== '+') out.push(`-   ${last} ${show(l.from)}`);
    if (l.op !== '-') out.push(`+   ${last} ${show(l.to)}`);
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The lines with secrets masked, and their text. */
export function presentDiff(lines: readonly DiffLine[]): ConfigDiff {
  const safe = lines.map(masked);
  return { lines: safe, text: diffText(safe) };
}

export function compareConfigs(a: Config, b: Config): ConfigDiff {
  return presentDiff(diffConfigs(a, b));
}
