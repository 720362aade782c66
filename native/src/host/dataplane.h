/*
 * The dataplane: the published tables (epoch) and the counters of every
 * worker. Opaque to the addon; stages and runners include dataplane_impl.h.
 * The counter memory is given by the caller so the control side can read it
 * in place (see core/counters.h for its layout).
 */
#ifndef CIX_HOST_DATAPLANE_H
#define CIX_HOST_DATAPLANE_H

#include <stddef.h>
#include <stdint.h>

struct cix_dataplane;
struct cix_tables;

/* Bytes of counter memory for this many workers and attachments. */
size_t cix_dataplane_counters_size(uint32_t workers, uint32_t max_attachments);

/* counters: zeroed, 64-byte aligned, cix_dataplane_counters_size() bytes. NULL on bad arguments. */
struct cix_dataplane *cix_dataplane_new(uint32_t workers, uint32_t max_attachments,
					uint64_t *counters);
/* Workers must have stopped. Frees every table it still holds. */
void cix_dataplane_free(struct cix_dataplane *dp);

uint32_t cix_dataplane_workers(const struct cix_dataplane *dp);
uint32_t cix_dataplane_objects(const struct cix_dataplane *dp);
uint32_t cix_dataplane_max_attachments(const struct cix_dataplane *dp);

/* Publish sealed tables (ownership passes). Returns the generation, or 0 if refused. */
uint64_t cix_dataplane_publish(struct cix_dataplane *dp, struct cix_tables *t);

#endif
