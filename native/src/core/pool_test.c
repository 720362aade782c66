/* pool: layout in caller memory, alloc/free bursts, exhaustion, headroom, refusals. */
#include <errno.h>
#include <stdint.h>

#include "core/pkt.h"
#include "test.h"

static void *mem_for(uint32_t count, uint32_t buf_size)
{
	void *m = 0;
	if (posix_memalign(&m, 64, cix_pool_mem_size(count, buf_size) + 64))
		return 0;
	return m;
}

static void pool_mem_size(void)
{
	CHECK_EQ(cix_pool_mem_size(1, 128), 64 + 64 + 128);
	CHECK_EQ(cix_pool_mem_size(8, 2048), 8 * 64 + 64 + 8 * 2048);
	CHECK_EQ(cix_pool_mem_size(9, 2048), 9 * 64 + 128 + 9 * 2048);
	/* No 32-bit overflow for big pools. */
	CHECK_EQ(cix_pool_mem_size(1u << 20, 1u << 14), (size_t)(1u << 20) * 64 + (size_t)(1u << 20) * 8 +
							     ((size_t)1 << 34));
}

static void pool_init_refuses(void)
{
	struct cix_pool pool;
	uint8_t *m = mem_for(16, 2048);
	REQUIRE(m);
	CHECK_EQ(cix_pool_init(0, m, 16, 2048, 128), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, 0, 16, 2048, 128), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m + 8, 16, 2048, 128), -EINVAL);  /* not 64-byte aligned */
	CHECK_EQ(cix_pool_init(&pool, m + 32, 16, 2048, 128), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 0, 2048, 128), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 64, 0), -EINVAL);        /* smaller than 128 */
	CHECK_EQ(cix_pool_init(&pool, m, 16, 0, 0), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2000, 128), -EINVAL);    /* not a multiple of 64 */
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048 + 32, 128), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048, 2048), -EINVAL);   /* no room left for a frame */
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048, 1985), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048, 1984), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048, 0xffffffffu), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 2048, 1983), 0);         /* 65 bytes of room */
	CHECK_EQ(cix_pool_init(&pool, m, 16, 128, 63), 0);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 128, 64), -EINVAL);
	CHECK_EQ(cix_pool_init(&pool, m, 16, 128, 0), 0);
	free(m);
}

static void pool_layout(void)
{
	const uint32_t count = 37, bs = 2048, hr = 128;
	struct cix_pool pool;
	uint8_t *m = mem_for(count, bs);
	REQUIRE(m);
	size_t size = cix_pool_mem_size(count, bs);
	REQUIRE(cix_pool_init(&pool, m, count, bs, hr) == 0);
	CHECK_EQ(pool.count, count);
	CHECK_EQ(pool.n_free, count);
	CHECK_EQ(pool.buf_size, bs);
	CHECK_EQ(pool.headroom, hr);
	CHECK_EQ(cix_pool_data_room(&pool), bs - hr);
	CHECK((uint8_t *)pool.descs == m);
	CHECK_EQ((uintptr_t)pool.free % 64, 0);
	CHECK_EQ((uintptr_t)pool.bufs % 64, 0);
	CHECK(pool.bufs + (size_t)count * bs == m + size); /* everything inside the caller's block */
	for (uint32_t i = 0; i < count; i++) {
		struct cix_pkt *p = &pool.descs[i];
		CHECK_EQ(p->index, i);
		CHECK(p->buf == pool.bufs + (size_t)i * bs);
		CHECK_EQ((uintptr_t)p->buf % 64, 0);
		CHECK(p->data == p->buf + hr);
		CHECK_EQ(cix_pkt_headroom(p), hr);
		CHECK_EQ((uintptr_t)p % 64, 0); /* one cache line each */
	}
	free(m);
}

static void pool_alloc_free_bursts(void)
{
	const uint32_t count = 64;
	struct cix_pool pool;
	uint8_t *m = mem_for(count, 256);
	REQUIRE(m);
	REQUIRE(cix_pool_init(&pool, m, count, 256, 64) == 0);
	struct cix_pkt *a[80], *b[80];

	/* The first allocations walk memory forwards. */
	CHECK_EQ(cix_pool_alloc_burst(&pool, a, 10), 10);
	for (uint32_t i = 0; i < 10; i++)
		CHECK_EQ(a[i]->index, i);
	CHECK_EQ(pool.n_free, count - 10);

	/* Every buffer is distinct and fully usable: fill each whole buffer. */
	CHECK_EQ(cix_pool_alloc_burst(&pool, a + 10, 54), 54);
	CHECK_EQ(pool.n_free, 0);
	for (uint32_t i = 0; i < count; i++)
		memset(a[i]->buf, (int)i, pool.buf_size);
	for (uint32_t i = 0; i < count; i++) {
		CHECK_EQ(a[i]->buf[0], (uint8_t)i);
		CHECK_EQ(a[i]->buf[pool.buf_size - 1], (uint8_t)i);
		CHECK_EQ(a[i]->index, (uint32_t)(a[i] - pool.descs)); /* descriptors untouched */
	}

	/* Exhausted: nothing more. */
	CHECK_EQ(cix_pool_alloc_burst(&pool, b, 1), 0);
	CHECK_EQ(cix_pool_alloc_burst(&pool, b, 32), 0);

	/* Give some back, take more than there is: a partial burst. */
	cix_pool_free_burst(&pool, a + 20, 5);
	cix_pool_free(&pool, a[40]);
	CHECK_EQ(pool.n_free, 6);
	CHECK_EQ(cix_pool_alloc_burst(&pool, b, 32), 6);
	CHECK_EQ(pool.n_free, 0);
	/* LIFO: the last freed comes first. */
	CHECK(b[0] == a[40]);
	CHECK(b[1] == a[24]);
	CHECK(b[5] == a[20]);

	/* All back. */
	cix_pool_free_burst(&pool, b, 6);
	for (uint32_t i = 0; i < count; i++)
		if (!(i >= 20 && i < 25) && i != 40)
			cix_pool_free(&pool, a[i]);
	CHECK_EQ(pool.n_free, count);
	CHECK_EQ(cix_pool_alloc_burst(&pool, b, 80), count);
	/* Each descriptor exactly once. */
	uint8_t seen[64] = {0};
	for (uint32_t i = 0; i < count; i++) {
		REQUIRE(b[i]->index < count);
		CHECK_EQ(seen[b[i]->index], 0);
		seen[b[i]->index] = 1;
	}
	cix_pool_free_burst(&pool, b, count);
	CHECK_EQ(cix_pool_alloc_burst(&pool, b, 0), 0);
	free(m);
}

static void pool_alloc_resets(void)
{
	struct cix_pool pool;
	uint8_t *m = mem_for(4, 512);
	REQUIRE(m);
	REQUIRE(cix_pool_init(&pool, m, 4, 512, 192) == 0);
	struct cix_pkt *p;
	REQUIRE(cix_pool_alloc_burst(&pool, &p, 1) == 1);
	/* A packet as the pipeline leaves it: moved, tagged, marked. */
	p->data = p->buf + 4;
	p->len = 300;
	p->wire_len = 400;
	p->drop = 3;
	p->flags = 1;
	p->ntags = 2;
	p->consumed = 2;
	p->attachment = 5;
	p->egress = 6;
	p->out_port = 7;
	cix_pool_free(&pool, p);
	struct cix_pkt *q;
	REQUIRE(cix_pool_alloc_burst(&pool, &q, 1) == 1);
	CHECK(q == p);
	CHECK(q->data == q->buf + 192);
	CHECK_EQ(cix_pkt_headroom(q), 192);
	CHECK_EQ(q->len, 0);
	CHECK_EQ(q->wire_len, 0);
	CHECK_EQ(q->drop, 0);
	CHECK_EQ(q->flags, 0);
	CHECK_EQ(q->ntags, 0);
	CHECK_EQ(q->consumed, 0);
	CHECK_EQ(q->attachment, 0xffff);
	CHECK_EQ(q->egress, 0xffff);
	CHECK_EQ(q->out_port, 0xffff);
	cix_pool_free(&pool, q);
	free(m);
}

/* Jumbo buffers: their own stack, found again by index on free, single or burst. */
static void pool_jumbo_buffers(void)
{
	struct cix_pool pool;
	uint8_t *m = mem_for(8, 2048);
	void *jmeta = mem_for(3, 64); /* descriptors and stack of 3, plus slack */
	void *jbufs = 0;
	REQUIRE(m && jmeta && posix_memalign(&jbufs, 64, 3 * 16384) == 0);
	REQUIRE(cix_pool_init(&pool, m, 8, 2048, 256) == 0);
	CHECK_EQ(cix_pool_jumbo_room(&pool), 0);
	CHECK(cix_pool_alloc_jumbo(&pool) == 0);
	CHECK_EQ(cix_pool_add_jumbo(&pool, jmeta, jbufs, 3, 2048), -EINVAL); /* not larger */
	CHECK_EQ(cix_pool_add_jumbo(&pool, jmeta, jbufs, 0, 16384), -EINVAL);
	CHECK_EQ(cix_pool_add_jumbo(&pool, (uint8_t *)jmeta + 8, jbufs, 3, 16384), -EINVAL);
	REQUIRE(cix_pool_add_jumbo(&pool, jmeta, jbufs, 3, 16384) == 0);
	CHECK_EQ(cix_pool_add_jumbo(&pool, jmeta, jbufs, 3, 16384), -EINVAL); /* only once */
	CHECK_EQ(cix_pool_jumbo_room(&pool), 16384 - 256);

	struct cix_pkt *j[4], *o[8];
	for (int i = 0; i < 3; i++) {
		j[i] = cix_pool_alloc_jumbo(&pool);
		REQUIRE(j[i]);
		CHECK(cix_pkt_is_jumbo(&pool, j[i]));
		CHECK(j[i]->data == j[i]->buf + 256);
		CHECK(j[i]->buf >= (uint8_t *)jbufs && j[i]->buf < (uint8_t *)jbufs + 3 * 16384);
	}
	CHECK(cix_pool_alloc_jumbo(&pool) == 0);
	CHECK_EQ(pool.n_free, 8); /* the ordinary stack is untouched */
	CHECK_EQ(cix_pool_alloc_burst(&pool, o, 8), 8);
	for (int i = 0; i < 8; i++)
		CHECK(!cix_pkt_is_jumbo(&pool, o[i]));

	/* A burst mixing both kinds goes back where each came from. */
	struct cix_pkt *mix[5] = {o[0], j[0], o[1], j[1], o[2]};
	cix_pool_free_burst(&pool, mix, 5);
	CHECK_EQ(pool.n_free, 3);
	CHECK_EQ(pool.jn_free, 2);
	cix_pool_free(&pool, j[2]);
	CHECK_EQ(pool.jn_free, 3);
	cix_pool_free_burst(&pool, o + 3, 5);
	CHECK_EQ(pool.n_free, 8);
	free(m);
	free(jmeta);
	free(jbufs);
}

static void pool_descriptor_is_one_line(void)
{
	CHECK_EQ(sizeof(struct cix_pkt), 64);
}

int main(void)
{
	RUN(pool_mem_size);
	RUN(pool_init_refuses);
	RUN(pool_layout);
	RUN(pool_alloc_free_bursts);
	RUN(pool_alloc_resets);
	RUN(pool_jumbo_buffers);
	RUN(pool_descriptor_is_one_line);
	return cix_test_finish("pool");
}
