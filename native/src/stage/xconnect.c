/*
 * xconnect: an E-Line service sends every frame of one attachment out of
 * the other. The peer is resolved when the tables are built, so this is one
 * load per packet.
 */
#include "stages.h"

uint32_t cix_stage_xconnect(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	const struct cix_att_entry *const att = ctx->t->att;
	uint32_t dropped = 0;
	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		uint16_t peer = att[p->attachment].peer;
		if (peer == CIX_NONE) {
			p->drop = CIX_DROP_NO_SERVICE;
			dropped++;
			continue;
		}
		p->egress = peer;
		p->out_port = att[peer].port;
	}
	return dropped;
}
