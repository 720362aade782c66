/*
 * Ethernet II with IEEE 802.1Q / 802.1ad tags, as on the wire.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 destination MAC (6 octets)                    |
 *  +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                               |                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *  |                   source MAC (6 octets)                       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      TPID (0x88a8 S-tag)      | PCP |D|   VID (12 bits)       |  tag, 0..n times
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      TPID (0x8100 C-tag)      | PCP |D|   VID (12 bits)       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       EtherType / length      |  payload ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * TCI = PCP(3) DEI(1) VID(12). VID 0 means priority-tagged, 4095 is reserved.
 * TPIDs seen in the field: 0x8100 (C-tag, and the outer tag of some cloud
 * Q-in-Q hand-offs), 0x88a8 (S-tag, 802.1ad), 0x9100 and 0x9200 (pre-standard
 * Q-in-Q).
 */
#ifndef CIX_WIRE_ETHERNET_H
#define CIX_WIRE_ETHERNET_H

#include <stdint.h>
#include <string.h>

#define CIX_ETH_ADDRS_LEN 12u /* destination + source MAC */
#define CIX_ETH_HDR_LEN   14u
#define CIX_VLAN_TAG_LEN  4u

#define CIX_TCI_PRIO_MASK 0xf000u /* PCP + DEI */
#define CIX_TCI_VID_MASK  0x0fffu

/* One load and a byte swap (the byte-by-byte form compiles to two loads). */
static inline uint16_t cix_get_be16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return __builtin_bswap16(v);
}

static inline void cix_put_be32(uint8_t *p, uint32_t v)
{
	v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}

static inline int cix_is_vlan_tpid(uint16_t ethertype)
{
	return ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100 ||
	       ethertype == 0x9200;
}

#endif
