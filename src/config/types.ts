/**
 * The normalized configuration: validated, every default filled in, ready
 * for the tables plan (src/dataplane/plan.ts). Names stay names here; ids are
 * the plan's business.
 */

/** Port drivers by their short name (Driver enum without the DRIVER_ prefix). */
export type DriverName = 'pcap' | 'mem' | 'afxdp' | 'afpacket' | 'dpdk';

/** The drivers `cix run` moves frames with (the rest are for replay and benchmarks). */
export type LiveDriverName = 'afxdp' | 'afpacket';

/** How an afxdp port attaches its XDP program: auto = native, falling back to SKB. */
export type XdpModeName = 'auto' | 'native' | 'skb';

/** One of the appliance's own IPv4 addresses on a port ("192.0.2.1/24" split). */
export interface NormalizedAddress {
  /** Dotted quad, canonical (no leading zeros). */
  address: string;
  /** 1..32 */
  prefixLength: number;
}

export interface NormalizedPort {
  name: string;
  /** OS interface for live drivers; undefined when not given. */
  interface: string | undefined;
  driver: DriverName;
  /** Largest payload after the Ethernet header and the tags an attachment owns. */
  mtu: number;
  /** afxdp only ('auto' for every other driver, where it means nothing). */
  xdpMode: XdpModeName;
  /** Own addresses, put on the interface by `cix run`; [] when none. */
  addresses: NormalizedAddress[];
}

export interface NormalizedTag {
  tpid: number;
  vid: number;
  /** 0..7, or undefined: keep the customer's. */
  pcp: number | undefined;
  /** 0 or 1, or undefined: keep the customer's. */
  dei: 0 | 1 | undefined;
}

/** How an attachment finds its frames; tags outer first. */
export type NormalizedMatch =
  | { kind: 'untagged'; tags: [] }
  | { kind: 'wholePort'; tags: [] }
  | { kind: 'outer'; tags: [NormalizedTag] }
  | { kind: 'outerInner'; tags: [NormalizedTag, NormalizedTag] };

export interface NormalizedAttachment {
  name: string;
  /** Name of a port of the same config. */
  port: string;
  match: NormalizedMatch;
}

export interface NormalizedService {
  name: string;
  kind: 'xconnect';
  /** Names of two different attachments of the same config. */
  endpoints: [string, string];
}

/** How the live fast path runs (ignored by replay). */
export interface NormalizedDataplane {
  /** Worker threads = queues served per live port. */
  workers: number;
  /** [] (not pinned) or one CPU per worker. */
  cpus: number[];
  /** Frames per receive burst. */
  burst: number;
}

export interface NormalizedConfig {
  version: number;
  ports: NormalizedPort[];
  attachments: NormalizedAttachment[];
  services: NormalizedService[];
  dataplane: NormalizedDataplane;
}
