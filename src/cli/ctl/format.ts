/** How ctl writes numbers, times and JSON. */

/** Counters exactly, as the fast path counts them (no rounding, no separators: grep-friendly). */
export function fmtCount(n: bigint): string {
  return n.toString();
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

/** A rate with an SI prefix and three significant digits: 950, 12.3k, 1.25G; "-" when unknown. */
export function fmtRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '-';
  let v = Math.max(0, perSecond);
  let i = 0;
  while (v >= 999.5 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  const digits = i === 0 ? (v >= 100 || v === 0 || Number.isInteger(v) ? 0 : v >= 10 ? 1 : 2) : v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)}${SI[i]}`;
}

/** Unix ms to ISO 8601 UTC without milliseconds; "-" for 0 (never). */
export function fmtTime(ms: bigint | number): string {
  const n = Number(ms);
  if (n === 0) return '-';
  return new Date(n).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 'LINK_STATE_UP' -> 'up', 'DATAPLANE_RUN_STATE_RUNNING' -> 'running' (the prefix is the enum's name). */
export function enumWord(value: string, prefix: string): string {
  const short = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  return short.toLowerCase().replace(/_/g, '-');
}

/**
 * JSON for scripts: 64-bit integers (bigint) become decimal strings, as in
 * the proto3 JSON mapping, so no counter beyond 2^53 is silently rounded.
 */
export function toJson(value: unknown, pretty: boolean): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), pretty ? 2 : undefined);
}
