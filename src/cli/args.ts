/** Command-line argument helpers: errors here are usage errors (exit code 2). */
export class UsageError extends Error {
  readonly code = 'CIX_USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** "--in cust0=cust.pcap" values into a port -> file map; each port at most once. */
export function parsePortFiles(values: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) throw new UsageError(`${flag} ${v}: expected PORT=FILE`);
    const port = v.slice(0, eq);
    if (port in out) throw new UsageError(`${flag} ${v}: port "${port}" given twice`);
    out[port] = v.slice(eq + 1);
  }
  return out;
}

export function parseIntArg(value: string | undefined, flag: string, lo: number, hi: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} ${value}: expected an integer ${lo}-${hi}`);
  const n = Number(value);
  if (n < lo || n > hi) throw new UsageError(`${flag} ${value}: expected an integer ${lo}-${hi}`);
  return n;
}
