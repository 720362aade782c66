#include "dataplane_impl.h"

#include <stdlib.h>
#include <string.h>

size_t cix_dataplane_counters_size(uint32_t workers, uint32_t max_attachments)
{
	return (size_t)workers * (CIX_MAX_PORTS + max_attachments) * CIX_CNT__SLOTS * sizeof(uint64_t);
}

struct cix_dataplane *cix_dataplane_new(uint32_t workers, uint32_t max_attachments,
					uint64_t *counters)
{
	if (!counters || ((uintptr_t)counters & 63u) || workers == 0 || workers > CIX_MAX_WORKERS ||
	    max_attachments == 0 || max_attachments > CIX_MAX_ATTACHMENTS)
		return 0;
	struct cix_dataplane *dp;
	if (posix_memalign((void **)&dp, 64, sizeof(*dp)))
		return 0;
	memset(dp, 0, sizeof(*dp));
	cix_epoch_init(&dp->epoch, workers);
	dp->counters = counters;
	dp->workers = workers;
	dp->max_attachments = max_attachments;
	dp->objects = CIX_MAX_PORTS + max_attachments;
	return dp;
}

void cix_dataplane_free(struct cix_dataplane *dp)
{
	if (!dp)
		return;
	cix_epoch_fini(&dp->epoch);
	free(dp);
}

uint32_t cix_dataplane_workers(const struct cix_dataplane *dp) { return dp->workers; }
uint32_t cix_dataplane_objects(const struct cix_dataplane *dp) { return dp->objects; }
uint32_t cix_dataplane_max_attachments(const struct cix_dataplane *dp) { return dp->max_attachments; }

uint64_t cix_dataplane_publish(struct cix_dataplane *dp, struct cix_tables *t)
{
	return cix_epoch_publish(&dp->epoch, t);
}

void cix_dataplane_worker_ctx(struct cix_dataplane *dp, uint32_t worker, struct cix_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->worker = worker;
	ctx->cnt.base = dp->counters + (size_t)worker * dp->objects * CIX_CNT__SLOTS;
	ctx->cnt.port_base = 0;
	ctx->cnt.att_base = CIX_MAX_PORTS;
}
