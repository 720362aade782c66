#include "pkt.h"

#include <errno.h>

static size_t align64(size_t n)
{
	return (n + 63u) & ~(size_t)63u;
}

size_t cix_pool_mem_size(uint32_t count, uint32_t buf_size)
{
	return align64((size_t)count * sizeof(struct cix_pkt)) +
	       align64((size_t)count * sizeof(struct cix_pkt *)) +
	       (size_t)count * buf_size;
}

int cix_pool_init(struct cix_pool *pool, void *mem, uint32_t count, uint32_t buf_size,
		  uint32_t headroom)
{
	if (!pool || !mem || ((uintptr_t)mem & 63u) || count == 0 || buf_size < 128 ||
	    (buf_size & 63u) || headroom >= buf_size - 64)
		return -EINVAL;

	uint8_t *m = mem;
	pool->descs = (struct cix_pkt *)m;
	m += align64((size_t)count * sizeof(struct cix_pkt));
	pool->free = (struct cix_pkt **)m;
	m += align64((size_t)count * sizeof(struct cix_pkt *));
	pool->bufs = m;
	pool->count = count;
	pool->buf_size = buf_size;
	pool->headroom = headroom;

	/* Pushed in reverse so the first allocations walk memory forwards. */
	pool->n_free = 0;
	for (uint32_t i = count; i-- > 0;) {
		struct cix_pkt *p = &pool->descs[i];
		p->buf = pool->bufs + (size_t)i * buf_size;
		p->index = i;
		cix_pkt_reset(pool, p);
		pool->free[pool->n_free++] = p;
	}
	return 0;
}
