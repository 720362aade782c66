/* mem: the SPSC ring (wrap-around, full, two threads) and the mem port driver. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "frames.h"
#include "io/mem.h"
#include "io/ring.h"
#include "test.h"

static struct cix_pkt *ptr(uintptr_t i)
{
	return (struct cix_pkt *)(i * 64 + 64); /* never dereferenced */
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void ring_put_get(void)
{
	struct cix_ring r;
	struct cix_pkt *slots[8], *in[16], *out[16];
	cix_ring_init(&r, slots, 8);
	for (uintptr_t i = 0; i < 16; i++)
		in[i] = ptr(i);
	CHECK_EQ(cix_ring_count(&r), 0);
	CHECK_EQ(cix_ring_get(&r, out, 4), 0); /* empty */
	CHECK_EQ(cix_ring_put(&r, in, 3), 3);
	CHECK_EQ(cix_ring_count(&r), 3);
	CHECK_EQ(cix_ring_get(&r, out, 16), 3); /* asks for more than there is */
	for (unsigned i = 0; i < 3; i++)
		CHECK(out[i] == in[i]);
	CHECK_EQ(cix_ring_count(&r), 0);
	CHECK_EQ(cix_ring_put(&r, in, 0), 0);
	CHECK_EQ(cix_ring_get(&r, out, 0), 0);
}

static void ring_full(void)
{
	struct cix_ring r;
	struct cix_pkt *slots[8], *in[16], *out[16];
	cix_ring_init(&r, slots, 8);
	for (uintptr_t i = 0; i < 16; i++)
		in[i] = ptr(i);
	CHECK_EQ(cix_ring_put(&r, in, 12), 8); /* a prefix */
	CHECK_EQ(cix_ring_count(&r), 8);
	CHECK_EQ(cix_ring_put(&r, in + 8, 1), 0);
	CHECK_EQ(cix_ring_get(&r, out, 1), 1);
	CHECK(out[0] == in[0]);
	CHECK_EQ(cix_ring_put(&r, in + 8, 2), 1);
	CHECK_EQ(cix_ring_get(&r, out, 16), 8);
	for (unsigned i = 0; i < 8; i++)
		CHECK(out[i] == in[1 + i]);
	CHECK_EQ(cix_ring_count(&r), 0);
	CHECK_EQ(cix_ring_put(&r, in, 8), 8);
}

static void ring_wraps_around(void)
{
	struct cix_ring r;
	struct cix_pkt *slots[8], *in[8], *out[8];
	cix_ring_init(&r, slots, 8);
	uintptr_t next_in = 0, next_out = 0;
	/* Uneven bursts so that every slot boundary is crossed. */
	for (unsigned round = 0; round < 1000; round++) {
		uint32_t n = 1 + round % 7;
		for (uint32_t i = 0; i < n; i++)
			in[i] = ptr(next_in + i);
		uint32_t put = cix_ring_put(&r, in, n);
		next_in += put;
		uint32_t got = cix_ring_get(&r, out, 1 + (round * 3) % 5);
		for (uint32_t i = 0; i < got; i++)
			CHECK(out[i] == ptr(next_out + i));
		next_out += got;
		CHECK_EQ(cix_ring_count(&r), next_in - next_out);
	}
	CHECK(next_out > 1000);
}

static void ring_index_overflow(void)
{
	/* The free-running 32-bit indices wrap past UINT32_MAX. */
	struct cix_ring r;
	struct cix_pkt *slots[16], *in[16], *out[16];
	cix_ring_init(&r, slots, 16);
	const uint32_t start = UINT32_MAX - 20;
	atomic_store(&r.head, start);
	atomic_store(&r.tail, start);
	r.tail_cache = start;
	r.head_cache = start;
	uintptr_t next_in = 0, next_out = 0;
	for (unsigned round = 0; round < 40; round++) {
		for (uint32_t i = 0; i < 5; i++)
			in[i] = ptr(next_in + i);
		next_in += cix_ring_put(&r, in, 5);
		uint32_t got = cix_ring_get(&r, out, 4);
		for (uint32_t i = 0; i < got; i++)
			CHECK(out[i] == ptr(next_out + i));
		next_out += got;
		CHECK(cix_ring_count(&r) <= 16);
	}
	CHECK_EQ(cix_ring_count(&r), 12); /* filled up (5 in, 4 out a round), then 4 taken */
	for (uint32_t i = 0; i < 5; i++)
		in[i] = ptr(next_in + i);
	CHECK_EQ(cix_ring_put(&r, in, 5), 4);
	next_in += 4;
	CHECK_EQ(cix_ring_put(&r, in + 4, 1), 0);
	CHECK(atomic_load(&r.head) < start); /* it did wrap */
	while (cix_ring_count(&r)) {
		uint32_t got = cix_ring_get(&r, out, 16);
		for (uint32_t i = 0; i < got; i++)
			CHECK(out[i] == ptr(next_out + i));
		next_out += got;
	}
	CHECK_EQ(next_out, next_in);
}

/* Two threads, one ring, a million pointers. */
#define SPSC_N 1000000u
#define SPSC_DEADLINE_S 30.0

struct spsc {
	struct cix_ring ring;
	struct cix_pkt *slots[256];
	double deadline;
	int timed_out;
};

static void *producer(void *arg)
{
	struct spsc *s = arg;
	struct cix_pkt *b[32];
	uintptr_t next = 0;
	uint32_t spins = 0;
	while (next < SPSC_N) {
		uint32_t n = 1 + (uint32_t)(next % 32);
		if (n > SPSC_N - next)
			n = (uint32_t)(SPSC_N - next);
		for (uint32_t i = 0; i < n; i++)
			b[i] = ptr(next + i);
		uint32_t put = cix_ring_put(&s->ring, b, n);
		next += put;
		if (!put && (++spins & 1023) == 0) {
			if (now_s() > s->deadline) {
				s->timed_out = 1;
				break;
			}
			sched_yield();
		}
	}
	return 0;
}

static void ring_two_threads_in_order(void)
{
	static struct spsc s;
	cix_ring_init(&s.ring, s.slots, 256);
	s.deadline = now_s() + SPSC_DEADLINE_S;
	s.timed_out = 0;
	pthread_t th;
	REQUIRE(pthread_create(&th, 0, producer, &s) == 0);
	struct cix_pkt *b[64];
	uintptr_t next = 0;
	uint32_t spins = 0, bad = 0;
	while (next < SPSC_N) {
		uint32_t got = cix_ring_get(&s.ring, b, 1 + (uint32_t)(next % 64));
		for (uint32_t i = 0; i < got; i++)
			bad += b[i] != ptr(next + i);
		next += got;
		if (!got && (++spins & 1023) == 0) {
			if (now_s() > s.deadline || s.timed_out)
				break;
			sched_yield();
		}
	}
	pthread_join(th, 0);
	CHECK_EQ(s.timed_out, 0);
	CHECK_EQ(next, SPSC_N);
	CHECK_EQ(bad, 0);
	CHECK_EQ(cix_ring_count(&s.ring), 0);
}

static void mem_port_driver(void)
{
	struct fx f;
	REQUIRE(fx_init(&f) == 0);
	struct cix_mem_port *m = fx_mem_port(&f, 9, 16);
	REQUIRE(m);
	CHECK_STR(m->io.ops->name, "mem");
	CHECK(m->io.pool == &f.pool);
	CHECK_EQ(m->io.port, 9);
	m->clock_ns = 123456789;

	/* The wire puts frames on wire_rx; the port receives them stamped with its id and clock. */
	struct cix_pkt *p[20], *q[20];
	CHECK_EQ(cix_pool_alloc_burst(&f.pool, p, 20), 20);
	for (unsigned i = 0; i < 20; i++) {
		p[i]->in_port = 0;
		p[i]->len = 60 + i;
	}
	CHECK_EQ(cix_ring_put(&m->wire_rx, p, 20), 16);
	CHECK_EQ(cix_io_rx(&m->io, q, 10), 10);
	CHECK_EQ(cix_io_rx(&m->io, q + 10, 10), 6);
	CHECK_EQ(cix_io_rx(&m->io, q + 16, 10), 0);
	for (unsigned i = 0; i < 16; i++) {
		CHECK(q[i] == p[i]);
		CHECK_EQ(q[i]->in_port, 9);
		CHECK_EQ(q[i]->ts_ns, 123456789);
	}
	/* What the port sends lands on wire_tx, a prefix when it is full. */
	CHECK_EQ(cix_io_tx(&m->io, q, 16), 16);
	CHECK_EQ(cix_io_tx(&m->io, p + 16, 4), 0);
	struct cix_pkt *o[20];
	CHECK_EQ(fx_sent(&f, 9, o, 20), 16);
	for (unsigned i = 0; i < 16; i++)
		CHECK(o[i] == p[i]);
	cix_pool_free_burst(&f.pool, p, 20);
	CHECK_EQ(f.pool.n_free, f.pool.count);
	cix_io_close(&m->io); /* no close op: nothing happens */
	cix_io_close(0);
	fx_fini(&f);
}

int main(void)
{
	RUN(ring_put_get);
	RUN(ring_full);
	RUN(ring_wraps_around);
	RUN(ring_index_overflow);
	RUN(ring_two_threads_in_order);
	RUN(mem_port_driver);
	return cix_test_finish("mem");
}
