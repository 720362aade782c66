/**
 * Structural check of a parsed document against proto/cix.proto, by
 * reflection: the .proto is the only place that says which fields exist and
 * what type they have, so a new field needs no change here.
 *
 * Accepts what proto3 JSON parsers accept (lowerCamelCase or snake_case
 * names, enums by name or number, null for "default"), plus what YAML users
 * write: integers as "0x88a8" strings, enums by short lower-case name
 * ("afxdp"), an empty message as a bare key (`untagged:`).
 *
 * Returns the checked form described by src/config/generated.ts and every
 * structural issue; it never stops at the first.
 */
import * as protobuf from 'protobufjs';

import type { ConfigIssue } from './errors';
import type { Config } from './generated';
import { messageType } from './proto';
import { didYouMean } from './suggest';

export interface SchemaResult {
  /** The checked form; only trustworthy when issues is empty. */
  config: Config;
  issues: ConfigIssue[];
}

type Obj = Record<string, unknown>;

const UINT32_MAX = 0xffffffff;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function isMapping(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (ArrayBuffer.isView(v)) return 'binary data';
  if (typeof v === 'string') {
    const s = JSON.stringify(v);
    return s.length > 42 ? `${s.slice(0, 40)}…"` : s;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

// 'Driver' -> 'DRIVER', 'TrafficClass' -> 'TRAFFIC_CLASS'.
function screaming(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Decimal or 0x-hex integer, from a number or a string; undefined if it is neither. */
export function toInteger(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  let n: number;
  if (/^-?[0-9]+$/.test(s)) n = Number(s);
  else if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = parseInt(s.slice(2), 16);
  else return undefined;
  return Number.isSafeInteger(n) ? n : undefined;
}

function isRealOneof(o: protobuf.OneOf): boolean {
  // proto3 `optional` is a synthetic one-member oneof; it only tracks presence.
  return !o.isProto3Optional;
}

function hasPresence(f: protobuf.Field): boolean {
  return !f.repeated && (f.partOf !== null || f.resolvedType instanceof protobuf.Type);
}

// Keys a field answers to: its JSON name and its .proto name.
const keyIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

function keysOf(type: protobuf.Type): Map<string, protobuf.Field> {
  let m = keyIndex.get(type);
  if (!m) {
    m = new Map();
    for (const f of type.fieldsArray) {
      for (const k of [f.name, f.jsonName, f.protoName]) if (k) m.set(k, f);
    }
    keyIndex.set(type, m);
  }
  return m;
}

function reservedNames(type: protobuf.Type): string[] {
  return (type.reserved ?? []).filter((r): r is string => typeof r === 'string');
}

const fold = (s: string): string => s.toLowerCase().replace(/_/g, '');

class Checker {
  readonly issues: ConfigIssue[] = [];

  private issue(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  message(type: protobuf.Type, value: unknown, path: string): Obj {
    const out: Obj = {};
    // YAML writes an empty message as a bare key (`untagged:`), which parses as null.
    const input: unknown = value === null ? {} : value;
    if (!isMapping(input)) {
      this.issue(path, `expected a mapping, got ${describe(input)}`);
    } else {
      this.fields(type, input, path, out);
    }
    for (const f of type.fieldsArray) {
      if (Object.prototype.hasOwnProperty.call(out, f.name)) continue;
      if (f.repeated) out[f.name] = [];
      else if (!hasPresence(f)) out[f.name] = this.zero(f);
    }
    return out;
  }

  private fields(type: protobuf.Type, input: Obj, path: string, out: Obj): void {
    const index = keysOf(type);
    const given = new Map<protobuf.Field, string>();
    for (const key of Object.keys(input)) {
      const p = join(path, key);
      const v = input[key];
      // Only objects built in code hold undefined (JSON and YAML cannot): absent.
      if (v === undefined) continue;
      const f = index.get(key);
      if (!f) {
        this.issue(p, this.unknownKey(type, key));
        continue;
      }
      const prev = given.get(f);
      if (prev !== undefined) {
        this.issue(p, `the same field as "${prev}"; give it once`);
        continue;
      }
      given.set(f, key);
      // proto3 JSON: null means "default"; for a message it means "empty" (see above).
      if (v === null && !(f.resolvedType instanceof protobuf.Type && !f.repeated)) continue;
      const checked = f.repeated ? this.list(f, v, p) : this.single(f, v, p);
      if (checked !== undefined) out[f.name] = checked;
    }
    for (const o of type.oneofsArray) {
      if (!isRealOneof(o)) continue;
      const set = o.fieldsArray.filter((f) => given.has(f));
      const members = o.oneof.join(', ');
      if (set.length === 0) {
        this.issue(path, `one of ${members} is required`);
      } else if (set.length > 1) {
        const keys = set.map((f) => given.get(f)).join(' and ');
        this.issue(path, `only one of ${members} may be given, got ${keys}`);
      }
    }
  }

  private unknownKey(type: protobuf.Type, key: string): string {
    if (reservedNames(type).some((r) => fold(r) === fold(key))) {
      return 'not supported yet (reserved for a later version of cix)';
    }
    const names = type.fieldsArray.map((f) => f.name);
    const hint = didYouMean(key, names);
    return hint ? `unknown field${hint}` : `unknown field (expected ${names.join(', ')})`;
  }

  private list(f: protobuf.Field, v: unknown, path: string): unknown[] | undefined {
    if (f.map) throw new Error(`schema.ts does not check map fields (${f.fullName})`);
    if (!Array.isArray(v)) {
      this.issue(path, `expected a list, got ${describe(v)}`);
      return undefined;
    }
    const out: unknown[] = [];
    v.forEach((item, i) => {
      const checked = this.single(f, item, `${path}[${i}]`);
      if (checked !== undefined) out.push(checked);
    });
    return out;
  }

  private single(f: protobuf.Field, v: unknown, path: string): unknown {
    const rt = f.resolvedType;
    if (rt instanceof protobuf.Type) return this.message(rt, v, path);
    if (rt instanceof protobuf.Enum) return this.enumValue(rt, v, path);
    switch (f.type) {
      case 'uint32':
        return this.integer(v, path, 0, UINT32_MAX, 'an unsigned integer');
      case 'int32':
        return this.integer(v, path, INT32_MIN, INT32_MAX, 'an integer');
      case 'bool':
        if (typeof v === 'boolean') return v;
        this.issue(path, `expected true or false, got ${describe(v)}`);
        return undefined;
      case 'string':
        if (typeof v === 'string') return v;
        this.issue(
          path,
          `expected a string, got ${describe(v)}${typeof v === 'number' || typeof v === 'boolean' ? ' (put it in quotes)' : ''}`,
        );
        return undefined;
      default:
        // A new scalar type in cix.proto needs a rule here; fail loudly, never pass it unchecked.
        throw new Error(`schema.ts cannot check fields of type ${f.type} (${f.fullName})`);
    }
  }

  private integer(v: unknown, path: string, min: number, max: number, what: string): number | undefined {
    const n = toInteger(v);
    if (n === undefined || n < min || n > max) {
      this.issue(path, `expected ${what}, got ${describe(v)}`);
      return undefined;
    }
    return n;
  }

  private enumValue(e: protobuf.Enum, v: unknown, path: string): string | undefined {
    const prefix = screaming(e.name) + '_';
    const names = Object.keys(e.values);
    if (typeof v === 'string') {
      const up = v.trim().toUpperCase().replace(/-/g, '_');
      if (names.includes(up)) return up;
      if (names.includes(prefix + up)) return prefix + up;
    } else if (typeof v === 'number' && Number.isInteger(v)) {
      const name = e.valuesById[v];
      if (name !== undefined) return name;
    }
    const short = names
      .filter((n) => e.values[n] !== 0)
      .map((n) => (n.startsWith(prefix) ? n.slice(prefix.length) : n).toLowerCase());
    const hint = typeof v === 'string' ? didYouMean(v, short) : '';
    this.issue(path, `${describe(v)} is not a ${words(e.name)}; allowed: ${short.join(', ')}${hint}`);
    return undefined;
  }

  private zero(f: protobuf.Field): unknown {
    const rt = f.resolvedType;
    if (rt instanceof protobuf.Enum) return rt.valuesById[0] ?? Object.keys(rt.values)[0];
    switch (f.type) {
      case 'string':
        return '';
      case 'bool':
        return false;
      default:
        return 0;
    }
  }
}

/** Check a parsed document against cix.v1.Config. */
export function checkSchema(value: unknown): SchemaResult {
  const checker = new Checker();
  const type = messageType('Config');
  let out: Obj;
  if (value === undefined || value === null) {
    checker.issues.push({ path: '', message: 'the configuration is empty (expected ports, attachments and services)' });
    out = checker.message(type, {}, '');
  } else if (!isMapping(value)) {
    checker.issues.push({
      path: '',
      message: `the configuration must be a mapping (ports, attachments, services), got ${describe(value)}`,
    });
    out = checker.message(type, {}, '');
  } else {
    out = checker.message(type, value, '');
  }
  // The checker built `out` from the same reflection the generator turned into
  // Config (test/config/generated.test.ts keeps the two in step).
  return { config: out as unknown as Config, issues: checker.issues };
}
