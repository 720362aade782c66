/*
 * cix_bench: the pipeline on the mem driver, one core.
 *
 * For each frame mix (64 B, IMIX) it runs, in one process and on one core:
 *   zero-work      generator -> mem rx -> mem tx -> sink, no stages: the reference
 *   translate 2-2  Q-in-Q in, Q-in-Q out (both tags rewritten)
 *   push 1-2       802.1Q in, Q-in-Q out (one tag pushed, one rewritten)
 *   pop 2-0        Q-in-Q in, untagged out, each flow to its own port
 *   pop 2-0, one port  the same for one flow: pop without the scatter
 * with the worker loop a real worker runs: tables from cix_epoch_enter once
 * per burst, cix_io_rx, cix_pipeline_run (tx hands the burst to the mem
 * driver). The generator and the sink run in the same loop, so every
 * figure includes writing the frames and the mem driver's rings; the
 * zero-work loop pays exactly the same, and the ratio to it is what matters.
 *
 * Each case is checked before it is timed (every flow and frame size of a
 * burst, byte for byte, against frames built independently of the stages)
 * and after every timed run (counters: rx == tx, no drop, no lost buffer).
 * A fast wrong pipeline is worthless: any failure exits nonzero. At the
 * end, translate's stages are timed one by one (where the cycles go).
 *
 *   cix_bench [--quick] [--markdown FILE] [--packets MILLIONS] [--reps N]
 *             [--burst N] [--mem auto|hugetlb|thp|small] [--only TEXT]
 *             [--note TEXT]
 *
 * See bench/README.md for what each figure means.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#include "core/counters.h"
#include "core/drop.h"
#include "host/dataplane_impl.h"
#include "io/mem.h"
#include "pipeline.h"
#include "stage/stages.h"
#include "traffic.h"

/*
 * Buffers as DPDK's default mbuf: 128 bytes of headroom and 2048 of data
 * room, 2176 in all. Not 2048: with a power-of-two stride every frame's
 * first line falls in the same two sets of a 64-set L1, and 32 frames in
 * flight evict each other (that cost about two TSC cycles per packet here).
 */
#define POOL_BUFS 4096u
#define BUF_SIZE 2176u
#define HEADROOM 128u
#define RING_SIZE 1024u
#define N_PORTS 33u      /* port 0 receives; 1..32 transmit */
#define MAX_REPS 31u
#define MAX_CASES (2u * N_KINDS)
#define HUGE_2M (2u << 20)

/* ---- clocks ---------------------------------------------------------- */

static uint64_t ticks(void)
{
#if HAVE_TSC
	return __rdtsc();
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Ticks per second of the TSC, against CLOCK_MONOTONIC over `ms`. */
static double measure_tick_hz(unsigned ms)
{
	uint64_t n0 = now_ns(), t0 = ticks(), n1, t1;
	do {
		n1 = now_ns();
		t1 = ticks();
	} while (n1 - n0 < (uint64_t)ms * 1000000u);
	return (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
}

/*
 * The core's own clock, from a chain of dependent register adds (one cycle
 * each on every x86 core of the last 20 years): the TSC runs at the nominal
 * clock whatever the core does, and a VM gives no cycle counter (perf
 * reports "not supported"), so this is how TSC ticks become core cycles.
 */
static double measure_core_hz(double tick_hz, uint64_t iters)
{
#if HAVE_TSC && defined(__x86_64__)
	uint64_t x = 0, one = 1, n = iters;
	uint64_t n0 = now_ns();
	__asm__ volatile(
		"1:\n\t"
		"add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
		"add %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\tadd %2, %0\n\t"
		"dec %1\n\tjnz 1b\n"
		: "+r"(x), "+r"(n)
		: "r"(one)
		: "cc");
	uint64_t n1 = now_ns();
	(void)tick_hz;
	return (double)iters * 10.0 * 1e9 / (double)(n1 - n0);
#else
	(void)iters;
	return tick_hz;
#endif
}

/* ---- machine line ---------------------------------------------------- */

struct machine {
	char cpu[128];
	char kernel[256];
	long cores;
	int vm;
	char pinned[64];
	char compiler[96];
};

static void machine_describe(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->cpu, sizeof(m->cpu), "unknown CPU");
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[4096];
		int got_model = 0;
		while (fgets(line, sizeof(line), f)) {
			if (!got_model && !strncmp(line, "model name", 10)) {
				char *v = strchr(line, ':');
				if (v) {
					v += 1 + (v[1] == ' ');
					v[strcspn(v, "\n")] = 0;
					snprintf(m->cpu, sizeof(m->cpu), "%s", v);
					got_model = 1;
				}
			} else if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor")) {
				m->vm = 1;
			}
		}
		fclose(f);
	}
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s %s", u.sysname, u.release, u.machine);
	m->cores = sysconf(_SC_NPROCESSORS_ONLN);

	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1) {
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				snprintf(m->pinned, sizeof(m->pinned), "pinned to CPU %d", c);
	} else {
		snprintf(m->pinned, sizeof(m->pinned), "not pinned");
	}
#if defined(__clang__)
	snprintf(m->compiler, sizeof(m->compiler), "clang %d.%d", __clang_major__, __clang_minor__);
#elif defined(__GNUC__)
	snprintf(m->compiler, sizeof(m->compiler), "gcc %d.%d", __GNUC__, __GNUC_MINOR__);
#else
	snprintf(m->compiler, sizeof(m->compiler), "unknown compiler");
#endif
}

/* ---- pool memory: hugepages, else transparent huge pages ------------- */

struct pool_mem {
	void *base;
	size_t len;
	char kind[160];
};

/* AnonHugePages (kB) of the mapping holding addr, from /proc/self/smaps. */
static long thp_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	char line[512];
	int inside = 0;
	long kb = -1;
	uintptr_t a = (uintptr_t)addr;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = a >= lo && a < hi;
			continue;
		}
		if (inside && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int pool_mem_alloc(struct pool_mem *pm, size_t need, const char *mode)
{
	size_t len = (need + HUGE_2M - 1) & ~(size_t)(HUGE_2M - 1);
	pm->len = len;
	if (!strcmp(mode, "auto") || !strcmp(mode, "hugetlb")) {
		void *m = mmap(0, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
		if (m != MAP_FAILED) {
			pm->base = m;
			snprintf(pm->kind, sizeof(pm->kind),
				 "2 MB hugepages (MAP_HUGETLB, %zu pages)", len / HUGE_2M);
			return 0;
		}
		if (!strcmp(mode, "hugetlb")) {
			fprintf(stderr, "cix_bench: no hugepages (%s); reserve some: "
				"echo 16 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages\n",
				strerror(errno));
			return -1;
		}
	}
	/* Transparent huge pages: a 2 MB-aligned range, advised, then touched. */
	uint8_t *raw = mmap(0, len + HUGE_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		fprintf(stderr, "cix_bench: mmap: %s\n", strerror(errno));
		return -1;
	}
	uint8_t *m = (uint8_t *)(((uintptr_t)raw + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	if (m > raw)
		munmap(raw, (size_t)(m - raw));
	if (raw + len + HUGE_2M > m + len)
		munmap(m + len, (size_t)(raw + len + HUGE_2M - (m + len)));
	pm->base = m;
	int small = !strcmp(mode, "small");
	int advised = !small && madvise(m, len, MADV_HUGEPAGE) == 0;
	if (small)
		madvise(m, len, MADV_NOHUGEPAGE);
	memset(m, 0, len);
	long kb = thp_kb(m);
	if (small)
		snprintf(pm->kind, sizeof(pm->kind), "4 KB pages (huge pages refused with MADV_NOHUGEPAGE)");
	else
		snprintf(pm->kind, sizeof(pm->kind),
			 "transparent huge pages (madvise%s): %ld of %zu kB on huge pages", advised ? "" : " refused",
			 kb, len / 1024);
	return 0;
}

/* ---- cases ----------------------------------------------------------- */

enum kind { ZERO_WORK, TRANSLATE_22, PUSH_12, POP_20, POP_20_ONE, N_KINDS };

static const struct {
	const char *name;
	const char *id;
	int in_tags, out_tags;
	uint32_t flows;
} kinds[] = {
	[ZERO_WORK] = {"zero-work (rx -> tx)", "zero", 2, 2, 64},
	[TRANSLATE_22] = {"translate 2-2", "translate", 2, 2, 64},
	[PUSH_12] = {"push 1-2", "push", 1, 2, 64},
	/* An untagged attachment owns its port, so pop's flows each leave by
	 * their own port: 32 flows over ports 1..32. */
	[POP_20] = {"pop 2-0", "pop", 2, 0, 32},
	/* The same with one flow and one port: what pop costs without the scatter. */
	[POP_20_ONE] = {"pop 2-0, one port", "pop1", 2, 0, 1},
};

static int is_pop(enum kind k)
{
	return k == POP_20 || k == POP_20_ONE;
}

struct kase {
	enum kind kind;
	enum traffic_mix mix;
	char id[32];
	struct traffic gen;
	struct cix_dataplane *dp;
	uint64_t *counters;
	size_t counters_len;
	struct cix_ctx ctx;
	uint32_t flows;
	uint32_t egress_ports; /* ports 1..egress_ports */
	struct traffic_tags in[TRAFFIC_MAX_FLOWS];
	struct traffic_tags out[TRAFFIC_MAX_FLOWS];
	uint32_t reps;
	double tick_per_pkt[MAX_REPS];
	double ns_per_pkt[MAX_REPS];
};

struct bench {
	struct cix_pool pool;
	struct pool_mem pm;
	struct cix_mem_port port[N_PORTS];
	struct cix_pkt **slots;
	struct cix_io_port *tx[CIX_MAX_PORTS];
	uint32_t burst;
};

static int fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "cix_bench: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n");
	return -1;
}

/* The tags of flow f: ingress (customer side) and egress, per the case. */
static void flow_tags(enum kind kind, uint32_t f, struct traffic_tags *in, struct traffic_tags *out)
{
	/* PCP and DEI differ per flow so that "keep the customer's" is visible. */
	uint16_t prio = (uint16_t)((f & 7u) << 13 | ((f >> 3) & 1u) << 12);
	memset(in, 0, sizeof(*in));
	memset(out, 0, sizeof(*out));
	int it = kinds[kind].in_tags, ot = kinds[kind].out_tags;
	if (it == 2) {
		in->n = 2;
		in->tpid[0] = 0x88a8, in->tci[0] = (uint16_t)(100 + f);
		in->tpid[1] = 0x8100, in->tci[1] = (uint16_t)(prio | (200 + f));
	} else {
		in->n = 1;
		in->tpid[0] = 0x8100, in->tci[0] = (uint16_t)(prio | (200 + f));
	}
	if (ot == 2) {
		/* S-tag PCP set by the config (3), C-tag PCP/DEI kept from the customer. */
		out->n = 2;
		out->tpid[0] = 0x88a8, out->tci[0] = (uint16_t)(3u << 13 | (1000 + f));
		out->tpid[1] = 0x8100, out->tci[1] = (uint16_t)(prio | (2000 + f));
	}
}

static int case_tables(struct kase *k)
{
	uint32_t flows = k->flows;
	struct cix_tables *t = cix_tables_new(2 * flows, 2 * flows);
	if (!t)
		return fail("%s%s: tables: out of memory", k->id, "");
	int rc = cix_tables_set_port(t, 0, 1500);
	for (uint32_t p = 1; p <= k->egress_ports && !rc; p++)
		rc = cix_tables_set_port(t, (uint16_t)p, 1500);
	for (uint32_t f = 0; f < flows && !rc; f++) {
		const struct traffic_tags *in = &k->in[f], *out = &k->out[f];
		struct cix_attachment_spec a = {.id = (uint16_t)f, .port = 0, .kind = in->n};
		for (unsigned i = 0; i < in->n; i++)
			a.tag[i] = (struct cix_tag_spec){in->tpid[i], in->tci[i] & 0xfff, CIX_KEEP, CIX_KEEP};
		struct cix_attachment_spec b = {
			.id = (uint16_t)(flows + f),
			.port = (uint16_t)(is_pop(k->kind) ? 1 + f : 1),
			.kind = out->n ? out->n : CIX_MATCH_UNTAGGED,
		};
		if (out->n == 2) {
			b.tag[0] = (struct cix_tag_spec){out->tpid[0], out->tci[0] & 0xfff, 3, 0};
			b.tag[1] = (struct cix_tag_spec){out->tpid[1], out->tci[1] & 0xfff, CIX_KEEP, CIX_KEEP};
		}
		rc = cix_tables_add_attachment(t, &a);
		if (!rc)
			rc = cix_tables_add_attachment(t, &b);
		/* E-Line: both ways. */
		if (!rc)
			rc = cix_tables_set_peer(t, a.id, b.id);
		if (!rc)
			rc = cix_tables_set_peer(t, b.id, a.id);
	}
	if (!rc)
		rc = cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return fail("%s: tables: %s", k->id, cix_tables_strerror(rc));
	}
	if (!cix_dataplane_publish(k->dp, t)) {
		cix_tables_free(t);
		return fail("%s%s: publish refused", k->id, "");
	}
	return 0;
}

static int case_init(struct bench *b, struct kase *k, enum kind kind, enum traffic_mix mix)
{
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->mix = mix;
	k->flows = kinds[kind].flows;
	k->egress_ports = is_pop(kind) ? k->flows : 1;
	snprintf(k->id, sizeof(k->id), "%s-%s", kinds[kind].id, mix == TRAFFIC_MIX_64 ? "64" : "imix");
	for (uint32_t f = 0; f < k->flows; f++)
		flow_tags(kind, f, &k->in[f], &k->out[f]);
	if (traffic_init(&k->gen, &b->pool, mix, k->flows, k->in))
		return fail("%s%s: generator: out of memory", k->id, "");
	if (kind == ZERO_WORK)
		return 0;

	uint32_t max_att = 2 * k->flows;
	k->counters_len = cix_dataplane_counters_size(1, max_att);
	k->counters = aligned_alloc(64, (k->counters_len + 63) & ~(size_t)63);
	if (!k->counters)
		return fail("%s%s: out of memory", k->id, "");
	memset(k->counters, 0, k->counters_len);
	k->dp = cix_dataplane_new(1, max_att, k->counters);
	if (!k->dp)
		return fail("%s%s: cix_dataplane_new failed", k->id, "");
	cix_dataplane_worker_ctx(k->dp, 0, &k->ctx);
	k->ctx.pool = &b->pool;
	k->ctx.tx = b->tx;
	return case_tables(k);
}

static void case_fini(struct kase *k)
{
	traffic_fini(&k->gen);
	if (k->dp)
		cix_dataplane_free(k->dp);
	free(k->counters);
}

/* ---- the loops ------------------------------------------------------- */

/*
 * The reference: the same generator, mem rx, mem tx and sink, nothing in
 * between (testpmd's "io" forwarding). Returns frames forwarded.
 */
static uint64_t run_zero(struct bench *b, struct kase *k, uint64_t packets, uint64_t *sunk)
{
	struct cix_pkt *pkts[CIX_MAX_BURST];
	struct cix_io_port *rx = &b->port[0].io, *tx = &b->port[1].io;
	const uint32_t burst = b->burst;
	uint64_t done = 0, out = 0;
	while (done < packets) {
		traffic_burst(&k->gen, &b->port[0].wire_rx, burst);
		uint32_t n = cix_io_rx(rx, pkts, burst);
		if (n == 0)
			break;
		uint32_t s = cix_io_tx(tx, pkts, n);
		if (s < n) {
			cix_pool_free_burst(&b->pool, pkts + s, n - s);
			break;
		}
		out += traffic_sink(&b->pool, &b->port[1].wire_tx);
		done += n;
	}
	*sunk = out;
	return done;
}

/* The worker loop as a worker runs it, with the wire around it. */
static uint64_t run_pipeline(struct bench *b, struct kase *k, uint64_t packets, uint64_t *sunk)
{
	struct cix_pkt *pkts[CIX_MAX_BURST];
	struct cix_io_port *rx = &b->port[0].io;
	struct cix_epoch *epoch = &k->dp->epoch;
	const uint32_t burst = b->burst, egress = k->egress_ports;
	uint64_t done = 0, out = 0;
	while (done < packets) {
		traffic_burst(&k->gen, &b->port[0].wire_rx, burst);
		k->ctx.t = cix_epoch_enter(epoch, 0);
		uint32_t n = cix_io_rx(rx, pkts, burst);
		if (n == 0)
			break;
		cix_pipeline_run(&k->ctx, pkts, n);
		for (uint32_t p = 1; p <= egress; p++)
			out += traffic_sink(&b->pool, &b->port[p].wire_tx);
		done += n;
	}
	cix_epoch_offline(epoch, 0);
	*sunk = out;
	return done;
}

static uint64_t run_case(struct bench *b, struct kase *k, uint64_t packets, uint64_t *sunk)
{
	return k->kind == ZERO_WORK ? run_zero(b, k, packets, sunk) : run_pipeline(b, k, packets, sunk);
}

/* ---- checks ---------------------------------------------------------- */

static int check_counts(struct bench *b, struct kase *k, uint64_t want, uint64_t done, uint64_t sunk)
{
	char msg[256];
	if (done < want || sunk != done || b->pool.n_free != b->pool.count) {
		snprintf(msg, sizeof(msg),
			 "received %llu of %llu frames, sink saw %llu, %u of %u buffers back in the pool",
			 (unsigned long long)done, (unsigned long long)want, (unsigned long long)sunk,
			 b->pool.n_free, b->pool.count);
		return fail("%s: %s", k->id, msg);
	}
	if (k->kind == ZERO_WORK)
		return 0;

	uint64_t port_rx = cix_cnt_port(&k->ctx.cnt, 0)[CIX_CNT_RX_PACKETS], port_tx = 0, att_tx = 0,
		 drops = 0;
	for (uint32_t p = 1; p <= k->egress_ports; p++)
		port_tx += cix_cnt_port(&k->ctx.cnt, p)[CIX_CNT_TX_PACKETS];
	for (uint32_t a = 0; a < 2 * k->flows; a++)
		att_tx += cix_cnt_att(&k->ctx.cnt, a)[CIX_CNT_TX_PACKETS];
	unsigned first_reason = 0;
	size_t words = k->counters_len / sizeof(uint64_t);
	for (size_t w = 0; w < words; w++) {
		unsigned slot = (unsigned)(w % CIX_CNT__SLOTS);
		if (slot >= CIX_CNT_DROP_BASE && slot < CIX_CNT__USED && k->counters[w]) {
			if (!drops)
				first_reason = slot - CIX_CNT_DROP_BASE;
			drops += k->counters[w];
		}
	}
	if (port_rx != done || port_tx != done || att_tx != done || drops) {
		snprintf(msg, sizeof(msg),
			 "counters: rx %llu, tx %llu (ports) %llu (attachments), %llu dropped (%s) of %llu",
			 (unsigned long long)port_rx, (unsigned long long)port_tx,
			 (unsigned long long)att_tx, (unsigned long long)drops,
			 drops ? cix_drop_name(first_reason) : "-", (unsigned long long)done);
		return fail("%s: %s", k->id, msg);
	}
	return 0;
}

/*
 * What the pipeline must send for the generator's frame (flow, class):
 * built here from the frame and the case's tags, not by the stages' code.
 */
static uint32_t expected_frame(const struct kase *k, uint32_t flow, uint32_t cls, uint8_t *out)
{
	uint8_t in[TRAFFIC_MAX_FRAME];
	uint32_t len = traffic_frame(&k->gen, flow, cls, in);
	if (k->kind == ZERO_WORK) {
		memcpy(out, in, len);
		return len;
	}
	const struct traffic_tags *ti = &k->in[flow], *to = &k->out[flow];
	uint32_t skip = 12 + 4u * ti->n;
	memcpy(out, in, 12);
	uint32_t o = 12;
	for (unsigned i = 0; i < to->n; i++) {
		out[o++] = (uint8_t)(to->tpid[i] >> 8);
		out[o++] = (uint8_t)to->tpid[i];
		out[o++] = (uint8_t)(to->tci[i] >> 8);
		out[o++] = (uint8_t)to->tci[i];
	}
	memcpy(out + o, in + skip, len - skip);
	return o + len - skip;
}

/*
 * Bursts covering every (flow, size) pair, each output frame compared byte
 * for byte with what it must be, on the port it must leave by, in order.
 */
static int verify_case(struct bench *b, struct kase *k)
{
	uint32_t steps = k->gen.n_steps, period = k->flows;
	while (period % steps)
		period += k->flows; /* lcm(flows, steps) */
	uint32_t bursts = (period + b->burst - 1) / b->burst + 1;
	traffic_rewind(&k->gen);
	uint32_t flow0 = 0, step0 = 0;
	for (uint32_t r = 0; r < bursts; r++) {
		struct cix_pkt *pkts[CIX_MAX_BURST];
		traffic_burst(&k->gen, &b->port[0].wire_rx, b->burst);
		uint32_t n = cix_io_rx(&b->port[0].io, pkts, b->burst);
		if (n != b->burst)
			return fail("%s%s: check: generator short of buffers", k->id, "");
		if (k->kind == ZERO_WORK) {
			cix_io_tx(&b->port[1].io, pkts, n);
		} else {
			k->ctx.t = cix_epoch_enter(&k->dp->epoch, 0);
			cix_pipeline_run(&k->ctx, pkts, n);
		}
		for (uint32_t i = 0; i < n; i++) {
			uint32_t flow = (flow0 + i) & (k->flows - 1);
			uint32_t cls = k->gen.seq[(step0 + i) % steps];
			uint32_t port = is_pop(k->kind) ? 1 + flow : 1;
			struct cix_pkt *p;
			if (cix_ring_get(&b->port[port].wire_tx, &p, 1) != 1) {
				char msg[96];
				snprintf(msg, sizeof(msg), "frame %u (flow %u) not sent on port %u", i, flow, port);
				return fail("%s: check: %s", k->id, msg);
			}
			uint8_t want[TRAFFIC_MAX_FRAME];
			uint32_t len = expected_frame(k, flow, cls, want);
			int ok = p->len == len && p->wire_len == len && !memcmp(p->data, want, len);
			cix_pool_free(&b->pool, p);
			if (!ok) {
				char msg[96];
				snprintf(msg, sizeof(msg), "frame %u (flow %u, %u bytes) differs from the expected one",
					 i, flow, len);
				return fail("%s: check: %s", k->id, msg);
			}
		}
		for (uint32_t p = 1; p < N_PORTS; p++)
			if (traffic_sink(&b->pool, &b->port[p].wire_tx))
				return fail("%s%s: check: frames sent on a port they do not belong to", k->id, "");
		flow0 = (flow0 + n) & (k->flows - 1);
		step0 = (step0 + n) % steps;
	}
	if (b->pool.n_free != b->pool.count)
		return fail("%s%s: check: buffers lost", k->id, "");
	return 0;
}

/* ---- where the cycles go ----------------------------------------------- */

enum { BD_PARSE, BD_CLASSIFY, BD_XCONNECT, BD_REWRITE, BD__N };
static const char *const bd_name[BD__N] = {"parse", "classify", "xconnect", "rewrite"};

/*
 * Each stage alone, run again and again over one burst that stays in L1
 * (translate's stages leave a burst as they found it, so it can be run
 * again). In the pipeline the stages overlap and share the caches, so these
 * are an attribution, not parts that add up exactly. TSC ticks per packet.
 */
static int breakdown(struct bench *b, struct kase *k, uint32_t iters, double *out)
{
	struct cix_pkt *pkts[CIX_MAX_BURST];
	uint32_t (*const fn[BD__N])(struct cix_ctx *, struct cix_pkt **, uint32_t) = {
		cix_stage_parse, cix_stage_classify, cix_stage_xconnect, cix_stage_rewrite,
	};
	traffic_rewind(&k->gen);
	traffic_burst(&k->gen, &b->port[0].wire_rx, b->burst);
	uint32_t n = cix_io_rx(&b->port[0].io, pkts, b->burst);
	k->ctx.t = cix_epoch_enter(&k->dp->epoch, 0);
	for (unsigned s = 0; s < BD__N; s++) {
		for (uint32_t i = 0; i < iters / 10 + 1; i++)
			if (fn[s](&k->ctx, pkts, n))
				return fail("%s%s: breakdown: a stage refused a frame", k->id, "");
		uint64_t t0 = ticks();
		for (uint32_t i = 0; i < iters; i++)
			fn[s](&k->ctx, pkts, n);
		out[s] = (double)(ticks() - t0) / ((double)iters * n);
	}
	cix_epoch_offline(&k->dp->epoch, 0);
	cix_stage_tx(&k->ctx, pkts, n);
	traffic_sink(&b->pool, &b->port[1].wire_tx);
	if (b->pool.n_free != b->pool.count)
		return fail("%s%s: breakdown: buffers lost", k->id, "");
	return 0;
}

/* ---- results --------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(const double *v, uint32_t n)
{
	double s[MAX_REPS];
	memcpy(s, v, n * sizeof(double));
	qsort(s, n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static double vmin(const double *v, uint32_t n)
{
	double m = v[0];
	for (uint32_t i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, uint32_t n)
{
	double m = v[0];
	for (uint32_t i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

struct row {
	const struct kase *k;
	double mpps, gbps, ticks, ticks_lo, ticks_hi, ratio, own;
};

struct report {
	struct machine m;
	const char *mem;
	double tick_hz, core_hz;     /* core_hz: the mean of core_lo and core_hi */
	double core_lo, core_hi;     /* measured before and after the runs */
	uint32_t burst, reps;
	uint64_t packets;
	int quick;
	const char *note;
	struct row rows[MAX_CASES];
	uint32_t n_rows;
	double target_ticks; /* translate 2-2 at 64 B */
	double zero_ticks;   /* zero-work at 64 B */
	int have_bd;
	double bd[BD__N];
	char date[32];
};

static void build_rows(struct report *r, struct kase *cases, uint32_t n)
{
	r->n_rows = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct kase *k = &cases[i];
		struct row *w = &r->rows[r->n_rows++];
		w->k = k;
		double ns = median(k->ns_per_pkt, k->reps);
		w->mpps = 1e3 / ns;
		w->gbps = w->mpps * (traffic_avg_frame(&k->gen) + TRAFFIC_L1_OVERHEAD) * 8 / 1e3;
		w->ticks = median(k->tick_per_pkt, k->reps);
		w->ticks_lo = vmin(k->tick_per_pkt, k->reps);
		w->ticks_hi = vmax(k->tick_per_pkt, k->reps);
		w->ratio = w->own = 0;
		if (k->kind == TRANSLATE_22 && k->mix == TRAFFIC_MIX_64)
			r->target_ticks = w->ticks;
		if (k->kind == ZERO_WORK && k->mix == TRAFFIC_MIX_64)
			r->zero_ticks = w->ticks;
	}
	/* Each case against the zero-work loop of its own frame mix. */
	for (uint32_t i = 0; i < r->n_rows; i++) {
		struct row *w = &r->rows[i];
		for (uint32_t j = 0; j < r->n_rows; j++) {
			const struct row *z = &r->rows[j];
			if (z->k->kind == ZERO_WORK && z->k->mix == w->k->mix) {
				w->ratio = w->ticks / z->ticks;
				w->own = w->ticks - z->ticks;
			}
		}
	}
}

static const char *mix_name(enum traffic_mix m)
{
	return m == TRAFFIC_MIX_64 ? "64 B" : "IMIX";
}

static void print_table(FILE *f, const struct report *r)
{
	double c = r->core_hz / r->tick_hz;
	fprintf(f, "%-6s %-22s %5s %5s %8s %9s %11s %11s %7s %11s\n", "frames", "case", "flows", "ports",
		"Mpps", "Gbit/s L1", "cycles/pkt", "core cyc/p", "x zero", "own cyc/p");
	for (uint32_t i = 0; i < r->n_rows; i++) {
		const struct row *w = &r->rows[i];
		char own[16] = "-", ratio[16] = "-";
		if (w->k->kind != ZERO_WORK) {
			snprintf(own, sizeof(own), "%.1f", w->own);
			snprintf(ratio, sizeof(ratio), "%.2f", w->ratio);
		}
		fprintf(f, "%-6s %-22s %5u %5u %8.1f %9.1f %11.1f %11.1f %7s %11s\n", mix_name(w->k->mix),
			kinds[w->k->kind].name, w->k->flows, w->k->egress_ports, w->mpps, w->gbps, w->ticks,
			w->ticks * c, ratio, own);
	}
}

/* The attribution of translate 2-2 at 64 B, one line per part. */
static void print_breakdown(FILE *f, const struct report *r, const char *pre)
{
	double c = r->core_hz / r->tick_hz, sum = r->zero_ticks;
	fprintf(f, "%s%-44s %6.1f TSC ticks (%5.1f core cycles)\n", pre,
		"generator, mem rx/tx, sink (zero-work loop)", r->zero_ticks, r->zero_ticks * c);
	for (unsigned s = 0; s < BD__N; s++) {
		char what[64];
		snprintf(what, sizeof(what), "%s (alone, over a resident burst)", bd_name[s]);
		fprintf(f, "%s%-44s %6.1f TSC ticks (%5.1f core cycles)\n", pre, what, r->bd[s],
			r->bd[s] * c);
		sum += r->bd[s];
	}
	double rest = r->target_ticks - sum;
	fprintf(f, "%s%-44s %6.1f TSC ticks (%5.1f core cycles)\n", pre,
		"the rest: rx count, tx stage, epoch, overlap", rest, rest * c);
	fprintf(f, "%s%-44s %6.1f TSC ticks (%5.1f core cycles)\n", pre, "translate 2-2, measured whole",
		r->target_ticks, r->target_ticks * c);
}

static void print_head(FILE *f, const struct report *r, const char *pre)
{
	fprintf(f, "%sMachine: %s, %ld cores online, %s%s\n", pre, r->m.cpu, r->m.cores, r->m.kernel,
		r->m.vm ? ", virtual machine (KVM/hypervisor flag set)" : "");
	fprintf(f, "%sRun: %s; pool of %u x %u-byte buffers in %s; burst %u; %llu packets per run, "
		"median of %u runs%s\n", pre, r->m.pinned, POOL_BUFS, BUF_SIZE, r->mem, r->burst,
		(unsigned long long)r->packets, r->reps, r->quick ? " (--quick: a smoke run, not a measurement)" : "");
	fprintf(f, "%sClock: TSC %.1f MHz (measured against CLOCK_MONOTONIC); core %.0f MHz before "
		"and %.0f MHz after the runs (dependent-add chain): 1 TSC tick = %.2f core cycles\n", pre,
		r->tick_hz / 1e6, r->core_lo / 1e6, r->core_hi / 1e6, r->core_hz / r->tick_hz);
	fprintf(f, "%sBuild: %s%s%s\n", pre, r->m.compiler, r->note ? "; " : "", r->note ? r->note : "");
}

static const char *verdict(const struct report *r, char *buf, size_t len)
{
	if (r->target_ticks <= 0)
		snprintf(buf, len, "not measured in this run");
	else
		snprintf(buf, len, "%s: %.1f cycles/packet (TSC) against <= 30", r->target_ticks <= 30.0 ?
			 "met" : "NOT met", r->target_ticks);
	return buf;
}

/* The section for RESULTS.md. */
static char *markdown_section(const struct report *r, size_t *len_out)
{
	char *buf = 0;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	double c = r->core_hz / r->tick_hz;
	fprintf(f, "## %s · %s · %ld cores · %s\n\n", r->date, r->m.cpu, r->m.cores, r->m.kernel);
	print_head(f, r, "- ");
	fprintf(f, "\n| frames | case | flows | egress ports | Mpps | Gbit/s (L1) | cycles/pkt (TSC) | "
		"core cycles/pkt | × zero-work | own cycles/pkt | TSC cycles/pkt, min–max |\n");
	fprintf(f, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (uint32_t i = 0; i < r->n_rows; i++) {
		const struct row *w = &r->rows[i];
		char own[16] = "—", ratio[16] = "1 (reference)";
		if (w->k->kind != ZERO_WORK) {
			snprintf(own, sizeof(own), "%.1f", w->own);
			snprintf(ratio, sizeof(ratio), "%.2f", w->ratio);
		}
		fprintf(f, "| %s | %s | %u | %u | %.1f | %.1f | %.1f | %.1f | %s | %s | %.1f–%.1f |\n",
			mix_name(w->k->mix), kinds[w->k->kind].name, w->k->flows, w->k->egress_ports, w->mpps,
			w->gbps, w->ticks, w->ticks * c, ratio, own, w->ticks_lo, w->ticks_hi);
	}
	char v[128];
	fprintf(f, "\nTarget, translate 2-2 at 64 B with the mem driver's I/O and the generator included: "
		"**%s**.\n\n", verdict(r, v, sizeof(v)));
	if (r->have_bd) {
		fprintf(f, "Where the cycles of translate 2-2 at 64 B go (per packet; each stage timed alone, "
			"so the parts only roughly add up):\n\n```\n");
		print_breakdown(f, r, "");
		fprintf(f, "```\n\n");
	}
	fclose(f);
	*len_out = len;
	return buf;
}

/*
 * Put the section into FILE: replacing a section with the same heading (the
 * same day on the same machine), else right after the preamble (newest
 * first). The preamble is whatever comes before the first "## " heading.
 */
static int write_markdown(const char *path, const struct report *r)
{
	size_t slen;
	char *sec = markdown_section(r, &slen);
	if (!sec)
		return fail("%s%s: out of memory", path, "");
	char *old = 0;
	size_t olen = 0;
	FILE *f = fopen(path, "r");
	if (f) {
		FILE *m = open_memstream(&old, &olen);
		char chunk[4096];
		size_t got;
		while (m && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, got, m);
		if (m)
			fclose(m);
		fclose(f);
	}
	if (!old) {
		static const char pre[] =
			"# cix benchmark results\n\n"
			"Written by `npm run bench` (bench/run.sh); see bench/README.md for what each "
			"figure means. Newest first.\n\n";
		old = strdup(pre);
		olen = strlen(pre);
	}
	/* The heading line of the new section. */
	size_t hlen = strcspn(sec, "\n") + 1;
	char *start = 0, *end = 0;
	for (char *p = old; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : 0) {
		if (!strncmp(p, sec, hlen)) {
			start = p;
			end = p + hlen;
			while (*end && strncmp(end, "## ", 3))
				end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
			break;
		}
	}
	if (!start) {
		char *p = old;
		while (*p && strncmp(p, "## ", 3))
			p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
		start = end = p;
	}
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	int ok = f != 0;
	if (f) {
		ok &= fwrite(old, 1, (size_t)(start - old), f) == (size_t)(start - old);
		ok &= fwrite(sec, 1, slen, f) == slen;
		ok &= fputs(end, f) >= 0;
		ok &= fclose(f) == 0;
	}
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	free(old);
	free(sec);
	if (!ok)
		return fail("%s: cannot write (%s)", path, strerror(errno));
	return 0;
}

/* ---- main ------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: cix_bench [--quick] [--markdown FILE] [--packets MILLIONS] [--reps N]\n"
		"                 [--burst N] [--mem auto|hugetlb|thp|small] [--only TEXT] [--note TEXT]\n");
}

int main(int argc, char **argv)
{
	int quick = 0;
	const char *markdown = 0, *mem_mode = "auto", *only = 0, *note = 0;
	double mpackets = 30;
	uint32_t reps = 9, burst = 32;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : 0;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else if (!strcmp(a, "--quick")) {
			quick = 1;
		} else if (!strcmp(a, "--markdown") && v) {
			markdown = v, i++;
		} else if (!strcmp(a, "--packets") && v) {
			mpackets = atof(v), i++;
		} else if (!strcmp(a, "--reps") && v) {
			reps = (uint32_t)atoi(v), i++;
		} else if (!strcmp(a, "--burst") && v) {
			burst = (uint32_t)atoi(v), i++;
		} else if (!strcmp(a, "--mem") && v) {
			mem_mode = v, i++;
		} else if (!strcmp(a, "--only") && v) {
			only = v, i++;
		} else if (!strcmp(a, "--note") && v) {
			note = v, i++;
		} else {
			usage();
			return 2;
		}
	}
	if (quick) {
		mpackets = 1;
		reps = 1;
	}
	if (mpackets <= 0 || reps < 1 || reps > MAX_REPS || burst < 1 || burst > 256 ||
	    (strcmp(mem_mode, "auto") && strcmp(mem_mode, "hugetlb") && strcmp(mem_mode, "thp") &&
	     strcmp(mem_mode, "small"))) {
		usage();
		return 2;
	}
	uint64_t packets = (uint64_t)(mpackets * 1e6);

	static struct bench b;
	b.burst = burst;
	size_t pool_len = cix_pool_mem_size(POOL_BUFS, BUF_SIZE);
	if (pool_mem_alloc(&b.pm, pool_len, mem_mode) ||
	    cix_pool_init(&b.pool, b.pm.base, POOL_BUFS, BUF_SIZE, HEADROOM)) {
		fprintf(stderr, "cix_bench: cannot set up the buffer pool\n");
		return 1;
	}
	b.slots = calloc((size_t)N_PORTS * 2 * RING_SIZE, sizeof(*b.slots));
	if (!b.slots)
		return 1;
	for (uint32_t p = 0; p < N_PORTS; p++) {
		cix_mem_port_init(&b.port[p], &b.pool, (uint16_t)p, b.slots + (size_t)p * 2 * RING_SIZE,
				  RING_SIZE);
		b.tx[p] = &b.port[p].io;
	}

	static struct report r;
	machine_describe(&r.m);
	r.mem = b.pm.kind;
	r.burst = burst;
	r.reps = reps;
	r.packets = packets;
	r.quick = quick;
	r.note = note;
	time_t now = time(0);
	strftime(r.date, sizeof(r.date), "%Y-%m-%d", localtime(&now));

	static struct kase cases[MAX_CASES];
	uint32_t n = 0;
	const enum traffic_mix mixes[2] = {TRAFFIC_MIX_64, TRAFFIC_MIX_IMIX};
	for (unsigned m = 0; m < 2; m++) {
		/* --only TEXT: the cases whose id ("translate-64", "pop-imix", ...)
		 * holds TEXT, and always the reference of their frame mix. */
		int run[N_KINDS], any = 0;
		for (enum kind kd = ZERO_WORK; kd < N_KINDS; kd++) {
			char id[32];
			snprintf(id, sizeof(id), "%s-%s", kinds[kd].id, m ? "imix" : "64");
			run[kd] = !only || strstr(id, only);
			any |= run[kd];
		}
		run[ZERO_WORK] |= any;
		for (enum kind kd = ZERO_WORK; kd < N_KINDS; kd++) {
			if (!run[kd])
				continue;
			if (case_init(&b, &cases[n], kd, mixes[m]))
				return 1;
			n++;
		}
	}
	if (n == 0) {
		fprintf(stderr, "cix_bench: --only %s matches no case\n", only);
		return 2;
	}

	/* Check every case before anything is timed. */
	for (uint32_t i = 0; i < n; i++)
		if (verify_case(&b, &cases[i]))
			return 1;

	r.tick_hz = measure_tick_hz(quick ? 50 : 250);
	r.core_lo = r.core_hi = r.core_hz = measure_core_hz(r.tick_hz, quick ? 5000000u : 50000000u);
	printf("Machine: %s, %ld cores online, %s\n", r.m.cpu, r.m.cores, r.m.kernel);
	printf("Clock: TSC %.1f MHz, core %.0f MHz; running %u cases x %u runs of %llu packets\n",
	       r.tick_hz / 1e6, r.core_lo / 1e6, n, reps, (unsigned long long)packets);
	fflush(stdout);

	/* Warm-up: caches, branch predictors, page tables, the core's clock. */
	uint64_t warm = packets / 10 < 2000000u ? packets / 10 : 2000000u;
	for (uint32_t i = 0; i < n; i++) {
		if (cases[i].counters)
			memset(cases[i].counters, 0, cases[i].counters_len);
		uint64_t sunk, done = run_case(&b, &cases[i], warm, &sunk);
		if (check_counts(&b, &cases[i], warm, done, sunk))
			return 1;
	}

	/* Repetitions go round the cases, so that drift hits every case alike. */
	for (uint32_t rep = 0; rep < reps; rep++) {
		for (uint32_t i = 0; i < n; i++) {
			struct kase *k = &cases[i];
			if (k->counters)
				memset(k->counters, 0, k->counters_len);
			uint64_t sunk;
			uint64_t n0 = now_ns(), t0 = ticks();
			uint64_t done = run_case(&b, k, packets, &sunk);
			uint64_t t1 = ticks(), n1 = now_ns();
			if (check_counts(&b, k, packets, done, sunk))
				return 1;
			k->tick_per_pkt[k->reps] = (double)(t1 - t0) / (double)done;
			k->ns_per_pkt[k->reps] = (double)(n1 - n0) / (double)done;
			k->reps++;
		}
	}

	/* The core's clock moves (boost); measure it again, report both. */
	r.core_hi = measure_core_hz(r.tick_hz, quick ? 5000000u : 50000000u);
	r.core_hz = (r.core_lo + r.core_hi) / 2;
	build_rows(&r, cases, n);
	for (uint32_t i = 0; i < n; i++) {
		if (cases[i].kind == TRANSLATE_22 && cases[i].mix == TRAFFIC_MIX_64 && r.zero_ticks > 0) {
			if (breakdown(&b, &cases[i], quick ? 2000u : 200000u, r.bd))
				return 1;
			r.have_bd = 1;
		}
	}
	printf("\n");
	print_head(stdout, &r, "");
	printf("\n");
	print_table(stdout, &r);
	char v[128];
	printf("\ntarget (translate 2-2, 64 B, <= 30 cycles/packet with mem I/O): %s\n",
	       verdict(&r, v, sizeof(v)));
	if (r.have_bd) {
		printf("\nwhere the cycles of translate 2-2 at 64 B go (per packet; each stage timed alone):\n");
		print_breakdown(stdout, &r, "  ");
	}
	printf("checks: every case verified frame by frame before timing; after every run rx == tx, "
	       "no drops, no buffer lost\n");

	int rc = 0;
	if (markdown && write_markdown(markdown, &r))
		rc = 1;
	else if (markdown)
		printf("written: %s\n", markdown);

	for (uint32_t i = 0; i < n; i++)
		case_fini(&cases[i]);
	munmap(b.pm.base, b.pm.len);
	free(b.slots);
	return rc;
}
