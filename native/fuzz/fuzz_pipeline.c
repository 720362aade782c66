/*
 * libFuzzer target: the whole pipeline (parse -> classify -> xconnect ->
 * rewrite -> tx) on frames cut from the input, against a fixed configuration
 * with every kind of attachment, and checked against a model.
 *
 * Input: a sequence of records, up to MAX_FRAMES of them:
 *
 *   port(1) flags(1) length(2, big endian) frame(length bytes)
 *
 *   port   & 7: the receiving port (5 and 7 are not configured)
 *   flags  bit 0: snapped: wire_len = len + 1 + (flags >> 4)
 *          bit 1: the driver marked it mtu_rx (a giant it could not fit)
 *          bit 2: little headroom: the frame starts (flags >> 3 & 15) bytes into its buffer
 *   length is cut to what the input still holds and to the buffer's room.
 *
 * All frames go through cix_pipeline_run as one burst; the mem ports' tx
 * rings are then drained back into the pool. The model (below, written from
 * the stages' contracts, not their code) says where each frame must end:
 * sent on which port with which bytes, or dropped for which reason. Then:
 *   - every counter of every port and attachment equals the model's
 *     (so rx == tx + drops, one reason per frame, per port and attachment);
 *   - each port sent exactly the model's frames, in order, byte for byte
 *     (outer tags = the egress attachment's stack, payload untouched);
 *   - the pool is whole again.
 * Any difference prints what it was and traps.
 *
 * Build: cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCIX_FUZZ=ON \
 *          -DCIX_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
 *        cmake --build build/fuzz --target cix_fuzz_pipeline
 * Run:   mkdir -p build/fuzz/corpus
 *        build/fuzz/cix_fuzz_pipeline -max_len=4096 build/fuzz/corpus native/fuzz/corpus
 *        (libFuzzer writes what it finds into the first directory it is given.)
 * Seeds: native/fuzz/make_seeds.py writes corpus/seed-*; a crash input found
 *        later goes in as corpus/regress-<what> so every run replays it.
 * CIX_FUZZ_VERBOSE=1 prints the model's verdict for each frame of each input.
 */
#include <stdio.h>

#include "../test/frames.h"

#define MAX_FRAMES 64u
#define N_PORTS 8u /* ports the input can name */

/* ------------------------------------------------------------ configuration */

struct port_cfg {
	uint16_t mtu;     /* 0: not configured */
	uint32_t ring;    /* mem tx ring size, 0: no driver */
};

static const struct port_cfg PORTS[N_PORTS] = {
	[0] = {1500, 64},
	[1] = {100, 64},  /* whole port, small MTU */
	[2] = {1500, 8},  /* small ring: tx_full */
	[3] = {1500, 0},  /* no driver: port_down */
	[4] = {68, 64},   /* the smallest MTU */
	[5] = {0, 64},    /* a driver but no configuration */
	[6] = {1500, 64}, /* whole port, out with a tag that keeps PCP/DEI */
};

struct att_cfg {
	uint16_t id, port;
	uint8_t kind;
	struct cix_tag_spec tag[2];
	uint16_t peer; /* CIX_NONE: no service */
};

#define K CIX_KEEP
#define TAG(tpid, vid, pcp, dei) {tpid, vid, pcp, dei}
#define NOTAG {0, 0, K, K}

static const struct att_cfg ATTS[] = {
	/* port 0 */
	{1, 0, CIX_MATCH_UNTAGGED, {NOTAG, NOTAG}, 8},
	{2, 0, CIX_MATCH_OUTER, {TAG(0x8100, 100, K, K), NOTAG}, 9},
	{3, 0, CIX_MATCH_OUTER, {TAG(0x88a8, 200, K, K), NOTAG}, 10},
	{4, 0, CIX_MATCH_OUTER_INNER, {TAG(0x88a8, 300, K, K), TAG(0x8100, 10, K, K)}, 11},
	{5, 0, CIX_MATCH_OUTER_INNER, {TAG(0x9100, 300, K, K), TAG(0x8100, 10, K, K)}, 13},
	{6, 0, CIX_MATCH_OUTER, {TAG(0x9200, 400, K, K), NOTAG}, CIX_NONE},
	{7, 0, CIX_MATCH_OUTER_INNER, {TAG(0x88a8, 200, K, K), TAG(0x8100, 20, K, K)}, 12},
	/* port 1 */
	{8, 1, CIX_MATCH_WHOLE_PORT, {NOTAG, NOTAG}, 1},
	/* port 2 */
	{9, 2, CIX_MATCH_OUTER_INNER, {TAG(0x8100, 100, K, K), TAG(0x8100, 200, K, K)}, 2},
	{10, 2, CIX_MATCH_OUTER, {TAG(0x8100, 100, K, K), NOTAG}, 3},
	{11, 2, CIX_MATCH_UNTAGGED, {NOTAG, NOTAG}, 4},
	{12, 2, CIX_MATCH_OUTER, {TAG(0x88a8, 7, 5, 1), NOTAG}, 7},
	/* port 3 (no driver) */
	{13, 3, CIX_MATCH_OUTER, {TAG(0x8100, 50, K, K), NOTAG}, 5},
	/* port 4 (MTU 68): a hairpin, and a one-way peer to port 0 */
	{14, 4, CIX_MATCH_OUTER, {TAG(0x88a8, 7, 3, K), NOTAG}, 15},
	{15, 4, CIX_MATCH_UNTAGGED, {NOTAG, NOTAG}, 14},
	{16, 4, CIX_MATCH_OUTER_INNER, {TAG(0x9200, 1, K, 0), TAG(0x9100, 2, 7, K)}, 2},
	/* port 6: whole port <-> port 0 9100/500 (the pushed tag keeps the frame's outer PCP/DEI) */
	{17, 6, CIX_MATCH_WHOLE_PORT, {NOTAG, NOTAG}, 18},
	{18, 0, CIX_MATCH_OUTER, {TAG(0x9100, 500, K, K), NOTAG}, 17},
};
#define N_ATTS (sizeof(ATTS) / sizeof(ATTS[0]))

static struct fx F;
static uint64_t *model_cnt; /* the counter block the model expects */
static int verbose;         /* CIX_FUZZ_VERBOSE=1: print each frame's fate */

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_pipeline: %s\n", what);
	fflush(stderr);
	__builtin_trap();
}

static const struct att_cfg *att_by_id(uint16_t id)
{
	for (unsigned i = 0; i < N_ATTS; i++)
		if (ATTS[i].id == id)
			return &ATTS[i];
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	verbose = getenv("CIX_FUZZ_VERBOSE") != 0;
	if (fx_init(&F))
		fail("fixture");
	model_cnt = calloc(1, F.counters_size);
	if (!model_cnt)
		fail("oom");
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, N_ATTS);
	if (!t)
		fail("tables");
	for (uint16_t p = 0; p < N_PORTS; p++) {
		if (PORTS[p].mtu && cix_tables_set_port(t, p, PORTS[p].mtu))
			fail("set_port");
		if (PORTS[p].ring && !fx_mem_port(&F, p, PORTS[p].ring))
			fail("mem port");
	}
	for (unsigned i = 0; i < N_ATTS; i++) {
		struct cix_attachment_spec s;
		memset(&s, 0, sizeof(s));
		s.id = ATTS[i].id;
		s.port = ATTS[i].port;
		s.kind = ATTS[i].kind;
		s.tag[0] = ATTS[i].tag[0];
		s.tag[1] = ATTS[i].tag[1];
		if (cix_tables_add_attachment(t, &s))
			fail("add_attachment");
	}
	for (unsigned i = 0; i < N_ATTS; i++)
		if (ATTS[i].peer != CIX_NONE && cix_tables_set_peer(t, ATTS[i].id, ATTS[i].peer))
			fail("set_peer");
	if (cix_tables_seal(t) || !fx_publish(&F, t))
		fail("publish");
	return 0;
}

/* ------------------------------------------------------------ the model */

static int is_tpid(uint16_t v)
{
	return v == 0x8100 || v == 0x88a8 || v == 0x9100 || v == 0x9200;
}

static unsigned depth_of(const struct att_cfg *a)
{
	return a->kind == CIX_MATCH_WHOLE_PORT ? 0 : a->kind;
}

struct verdict {
	uint16_t in_port;    /* the frame as it came (for messages) */
	uint32_t in_len, in_wire_len;
	uint8_t drop;        /* CIX_DROP_*, NONE if sent */
	uint16_t att;        /* ingress attachment or CIX_NONE */
	uint16_t egress;
	uint16_t out_port;
	uint32_t len;        /* length once rewritten */
	uint8_t bytes[FX_BUF_SIZE + 16];
};

/* Where must this frame go? Everything up to (not including) the tx ring. */
static void model(const uint8_t *d, uint32_t len, uint32_t wire_len, uint16_t port, int premarked,
		  uint32_t headroom, struct verdict *v)
{
	v->drop = CIX_DROP_NONE;
	v->att = CIX_NONE;
	v->egress = CIX_NONE;
	v->out_port = CIX_NONE;
	if (premarked) {
		v->drop = CIX_DROP_MTU_RX;
		return;
	}
	if (wire_len != len || len < 14) {
		v->drop = CIX_DROP_TRUNCATED;
		return;
	}
	uint16_t tpid[2] = {0, 0}, tci[2] = {0, 0};
	unsigned nt = 0;
	uint32_t off = 12;
	while (nt < 2 && is_tpid(fx_get16(d + off))) {
		if (off + 4 + 2 > len) {
			v->drop = CIX_DROP_TRUNCATED;
			return;
		}
		tpid[nt] = fx_get16(d + off);
		tci[nt] = fx_get16(d + off + 2);
		nt++;
		off += 4;
	}
	int more = nt == 2 && is_tpid(fx_get16(d + off));

	/* Who takes it. */
	const struct att_cfg *att = 0;
	for (unsigned i = 0; i < N_ATTS; i++)
		if (ATTS[i].port == port && ATTS[i].kind == CIX_MATCH_WHOLE_PORT)
			att = &ATTS[i];
	if (!att && more) {
		v->drop = CIX_DROP_TOO_MANY_TAGS;
		return;
	}
	if (!att) {
		/* Longest match; a tagged frame never goes to the untagged attachment. */
		for (int depth = (int)nt; depth >= (nt ? 1 : 0) && !att; depth--)
			for (unsigned i = 0; i < N_ATTS && !att; i++) {
				const struct att_cfg *a = &ATTS[i];
				if (a->port != port || a->kind == CIX_MATCH_WHOLE_PORT || depth_of(a) != (unsigned)depth)
					continue;
				int ok = 1;
				for (int k = 0; k < depth; k++)
					ok &= a->tag[k].tpid == tpid[k] && a->tag[k].vid == (tci[k] & 0xfff);
				if (ok)
					att = a;
			}
	}
	unsigned owned = att ? depth_of(att) : 0;
	if (!att && nt == 1 && tpid[0] == 0x8100 && (tci[0] & 0xfff) == 0) {
		/* Priority-tagged: taken by the untagged attachment, which owns the tag. */
		for (unsigned i = 0; i < N_ATTS && !att; i++)
			if (ATTS[i].port == port && ATTS[i].kind == CIX_MATCH_UNTAGGED)
				att = &ATTS[i];
		owned = 1;
	}
	if (!att) {
		/* Would the VIDs alone have matched, at some depth? */
		int vids = 0;
		for (unsigned i = 0; i < N_ATTS; i++) {
			const struct att_cfg *a = &ATTS[i];
			unsigned depth = depth_of(a);
			if (a->port != port || a->kind == CIX_MATCH_WHOLE_PORT || depth == 0 || depth > nt)
				continue;
			int ok = 1;
			for (unsigned k = 0; k < depth; k++)
				ok &= a->tag[k].vid == (tci[k] & 0xfff);
			vids |= ok;
		}
		v->drop = vids ? CIX_DROP_TPID_MISMATCH : CIX_DROP_NO_ATTACHMENT;
		return;
	}
	v->att = att->id;
	unsigned depth = owned;
	uint16_t prio = depth ? tci[depth - 1] & 0xf000 : (nt ? tci[0] & 0xf000 : 0);
	if (len - 14 - 4 * depth > PORTS[port].mtu) {
		v->drop = CIX_DROP_MTU_RX;
		return;
	}
	if (att->peer == CIX_NONE) {
		v->drop = CIX_DROP_NO_SERVICE;
		return;
	}
	const struct att_cfg *eg = att_by_id(att->peer);
	unsigned n = depth_of(eg);
	if (n > depth && headroom < 4 * (n - depth)) {
		v->drop = CIX_DROP_NO_HEADROOM;
		return;
	}
	v->egress = eg->id;
	v->out_port = eg->port;
	memcpy(v->bytes, d, 12);
	for (unsigned k = 0; k < n; k++) {
		const struct cix_tag_spec *s = &eg->tag[k];
		uint16_t t = s->vid;
		t |= s->pcp == CIX_KEEP ? (prio & 0xe000) : (uint16_t)(s->pcp << 13);
		t |= s->dei == CIX_KEEP ? (prio & 0x1000) : (uint16_t)(s->dei << 12);
		fx_put16(v->bytes + 12 + 4 * k, s->tpid);
		fx_put16(v->bytes + 14 + 4 * k, t);
	}
	memcpy(v->bytes + 12 + 4 * n, d + 12 + 4 * depth, len - 12 - 4 * depth);
	v->len = len - 4 * depth + 4 * n;
	if (v->len - 14 - 4 * n > PORTS[eg->port].mtu) {
		v->drop = CIX_DROP_MTU_TX;
		return;
	}
	if (!PORTS[eg->port].ring)
		v->drop = CIX_DROP_PORT_DOWN;
	/* tx_full is decided per port, in order, by the caller. */
}

static uint64_t *mcnt_port(unsigned port)
{
	return model_cnt + (size_t)port * CIX_CNT__SLOTS;
}

static uint64_t *mcnt_att(unsigned att)
{
	return model_cnt + (size_t)(CIX_MAX_PORTS + att) * CIX_CNT__SLOTS;
}

/* ------------------------------------------------------------ one input */

static struct verdict V[MAX_FRAMES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cix_pkt *pkts[MAX_FRAMES];
	uint32_t n = 0;
	uint32_t start_free = F.pool.n_free;
	if (start_free != F.pool.count)
		fail("pool not whole at the start");

	fx_zero_counters(&F);
	memset(model_cnt, 0, F.counters_size);

	size_t off = 0;
	while (n < MAX_FRAMES && off + 4 <= size) {
		uint16_t port = data[off] & 7;
		uint8_t flags = data[off + 1];
		uint32_t len = (uint32_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (len > size - off)
			len = (uint32_t)(size - off);
		uint32_t room = cix_pool_data_room(&F.pool);
		if (len > room)
			len = room;
		struct cix_pkt *p;
		if (cix_pool_alloc_burst(&F.pool, &p, 1) != 1)
			fail("pool empty");
		uint32_t headroom = F.pool.headroom;
		if (flags & 4) {
			headroom = (flags >> 3) & 15;
			p->data = p->buf + headroom;
		}
		memcpy(p->data, data + off, len);
		off += len;
		p->len = len;
		p->wire_len = len;
		p->in_port = port;
		p->ts_ns = n;
		if (flags & 1)
			p->wire_len = len + 1 + (flags >> 4);
		int premarked = (flags & 2) != 0;
		if (premarked) {
			/* As the pcap driver leaves a giant: no bytes, the wire length. */
			p->drop = CIX_DROP_MTU_RX;
			p->len = 0;
		}
		model(p->data, p->len, p->wire_len, port, premarked, headroom, &V[n]);
		V[n].in_port = port;
		V[n].in_len = p->len;
		V[n].in_wire_len = p->wire_len;
		pkts[n++] = p;
	}

	/* What the model expects of the counters. */
	uint32_t to_port[N_PORTS] = {0};
	uint64_t want_tx = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct verdict *v = &V[i];
		uint16_t in = pkts[i]->in_port;
		if (v->drop == CIX_DROP_NONE) {
			if (to_port[v->out_port]++ >= PORTS[v->out_port].ring)
				v->drop = CIX_DROP_TX_FULL;
		}
		mcnt_port(in)[CIX_CNT_RX_PACKETS]++;
		mcnt_port(in)[CIX_CNT_RX_BYTES] += pkts[i]->wire_len;
		if (v->att != CIX_NONE) {
			mcnt_att(v->att)[CIX_CNT_RX_PACKETS]++;
			mcnt_att(v->att)[CIX_CNT_RX_BYTES] += pkts[i]->len;
		}
		if (v->drop) {
			mcnt_port(in)[CIX_CNT_DROP_BASE + v->drop]++;
			if (v->att != CIX_NONE)
				mcnt_att(v->att)[CIX_CNT_DROP_BASE + v->drop]++;
		} else {
			want_tx++;
			mcnt_port(v->out_port)[CIX_CNT_TX_PACKETS]++;
			mcnt_port(v->out_port)[CIX_CNT_TX_BYTES] += v->len;
			mcnt_att(v->egress)[CIX_CNT_TX_PACKETS]++;
			mcnt_att(v->egress)[CIX_CNT_TX_BYTES] += v->len;
		}
	}

	if (verbose)
		for (uint32_t f = 0; f < n; f++)
			fprintf(stderr, "frame %u: port %u len %u wire %u -> %s att %u egress %u port %u\n", f,
				V[f].in_port, V[f].in_len, V[f].in_wire_len,
				V[f].drop ? cix_drop_name(V[f].drop) : "sent", V[f].att, V[f].egress, V[f].out_port);

	cix_pipeline_run(&F.ctx, pkts, n);

	/* What each port sent: the model's frames for that port, in order. */
	uint64_t sent = 0;
	for (uint16_t port = 0; port < N_PORTS; port++) {
		struct cix_pkt *s[MAX_FRAMES];
		uint32_t k = fx_sent(&F, port, s, MAX_FRAMES);
		uint32_t j = 0; /* next frame of the burst the model sends here */
		for (uint32_t x = 0; x < k; x++) {
			while (j < n && !(V[j].drop == CIX_DROP_NONE && V[j].out_port == port))
				j++;
			if (j == n) {
				fprintf(stderr, "port %u sent a frame the model drops\n", port);
				fail("unexpected frame");
			}
			const struct verdict *v = &V[j];
			const struct cix_pkt *p = s[x];
			if (p->len != v->len || p->wire_len != v->len || memcmp(p->data, v->bytes, v->len) != 0 ||
			    p->egress != v->egress || p->out_port != port || p->data < p->buf ||
			    p->data + p->len > p->buf + F.pool.buf_size) {
				fprintf(stderr, "frame %u on port %u: len %u (model %u), egress %u (model %u)\n", j,
					port, p->len, v->len, p->egress, v->egress);
				fail("sent frame differs from the model");
			}
			j++;
		}
		cix_pool_free_burst(&F.pool, s, k);
		sent += k;
		if (fx_sent(&F, port, s, 1))
			fail("ring holds more than a burst");
	}
	if (sent != want_tx) {
		fprintf(stderr, "sent %llu, model %llu\n", (unsigned long long)sent, (unsigned long long)want_tx);
		fail("frames missing");
	}

	/* Every counter, against the model. */
	const uint64_t *got = F.ctx.cnt.base;
	size_t slots = F.counters_size / sizeof(uint64_t);
	for (size_t i = 0; i < slots; i++)
		if (got[i] != model_cnt[i]) {
			size_t obj = i / CIX_CNT__SLOTS, slot = i % CIX_CNT__SLOTS;
			fprintf(stderr, "%s %zu %s: %llu, model %llu\n", obj < CIX_MAX_PORTS ? "port" : "attachment",
				obj < CIX_MAX_PORTS ? obj : obj - CIX_MAX_PORTS, cix_counter_slot_name((unsigned)slot),
				(unsigned long long)got[i], (unsigned long long)model_cnt[i]);
			for (uint32_t f = 0; f < n; f++)
				fprintf(stderr, "  frame %u: port %u len %u wire %u -> %s att %u egress %u\n", f,
					V[f].in_port, V[f].in_len, V[f].in_wire_len, cix_drop_name(V[f].drop),
					V[f].att, V[f].egress);
			fail("counter differs from the model");
		}

	/* The plain invariants too (they hold whatever the model says). */
	uint64_t rx = fx_ports_sum(&F, CIX_CNT_RX_PACKETS);
	if (rx != n || rx != fx_ports_sum(&F, CIX_CNT_TX_PACKETS) + fx_ports_drops(&F))
		fail("rx != tx + drops");
	if (F.pool.n_free != start_free)
		fail("pool not returned");
	return 0;
}
