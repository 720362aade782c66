/**
 * The path syntax of set/delete: dotted field names, list items selected by
 * name in brackets (or by position, for lists of plain values):
 *
 *     ports[cust0].mtu
 *     attachments[cust0-100].vlan.outer.vid
 *     services[svc1].xconnect.endpoints[1]
 *     dataplane.workers
 *
 * and the value syntax of set: JSON (`100`, `"x"`, `{"port": "cust0"}`), or a
 * bare word taken as a string (`afxdp`, `0x88a8`). Parsing only; what a
 * path leads to in a document is edit.ts's business.
 */
import { TxnError } from './errors';

export type Selector = { name: string } | { index: number };

export interface PathSegment {
  /** A field name as written (lowerCamelCase or snake_case). */
  field: string;
  /** The item of a list this segment selects, if any. */
  select?: Selector;
}

/** Paths are short; this bounds the work a hostile one can cause. */
export const MAX_PATH_LENGTH = 1024;

const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

function pathError(path: string, message: string): TxnError {
  return new TxnError('TXN_PATH', `${path || '(empty path)'}: ${message}`, { issues: [{ path, message }] });
}

export function parsePath(text: string): PathSegment[] {
  const path = text.trim();
  if (path === '') throw pathError(path, 'empty path (expected e.g. ports[cust0].mtu)');
  if (path.length > MAX_PATH_LENGTH) throw pathError(path.slice(0, 40) + '…', `longer than ${MAX_PATH_LENGTH} characters`);
  const segs: PathSegment[] = [];
  let rest = path;
  for (;;) {
    const m = FIELD_RE.exec(rest);
    if (!m) throw pathError(path, `expected a field name at "${rest.slice(0, 20)}"`);
    const seg: PathSegment = { field: m[0] };
    rest = rest.slice(m[0].length);
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      const inner = close < 0 ? '' : rest.slice(1, close);
      if (close < 0) throw pathError(path, `"[" without "]" after ${m[0]}`);
      if (inner === '' || /[[\s]/.test(inner)) throw pathError(path, `"[${inner}]" is not an item name or position`);
      seg.select = /^[0-9]+$/.test(inner) ? { index: Number(inner) } : { name: inner };
      rest = rest.slice(close + 1);
    }
    segs.push(seg);
    if (rest === '') return segs;
    if (!rest.startsWith('.')) throw pathError(path, `expected "." or "[" at "${rest.slice(0, 20)}"`);
    rest = rest.slice(1);
  }
}

export function formatSegment(seg: PathSegment): string {
  if (!seg.select) return seg.field;
  return `${seg.field}[${'name' in seg.select ? seg.select.name : seg.select.index}]`;
}

export function formatPath(segs: readonly PathSegment[]): string {
  return segs.map(formatSegment).join('.');
}

/** True when path `a` is `b` or lies under it, or the other way round. */
export function pathsOverlap(a: string, b: string): boolean {
  const under = (p: string, q: string): boolean => p.startsWith(q) && (p.length === q.length || p[q.length] === '.' || p[q.length] === '[');
  return under(a, b) || under(b, a);
}

/**
 * The value of `set PATH VALUE` as typed: JSON when it parses as JSON,
 * otherwise the text as a string (a bare word). Text that starts like a JSON
 * object, list or string but does not parse is refused rather than stored
 * as a string by accident.
 */
export function parseSetValue(text: string): unknown {
  const t = text.trim();
  try {
    return JSON.parse(t) as unknown;
  } catch {
    if (/^[[{"]/.test(t)) {
      // The parser's message quotes the text, which may be a secret: say what is wrong without it.
      const message = `invalid JSON value (starts with ${t[0]} but is not JSON)`;
      throw new TxnError('TXN_VALIDATION', message, { issues: [{ path: '', message }] });
    }
    return t;
  }
}
