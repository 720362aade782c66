/* The dataplane's insides, for the C code that runs workers (replay, bench). */
#ifndef CIX_HOST_DATAPLANE_IMPL_H
#define CIX_HOST_DATAPLANE_IMPL_H

#include "../core/ctx.h"
#include "../core/epoch.h"
#include "dataplane.h"

struct cix_dataplane {
	struct cix_epoch epoch;
	uint64_t *counters;       /* workers * objects * CIX_CNT__SLOTS */
	uint32_t objects;         /* CIX_MAX_PORTS + max_attachments */
	uint32_t workers;
	uint32_t max_attachments;
};

/* A worker's context: its counters; tables come from cix_epoch_enter per burst. */
void cix_dataplane_worker_ctx(struct cix_dataplane *dp, uint32_t worker, struct cix_ctx *ctx);

#endif
