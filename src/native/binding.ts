/**
 * The one place that loads the native addon and gives it types. Nothing
 * else in src/ sees the untyped module. Arguments are checked in TypeScript
 * (config validation) before they get here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { TablesPlan } from './plan';

export interface DropReason {
  name: string;
  help: string;
}

export interface CounterLayout {
  buffer: ArrayBuffer;
  byteOffset: number;
  workers: number;
  objects: number;
  slots: number;
  portBase: number;
  attachmentBase: number;
}

export interface ReplayPortPaths {
  id: number;
  input?: string;
  output?: string;
}

export interface NativeReplayStats {
  framesRead: number;
  framesWritten: number;
  bursts: number;
  firstNs: bigint;
  lastNs: bigint;
}

/** Live drivers: AF_XDP sockets fed by the XDP program, or TPACKET_V3 rings. */
export type LiveDriver = 'afxdp' | 'afpacket';
/** afxdp: native (driver) mode falling back to generic, native only, or generic (SKB) only. */
export type XdpModeName = 'auto' | 'native' | 'skb';

export interface LivePortSpec {
  /** Port id of the tables plan (plan.ports[i].id). */
  id: number;
  /** Port name, for error messages. */
  name: string;
  /** OS interface name (1..15 bytes). */
  interface: string;
  driver: LiveDriver;
  /** afxdp only (ignored by afpacket). */
  xdpMode: XdpModeName;
  /** Own IPv4 addresses, dotted quad without prefix: their ARP and IPv4 go to the kernel. */
  addresses: string[];
}

export interface LiveRunSpec {
  ports: LivePortSpec[];
  /** Must be the `workers` the Dataplane was constructed with. */
  workers: number;
  /** [] = not pinned; else one CPU per worker. */
  cpus: number[];
  /** Frames per receive burst, 1..limits.maxBurst. */
  burst: number;
}

export interface LiveSocketStatus {
  queue: number;
  worker: number;
  /** 'zerocopy' | 'copy' (afxdp), 'tpacket-v3' (afpacket). */
  mode: string;
}

export interface LivePortStatus {
  id: number;
  name: string;
  interface: string;
  driver: LiveDriver;
  /** 'native' | 'skb' (afxdp), 'tpacket-v3' (afpacket). */
  mode: string;
  sockets: LiveSocketStatus[];
}

/** One socket's driver statistics (io/live.h struct cix_live_driver_stats). */
export interface LiveSocketStats {
  port: number;
  queue: number;
  worker: number;
  rxEmptyPolls: bigint;
  fillShortfall: bigint;
  txKicks: bigint;
  /** afxdp: receive wakeups the fill ring asked for. */
  rxKicks: bigint;
  rxDropped: bigint;
  rxInvalid: bigint;
  txInvalid: bigint;
  rxRingFull: bigint;
  fillRingEmpty: bigint;
  txRingEmpty: bigint;
}

export interface NativeDataplane {
  publish(plan: TablesPlan): number;
  layout(): CounterLayout;
  replay(opts: { ports: ReplayPortPaths[]; burst: number }): Promise<NativeReplayStats>;
  /**
   * Opens every port (XDP attached, sockets bound) and starts one worker
   * thread per queue index. A plan must have been published first.
   * Synchronous: a socket bind may retry EBUSY for up to about a second.
   * Throws an Error whose message names the port and interface; on failure
   * everything opened so far is closed again (no XDP program left).
   */
  start(spec: LiveRunSpec): LivePortStatus[];
  /** Stops and joins the workers, closes sockets, frees UMEMs, detaches XDP. Idempotent; close() calls it. */
  stop(): void;
  running(): boolean;
  /** Per (port, queue); [] when not running. Reads kernel counters: call it per scrape, not per packet. */
  socketStats(): LiveSocketStats[];
  /** Buffers not back in the workers' pools when the last stop() freed them (0: none lost). */
  missingBuffers(): number;
  /** Stops the live workers if running, then frees the dataplane. */
  close(): void;
}

/** A counters file made by a Dataplane (countersPath) in this or another process. */
export interface NativeCountersMap {
  /** Throws once closed. */
  layout(): CounterLayout;
  /** Unmaps; typed arrays over the old layout's buffer read as empty afterwards. */
  close(): void;
}

export interface DataplaneConstructorOptions {
  workers: number;
  maxAttachments: number;
  /**
   * Counters in a MAP_SHARED file: the addon replaces the file with a new
   * zeroed one (a fresh inode, so a reader mapping the old one keeps its
   * counts) that mapCounters() in another process can read in place.
   */
  countersPath?: string;
}

export interface NativeLimits {
  maxPorts: number;
  maxAttachments: number;
  maxWorkers: number;
  maxBurst: number;
  dropBase: number;
}

interface NativeModule {
  Dataplane: new (opts: DataplaneConstructorOptions) => NativeDataplane;
  /**
   * Maps an existing counters file; refuses one made for another shape or
   * build. The mapping stays valid after the writing process died.
   */
  mapCounters(opts: { path: string; workers: number; maxAttachments: number }): NativeCountersMap;
  dropReasons(): DropReason[];
  counterSlots(): string[];
  limits: NativeLimits;
}

export class NativeLoadError extends Error {
  readonly code = 'CIX_NATIVE_LOAD';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeLoadError';
  }
}

function findAddon(): string {
  // From src/native (ts-node) or dist/src/native (compiled): walk up to the package root.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'build', 'addon', 'Release', 'cix.node');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new NativeLoadError('the native addon is not built (run `npm run build`)');
}

let loaded: NativeModule | undefined;

export function native(): NativeModule {
  if (loaded === undefined) {
    const file = findAddon();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(file) as NativeModule;
    } catch (err) {
      throw new NativeLoadError(`cannot load ${file}`, { cause: err });
    }
  }
  return loaded;
}
