/*
 * parse: find the VLAN tags of each frame.
 *
 * Reads at most CIX_MAX_TAGS tags; a further tag only sets a flag, since
 * whether that is an error depends on the attachment (classify decides).
 * Every read is bounds-checked against the bytes present.
 */
#include "stages.h"

#include "../wire/ethernet.h"

uint32_t cix_stage_parse(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	(void)ctx;
	uint32_t dropped = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		if (p->drop) {
			/* The driver already refused it (a giant larger than any buffer). */
			dropped++;
			continue;
		}
		if (p->wire_len != p->len || p->len < CIX_ETH_HDR_LEN) {
			/* Cut by the capture's snap length, or a runt: nothing whole to forward. */
			p->drop = CIX_DROP_TRUNCATED;
			dropped++;
			continue;
		}
		const uint8_t *d = p->data;
		uint32_t off = CIX_ETH_ADDRS_LEN;
		uint16_t et = cix_get_be16(d + off);
		unsigned nt = 0;
		while (nt < CIX_MAX_TAGS && cix_is_vlan_tpid(et)) {
			if (p->len < off + CIX_VLAN_TAG_LEN + 2) {
				p->drop = CIX_DROP_TRUNCATED;
				break;
			}
			p->tpid[nt] = et;
			p->tci[nt] = cix_get_be16(d + off + 2);
			nt++;
			off += CIX_VLAN_TAG_LEN;
			et = cix_get_be16(d + off);
		}
		if (p->drop) {
			dropped++;
			continue;
		}
		p->ntags = (uint8_t)nt;
		p->flags = cix_is_vlan_tpid(et) && nt == CIX_MAX_TAGS ? CIX_PKT_F_MORE_TAGS : 0;
	}
	return dropped;
}
