/**
 * Checks a live run spec once, in TypeScript, before it reaches the addon:
 * every problem is reported with the field it is in
 * (`ports[1].interface: ...`), all of them, not only the first. The addon
 * re-checks only what it must to never crash.
 */
import type { LiveRunSpec } from '../native/binding';
import type { TablesPlan } from '../native/plan';

export interface LiveSpecIssue {
  path: string;
  message: string;
}

export class LiveSpecError extends Error {
  readonly code = 'CIX_LIVE_SPEC';
  constructor(readonly issues: LiveSpecIssue[]) {
    super(`bad live run spec: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'LiveSpecError';
  }
}

/** What the spec is checked against: the dataplane's shape and the native limits. */
export interface LiveSpecContext {
  workers: number;
  maxPorts: number;
  maxBurst: number;
  /** The published plan: every live port must be one of its ports. */
  plan: TablesPlan;
}

const DRIVERS = ['afxdp', 'afpacket'] as const;
const XDP_MODES = ['auto', 'native', 'skb'] as const;
/** IPv4 addresses a port keeps for the kernel (CIX_LIVE_MAX_ADDRS). */
const MAX_ADDRESSES = 16;
/** Port names as the configuration allows them (NAME_RE of src/config). */
const MAX_NAME = 64;
/** Linux dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or whitespace. */
const IFNAME_RE = /^[^/:\s]{1,15}$/;
/** A dotted quad as inet_pton(AF_INET) takes it: four decimal octets, no leading zeros. */
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);
/** A CPU index the kernel could have (NR_CPUS is at most 8192). */
const MAX_CPU = 8191;

function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

function checkPort(spec: LiveRunSpec, i: number, ctx: LiveSpecContext, issues: LiveSpecIssue[]): void {
  const p = spec.ports[i];
  const at = `ports[${i}]`;
  if (typeof p !== 'object' || p === null) {
    issues.push({ path: at, message: 'must be an object' });
    return;
  }
  if (!isInt(p.id, 0, ctx.maxPorts - 1)) {
    issues.push({ path: `${at}.id`, message: `must be an integer 0..${ctx.maxPorts - 1}` });
  } else if (spec.ports.findIndex((q) => q?.id === p.id) !== i) {
    issues.push({ path: `${at}.id`, message: `${p.id} is given twice` });
  } else if (!ctx.plan.ports.some((q) => q.id === p.id)) {
    issues.push({ path: `${at}.id`, message: `${p.id} is not a port of the published plan` });
  }
  if (typeof p.name !== 'string' || p.name.length === 0 || Buffer.byteLength(p.name) > MAX_NAME) {
    issues.push({ path: `${at}.name`, message: `must be a string of 1..${MAX_NAME} bytes` });
  }
  const ifname = p.interface;
  if (typeof ifname !== 'string' || !IFNAME_RE.test(ifname) || ifname === '.' || ifname === '..' || Buffer.byteLength(ifname) > 15) {
    issues.push({ path: `${at}.interface`, message: `${JSON.stringify(ifname)} is not a Linux interface name (1..15 bytes, no '/', ':' or space)` });
  } else if (spec.ports.findIndex((q) => q?.interface === ifname) !== i) {
    issues.push({ path: `${at}.interface`, message: `${ifname} is already used by another port` });
  }
  if (!(DRIVERS as readonly unknown[]).includes(p.driver)) {
    issues.push({ path: `${at}.driver`, message: `must be one of ${DRIVERS.join(', ')}` });
  }
  if (!(XDP_MODES as readonly unknown[]).includes(p.xdpMode)) {
    issues.push({ path: `${at}.xdpMode`, message: `must be one of ${XDP_MODES.join(', ')}` });
  }
  if (!Array.isArray(p.addresses)) {
    issues.push({ path: `${at}.addresses`, message: 'must be an array' });
  } else {
    if (p.addresses.length > MAX_ADDRESSES) {
      issues.push({ path: `${at}.addresses`, message: `at most ${MAX_ADDRESSES} addresses per port` });
    }
    p.addresses.forEach((a, k) => {
      if (typeof a !== 'string' || !IPV4_RE.test(a)) {
        issues.push({ path: `${at}.addresses[${k}]`, message: `${JSON.stringify(a)} is not a dotted-quad IPv4 address` });
      }
    });
  }
}

/** Every problem of the spec; [] when it can be started. */
export function checkLiveRunSpec(spec: LiveRunSpec, ctx: LiveSpecContext): LiveSpecIssue[] {
  const issues: LiveSpecIssue[] = [];
  if (typeof spec !== 'object' || spec === null) return [{ path: '', message: 'run spec object expected' }];
  if (!Array.isArray(spec.ports) || spec.ports.length === 0 || spec.ports.length > ctx.maxPorts) {
    issues.push({ path: 'ports', message: `1..${ctx.maxPorts} ports expected` });
  } else {
    for (let i = 0; i < spec.ports.length; i++) checkPort(spec, i, ctx, issues);
  }
  if (spec.workers !== ctx.workers) {
    issues.push({ path: 'workers', message: `${String(spec.workers)}: the dataplane was made for ${ctx.workers} workers` });
  }
  if (!Array.isArray(spec.cpus)) {
    issues.push({ path: 'cpus', message: 'must be an array ([] = not pinned)' });
  } else {
    if (spec.cpus.length !== 0 && spec.cpus.length !== ctx.workers) {
      issues.push({ path: 'cpus', message: `empty, or one CPU per worker (${ctx.workers})` });
    }
    spec.cpus.forEach((c, k) => {
      if (!isInt(c, 0, MAX_CPU)) issues.push({ path: `cpus[${k}]`, message: 'must be a CPU number' });
    });
  }
  if (!isInt(spec.burst, 1, ctx.maxBurst)) {
    issues.push({ path: 'burst', message: `must be an integer 1..${ctx.maxBurst}` });
  }
  return issues;
}
