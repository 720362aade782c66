#define _GNU_SOURCE
#include "live_pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../core/limits.h"
#include "../io/afxdp.h"

_Static_assert((CIX_LIVE_BUF_SIZE & (CIX_LIVE_BUF_SIZE - 1)) == 0,
	       "AF_XDP aligned mode wants a power-of-two frame size");

/* What one socket of this driver can hold away from its worker's pool. */
static uint32_t socket_buffers(enum cix_live_driver d)
{
	if (d == CIX_LIVE_AFXDP)
		return CIX_AFXDP_BUFFERS_PER_SOCKET;
	return 0; /* afpacket copies into its own rings both ways */
}

uint32_t cix_live_pool_buffers(const struct cix_live_port *ports, uint32_t n_ports, uint32_t burst)
{
	uint64_t n = 2u * (uint64_t)burst;
	for (uint32_t i = 0; i < n_ports; i++)
		n += socket_buffers(ports[i].io.driver);
	return (uint32_t)n;
}

uint32_t cix_live_pool_jumbo_buffers(uint32_t burst)
{
	return 4u * burst < 64u ? 64u : 4u * burst;
}

/*
 * Descriptor memory for `count` buffers and the buffers themselves
 * (count * buf_size bytes, page-aligned, populated now: no page fault on
 * the fast path, and a shortage shows here). On failure *meta and *bufs
 * hold what was made, for cix_live_pool_free.
 */
static int alloc_block(void **meta, void **bufs, size_t *bufs_len, uint32_t count,
		       uint32_t buf_size, const char *what, char *err, size_t errlen)
{
	if (posix_memalign(meta, 64, cix_pool_meta_size(count))) {
		*meta = 0;
		snprintf(err, errlen, "cannot allocate %u %s descriptors", count, what);
		return -1;
	}
	*bufs_len = (size_t)count * buf_size;
	*bufs = mmap(0, *bufs_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		     -1, 0);
	if (*bufs == MAP_FAILED) {
		int e = errno;
		*bufs = 0;
		snprintf(err, errlen, "cannot map %zu bytes of %ss: %s", *bufs_len, what, strerror(e));
		return -1;
	}
	return 0;
}

int cix_live_pool_init(struct cix_live_pool *m, uint32_t count, uint32_t jumbo_count, char *err,
		       size_t errlen)
{
	memset(m, 0, sizeof(*m));
	if (alloc_block(&m->meta, &m->bufs, &m->bufs_len, count, CIX_LIVE_BUF_SIZE, "buffer", err,
			errlen)) {
		cix_live_pool_free(m);
		return -1;
	}
	if (cix_pool_init_split(&m->pool, m->meta, m->bufs, count, CIX_LIVE_BUF_SIZE,
				CIX_LIVE_HEADROOM)) {
		cix_live_pool_free(m);
		snprintf(err, errlen, "cannot lay out a pool of %u buffers", count);
		return -1;
	}
	if (!jumbo_count)
		return 0;
	if (alloc_block(&m->jmeta, &m->jbufs, &m->jbufs_len, jumbo_count, CIX_LIVE_JUMBO_BUF_SIZE,
			"jumbo buffer", err, errlen)) {
		cix_live_pool_free(m);
		return -1;
	}
	if (cix_pool_add_jumbo(&m->pool, m->jmeta, m->jbufs, jumbo_count, CIX_LIVE_JUMBO_BUF_SIZE)) {
		cix_live_pool_free(m);
		snprintf(err, errlen, "cannot lay out %u jumbo buffers", jumbo_count);
		return -1;
	}
	return 0;
}

void cix_live_pool_free(struct cix_live_pool *m)
{
	if (m->bufs)
		munmap(m->bufs, m->bufs_len);
	if (m->jbufs)
		munmap(m->jbufs, m->jbufs_len);
	free(m->meta);
	free(m->jmeta);
	memset(m, 0, sizeof(*m));
}
