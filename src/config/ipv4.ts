/**
 * IPv4 interface addresses as the configuration writes them ("192.0.2.1/24"):
 * parsed strictly (four decimal octets without leading zeros, a prefix
 * length), so that one address has one spelling and duplicates are found.
 */

export interface Ipv4Prefix {
  /** Canonical dotted quad. */
  address: string;
  /** The address as an unsigned 32-bit integer. */
  value: number;
  prefixLength: number;
}

const OCTET = '(0|[1-9][0-9]{0,2})';
const CIDR_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(0|[1-9][0-9]?)$`);

/** The parsed prefix, or why the text is not one (for the operator). */
export function parseIpv4Prefix(text: string): Ipv4Prefix | string {
  const m = CIDR_RE.exec(text);
  if (m === null) return 'expected an IPv4 address with its prefix length, like "192.0.2.1/24"';
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return 'an octet is above 255';
  const prefixLength = Number(m[5]);
  if (prefixLength < 1 || prefixLength > 32) return `prefix length ${prefixLength} is out of range (1-32)`;
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { address: octets.join('.'), value, prefixLength };
}

/** Why the address cannot be an interface address of the appliance, or undefined when it can. */
export function unusableReason(p: Ipv4Prefix): string | undefined {
  const first = p.value >>> 24;
  if (first === 0) return `${p.address} is in 0.0.0.0/8 ("this network"), not a host address`;
  if (first === 127) return `${p.address} is a loopback address`;
  if (first >= 224 && first <= 239) return `${p.address} is a multicast address`;
  if (p.value === 0xffffffff) return `${p.address} is the limited broadcast address`;
  if (first >= 240) return `${p.address} is in the reserved 240.0.0.0/4`;
  // /31 (RFC 3021) and /32 have no network or broadcast address.
  if (p.prefixLength < 31) {
    const hostMask = 0xffffffff >>> p.prefixLength;
    const host = p.value & hostMask;
    if (host === 0) return `${p.address} is the network address of ${p.address}/${p.prefixLength}`;
    if (host === hostMask) return `${p.address} is the broadcast address of its /${p.prefixLength}`;
  }
  return undefined;
}
