/**
 * Every default of the configuration, in one place. Normalization
 * (normalize.ts) is the only reader; nothing else decides what an absent
 * field means.
 */
import type { DriverName, XdpModeName } from './types';

export const DEFAULT_MTU = 1500;

export const TPID_CTAG = 0x8100; // IEEE 802.1Q customer tag
export const TPID_STAG = 0x88a8; // IEEE 802.1ad service tag

/**
 * Live I/O needs Linux; AF_XDP is the fast path that works with any NIC
 * there. Elsewhere only replay can run, where the driver is ignored.
 */
export function defaultDriver(platform: NodeJS.Platform = process.platform): DriverName {
  return platform === 'linux' ? 'afxdp' : 'pcap';
}

/**
 * The outer tag of a two-tag attachment is an S-tag (802.1ad); every other
 * tag (the inner one, or the only one) is a C-tag (802.1Q).
 */
export function defaultTpid(position: 'outer' | 'inner', tagCount: 1 | 2): number {
  return position === 'outer' && tagCount === 2 ? TPID_STAG : TPID_CTAG;
}

/**
 * pcp/dei absent: keep the customer's bits (undefined in the normalized form,
 * KEEP in the tables plan).
 */
export const DEFAULT_PCP: number | undefined = undefined;
export const DEFAULT_DEI: 0 | 1 | undefined = undefined;

/** Live fast path: one worker thread, 64-frame bursts (the size the pipeline is tuned for). */
export const DEFAULT_WORKERS = 1;
export const DEFAULT_BURST = 64;

/** afxdp: native (driver) mode where the NIC driver has it, generic (SKB) mode elsewhere. */
export const DEFAULT_XDP_MODE: XdpModeName = 'auto';
