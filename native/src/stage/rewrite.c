/*
 * rewrite: swap the tags the ingress attachment owns for the egress
 * attachment's stack (push, pop, translate: 0..2 tags in, 0..2 out).
 *
 * Only the 12 address bytes move; the payload stays where it is. Pushing
 * uses the buffer's headroom. Each egress tag's TCI comes from its template,
 * with PCP/DEI taken from the customer tag where the config says to keep them.
 */
#include "stages.h"

#include <string.h>

#include "../wire/ethernet.h"

uint32_t cix_stage_rewrite(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	const struct cix_tables *t = ctx->t;
	uint32_t dropped = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		const struct cix_egress_stack *s = &t->att[p->egress].stack;
		int delta = (int)(s->n - p->consumed) * (int)CIX_VLAN_TAG_LEN;

		if (delta > 0 && cix_pkt_headroom(p) < (uint32_t)delta) {
			p->drop = CIX_DROP_NO_HEADROOM;
			dropped++;
			continue;
		}
		if (delta != 0) {
			uint8_t *d = p->data - delta;
			memmove(d, p->data, CIX_ETH_ADDRS_LEN);
			p->data = d;
			p->len = (uint32_t)((int)p->len + delta);
			p->wire_len = p->len;
		}
		uint8_t *tag = p->data + CIX_ETH_ADDRS_LEN;
		for (unsigned k = 0; k < s->n; k++) {
			uint32_t w = (s->word[k] & ~(uint32_t)s->keep[k]) | (p->prio & s->keep[k]);
			cix_put_be32(tag + k * CIX_VLAN_TAG_LEN, w);
		}
	}
	return dropped;
}
