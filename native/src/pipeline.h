/*
 * The pipeline: one received burst, run to completion.
 */
#ifndef CIX_PIPELINE_H
#define CIX_PIPELINE_H

#include "core/ctx.h"

/*
 * Runs parse -> classify -> xconnect -> rewrite -> tx over pkts (n <=
 * CIX_MAX_BURST). Every packet ends either with a driver's tx or freed
 * under exactly one counted drop reason; the caller owns none afterwards.
 */
void cix_pipeline_run(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);

/* Frees and counts the packets a stage marked, keeping the rest in order. */
uint32_t cix_pipeline_sweep(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);

#endif
