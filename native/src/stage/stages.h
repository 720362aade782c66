/*
 * The stages of the pipeline. Each takes a burst and marks the packets it
 * refuses with a drop reason (pkt->drop); it returns how many it marked, so
 * the runner sweeps only bursts that lost packets. A stage never frees,
 * forwards or reorders: the runner does (pipeline.c).
 *
 *   parse -> classify -> xconnect -> rewrite -> tx
 */
#ifndef CIX_STAGE_STAGES_H
#define CIX_STAGE_STAGES_H

#include <stdint.h>

#include "../core/ctx.h"

/* Ethernet header and up to two VLAN tags; flags a third. */
uint32_t cix_stage_parse(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);
/* Port + tags -> ingress attachment; ingress MTU. */
uint32_t cix_stage_classify(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);
/* Ingress attachment -> egress attachment and port (E-Line cross-connect). */
uint32_t cix_stage_xconnect(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);
/* Replace the ingress attachment's tags with the egress attachment's stack. */
uint32_t cix_stage_rewrite(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);
/* Egress MTU, counters, hand-off to each port's driver. Consumes the burst. */
void cix_stage_tx(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n);

#endif
