/*
 * The worker loop on real threads over the mem driver: frames pushed into
 * the mem rings come out forwarded with the configured tags, every frame
 * sent arrives once and in order while new epochs are published under the
 * stream, idle workers sleep instead of spinning, and after stop every
 * buffer is back in its pool.
 *
 * Ownership in this test: while a worker runs, its pool's free list is the
 * worker's alone. The test thread takes the buffers it will ever "put on the
 * wire" out of the pool before starting the workers, and gives them back
 * after joining them; frames travel wire -> worker -> wire through the SPSC
 * rings of the mem ports, so the two threads never share a structure that
 * is not made for it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "frames.h"
#include "host/worker.h"
#include "test.h"

#define W_WORKERS 2u
#define W_BUFS 1024u
#define W_WIRE 768u     /* buffers the test thread holds for sending */
#define W_RING 1024u    /* >= W_WIRE: a tx ring never overflows (no tx_full) */
#define W_MAX_ATT 8u

enum { A_CUST = 0, A_CLOUD = 1 };

struct wk {
	struct cix_pool pool;
	void *pool_mem;
	struct cix_mem_port *mem[2];     /* port 0 (customer side), port 1 (cloud side) */
	struct cix_pkt *wire[W_BUFS];    /* the test thread's buffers */
	uint32_t n_wire;
	struct cix_worker w;
	uint32_t next_seq, expect_seq;
};

static uint64_t *counters;
static struct cix_dataplane *dp;
static struct wk W[W_WORKERS];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Customer untagged on port 0 <-> cloud 802.1Q vid 100 on port 1, priority `pcp` written. */
static struct cix_tables *make_tables(int pcp)
{
	struct cix_tables *t = cix_tables_new(W_MAX_ATT, 2);
	if (!t)
		return 0;
	int rc = cix_tables_set_port(t, 0, 1500) | cix_tables_set_port(t, 1, 1500);
	rc |= fx_untagged(t, A_CUST, 0);
	rc |= fx_add(t, A_CLOUD, 1, CIX_MATCH_OUTER, fx_spec(0x8100, 100, pcp, 0), fx_keep(0, 0));
	rc |= fx_xconnect(t, A_CUST, A_CLOUD);
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return 0;
	}
	return t;
}

/* Publishes, retrying while old epochs wait for the workers (bounded). */
static int publish(int pcp)
{
	struct cix_tables *t = make_tables(pcp);
	if (!t)
		return -1;
	for (int i = 0; i < 2000; i++) {
		if (cix_dataplane_publish(dp, t))
			return 0;
		usleep(500);
	}
	cix_tables_free(t);
	return -1;
}

static int setup(void)
{
	size_t bytes = cix_dataplane_counters_size(W_WORKERS, W_MAX_ATT);
	if (posix_memalign((void **)&counters, 64, bytes))
		return -1;
	memset(counters, 0, bytes);
	dp = cix_dataplane_new(W_WORKERS, W_MAX_ATT, counters);
	if (!dp)
		return -1;
	for (uint32_t i = 0; i < W_WORKERS; i++) {
		struct wk *k = &W[i];
		if (posix_memalign(&k->pool_mem, 64, cix_pool_mem_size(W_BUFS, 2048)) ||
		    cix_pool_init(&k->pool, k->pool_mem, W_BUFS, 2048, 128))
			return -1;
		for (uint16_t p = 0; p < 2; p++) {
			if (posix_memalign((void **)&k->mem[p], 64,
					   sizeof(*k->mem[p]) + 2 * W_RING * sizeof(struct cix_pkt *)))
				return -1;
			cix_mem_port_init(k->mem[p], &k->pool, p, (struct cix_pkt **)(k->mem[p] + 1), W_RING);
		}
	}
	return publish(0);
}

/* Worker i polls its two mem ports and sends through them. */
static int start(uint32_t i, uint32_t burst)
{
	struct wk *k = &W[i];
	memset(&k->w, 0, sizeof(k->w));
	k->w.dp = dp;
	k->w.index = i;
	k->w.burst = burst;
	k->w.cpu = -1;
	k->w.pool = &k->pool;
	k->w.n_rx = 2;
	for (uint16_t p = 0; p < 2; p++)
		k->w.rx[p] = k->w.tx[p] = &k->mem[p]->io;
	char err[128];
	if (cix_worker_start(&k->w, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static void take_wire(struct wk *k, uint32_t n)
{
	k->n_wire = cix_pool_alloc_burst(&k->pool, k->wire, n);
}

static void give_back_wire(struct wk *k)
{
	cix_pool_free_burst(&k->pool, k->wire, k->n_wire);
	k->n_wire = 0;
}

static uint64_t port_cnt(uint16_t port, unsigned slot)
{
	uint64_t s = 0;
	for (uint32_t w = 0; w < W_WORKERS; w++) {
		struct cix_counters c = {counters + (size_t)w * dp->objects * CIX_CNT__SLOTS, 0, CIX_MAX_PORTS};
		s += cix_cnt_port(&c, port)[slot];
	}
	return s;
}

static uint64_t all_drops(void)
{
	uint64_t s = 0;
	for (uint16_t p = 0; p < 2; p++)
		for (unsigned r = 1; r < CIX_DROP__COUNT; r++)
			s += port_cnt(p, CIX_CNT_DROP_BASE + r);
	return s;
}

static void zero_counters(void)
{
	memset(counters, 0, cix_dataplane_counters_size(W_WORKERS, W_MAX_ATT));
}

/* An untagged IPv4-ish frame with seq in the first payload bytes. */
static void fill_frame(struct wk *k, struct cix_pkt *p, uint32_t seq)
{
	cix_pkt_reset(&k->pool, p);
	uint32_t len = fx_eth(p->data, fx_dst_mac, fx_src_mac, 0, 0, 0x0800, 0, 60);
	p->data[14] = (uint8_t)(seq >> 24), p->data[15] = (uint8_t)(seq >> 16);
	p->data[16] = (uint8_t)(seq >> 8), p->data[17] = (uint8_t)seq;
	p->len = p->wire_len = len;
}

/*
 * Checks a frame port 1 sent: 8100/vid 100 tag with pcp 0 or 5 (the two
 * plans), the customer's bytes after it, the expected sequence number.
 * Returns 1 if good. *pcp_seen gets the tag's PCP.
 */
static int check_out(struct wk *k, const struct cix_pkt *p, unsigned *pcp_seen)
{
	uint8_t want[128];
	uint32_t len = fx_eth(want, fx_dst_mac, fx_src_mac, 0, 0, 0x0800, 0, 60);
	uint32_t seq = fx_get32(p->data + 18);
	unsigned pcp = p->data[14] >> 5;
	*pcp_seen = pcp;
	int ok = p->len == len + 4 && fx_get16(p->data + 12) == 0x8100 &&
		 (fx_get16(p->data + 14) & 0x1fff) == 100 && (pcp == 0 || pcp == 5) &&
		 memcmp(p->data, want, 12) == 0 && memcmp(p->data + 16, want + 12, 2) == 0 &&
		 memcmp(p->data + 22, want + 18, len - 18) == 0 && seq == k->expect_seq;
	static unsigned reported;
	if (!ok && reported++ < 5)
		fprintf(stderr, "worker frame: len %u seq %u (want %u) tag %04x/%04x\n", p->len, seq,
			k->expect_seq, fx_get16(p->data + 12), fx_get16(p->data + 14));
	k->expect_seq++;
	return ok;
}

/* One round of the wire for worker k: send what fits, take back what came out. */
static uint32_t wire_round(struct wk *k, uint32_t to_send, uint32_t *bad, unsigned pcps[8])
{
	uint32_t n = to_send < k->n_wire ? to_send : k->n_wire;
	if (n > 64)
		n = 64;
	struct cix_pkt **out = k->wire + k->n_wire - n;
	for (uint32_t i = 0; i < n; i++)
		fill_frame(k, out[i], k->next_seq + i);
	uint32_t put = cix_ring_put(&k->mem[0]->wire_rx, out, n);
	/* The ring took a prefix: the rest stays ours, on top of the stack. */
	memmove(out, out + put, (n - put) * sizeof(*out));
	k->n_wire -= put;
	k->next_seq += put;
	struct cix_pkt *got[64];
	uint32_t g = cix_ring_get(&k->mem[1]->wire_tx, got, 64);
	for (uint32_t i = 0; i < g; i++) {
		unsigned pcp;
		if (!check_out(k, got[i], &pcp))
			(*bad)++;
		pcps[pcp & 7]++;
		k->wire[k->n_wire++] = got[i];
	}
	return put;
}

static void worker_forwards_with_tags_under_publishes(void)
{
	zero_counters();
	for (uint32_t i = 0; i < W_WORKERS; i++) {
		take_wire(&W[i], W_WIRE);
		REQUIRE(W[i].n_wire == W_WIRE);
		W[i].next_seq = W[i].expect_seq = 0;
	}
	for (uint32_t i = 0; i < W_WORKERS; i++)
		REQUIRE(start(i, 32) == 0);

	const uint32_t per_worker = 200000;
	uint32_t sent[W_WORKERS] = {0}, bad = 0, publishes = 0, failed_publishes = 0;
	unsigned pcps[8] = {0};
	double deadline = now_s() + 30;
	int done = 0;
	while (!done && now_s() < deadline) {
		done = 1;
		for (uint32_t i = 0; i < W_WORKERS; i++) {
			struct wk *k = &W[i];
			sent[i] += wire_round(k, per_worker - sent[i], &bad, pcps);
			if (sent[i] < per_worker || k->expect_seq < sent[i])
				done = 0;
		}
		/* A new epoch every ~1000 frames, alternating the egress priority. */
		if ((sent[0] + sent[1]) / 1000 > publishes && publishes < 300) {
			if (publish(publishes % 2 ? 0 : 5))
				failed_publishes++;
			publishes++;
		}
	}
	for (uint32_t i = 0; i < W_WORKERS; i++)
		cix_worker_join(&W[i].w);

	CHECK(done);
	CHECK_EQ(bad, 0);
	CHECK_EQ(failed_publishes, 0);
	CHECK(publishes >= 300);
	CHECK(pcps[0] > 0 && pcps[5] > 0); /* both plans were seen by the stream */
	uint64_t total = 0;
	for (uint32_t i = 0; i < W_WORKERS; i++) {
		CHECK_EQ(sent[i], per_worker);
		CHECK_EQ(W[i].expect_seq, per_worker);
		CHECK_EQ(W[i].w.stats.frames, per_worker);
		total += sent[i];
	}
	CHECK_EQ(port_cnt(0, CIX_CNT_RX_PACKETS), total);
	CHECK_EQ(port_cnt(1, CIX_CNT_TX_PACKETS), total);
	CHECK_EQ(all_drops(), 0);
	/* The workers are offline now: every retired epoch can go. */
	CHECK_EQ(cix_epoch_reclaim(&dp->epoch), 0);
	for (uint32_t i = 0; i < W_WORKERS; i++) {
		give_back_wire(&W[i]);
		CHECK_EQ(W[i].pool.n_free, W_BUFS);
	}
}

/* Frames nobody wants are dropped by the worker into its own pool, counted. */
static void worker_drops_into_its_pool(void)
{
	zero_counters();
	struct wk *k = &W[0];
	take_wire(k, 100);
	REQUIRE(k->n_wire == 100);
	struct fx_tag c = fx_tag(0x8100, 0, 0, 4000);
	for (uint32_t i = 0; i < 100; i++) {
		struct cix_pkt *p = k->wire[i];
		cix_pkt_reset(&k->pool, p);
		p->len = p->wire_len = fx_eth(p->data, fx_dst_mac, fx_src_mac, &c, 1, 0x0800, 0, 50);
	}
	CHECK_EQ(cix_ring_put(&k->mem[0]->wire_rx, k->wire, 100), 100);
	k->n_wire = 0;
	REQUIRE(start(0, 64) == 0);
	double deadline = now_s() + 5;
	while (port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_NO_ATTACHMENT) < 100 && now_s() < deadline)
		usleep(1000);
	cix_worker_join(&k->w);
	CHECK_EQ(port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_NO_ATTACHMENT), 100);
	CHECK_EQ(port_cnt(0, CIX_CNT_RX_PACKETS), 100);
	CHECK_EQ(k->pool.n_free, W_BUFS);
}

/* What the "kernel" of port 0 says it dropped, for the worker to read now and then. */
static struct cix_live_driver_stats fake_kernel;

static int fake_stats(const struct cix_io_port *io, struct cix_live_driver_stats *out)
{
	(void)io;
	__atomic_load(&fake_kernel.rx_dropped, &out->rx_dropped, __ATOMIC_RELAXED);
	__atomic_load(&fake_kernel.rx_ring_full, &out->rx_ring_full, __ATOMIC_RELAXED);
	__atomic_load(&fake_kernel.rx_invalid, &out->rx_invalid, __ATOMIC_RELAXED);
	out->tx_kicks = 77; /* not a drop: never counted as one */
	return 0;
}

static int wait_port_cnt(uint16_t port, unsigned slot, uint64_t want)
{
	double deadline = now_s() + 3;
	while (port_cnt(port, slot) < want && now_s() < deadline)
		usleep(1000);
	return port_cnt(port, slot) == want;
}

/* Frames the kernel dropped before the fast path saw them join the port's drops by name. */
static void kernel_drops_are_counted_by_reason(void)
{
	zero_counters();
	struct wk *k = &W[0];
	struct cix_io_ops with_stats = *k->mem[0]->io.ops;
	with_stats.stats = fake_stats;
	const struct cix_io_ops *plain = k->mem[0]->io.ops;
	k->mem[0]->io.ops = &with_stats;
	memset(&fake_kernel, 0, sizeof(fake_kernel));
	__atomic_store_n(&fake_kernel.rx_dropped, 5, __ATOMIC_RELAXED);
	__atomic_store_n(&fake_kernel.rx_ring_full, 2, __ATOMIC_RELAXED);
	REQUIRE(start(0, 64) == 0);
	CHECK(wait_port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_NO_BUFFER, 5));
	CHECK(wait_port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_RING_FULL, 2));
	/* Growth is added, not the total again. */
	__atomic_store_n(&fake_kernel.rx_dropped, 12, __ATOMIC_RELAXED);
	CHECK(wait_port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_NO_BUFFER, 12));
	/* What the kernel dropped just before the stop still counts. */
	__atomic_store_n(&fake_kernel.rx_invalid, 3, __ATOMIC_RELAXED);
	cix_worker_join(&k->w);
	CHECK_EQ(port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_INVALID), 3);
	CHECK_EQ(port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_NO_BUFFER), 12);
	CHECK_EQ(port_cnt(0, CIX_CNT_DROP_BASE + CIX_DROP_RX_RING_FULL), 2);
	CHECK_EQ(port_cnt(1, CIX_CNT_DROP_BASE + CIX_DROP_RX_NO_BUFFER), 0);
	CHECK_EQ(port_cnt(0, CIX_CNT_RX_PACKETS), 0);
	k->mem[0]->io.ops = plain;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Idle workers sleep (not a core each), stay offline so publishes reclaim, and wake for traffic. */
static void idle_workers_sleep_and_wake(void)
{
	zero_counters();
	for (uint32_t i = 0; i < W_WORKERS; i++)
		REQUIRE(start(i, 64) == 0);
	usleep(50 * 1000);
	double c0 = cpu_s(), t0 = now_s();
	usleep(400 * 1000);
	double cpu = cpu_s() - c0, wall = now_s() - t0;
	/* Busy polling would be ~W_WORKERS * wall; sleeping is a few percent of one. */
	if (cpu > 0.25 * wall)
		fprintf(stderr, "idle: %.3f s of CPU in %.3f s\n", cpu, wall);
	CHECK(cpu < 0.25 * wall);
	for (uint32_t i = 0; i < W_WORKERS; i++)
		CHECK(W[i].w.stats.sleeps > 10);
	/* Publishing many epochs while idle never runs out of room. */
	int failed = 0;
	for (int i = 0; i < 200; i++) {
		struct cix_tables *t = make_tables(i % 2 ? 5 : 0);
		REQUIRE(t);
		if (!cix_dataplane_publish(dp, t)) {
			failed++;
			cix_tables_free(t);
			usleep(2000);
		}
	}
	CHECK(failed < 200);
	CHECK(cix_epoch_reclaim(&dp->epoch) < CIX_EPOCH_MAX_RETIRED);

	/* A frame after the idle spell is forwarded promptly. */
	struct wk *k = &W[1];
	uint64_t sleeps_before = k->w.stats.sleeps;
	struct cix_pkt *p;
	REQUIRE(cix_ring_count(&k->mem[0]->wire_rx) == 0);
	/* The pool is the worker's now: this frame comes from a second, test-owned pool. */
	static uint8_t mem[1 << 16] __attribute__((aligned(64)));
	struct cix_pool side;
	REQUIRE(cix_pool_init(&side, mem, 8, 2048, 128) == 0);
	REQUIRE(cix_pool_alloc_burst(&side, &p, 1) == 1);
	p->len = p->wire_len = fx_eth(p->data, fx_dst_mac, fx_src_mac, 0, 0, 0x0800, 0, 60);
	CHECK_EQ(cix_ring_put(&k->mem[0]->wire_rx, &p, 1), 1);
	double deadline = now_s() + 2;
	struct cix_pkt *out = 0;
	while (!out && now_s() < deadline)
		if (!cix_ring_get(&k->mem[1]->wire_tx, &out, 1))
			usleep(200);
	for (uint32_t i = 0; i < W_WORKERS; i++)
		cix_worker_join(&W[i].w);
	CHECK(out == p);
	CHECK(k->w.stats.sleeps >= sleeps_before);
	CHECK_EQ(k->w.stats.frames, 1);
	if (out)
		CHECK_EQ(fx_get16(out->data + 12), 0x8100);
	CHECK_EQ(W[0].pool.n_free, W_BUFS);
	CHECK_EQ(W[1].pool.n_free, W_BUFS);
}

/* Start and stop many times: threads come and go, nothing stays behind. */
static void start_stop_cycles(void)
{
	for (int round = 0; round < 50; round++) {
		for (uint32_t i = 0; i < W_WORKERS; i++)
			REQUIRE(start(i, 1 + (uint32_t)round % CIX_MAX_BURST) == 0);
		for (uint32_t i = 0; i < W_WORKERS; i++)
			cix_worker_join(&W[i].w);
	}
	for (uint32_t i = 0; i < W_WORKERS; i++) {
		CHECK_EQ(W[i].pool.n_free, W_BUFS);
		CHECK(!W[i].w.running);
		cix_worker_join(&W[i].w); /* a second join is harmless */
	}
	/* Every slot went offline when its thread ended. */
	for (uint32_t i = 0; i < W_WORKERS; i++)
		CHECK_EQ(atomic_load(&dp->epoch.worker[i].seen), CIX_EPOCH_OFFLINE);
}

static void bad_arguments_refused(void)
{
	struct cix_worker w;
	memset(&w, 0, sizeof(w));
	char err[128] = "";
	w.dp = dp, w.pool = &W[0].pool, w.cpu = -1, w.burst = 0;
	CHECK_EQ(cix_worker_start(&w, err, sizeof(err)), -1);
	w.burst = CIX_MAX_BURST + 1;
	CHECK_EQ(cix_worker_start(&w, err, sizeof(err)), -1);
	w.burst = 8, w.index = W_WORKERS; /* no such slot */
	CHECK_EQ(cix_worker_start(&w, err, sizeof(err)), -1);
	w.index = 0, w.cpu = 100000;
	CHECK_EQ(cix_worker_start(&w, err, sizeof(err)), -1);
	CHECK(strstr(err, "cpu") != 0);
	CHECK(!w.running);
}

int main(void)
{
	if (setup()) {
		fprintf(stderr, "worker_test: setup failed\n");
		return 1;
	}
	RUN(worker_forwards_with_tags_under_publishes);
	RUN(worker_drops_into_its_pool);
	RUN(kernel_drops_are_counted_by_reason);
	RUN(idle_workers_sleep_and_wake);
	RUN(start_stop_cycles);
	RUN(bad_arguments_refused);
	for (uint32_t w = 0; w < W_WORKERS; w++) {
		free(W[w].mem[0]);
		free(W[w].mem[1]);
		free(W[w].pool_mem);
	}
	cix_dataplane_free(dp);
	free(counters);
	return cix_test_finish("worker");
}
