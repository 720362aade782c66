/**
 * Semantic validation of a structurally checked configuration: names,
 * ranges, references and conflicts. Collects every issue, each with its path;
 * a configuration with no errors is one the fast path can build tables for.
 */
import { DEFAULT_WORKERS, defaultDriver, defaultTpid } from './defaults';
import type { ConfigIssue } from './errors';
import type { Attachment, Config, Dataplane, Driver, Port, Service, VlanTag } from './generated';
import { parseIpv4Prefix, unusableReason } from './ipv4';
import {
  BURST_MIN,
  hex16,
  IFNAME_MAX,
  IFNAME_RE,
  MAX_ATTACHMENTS,
  MAX_BURST,
  MAX_PORT_ADDRESSES,
  MAX_PORTS,
  MAX_WORKERS,
  MTU_MAX,
  MTU_MIN,
  NAME_RE,
  PCP_MAX,
  SCHEMA_VERSION,
  VID_MAX,
  VID_MIN,
  VID_RESERVED,
  VLAN_TPIDS,
} from './limits';
import { didYouMean } from './suggest';

export interface ValidationResult {
  /** The configuration cannot be applied while any of these remain. */
  errors: ConfigIssue[];
  /** Legal but probably not what was meant (frames that will only be dropped). */
  warnings: ConfigIssue[];
}

type Section = 'ports' | 'attachments' | 'services';

class Validator {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** Index of the first item of each name; every non-empty name is in it, so later references do not cascade. */
  names(section: Section, items: readonly { name: string }[]): Map<string, number> {
    const byName = new Map<string, number>();
    items.forEach((item, i) => {
      const path = `${section}[${i}].name`;
      const name = item.name;
      if (name === '') {
        this.error(path, 'required');
        return;
      }
      if (!NAME_RE.test(name)) {
        this.error(path, `${JSON.stringify(name)} is not a valid name (a letter, then up to 63 letters, digits, "_", "." or "-")`);
      }
      const first = byName.get(name);
      if (first !== undefined) this.error(path, `${JSON.stringify(name)} is already the name of ${section}[${first}]`);
      else byName.set(name, i);
    });
    return byName;
  }

  limit(section: Section, count: number, max: number): void {
    if (count > max) this.error(section, `${count} ${section}; at most ${max} are supported`);
  }
}

function ref(section: Section, i: number, name: string): string {
  return name ? `${section}[${i}] (${JSON.stringify(name)})` : `${section}[${i}]`;
}

/** The driver a port runs with once defaults apply, by its short name (as normalize.ts decides). */
export function effectiveDriver(driver: Driver): string {
  return driver === 'DRIVER_UNSPECIFIED' ? defaultDriver() : driver.slice('DRIVER_'.length).toLowerCase();
}

/** Why `name` cannot be a Linux interface name, or undefined. */
function ifnameProblem(name: string): string | undefined {
  if (Buffer.byteLength(name) > IFNAME_MAX) return `longer than ${IFNAME_MAX} bytes`;
  if (!IFNAME_RE.test(name) || name === '.' || name === '..') return 'no "/", ":" or whitespace, and not "." or ".."';
  return undefined;
}

/** interface: a valid name, each interface serves one port. */
function checkInterfaces(v: Validator, ports: readonly Port[]): void {
  const owner = new Map<string, number>();
  ports.forEach((p, i) => {
    if (p.interface === '') return;
    const path = `ports[${i}].interface`;
    const problem = ifnameProblem(p.interface);
    if (problem !== undefined) {
      v.error(path, `${JSON.stringify(p.interface)} is not a valid interface name (${problem})`);
      return;
    }
    const first = owner.get(p.interface);
    if (first !== undefined) v.error(path, `${JSON.stringify(p.interface)} is already the interface of ${ref('ports', first, ports[first]!.name)}`);
    else owner.set(p.interface, i);
  });
}

/** addresses: host addresses with a prefix, each IP on one port only, at most MAX_PORT_ADDRESSES per port. */
function checkAddresses(v: Validator, ports: readonly Port[]): void {
  const owner = new Map<number, string>(); // address value -> path of its first use
  ports.forEach((p, i) => {
    const path = `ports[${i}].addresses`;
    if (p.addresses.length > MAX_PORT_ADDRESSES) {
      v.error(path, `${p.addresses.length} addresses; at most ${MAX_PORT_ADDRESSES} per port are supported`);
    }
    p.addresses.forEach((text, k) => {
      const at = `${path}[${k}]`;
      const parsed = parseIpv4Prefix(text);
      if (typeof parsed === 'string') {
        v.error(at, `${JSON.stringify(text)}: ${parsed}`);
        return;
      }
      const unusable = unusableReason(parsed);
      if (unusable !== undefined) {
        v.error(at, unusable);
        return;
      }
      const first = owner.get(parsed.value);
      if (first !== undefined) v.error(at, `${parsed.address} is already ${first}`);
      else owner.set(parsed.value, at);
    });
  });
}

function checkPorts(v: Validator, ports: readonly Port[]): Map<string, number> {
  v.limit('ports', ports.length, MAX_PORTS);
  const byName = v.names('ports', ports);
  ports.forEach((p, i) => {
    if (p.mtu !== undefined && (p.mtu < MTU_MIN || p.mtu > MTU_MAX)) {
      v.error(`ports[${i}].mtu`, `${p.mtu} is out of range (${MTU_MIN}-${MTU_MAX})`);
    }
    const driver = effectiveDriver(p.driver);
    if (p.xdpMode !== 'XDP_MODE_UNSPECIFIED' && driver !== 'afxdp') {
      v.error(`ports[${i}].xdpMode`, `only for driver afxdp (this port's driver is ${driver})`);
    }
  });
  checkInterfaces(v, ports);
  checkAddresses(v, ports);
  return byName;
}

/** workers, cpus and burst of the live fast path; whether each CPU exists is checked where it runs (live.ts). */
function checkDataplane(v: Validator, dp: Dataplane | undefined): void {
  if (dp === undefined) return;
  const workers = dp.workers;
  if (workers !== undefined && (workers < 1 || workers > MAX_WORKERS)) {
    v.error('dataplane.workers', `${workers} is out of range (1-${MAX_WORKERS})`);
  }
  if (dp.burst !== undefined && (dp.burst < BURST_MIN || dp.burst > MAX_BURST)) {
    v.error('dataplane.burst', `${dp.burst} is out of range (${BURST_MIN}-${MAX_BURST})`);
  }
  const count = workers ?? DEFAULT_WORKERS;
  if (dp.cpus.length > 0 && dp.cpus.length !== count) {
    v.error('dataplane.cpus', `${dp.cpus.length} CPUs for ${count} worker${count === 1 ? '' : 's'}; give one per worker, or none`);
  }
  const first = new Map<number, number>();
  dp.cpus.forEach((cpu, k) => {
    const j = first.get(cpu);
    if (j !== undefined) v.warn(`dataplane.cpus[${k}]`, `CPU ${cpu} is already dataplane.cpus[${j}]; two busy workers on one CPU share its time`);
    else first.set(cpu, k);
  });
}

/** True when the tag is valid, so that it can take part in overlap checks. */
function checkTag(v: Validator, tag: VlanTag, path: string): boolean {
  let ok = true;
  const vid = tag.vid;
  if (vid === undefined) {
    v.error(`${path}.vid`, `required (${VID_MIN}-${VID_MAX})`);
    ok = false;
  } else if (vid === 0) {
    v.error(`${path}.vid`, `0 is not a VLAN ID (${VID_MIN}-${VID_MAX}; priority-tagged frames go to the untagged attachment)`);
    ok = false;
  } else if (vid === VID_RESERVED) {
    v.error(`${path}.vid`, `${VID_RESERVED} is reserved (${VID_MIN}-${VID_MAX})`);
    ok = false;
  } else if (vid > VID_MAX) {
    v.error(`${path}.vid`, `${vid} is out of range (${VID_MIN}-${VID_MAX})`);
    ok = false;
  }
  if (tag.tpid !== undefined && !VLAN_TPIDS.includes(tag.tpid)) {
    v.error(`${path}.tpid`, `${hex16(tag.tpid)} is not a VLAN TPID (${VLAN_TPIDS.map(hex16).join(', ')})`);
    ok = false;
  }
  if (tag.pcp !== undefined && tag.pcp > PCP_MAX) {
    v.error(`${path}.pcp`, `${tag.pcp} is out of range (0-${PCP_MAX})`);
  }
  return ok;
}

/**
 * The frames an attachment claims, as a key two attachments must not share
 * (mirrors the fast path's match key: port, depth, TPIDs, VIDs); 'whole' for
 * a whole-port attachment; undefined when the match is invalid.
 */
function matchKey(v: Validator, a: Attachment, path: string): string | undefined {
  if (a.untagged) return a.untagged.wholePort ? 'whole' : 'untagged';
  if (!a.vlan) return undefined; // schema.ts reported the missing oneof
  const { outer, inner } = a.vlan;
  if (!outer) {
    v.error(`${path}.vlan.outer`, inner ? 'required (an inner tag needs an outer one)' : 'required');
    if (inner) checkTag(v, inner, `${path}.vlan.inner`);
    return undefined;
  }
  const count = inner ? 2 : 1;
  let ok = checkTag(v, outer, `${path}.vlan.outer`);
  if (inner) ok = checkTag(v, inner, `${path}.vlan.inner`) && ok;
  if (!ok) return undefined;
  const t0 = outer.tpid ?? defaultTpid('outer', count);
  let key = `${hex16(t0)}/${outer.vid}`;
  if (inner) key += ` ${hex16(inner.tpid ?? defaultTpid('inner', count))}/${inner.vid}`;
  return key;
}

function checkAttachments(v: Validator, atts: readonly Attachment[], ports: Map<string, number>): Map<string, number> {
  v.limit('attachments', atts.length, MAX_ATTACHMENTS);
  const byName = v.names('attachments', atts);
  // Per port: the first attachment on it, its whole-port attachment, and the keys claimed.
  const firstOn = new Map<string, number>();
  const wholeOn = new Map<string, number>();
  const claimed = new Map<string, number>();

  atts.forEach((a, i) => {
    const path = `attachments[${i}]`;
    if (a.port === '') v.error(`${path}.port`, 'required');
    else if (!ports.has(a.port)) v.error(`${path}.port`, `unknown port ${JSON.stringify(a.port)}${didYouMean(a.port, ports.keys())}`);

    const key = matchKey(v, a, path);
    if (key === undefined || a.port === '') return;
    const matchPath = `${path}.${a.untagged ? 'untagged' : 'vlan'}`;
    const same = (j: number): string => `matches the same frames as ${ref('attachments', j, atts[j]!.name)}`;

    const whole = wholeOn.get(a.port);
    const first = firstOn.get(a.port);
    if (whole !== undefined) {
      v.error(matchPath, `${same(whole)}, which takes every frame of port ${JSON.stringify(a.port)}`);
    } else if (key === 'whole' && first !== undefined) {
      v.error(matchPath, `${same(first)}; a whole-port attachment must be alone on its port`);
    } else {
      const portKey = `${a.port}\n${key}`;
      const prev = claimed.get(portKey);
      if (prev !== undefined) v.error(matchPath, same(prev));
      else claimed.set(portKey, i);
    }
    if (key === 'whole' && whole === undefined) wholeOn.set(a.port, i);
    if (first === undefined) firstOn.set(a.port, i);
  });
  return byName;
}

function checkServices(v: Validator, services: readonly Service[], atts: Map<string, number>): Map<string, number> {
  v.names('services', services);
  const owner = new Map<string, number>(); // attachment name -> service index
  services.forEach((s, i) => {
    const x = s.xconnect;
    if (!x) return; // schema.ts reported the missing oneof
    const path = `services[${i}].xconnect.endpoints`;
    if (x.endpoints.length !== 2) {
      v.error(path, `an xconnect joins exactly two attachments, got ${x.endpoints.length}`);
    }
    x.endpoints.forEach((name, k) => {
      const p = `${path}[${k}]`;
      if (name === '') {
        v.error(p, 'required (an attachment name)');
        return;
      }
      if (!atts.has(name)) {
        v.error(p, `unknown attachment ${JSON.stringify(name)}${didYouMean(name, atts.keys())}`);
        return;
      }
      const earlier = x.endpoints.indexOf(name);
      if (earlier < k) {
        v.error(p, `${JSON.stringify(name)} is already endpoints[${earlier}]; an xconnect joins two different attachments`);
        return;
      }
      const other = owner.get(name);
      if (other !== undefined) {
        v.error(p, `attachment ${JSON.stringify(name)} is already in ${ref('services', other, services[other]!.name)}`);
        return;
      }
      owner.set(name, i);
    });
  });
  return owner;
}

/** Every semantic error and warning of a configuration that passed checkSchema. */
export function validateConfig(cfg: Config): ValidationResult {
  const v = new Validator();
  if (cfg.version > SCHEMA_VERSION) {
    v.error('version', `${cfg.version} is newer than this cix understands (up to ${SCHEMA_VERSION})`);
  }
  const ports = checkPorts(v, cfg.ports);
  checkDataplane(v, cfg.dataplane);
  const atts = checkAttachments(v, cfg.attachments, ports);
  const owner = checkServices(v, cfg.services, atts);

  const used = new Set(cfg.attachments.map((a) => a.port));
  cfg.ports.forEach((p, i) => {
    if (p.name && !used.has(p.name)) {
      v.warn(`ports[${i}]`, `no attachment uses port ${JSON.stringify(p.name)}; its frames will be dropped (no_attachment)`);
    }
  });
  cfg.attachments.forEach((a, i) => {
    if (a.name && !owner.has(a.name)) {
      v.warn(`attachments[${i}]`, `${JSON.stringify(a.name)} is in no service; its frames will be dropped (no_service)`);
    }
  });
  return { errors: v.errors, warnings: v.warnings };
}
