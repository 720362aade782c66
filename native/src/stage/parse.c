/*
 * parse: find the VLAN tags of each frame.
 *
 * Reads at most CIX_MAX_TAGS tags; a further tag only sets a flag, since
 * whether that is an error depends on the attachment (classify decides).
 * Every read is bounds-checked against the bytes present.
 *
 * Speed: a whole frame (len == wire_len) of at least PARSE_FAST_LEN bytes
 * holds two tags and the EtherType after them, so the common case reads
 * them with one bounds check for the frame instead of one per tag; anything
 * else (refused by the driver, cut, runt, short) takes parse_careful, the
 * per-tag checked walk. Both give the same result for every frame. The
 * fast path also leaves the tags' part of the match key in tag_key (pkt.h)
 * while it has them in registers, so classify only adds the port. The
 * runner has prefetched the first line of every frame of the burst.
 */
#include "stages.h"

#include "../core/tables.h"
#include "../wire/ethernet.h"

/* Addresses, two tags, EtherType: every byte the fast path reads. */
#define PARSE_FAST_LEN (CIX_ETH_ADDRS_LEN + CIX_MAX_TAGS * CIX_VLAN_TAG_LEN + 2u)

_Static_assert(CIX_MAX_TAGS == 2, "the fast path reads two tags");

/*
 * High byte of a TPID -> its enum cix_tpid_index << 16 | that TPID, else a
 * value no EtherType with that high byte can equal (0; 0x0100 for high
 * byte 0). One load and one 16-bit compare tell a tag (where
 * cix_is_vlan_tpid is four compares); the high half is the index the match
 * key holds.
 */
static const uint32_t tpid_by_hi[256] = {
	[0x00] = 0x0100u,
	[0x81] = CIX_TPID_8100 << 16 | 0x8100u, [0x88] = CIX_TPID_88A8 << 16 | 0x88a8u,
	[0x91] = CIX_TPID_9100 << 16 | 0x9100u, [0x92] = CIX_TPID_9200 << 16 | 0x9200u,
};

static inline int is_tag(uint16_t et)
{
	return (uint16_t)tpid_by_hi[et >> 8] == et;
}

/* The checked walk, tag by tag. Returns 1 if the packet is (or was) marked. */
static uint32_t parse_careful(struct cix_pkt *p)
{
	if (p->drop) {
		/* The driver already refused it (a giant larger than any buffer). */
		return 1;
	}
	if (p->wire_len != p->len || p->len < CIX_ETH_HDR_LEN) {
		/* Cut by the capture's snap length, or a runt: nothing whole to forward. */
		p->drop = CIX_DROP_TRUNCATED;
		return 1;
	}
	const uint8_t *d = p->data;
	uint32_t off = CIX_ETH_ADDRS_LEN;
	uint16_t et = cix_get_be16(d + off);
	unsigned nt = 0;
	while (nt < CIX_MAX_TAGS && cix_is_vlan_tpid(et)) {
		if (p->len < off + CIX_VLAN_TAG_LEN + 2) {
			p->drop = CIX_DROP_TRUNCATED;
			return 1;
		}
		p->tpid[nt] = et;
		p->tci[nt] = cix_get_be16(d + off + 2);
		nt++;
		off += CIX_VLAN_TAG_LEN;
		et = cix_get_be16(d + off);
	}
	p->ntags = (uint8_t)nt;
	p->flags = cix_is_vlan_tpid(et) && nt == CIX_MAX_TAGS ? CIX_PKT_F_MORE_TAGS : 0;
	p->tag_key = CIX_TAG_KEY_NONE;
	return 0;
}

uint32_t cix_stage_parse(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	(void)ctx;
	uint32_t dropped = 0;
	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		uint32_t len = p->len;
		if (__builtin_expect((p->drop != 0) | (p->wire_len != len) | (len < PARSE_FAST_LEN), 0)) {
			dropped += parse_careful(p);
			continue;
		}
		const uint8_t *d = p->data;
		uint16_t tp0 = cix_get_be16(d + CIX_ETH_ADDRS_LEN);
		uint32_t e0 = tpid_by_hi[tp0 >> 8];
		if ((uint16_t)e0 != tp0) {
			p->ntags = 0;
			p->flags = 0;
			p->tag_key = 0;
			continue;
		}
		uint16_t tci0 = cix_get_be16(d + CIX_ETH_ADDRS_LEN + 2);
		uint16_t tp1 = cix_get_be16(d + CIX_ETH_ADDRS_LEN + CIX_VLAN_TAG_LEN);
		uint32_t e1 = tpid_by_hi[tp1 >> 8];
		p->tpid[0] = tp0;
		p->tci[0] = tci0;
		if ((uint16_t)e1 != tp1) {
			p->ntags = 1;
			p->flags = 0;
			p->tag_key = (uint32_t)cix_match_key(0, 1, e0 >> 16, tci0 & CIX_TCI_VID_MASK, 0, 0);
			continue;
		}
		uint16_t tci1 = cix_get_be16(d + CIX_ETH_ADDRS_LEN + CIX_VLAN_TAG_LEN + 2);
		p->tpid[1] = tp1;
		p->tci[1] = tci1;
		p->ntags = 2;
		p->flags = is_tag(cix_get_be16(d + CIX_ETH_ADDRS_LEN + 2 * CIX_VLAN_TAG_LEN)) ? CIX_PKT_F_MORE_TAGS : 0;
		p->tag_key = (uint32_t)cix_match_key(0, 2, e0 >> 16, tci0 & CIX_TCI_VID_MASK, e1 >> 16,
						     tci1 & CIX_TCI_VID_MASK);
	}
	return dropped;
}
