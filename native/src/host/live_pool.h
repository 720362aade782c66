/*
 * A live worker's buffer pool: descriptors in ordinary memory, buffers in
 * their own page-aligned block (mmap) that an afxdp UMEM can register, and
 * the count computed from what the worker's sockets can hold at once.
 */
#ifndef CIX_HOST_LIVE_POOL_H
#define CIX_HOST_LIVE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pkt.h"
#include "live.h"

struct cix_live_pool {
	struct cix_pool pool;
	void *meta;      /* descriptors and free stack (posix_memalign) */
	void *bufs;      /* count * CIX_LIVE_BUF_SIZE bytes, page-aligned (mmap) */
	size_t bufs_len;
	void *jmeta;     /* jumbo descriptors and stack, when there are jumbo buffers */
	void *jbufs;     /* jcount * CIX_LIVE_JUMBO_BUF_SIZE bytes (mmap) */
	size_t jbufs_len;
};

/*
 * Buffers one worker needs: for each of its sockets (one per port) the most
 * it can hold away from the pool (afxdp: frames lent to the kernel in the
 * fill and rx rings and frames awaiting tx completion; afpacket: none, it
 * copies both ways), plus the burst in the pipeline and one more burst for
 * the driver's refill to find buffers while the pipeline holds its own.
 */
uint32_t cix_live_pool_buffers(const struct cix_live_port *ports, uint32_t n_ports,
			       uint32_t burst);

/*
 * Jumbo buffers one worker has: enough for the frames between receive and
 * transmit (a jumbo frame lives in one only from its gathering to its
 * transmit copy), at least 64.
 */
uint32_t cix_live_pool_jumbo_buffers(uint32_t burst);

/* 0, or -1 with err. On failure nothing stays allocated. */
int cix_live_pool_init(struct cix_live_pool *m, uint32_t count, uint32_t jumbo_count, char *err,
		       size_t errlen);
/* Safe on a zeroed or already freed pool. */
void cix_live_pool_free(struct cix_live_pool *m);

#endif
