/*
 * Configuration epochs: tables published with one atomic pointer swap and
 * freed by quiescent-state reclamation (QSBR).
 *
 * One publisher (the control thread) swaps in new tables and bumps a global
 * generation; each worker, between bursts, reports the generation it has
 * seen and then loads the current tables. Tables retired at generation G are
 * freed once every online worker has reported >= G: none can still hold them.
 * Workers never wait and never take a lock; a packet is never lost to a swap.
 */
#ifndef CIX_CORE_EPOCH_H
#define CIX_CORE_EPOCH_H

#include <stdatomic.h>
#include <stdint.h>

#include "limits.h"
#include "tables.h"

#define CIX_EPOCH_OFFLINE UINT64_MAX
#define CIX_EPOCH_MAX_RETIRED 64u

struct cix_epoch_worker {
	_Atomic uint64_t seen;
	char pad_[64 - sizeof(uint64_t)];
};

struct cix_epoch {
	_Atomic(struct cix_tables *) current;
	_Atomic uint64_t generation;
	char pad_[48];
	struct cix_epoch_worker worker[CIX_MAX_WORKERS];
	/* Publisher-side only. */
	struct cix_tables *retired[CIX_EPOCH_MAX_RETIRED];
	uint32_t n_retired;
	uint32_t n_workers;
};

void cix_epoch_init(struct cix_epoch *e, uint32_t n_workers);
/* Frees every table still held; workers must be stopped. */
void cix_epoch_fini(struct cix_epoch *e);

/*
 * Publish sealed tables; the previous ones are retired. Returns the new
 * generation, or 0 if too many epochs wait for reclamation (-EBUSY case: the
 * caller retries after workers have moved on).
 */
uint64_t cix_epoch_publish(struct cix_epoch *e, struct cix_tables *t);
/* Free retired tables no worker can hold. Returns how many are still waiting. */
uint32_t cix_epoch_reclaim(struct cix_epoch *e);

/* Worker side: between bursts. Returns the tables to use for the next burst. */
static inline const struct cix_tables *cix_epoch_enter(struct cix_epoch *e, uint32_t w)
{
	uint64_t g = atomic_load_explicit(&e->generation, memory_order_acquire);
	atomic_store_explicit(&e->worker[w].seen, g, memory_order_seq_cst);
	return atomic_load_explicit(&e->current, memory_order_seq_cst);
}

/* Worker side: before it stops polling (or blocks), so it holds nothing back. */
static inline void cix_epoch_offline(struct cix_epoch *e, uint32_t w)
{
	atomic_store_explicit(&e->worker[w].seen, CIX_EPOCH_OFFLINE, memory_order_release);
}

#endif
