#include "pkt.h"

#include <errno.h>

static size_t align64(size_t n)
{
	return (n + 63u) & ~(size_t)63u;
}

size_t cix_pool_meta_size(uint32_t count)
{
	return align64((size_t)count * sizeof(struct cix_pkt)) +
	       align64((size_t)count * sizeof(struct cix_pkt *));
}

size_t cix_pool_mem_size(uint32_t count, uint32_t buf_size)
{
	return cix_pool_meta_size(count) + (size_t)count * buf_size;
}

int cix_pool_init(struct cix_pool *pool, void *mem, uint32_t count, uint32_t buf_size,
		  uint32_t headroom)
{
	if (!mem)
		return -EINVAL;
	return cix_pool_init_split(pool, mem, (uint8_t *)mem + cix_pool_meta_size(count), count,
				   buf_size, headroom);
}

/*
 * Descriptors and free stack of `count` buffers of buf_size bytes from
 * `bufs`, in meta; indices from first_index on. Pushed in reverse so the
 * first allocations walk memory forwards.
 */
static void lay_out(const struct cix_pool *pool, void *meta, uint8_t *bufs, uint32_t count,
		    uint32_t buf_size, uint32_t first_index, struct cix_pkt **descs,
		    struct cix_pkt ***stack, uint32_t *n_free)
{
	uint8_t *m = meta;
	*descs = (struct cix_pkt *)m;
	m += align64((size_t)count * sizeof(struct cix_pkt));
	*stack = (struct cix_pkt **)m;
	*n_free = 0;
	for (uint32_t i = count; i-- > 0;) {
		struct cix_pkt *p = &(*descs)[i];
		p->buf = bufs + (size_t)i * buf_size;
		p->index = first_index + i;
		cix_pkt_reset(pool, p);
		(*stack)[(*n_free)++] = p;
	}
}

int cix_pool_init_split(struct cix_pool *pool, void *meta, void *bufs, uint32_t count,
			uint32_t buf_size, uint32_t headroom)
{
	if (!pool || !meta || !bufs || ((uintptr_t)meta & 63u) || ((uintptr_t)bufs & 63u) ||
	    count == 0 || buf_size < 128 || (buf_size & 63u) || headroom >= buf_size - 64)
		return -EINVAL;
	pool->bufs = bufs;
	pool->count = count;
	pool->buf_size = buf_size;
	pool->headroom = headroom;
	pool->jdescs = 0;
	pool->jbufs = 0;
	pool->jfree = 0;
	pool->jcount = 0;
	pool->jn_free = 0;
	pool->jbuf_size = 0;
	lay_out(pool, meta, pool->bufs, count, buf_size, 0, &pool->descs, &pool->free, &pool->n_free);
	return 0;
}

int cix_pool_add_jumbo(struct cix_pool *pool, void *meta, void *bufs, uint32_t count,
		       uint32_t buf_size)
{
	if (!pool || !pool->descs || pool->jcount || !meta || !bufs || ((uintptr_t)meta & 63u) ||
	    ((uintptr_t)bufs & 63u) || count == 0 || (buf_size & 63u) ||
	    buf_size <= pool->buf_size || (uint64_t)pool->count + count > UINT32_MAX)
		return -EINVAL;
	pool->jbufs = bufs;
	pool->jcount = count;
	pool->jbuf_size = buf_size;
	lay_out(pool, meta, pool->jbufs, count, buf_size, pool->count, &pool->jdescs, &pool->jfree,
		&pool->jn_free);
	return 0;
}
