/*
 * The packet descriptor and its buffer pool.
 *
 * A descriptor is one cache line. Buffers live in one preallocated block;
 * every buffer starts with `headroom` free bytes so that pushing tags or,
 * later, tunnel headers moves the data pointer back instead of copying the
 * payload. Ownership: the pool owns free buffers; a driver's rx hands them
 * to the pipeline; the pipeline either hands them to a driver's tx (which
 * returns them to the pool when sent) or frees them after counting a drop.
 */
#ifndef CIX_CORE_PKT_H
#define CIX_CORE_PKT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cix_pkt {
	uint8_t *data;       /* first byte of the Ethernet frame */
	uint8_t *buf;        /* start of the buffer, headroom included */
	uint64_t ts_ns;      /* receive time: the clock of the run (capture time in replay) */
	uint32_t len;        /* bytes present from data */
	uint32_t wire_len;   /* length on the wire; larger than len if the frame was cut */
	uint16_t in_port;    /* receive port */
	uint16_t out_port;   /* transmit port, once known */
	uint16_t attachment; /* ingress attachment, CIX_NONE until classified */
	uint16_t egress;     /* egress attachment, CIX_NONE until the service is found */
	uint16_t tpid[2];    /* parsed tags, outer first, host order */
	uint16_t tci[2];
	uint16_t prio;       /* PCP+DEI bits (TCI & 0xf000) of the customer tag */
	uint8_t ntags;       /* tags parsed, 0..CIX_MAX_TAGS */
	uint8_t consumed;    /* tags owned by the ingress attachment */
	uint8_t drop;        /* enum cix_drop; CIX_DROP_NONE while the packet lives */
	uint8_t flags;       /* CIX_PKT_F_* */
	uint32_t index;      /* slot in the pool */
	uint32_t tag_key;    /* parse's tag part of the match key, or CIX_TAG_KEY_NONE */
};

#define CIX_PKT_F_MORE_TAGS 0x01u /* a further tag follows the ones parsed */

/*
 * tag_key: the parsed tags as the low 30 bits of the classifier's match key
 * (cix_match_key in tables.h, without the port): what parse read, computed
 * once while the tags are in registers so classify only adds the port.
 * CIX_TAG_KEY_NONE where parse did not compute it (a tag with an unknown
 * TPID, a frame it had to walk carefully) or parse has not run; classify
 * then builds the key from tpid/tci itself. Whoever changes the tags after
 * parse (a decap stage) must set it back to CIX_TAG_KEY_NONE.
 */
#define CIX_TAG_KEY_NONE 0xffffffffu

#ifndef __cplusplus
_Static_assert(sizeof(struct cix_pkt) == 64, "descriptor must stay one cache line");
#endif

static inline uint32_t cix_pkt_headroom(const struct cix_pkt *p)
{
	return (uint32_t)(p->data - p->buf);
}

struct cix_pool {
	struct cix_pkt *descs;   /* count descriptors */
	uint8_t *bufs;           /* count * buf_size bytes */
	struct cix_pkt **free;   /* LIFO stack of free descriptors */
	uint32_t count;
	uint32_t n_free;
	uint32_t buf_size;       /* bytes per buffer, headroom included */
	uint32_t headroom;
	/* Jumbo buffers, for live ports whose frames outgrow one buffer (an
	 * AF_XDP chunk is at most a page): descriptors numbered after the count
	 * ordinary ones (index >= count says which stack a free goes back to),
	 * same headroom, jbuf_size bytes each. jcount 0: none. */
	struct cix_pkt *jdescs;
	uint8_t *jbufs;
	struct cix_pkt **jfree;
	uint32_t jcount;
	uint32_t jn_free;
	uint32_t jbuf_size;
};

/* Bytes of caller memory cix_pool_init needs for `count` buffers. */
size_t cix_pool_mem_size(uint32_t count, uint32_t buf_size);
/* Lay a pool out in caller-owned memory (64-byte aligned). Returns 0 or -EINVAL. */
int cix_pool_init(struct cix_pool *pool, void *mem, uint32_t count, uint32_t buf_size,
		  uint32_t headroom);

/*
 * The same pool with its buffers in a separate block, for drivers that
 * register the buffers with the kernel (AF_XDP UMEM: page-aligned block,
 * buf_size a power of two). meta: cix_pool_meta_size(count) bytes, 64-byte
 * aligned; bufs: count * buf_size bytes, 64-byte aligned.
 */
size_t cix_pool_meta_size(uint32_t count);
int cix_pool_init_split(struct cix_pool *pool, void *meta, void *bufs, uint32_t count,
			uint32_t buf_size, uint32_t headroom);

/* Room for a frame in one buffer. */
static inline uint32_t cix_pool_data_room(const struct cix_pool *pool)
{
	return pool->buf_size - pool->headroom;
}

/*
 * Adds `count` jumbo buffers of buf_size bytes (bufs, 64-byte aligned) with
 * cix_pool_meta_size(count) bytes of descriptors (meta) to an initialised
 * pool. Returns 0 or -EINVAL.
 */
int cix_pool_add_jumbo(struct cix_pool *pool, void *meta, void *bufs, uint32_t count,
		       uint32_t buf_size);

/* Room for a frame in one jumbo buffer; 0 when the pool has none. */
static inline uint32_t cix_pool_jumbo_room(const struct cix_pool *pool)
{
	return pool->jcount ? pool->jbuf_size - pool->headroom : 0;
}

static inline int cix_pkt_is_jumbo(const struct cix_pool *pool, const struct cix_pkt *p)
{
	return p->index >= pool->count;
}

static inline void cix_pkt_reset(const struct cix_pool *pool, struct cix_pkt *p)
{
	p->data = p->buf + pool->headroom;
	p->len = 0;
	p->wire_len = 0;
	p->drop = 0;
	p->flags = 0;
	p->ntags = 0;
	p->consumed = 0;
	p->attachment = 0xffffu;
	p->egress = 0xffffu;
	p->out_port = 0xffffu;
	p->tag_key = CIX_TAG_KEY_NONE;
}

/* Take up to n buffers; returns how many were taken. Single-threaded: one pool per worker. */
static inline uint32_t cix_pool_alloc_burst(struct cix_pool *pool, struct cix_pkt **pkts, uint32_t n)
{
	if (n > pool->n_free)
		n = pool->n_free;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pool->free[--pool->n_free];
		cix_pkt_reset(pool, p);
		pkts[i] = p;
	}
	return n;
}

/*
 * Copy n descriptor pointers between two arrays that do not overlap (burst,
 * ring, free stack): four at a time as two 16-byte moves, where a loop of
 * single pointers costs several instructions each.
 */
static inline void cix_pkt_copy_ptrs(struct cix_pkt **dst, struct cix_pkt *const *src, uint32_t n)
{
	uint32_t i = 0;
	if (n >= 4) {
		/* Hide where the arrays came from: GCC's -Warray-bounds otherwise
		 * flags this path for one-element callers that never take it. */
		__asm__("" : "+r"(dst), "+r"(src));
		for (; i + 4 <= n; i += 4)
			memcpy(dst + i, src + i, 4 * sizeof(*dst));
	}
	for (; i < n; i++)
		dst[i] = src[i];
}

/* One jumbo buffer, or NULL when none is free. */
static inline struct cix_pkt *cix_pool_alloc_jumbo(struct cix_pool *pool)
{
	if (pool->jn_free == 0)
		return 0;
	struct cix_pkt *p = pool->jfree[--pool->jn_free];
	cix_pkt_reset(pool, p);
	return p;
}

static inline void cix_pool_free(struct cix_pool *pool, struct cix_pkt *p)
{
	if (__builtin_expect(cix_pkt_is_jumbo(pool, p), 0))
		pool->jfree[pool->jn_free++] = p;
	else
		pool->free[pool->n_free++] = p;
}

static inline void cix_pool_free_burst(struct cix_pool *pool, struct cix_pkt **pkts, uint32_t n)
{
	if (__builtin_expect(pool->jcount != 0, 0)) {
		for (uint32_t i = 0; i < n; i++)
			cix_pool_free(pool, pkts[i]);
		return;
	}
	cix_pkt_copy_ptrs(pool->free + pool->n_free, pkts, n);
	pool->n_free += n;
}

#endif
