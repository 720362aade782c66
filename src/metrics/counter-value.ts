/**
 * Counters arrive as bigint (u64 in the fast path); the Prometheus text format
 * carries float64. Number(bigint) rounds to the nearest double (ties to
 * even): exact up to 2^53 (9.007e15, about 2.3 years of a 100 Gbit/s port in
 * bytes), beyond that off by less than one part in 2^53. Rounding to nearest
 * is monotonic (a <= b implies Number(a) <= Number(b)), so a counter that
 * never goes backwards as a bigint never goes backwards as exported either;
 * rate() over such values stays accurate to that relative precision.
 */
export function counterValue(value: bigint): number {
  // A negative count would be a bug upstream; prom-client would throw on it
  // mid-scrape, so clamp instead of failing every metric of the scrape.
  return value < 0n ? 0 : Number(value);
}
