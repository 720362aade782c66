/**
 * Checked configuration to normalized configuration: every default applied
 * (defaults.ts), enums as short names, the match as one tagged union. Only
 * for configurations validateConfig found no error in; anything else is a
 * bug in the caller and throws.
 */
import {
  DEFAULT_BURST,
  DEFAULT_DEI,
  DEFAULT_MTU,
  DEFAULT_PCP,
  DEFAULT_WORKERS,
  DEFAULT_XDP_MODE,
  defaultDriver,
  defaultTpid,
} from './defaults';
import type { Attachment, Config, Dataplane, Driver, Port, Service, VlanTag, XdpMode } from './generated';
import { parseIpv4Prefix } from './ipv4';
import type {
  DriverName,
  NormalizedAddress,
  NormalizedDataplane,
  NormalizedAttachment,
  NormalizedConfig,
  NormalizedMatch,
  NormalizedPort,
  NormalizedService,
  NormalizedTag,
  XdpModeName,
} from './types';

const DRIVERS: Record<Driver, DriverName | undefined> = {
  DRIVER_UNSPECIFIED: undefined,
  DRIVER_PCAP: 'pcap',
  DRIVER_MEM: 'mem',
  DRIVER_AFXDP: 'afxdp',
  DRIVER_AFPACKET: 'afpacket',
  DRIVER_DPDK: 'dpdk',
};

const XDP_MODES: Record<XdpMode, XdpModeName> = {
  XDP_MODE_UNSPECIFIED: DEFAULT_XDP_MODE,
  XDP_MODE_NATIVE: 'native',
  XDP_MODE_SKB: 'skb',
};

function address(text: string): NormalizedAddress {
  const p = parseIpv4Prefix(text);
  if (typeof p === 'string') throw new Error(`normalizeConfig: address ${JSON.stringify(text)}: ${p} (config not validated)`);
  return { address: p.address, prefixLength: p.prefixLength };
}

function port(p: Port): NormalizedPort {
  return {
    name: p.name,
    interface: p.interface === '' ? undefined : p.interface,
    driver: DRIVERS[p.driver] ?? defaultDriver(),
    mtu: p.mtu ?? DEFAULT_MTU,
    xdpMode: XDP_MODES[p.xdpMode],
    addresses: p.addresses.map(address),
  };
}

function dataplane(d: Dataplane | undefined): NormalizedDataplane {
  return { workers: d?.workers ?? DEFAULT_WORKERS, cpus: [...(d?.cpus ?? [])], burst: d?.burst ?? DEFAULT_BURST };
}

function tag(t: VlanTag, position: 'outer' | 'inner', count: 1 | 2): NormalizedTag {
  if (t.vid === undefined) throw new Error('normalizeConfig: VLAN tag without vid (config not validated)');
  return {
    tpid: t.tpid ?? defaultTpid(position, count),
    vid: t.vid,
    pcp: t.pcp ?? DEFAULT_PCP,
    dei: t.dei === undefined ? DEFAULT_DEI : t.dei ? 1 : 0,
  };
}

function match(a: Attachment): NormalizedMatch {
  if (a.untagged) return a.untagged.wholePort ? { kind: 'wholePort', tags: [] } : { kind: 'untagged', tags: [] };
  const outer = a.vlan?.outer;
  if (!outer) throw new Error(`normalizeConfig: attachment "${a.name}" has no match (config not validated)`);
  const inner = a.vlan?.inner;
  if (!inner) return { kind: 'outer', tags: [tag(outer, 'outer', 1)] };
  return { kind: 'outerInner', tags: [tag(outer, 'outer', 2), tag(inner, 'inner', 2)] };
}

function attachment(a: Attachment): NormalizedAttachment {
  return { name: a.name, port: a.port, match: match(a) };
}

function service(s: Service): NormalizedService {
  const e = s.xconnect?.endpoints;
  if (!e || e.length !== 2) throw new Error(`normalizeConfig: service "${s.name}" is not a two-endpoint xconnect (config not validated)`);
  return { name: s.name, kind: 'xconnect', endpoints: [e[0]!, e[1]!] };
}

export function normalizeConfig(cfg: Config): NormalizedConfig {
  return {
    version: cfg.version,
    ports: cfg.ports.map(port),
    attachments: cfg.attachments.map(attachment),
    services: cfg.services.map(service),
    dataplane: dataplane(cfg.dataplane),
  };
}
