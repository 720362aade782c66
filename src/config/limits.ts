/**
 * Ranges and capacities the fast path is built for. The capacities mirror
 * native/src/core/limits.h; checking them here gives the operator a path and
 * a reason instead of a refused table build.
 */

export const MAX_PORTS = 64;
export const MAX_ATTACHMENTS = 16384;

/** Below 68 IPv4 cannot work; 9216 is the common jumbo ceiling of NICs and switches. */
export const MTU_MIN = 68;
export const MTU_MAX = 9216;

export const VID_MIN = 1;
/** 4095 is reserved by 802.1Q; 0 marks a priority tag, which carries no VLAN. */
export const VID_MAX = 4094;
export const VID_RESERVED = 4095;

export const PCP_MAX = 7;

/** The TPIDs the parser recognises (native enum cix_tpid_index). */
export const VLAN_TPIDS: readonly number[] = [0x8100, 0x88a8, 0x9100, 0x9200];

/** Live fast path (Config.dataplane), mirroring CIX_MAX_WORKERS and CIX_MAX_BURST. */
export const MAX_WORKERS = 64;
export const BURST_MIN = 1;
export const MAX_BURST = 256;

/** Own addresses per port the XDP program and socket filter hold (CIX_LIVE_MAX_ADDRS). */
export const MAX_PORT_ADDRESSES = 16;

/**
 * A Linux interface name (dev_valid_name): 1..15 bytes (IFNAMSIZ - 1), not
 * "." or "..", no '/', ':' or whitespace.
 */
export const IFNAME_MAX = 15;
export const IFNAME_RE = /^[^/:\s]+$/;

export const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** The newest schema version this code understands (Config.version). */
export const SCHEMA_VERSION = 1;

export function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}
