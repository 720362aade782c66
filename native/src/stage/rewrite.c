/*
 * rewrite: swap the tags the ingress attachment owns for the egress
 * attachment's stack (push, pop, translate: 0..2 tags in, 0..2 out).
 *
 * Only the 12 address bytes move; the payload stays where it is. Pushing
 * uses the buffer's headroom. Each egress tag's TCI comes from its template,
 * with PCP/DEI taken from the customer tag where the config says to keep them.
 *
 * Speed: the stack has at most two tags, so the tag loop is written out
 * (one branch per tag instead of a loop whose trip count is loaded), and
 * the addresses move as one 8-byte and one 4-byte word, both read before
 * either is written (the ranges overlap by design).
 */
#include "stages.h"

#include <string.h>

#include "../wire/ethernet.h"

_Static_assert(CIX_MAX_TAGS == 2, "the tag writes below are written out for two tags");

static inline uint32_t tag_word(const struct cix_egress_stack *s, unsigned k, uint32_t prio)
{
	return (s->word[k] & ~(uint32_t)s->keep[k]) | (prio & s->keep[k]);
}

uint32_t cix_stage_rewrite(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	/* A local, not a load through ctx->t per packet (byte stores alias it). */
	const struct cix_att_entry *const att = ctx->t->att;
	uint32_t dropped = 0;
	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		const struct cix_egress_stack *s = &att[p->egress].stack;
		unsigned tags = s->n;
		int delta = ((int)tags - (int)p->consumed) * (int)CIX_VLAN_TAG_LEN;

		if (delta != 0) {
			if (delta > 0 && cix_pkt_headroom(p) < (uint32_t)delta) {
				p->drop = CIX_DROP_NO_HEADROOM;
				dropped++;
				continue;
			}
			uint8_t *d = p->data - delta;
			uint64_t a;
			uint32_t b;
			memcpy(&a, p->data, 8);
			memcpy(&b, p->data + 8, 4);
			memcpy(d, &a, 8);
			memcpy(d + 8, &b, 4);
			p->data = d;
			p->len = (uint32_t)((int)p->len + delta);
			p->wire_len = p->len;
		}
		uint8_t *tag = p->data + CIX_ETH_ADDRS_LEN;
		uint32_t prio = p->prio;
		if (tags > 0)
			cix_put_be32(tag, tag_word(s, 0, prio));
		if (tags > 1)
			cix_put_be32(tag + CIX_VLAN_TAG_LEN, tag_word(s, 1, prio));
	}
	return dropped;
}
