/*
 * A live worker's pool: sized from what its sockets can hold (computed, per
 * driver), buffers page-aligned and one page each (what an AF_XDP UMEM
 * registers), headroom where the drivers expect it, freed without a trace.
 */
#include <unistd.h>

#include "core/limits.h"
#include "host/live_pool.h"
#include "io/afxdp.h"
#include "test.h"

static struct cix_live_port port_on(enum cix_live_driver d)
{
	struct cix_live_port p;
	memset(&p, 0, sizeof(p));
	p.io.driver = d;
	return p;
}

static void count_follows_the_sockets(void)
{
	struct cix_live_port ports[3] = {port_on(CIX_LIVE_AFXDP), port_on(CIX_LIVE_AFPACKET),
					 port_on(CIX_LIVE_AFXDP)};
	/* afpacket copies both ways: only the bursts. */
	CHECK_EQ(cix_live_pool_buffers(ports + 1, 1, 64), 2 * 64);
	/* afxdp lends its fill ring and its tx ring to the kernel. */
	CHECK_EQ(cix_live_pool_buffers(ports, 1, 64), CIX_AFXDP_FILL_SIZE + CIX_AFXDP_TX_SIZE + 2 * 64);
	CHECK_EQ(cix_live_pool_buffers(ports, 3, 256),
		 2 * CIX_AFXDP_BUFFERS_PER_SOCKET + 2 * CIX_MAX_BURST);
}

static void buffers_are_pages(void)
{
	struct cix_live_pool m;
	char err[128] = "";
	REQUIRE(cix_live_pool_init(&m, 300, 0, err, sizeof(err)) == 0);
	CHECK_EQ(m.pool.jcount, 0);
	long page = sysconf(_SC_PAGESIZE);
	CHECK_EQ((uintptr_t)m.bufs % (uintptr_t)page, 0);
	CHECK_EQ(m.pool.count, 300);
	CHECK_EQ(m.pool.n_free, 300);
	CHECK_EQ(m.pool.buf_size, CIX_LIVE_BUF_SIZE);
	CHECK_EQ(m.pool.headroom, CIX_LIVE_HEADROOM);
	CHECK_EQ(m.bufs_len, 300u * CIX_LIVE_BUF_SIZE);
	struct cix_pkt *p[300];
	CHECK_EQ(cix_pool_alloc_burst(&m.pool, p, 300), 300);
	int inside = 1;
	for (unsigned i = 0; i < 300; i++) {
		uintptr_t off = (uintptr_t)(p[i]->buf - (uint8_t *)m.bufs);
		inside &= off % CIX_LIVE_BUF_SIZE == 0 && off / CIX_LIVE_BUF_SIZE == p[i]->index &&
			  p[i]->data == p[i]->buf + CIX_LIVE_HEADROOM;
		memset(p[i]->buf, 0xa5, CIX_LIVE_BUF_SIZE); /* every byte is ours */
	}
	CHECK(inside);
	cix_pool_free_burst(&m.pool, p, 300);
	CHECK_EQ(m.pool.n_free, 300);
	cix_live_pool_free(&m);
	CHECK(m.bufs == 0 && m.meta == 0);
	cix_live_pool_free(&m); /* twice is harmless */
}

/* Jumbo buffers: four bursts' worth, at least 64; their own mapping, freed with the pool. */
static void jumbo_buffers(void)
{
	CHECK_EQ(cix_live_pool_jumbo_buffers(64), 4 * 64);
	CHECK_EQ(cix_live_pool_jumbo_buffers(8), 64);

	struct cix_live_pool m;
	char err[128] = "";
	REQUIRE(cix_live_pool_init(&m, 100, 64, err, sizeof(err)) == 0);
	CHECK_EQ(m.pool.count, 100);
	CHECK_EQ(m.pool.jcount, 64);
	CHECK_EQ(cix_pool_jumbo_room(&m.pool), CIX_LIVE_MAX_FRAME);
	struct cix_pkt *j = cix_pool_alloc_jumbo(&m.pool);
	REQUIRE(j);
	memset(j->data, 0x5a, CIX_LIVE_MAX_FRAME); /* the whole room is ours */
	cix_pool_free(&m.pool, j);
	CHECK_EQ(m.pool.jn_free, 64);
	cix_live_pool_free(&m);
	CHECK(m.jbufs == 0 && m.jmeta == 0);
}

int main(void)
{
	RUN(count_follows_the_sockets);
	RUN(buffers_are_pages);
	RUN(jumbo_buffers);
	return cix_test_finish("live_pool");
}
