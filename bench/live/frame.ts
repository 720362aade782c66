/**
 * The one test frame every topology of a run gets: Ethernet (untagged, or
 * Q-in-Q tagged for the translate case) / IPv4 / UDP, 64 bytes on the wire
 * (60 stored + the 4-byte FCS the NIC or veth adds; RFC 2544 counts frame
 * sizes with the FCS). Addresses from the ranges set aside for benchmarking
 * (RFC 2544 / RFC 5735: 198.18.0.0/15); MACs locally administered. The
 * destination MAC is fixed and belongs to nobody: the kernel bridge has a
 * static entry for it (a known-unicast forward) and the sink's kernel drops
 * the frame early ("for another host", or no handler for a tagged frame),
 * which keeps the sink cheap.
 */

export const FCS_LEN = 4;
/** The largest frame a bench case sends: a 9000-byte IP packet, Ethernet header and FCS. */
export const JUMBO_WIRE_SIZE = 9018;
/** Preamble 7 + start delimiter 1 + inter-frame gap 12: what a frame costs on a wire beyond its size. */
export const L1_OVERHEAD = 20;

/** One VLAN tag, outer first in a list. */
export interface FrameTag {
  tpid: number;
  vid: number;
  pcp: number;
}

export interface FrameSpec {
  dstMac: string;
  srcMac: string;
  /** VLAN tags after the source MAC, outer first; [] for an untagged frame. */
  tags: FrameTag[];
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** On the wire, FCS included: 64..1518, or up to 9018 for a jumbo frame (a 9000-byte IP MTU). */
  wireSize: number;
}

export const BENCH_FRAME: FrameSpec = {
  dstMac: '02:cb:00:00:00:02',
  srcMac: '02:cb:00:00:00:01',
  tags: [],
  srcIp: '198.18.0.1',
  dstIp: '198.19.0.1',
  srcPort: 1024,
  dstPort: 1025,
  wireSize: 64,
};

/** The untagged frame at jumbo size: a 9000-byte IPv4 packet, 9018 bytes on the wire. */
export const JUMBO_FRAME: FrameSpec = { ...BENCH_FRAME, wireSize: JUMBO_WIRE_SIZE };

/** The same frame as a Q-in-Q customer sends it: S-tag (0x88a8) VID 100, C-tag (0x8100) VID 200; still 64 bytes. */
export const QINQ_FRAME: FrameSpec = {
  ...BENCH_FRAME,
  tags: [
    { tpid: 0x88a8, vid: 100, pcp: 0 },
    { tpid: 0x8100, vid: 200, pcp: 0 },
  ],
};

function mac(s: string): Buffer {
  const parts = s.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`internal: bad MAC ${s}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

function ipv4(s: string): Buffer {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`internal: bad IPv4 ${s}`);
  return Buffer.from(parts);
}

/** RFC 1071 one's-complement sum of 16-bit words, folded and inverted. */
function checksum(...parts: Buffer[]): number {
  let sum = 0;
  for (const b of parts) {
    for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
    if (b.length % 2) sum += b[b.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The frame's bytes as stored (without the FCS). */
export function buildFrame(f: FrameSpec): Buffer {
  const stored = f.wireSize - FCS_LEN;
  const l2 = 14 + 4 * f.tags.length;
  const ipLen = stored - l2;
  if (ipLen < 28 || f.wireSize > JUMBO_WIRE_SIZE + 4 * f.tags.length) throw new Error(`internal: frame size ${f.wireSize} too small or too large`);
  const tags = f.tags.map((t) => {
    const b = Buffer.alloc(4);
    b.writeUInt16BE(t.tpid, 0);
    b.writeUInt16BE(((t.pcp & 7) << 13) | (t.vid & 0xfff), 2);
    return b;
  });
  const eth = Buffer.concat([mac(f.dstMac), mac(f.srcMac), ...tags, Buffer.from([0x08, 0x00])]);

  const ip = Buffer.alloc(20);
  ip[0] = 0x45; // IPv4, 5-word header
  ip.writeUInt16BE(ipLen, 2);
  ip.writeUInt16BE(1, 4); // identification
  ip[8] = 64; // TTL
  ip[9] = 17; // UDP
  ipv4(f.srcIp).copy(ip, 12);
  ipv4(f.dstIp).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);

  const udpLen = ipLen - 20;
  const udp = Buffer.alloc(udpLen); // header + zero payload
  udp.writeUInt16BE(f.srcPort, 0);
  udp.writeUInt16BE(f.dstPort, 2);
  udp.writeUInt16BE(udpLen, 4);
  const pseudo = Buffer.concat([ipv4(f.srcIp), ipv4(f.dstIp), Buffer.from([0, 17, udpLen >> 8, udpLen & 0xff])]);
  const sum = checksum(pseudo, udp);
  udp.writeUInt16BE(sum === 0 ? 0xffff : sum, 6); // 0 would mean "no checksum"

  return Buffer.concat([eth, ip, udp]);
}
