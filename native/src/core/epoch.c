#include "epoch.h"

void cix_epoch_init(struct cix_epoch *e, uint32_t n_workers)
{
	atomic_store(&e->current, (struct cix_tables *)0);
	atomic_store(&e->generation, 0);
	for (uint32_t w = 0; w < CIX_MAX_WORKERS; w++)
		atomic_store(&e->worker[w].seen, CIX_EPOCH_OFFLINE);
	e->n_retired = 0;
	e->n_workers = n_workers;
}

void cix_epoch_fini(struct cix_epoch *e)
{
	for (uint32_t i = 0; i < e->n_retired; i++)
		cix_tables_free(e->retired[i]);
	e->n_retired = 0;
	cix_tables_free(atomic_exchange(&e->current, (struct cix_tables *)0));
}

static uint64_t min_seen(struct cix_epoch *e)
{
	uint64_t m = CIX_EPOCH_OFFLINE;
	for (uint32_t w = 0; w < e->n_workers; w++) {
		uint64_t s = atomic_load_explicit(&e->worker[w].seen, memory_order_seq_cst);
		if (s < m)
			m = s;
	}
	return m;
}

uint32_t cix_epoch_reclaim(struct cix_epoch *e)
{
	uint64_t m = min_seen(e);
	uint32_t kept = 0;
	for (uint32_t i = 0; i < e->n_retired; i++) {
		struct cix_tables *t = e->retired[i];
		/* t was replaced at generation t->generation + 1: a worker that has
		 * reported that (or later) has let go of it. */
		if (m != CIX_EPOCH_OFFLINE && m <= t->generation)
			e->retired[kept++] = t;
		else
			cix_tables_free(t);
	}
	e->n_retired = kept;
	return kept;
}

uint64_t cix_epoch_publish(struct cix_epoch *e, struct cix_tables *t)
{
	if (e->n_retired == CIX_EPOCH_MAX_RETIRED && cix_epoch_reclaim(e) == CIX_EPOCH_MAX_RETIRED)
		return 0;
	uint64_t g = atomic_load(&e->generation) + 1;
	t->generation = g;
	/* Swap first, then announce: a worker that sees generation g loads t or newer. */
	struct cix_tables *old = atomic_exchange(&e->current, t);
	atomic_store_explicit(&e->generation, g, memory_order_seq_cst);
	if (old)
		e->retired[e->n_retired++] = old;
	cix_epoch_reclaim(e);
	return g;
}
