/*
 * The four AF_XDP rings (Documentation/networking/af_xdp.rst) as seen from
 * user space: fill and tx, where we produce and the kernel consumes, and rx
 * and completion, where the kernel produces and we consume.
 *
 * Each side keeps a cached copy of the other side's index and reads the
 * shared one (one acquire load) only when the cache says there is not
 * enough; indices run freely and are masked on access. The order rules:
 * a producer writes its entries and then publishes its index with a
 * release store; a consumer reads the producer's index with an acquire
 * load before the entries, and publishes its own index (release) only after
 * it has read them.
 */
#ifndef CIX_IO_XDP_RING_H
#define CIX_IO_XDP_RING_H

#include <linux/if_xdp.h>
#include <stddef.h>
#include <stdint.h>

struct cix_xdp_ring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;
	void *descs;         /* __u64 addresses (fill, completion) or struct xdp_desc (rx, tx) */
	uint32_t mask;       /* entries - 1 */
	uint32_t size;       /* entries */
	uint32_t cached_prod;
	uint32_t cached_cons; /* producer rings: consumer + size, so free = cons - prod */
	void *map;           /* the mmap()ed region, for munmap */
	size_t map_len;
};

static inline uint32_t cix_xdp_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void cix_xdp_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Producer side (fill, tx): how many entries can be written now, at most n. */
static inline uint32_t cix_xdp_prod_free(struct cix_xdp_ring *r, uint32_t n)
{
	uint32_t free = r->cached_cons - r->cached_prod;
	if (free >= n)
		return n;
	r->cached_cons = cix_xdp_load_acquire(r->consumer) + r->size;
	free = r->cached_cons - r->cached_prod;
	return free < n ? free : n;
}

static inline uint64_t *cix_xdp_fill_addr(struct cix_xdp_ring *r, uint32_t idx)
{
	return &((uint64_t *)r->descs)[idx & r->mask];
}

static inline struct xdp_desc *cix_xdp_tx_desc(struct cix_xdp_ring *r, uint32_t idx)
{
	return &((struct xdp_desc *)r->descs)[idx & r->mask];
}

/* Publishes the n entries written from cached_prod on. */
static inline void cix_xdp_prod_submit(struct cix_xdp_ring *r, uint32_t n)
{
	r->cached_prod += n;
	cix_xdp_store_release(r->producer, r->cached_prod);
}

/* Entries the kernel has not consumed yet (tx: frames not yet sent). */
static inline uint32_t cix_xdp_prod_outstanding(struct cix_xdp_ring *r)
{
	return r->cached_prod - cix_xdp_load_acquire(r->consumer);
}

static inline int cix_xdp_needs_wakeup(const struct cix_xdp_ring *r)
{
	return (__atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP) != 0;
}

/* Consumer side (rx, completion): how many entries are ready, at most n. */
static inline uint32_t cix_xdp_cons_avail(struct cix_xdp_ring *r, uint32_t n)
{
	uint32_t avail = r->cached_prod - r->cached_cons;
	if (avail == 0) {
		r->cached_prod = cix_xdp_load_acquire(r->producer);
		avail = r->cached_prod - r->cached_cons;
	}
	return avail < n ? avail : n;
}

static inline const uint64_t *cix_xdp_comp_addr(const struct cix_xdp_ring *r, uint32_t idx)
{
	return &((const uint64_t *)r->descs)[idx & r->mask];
}

static inline const struct xdp_desc *cix_xdp_rx_desc(const struct cix_xdp_ring *r, uint32_t idx)
{
	return &((const struct xdp_desc *)r->descs)[idx & r->mask];
}

/* Gives the n entries read from cached_cons on back to the kernel. */
static inline void cix_xdp_cons_release(struct cix_xdp_ring *r, uint32_t n)
{
	r->cached_cons += n;
	cix_xdp_store_release(r->consumer, r->cached_cons);
}

/*
 * Maps one ring of socket fd (pgoff: XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING,
 * XDP_UMEM_PGOFF_FILL_RING or XDP_UMEM_PGOFF_COMPLETION_RING) once its size
 * was set with setsockopt. 0 or -errno. Control path only.
 */
int cix_xdp_ring_map(struct cix_xdp_ring *r, int fd, uint64_t pgoff, uint32_t entries);
void cix_xdp_ring_unmap(struct cix_xdp_ring *r);

#endif
