#include "pipeline.h"

#include "stage/stages.h"

uint32_t cix_pipeline_sweep(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		if (p->drop)
			cix_drop_now(ctx, p, p->drop);
		else
			pkts[k++] = p;
	}
	return k;
}

#define STAGE(fn)                                              \
	do {                                                   \
		if (fn(ctx, pkts, n))                          \
			n = cix_pipeline_sweep(ctx, pkts, n);  \
		if (n == 0)                                    \
			return;                                \
	} while (0)

/*
 * Port rx counters, added once per run of packets from one port (a burst
 * comes from one rx queue, so normally once per burst): per packet, the
 * adds to one counter line form a chain of read-modify-writes, each
 * waiting for the one before. The same pass prefetches the first line of
 * every frame for parse, the first stage to read frame data (a NIC writes
 * frames to the last-level cache at best, not to this core's L1).
 */
static void count_rx(struct cix_ctx *ctx, struct cix_pkt *const *pkts, uint32_t n)
{
	unsigned port = pkts[0]->in_port;
	uint32_t start = 0;
	uint64_t bytes = 0;
	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		const struct cix_pkt *p = pkts[i];
		if (__builtin_expect(p->in_port != port, 0)) {
			uint64_t *c = cix_cnt_port(&ctx->cnt, port);
			c[CIX_CNT_RX_PACKETS] += i - start;
			c[CIX_CNT_RX_BYTES] += bytes;
			port = p->in_port;
			start = i;
			bytes = 0;
		}
		bytes += p->wire_len;
		__builtin_prefetch(p->data);
	}
	uint64_t *c = cix_cnt_port(&ctx->cnt, port);
	c[CIX_CNT_RX_PACKETS] += n - start;
	c[CIX_CNT_RX_BYTES] += bytes;
}

void cix_pipeline_run(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	if (n == 0)
		return;
	count_rx(ctx, pkts, n);
	STAGE(cix_stage_parse);
	STAGE(cix_stage_classify);
	STAGE(cix_stage_xconnect);
	STAGE(cix_stage_rewrite);
	cix_stage_tx(ctx, pkts, n);
}
