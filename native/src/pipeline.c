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

void cix_pipeline_run(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t *c = cix_cnt_port(&ctx->cnt, pkts[i]->in_port);
		c[CIX_CNT_RX_PACKETS]++;
		c[CIX_CNT_RX_BYTES] += pkts[i]->wire_len;
	}
	STAGE(cix_stage_parse);
	STAGE(cix_stage_classify);
	STAGE(cix_stage_xconnect);
	STAGE(cix_stage_rewrite);
	cix_stage_tx(ctx, pkts, n);
}
