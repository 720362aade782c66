/*
 * rewrite: every push, pop and translate between 0, 1 and 2 tags, checked
 * byte for byte; PCP/DEI kept or set; no_headroom.
 */
#include "frames.h"
#include "test.h"

static struct fx F;

/* Ingress attachments (the frames come in here) ... */
enum {
	I0A = 1,  /* port 0 untagged            -> E1A: push 0-1 */
	I0B = 2,  /* port 1 untagged            -> E2A: push 0-2 */
	I1A = 3,  /* port 2 8100/10             -> E2B: push 1-2 */
	I1B = 4,  /* port 2 8100/11             -> E0A: pop 1-0 */
	I2A = 5,  /* port 2 88a8/20 + 8100/21   -> E0B: pop 2-0 */
	I2B = 6,  /* port 2 88a8/20 + 8100/22   -> E1B: pop 2-1 */
	I1C = 7,  /* port 2 8100/12             -> E1C: translate 1-1 */
	I2C = 8,  /* port 2 88a8/20 + 8100/23   -> E2C: translate 2-2 */
	I1D = 9,  /* port 2 8100/13             -> E1D: pcp 5, dei 0 */
	I1E = 10, /* port 2 8100/14             -> E1E: pcp 5, dei 1 */
	I1F = 11, /* port 2 8100/15             -> E2D: mixed set/keep */
	IW = 12,  /* port 3 whole port          -> E1F */
	I1W = 13, /* port 2 8100/16             -> EW: everything out as it is */
	/* ... and leave from here. */
	E1A = 20, /* port 10 8100/100 */
	E2A = 21, /* port 11 88a8/300 + 8100/400 */
	E2B = 22, /* port 11 88a8/301 + 8100/401 */
	E0A = 23, /* port 12 untagged */
	E0B = 24, /* port 13 untagged */
	E1B = 25, /* port 10 9100/500 */
	E1C = 26, /* port 10 88a8/555 */
	E2C = 27, /* port 11 9100/10 + 9200/20 */
	E1D = 28, /* port 10 8100/600 pcp 5 dei 0 */
	E1E = 29, /* port 10 8100/601 pcp 5 dei 1 */
	E2D = 30, /* port 11 88a8/700 pcp 3 dei keep + 8100/701 pcp keep dei 1 */
	E1F = 31, /* port 10 88a8/800 */
	EW = 32,  /* port 14 whole port */
};

static int setup(void)
{
	if (fx_init(&F))
		return -1;
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, 40);
	if (!t)
		return -1;
	int rc = 0;
	static const uint16_t ports[] = {0, 1, 2, 3, 10, 11, 12, 13, 14};
	for (unsigned i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
		rc |= cix_tables_set_port(t, ports[i], 1500);
	rc |= fx_untagged(t, I0A, 0);
	rc |= fx_untagged(t, I0B, 1);
	rc |= fx_outer(t, I1A, 2, 0x8100, 10);
	rc |= fx_outer(t, I1B, 2, 0x8100, 11);
	rc |= fx_pair(t, I2A, 2, 0x88a8, 20, 0x8100, 21);
	rc |= fx_pair(t, I2B, 2, 0x88a8, 20, 0x8100, 22);
	rc |= fx_outer(t, I1C, 2, 0x8100, 12);
	rc |= fx_pair(t, I2C, 2, 0x88a8, 20, 0x8100, 23);
	rc |= fx_outer(t, I1D, 2, 0x8100, 13);
	rc |= fx_outer(t, I1E, 2, 0x8100, 14);
	rc |= fx_outer(t, I1F, 2, 0x8100, 15);
	rc |= fx_whole(t, IW, 3);
	rc |= fx_outer(t, I1W, 2, 0x8100, 16);

	rc |= fx_outer(t, E1A, 10, 0x8100, 100);
	rc |= fx_pair(t, E2A, 11, 0x88a8, 300, 0x8100, 400);
	rc |= fx_pair(t, E2B, 11, 0x88a8, 301, 0x8100, 401);
	rc |= fx_untagged(t, E0A, 12);
	rc |= fx_untagged(t, E0B, 13);
	rc |= fx_outer(t, E1B, 10, 0x9100, 500);
	rc |= fx_outer(t, E1C, 10, 0x88a8, 555);
	rc |= fx_pair(t, E2C, 11, 0x9100, 10, 0x9200, 20);
	rc |= fx_add(t, E1D, 10, CIX_MATCH_OUTER, fx_spec(0x8100, 600, 5, 0), fx_keep(0, 0));
	rc |= fx_add(t, E1E, 10, CIX_MATCH_OUTER, fx_spec(0x8100, 601, 5, 1), fx_keep(0, 0));
	rc |= fx_add(t, E2D, 11, CIX_MATCH_OUTER_INNER, fx_spec(0x88a8, 700, 3, CIX_KEEP),
		     fx_spec(0x8100, 701, CIX_KEEP, 1));
	rc |= fx_outer(t, E1F, 10, 0x88a8, 800);
	rc |= fx_whole(t, EW, 14);

	static const uint16_t peers[][2] = {
		{I0A, E1A}, {I0B, E2A}, {I1A, E2B}, {I1B, E0A}, {I2A, E0B}, {I2B, E1B}, {I1C, E1C},
		{I2C, E2C}, {I1D, E1D}, {I1E, E1E}, {I1F, E2D}, {IW, E1F},  {I1W, EW},
	};
	for (unsigned i = 0; i < sizeof(peers) / sizeof(peers[0]); i++)
		rc |= fx_xconnect(t, peers[i][0], peers[i][1]);
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return -1;
	}
	return fx_publish(&F, t) ? 0 : -1;
}

/* The payload every test frame carries: a real IPv4/UDP datagram. */
static uint8_t payload[600];
static uint32_t payload_len;

/* parse, classify, xconnect, rewrite; the earlier stages must keep the frame. */
static uint32_t run_to_rewrite(struct cix_pkt **p, uint32_t n)
{
	if (cix_stage_parse(&F.ctx, p, n) || cix_stage_classify(&F.ctx, p, n) ||
	    cix_stage_xconnect(&F.ctx, p, n))
		return UINT32_MAX;
	return cix_stage_rewrite(&F.ctx, p, n);
}

/*
 * A frame with `in` tags comes in on `port`; what leaves must be the same
 * MACs, then `out` tags, then whatever tags the ingress attachment did not
 * own (`carried`, as payload), then EtherType and payload, unchanged.
 */
static void check(int line, uint16_t port, const struct fx_tag *in, unsigned n_in, unsigned want_egress,
		  const struct fx_tag *out, unsigned n_out, unsigned carried)
{
	uint8_t frame[1024], want[1024];
	uint32_t len = fx_eth(frame, fx_dst_mac, fx_src_mac, in, n_in, 0x0800, payload, payload_len);
	struct fx_tag wt[4];
	for (unsigned i = 0; i < n_out; i++)
		wt[i] = out[i];
	for (unsigned i = 0; i < carried; i++)
		wt[n_out + i] = in[n_in - carried + i];
	uint32_t want_len = fx_eth(want, fx_dst_mac, fx_src_mac, wt, n_out + carried, 0x0800, payload, payload_len);

	struct cix_pkt *p = fx_pkt_bytes(&F, port, frame, len);
	if (!p) {
		cix_test_fail_(__FILE__, line, "pool empty");
		return;
	}
	uint8_t *end = p->data + p->len;
	uint32_t rc = run_to_rewrite(&p, 1);
	char m[160];
	if (rc != 0 || p->drop || p->egress != want_egress) {
		snprintf(m, sizeof(m), "rewrite returned %u, drop %s, egress %u (want %u)", rc,
			 cix_drop_name(p->drop), p->egress, want_egress);
		cix_test_fail_(__FILE__, line, m);
	} else if (p->len != want_len || p->wire_len != want_len || p->data + p->len != end) {
		snprintf(m, sizeof(m), "len %u wire_len %u (want %u), frame end moved by %td", p->len,
			 p->wire_len, want_len, p->data + p->len - end);
		cix_test_fail_(__FILE__, line, m);
	} else {
		unsigned before = cix_test_failed_checks_;
		CHECK_MEM(p->data, want, want_len);
		if (cix_test_failed_checks_ != before) {
			snprintf(m, sizeof(m), "^ the frame of line %d", line);
			cix_test_fail_(__FILE__, line, m);
		}
	}
	cix_pool_free(&F.pool, p);
}

#define T(tpid, pcp, dei, vid) fx_tag(tpid, pcp, dei, vid)

static void rewrite_push_0_1(void)
{
	struct fx_tag out[1] = {T(0x8100, 0, 0, 100)};
	check(__LINE__, 0, 0, 0, E1A, out, 1, 0);
}

static void rewrite_push_0_2(void)
{
	struct fx_tag out[2] = {T(0x88a8, 0, 0, 300), T(0x8100, 0, 0, 400)};
	check(__LINE__, 1, 0, 0, E2A, out, 2, 0);
}

static void rewrite_push_1_2(void)
{
	/* The customer tag's PCP/DEI go to both pushed tags (both keep). */
	struct fx_tag in[1] = {T(0x8100, 6, 1, 10)};
	struct fx_tag out[2] = {T(0x88a8, 6, 1, 301), T(0x8100, 6, 1, 401)};
	check(__LINE__, 2, in, 1, E2B, out, 2, 0);
}

static void rewrite_pop_1_0(void)
{
	struct fx_tag in[1] = {T(0x8100, 3, 0, 11)};
	check(__LINE__, 2, in, 1, E0A, 0, 0, 0);
}

static void rewrite_pop_2_0(void)
{
	struct fx_tag in[2] = {T(0x88a8, 1, 0, 20), T(0x8100, 4, 1, 21)};
	check(__LINE__, 2, in, 2, E0B, 0, 0, 0);
}

static void rewrite_pop_2_1(void)
{
	/* Kept from the inner (customer) tag, not the outer. */
	struct fx_tag in[2] = {T(0x88a8, 1, 0, 20), T(0x8100, 4, 1, 22)};
	struct fx_tag out[1] = {T(0x9100, 4, 1, 500)};
	check(__LINE__, 2, in, 2, E1B, out, 1, 0);
}

static void rewrite_translate_1_1(void)
{
	struct fx_tag in[1] = {T(0x8100, 2, 0, 12)};
	struct fx_tag out[1] = {T(0x88a8, 2, 0, 555)};
	check(__LINE__, 2, in, 1, E1C, out, 1, 0);
	/* The outer-tag attachment leaves an inner tag where it was, as payload. */
	struct fx_tag in2[2] = {T(0x8100, 2, 0, 12), T(0x8100, 7, 1, 4000)};
	check(__LINE__, 2, in2, 2, E1C, out, 1, 1);
}

static void rewrite_translate_2_2(void)
{
	struct fx_tag in[2] = {T(0x88a8, 7, 1, 20), T(0x8100, 5, 0, 23)};
	struct fx_tag out[2] = {T(0x9100, 5, 0, 10), T(0x9200, 5, 0, 20)};
	check(__LINE__, 2, in, 2, E2C, out, 2, 0);
}

static void rewrite_pcp_dei_kept_every_value(void)
{
	for (unsigned pcp = 0; pcp < 8; pcp++)
		for (unsigned dei = 0; dei < 2; dei++) {
			struct fx_tag in[1] = {T(0x8100, pcp, dei, 12)};
			struct fx_tag out[1] = {T(0x88a8, pcp, dei, 555)};
			check(__LINE__, 2, in, 1, E1C, out, 1, 0);
		}
}

static void rewrite_pcp_dei_set(void)
{
	for (unsigned pcp = 0; pcp < 8; pcp++)
		for (unsigned dei = 0; dei < 2; dei++) {
			struct fx_tag in[1] = {T(0x8100, pcp, dei, 13)};
			struct fx_tag out[1] = {T(0x8100, 5, 0, 600)};
			check(__LINE__, 2, in, 1, E1D, out, 1, 0);
			in[0] = T(0x8100, pcp, dei, 14);
			out[0] = T(0x8100, 5, 1, 601);
			check(__LINE__, 2, in, 1, E1E, out, 1, 0);
			/* Outer: pcp 3 set, dei kept; inner: pcp kept, dei 1 set. */
			in[0] = T(0x8100, pcp, dei, 15);
			struct fx_tag out2[2] = {T(0x88a8, 3, dei, 700), T(0x8100, pcp, 1, 701)};
			check(__LINE__, 2, in, 1, E2D, out2, 2, 0);
		}
}

static void rewrite_whole_port_tags_ride(void)
{
	/* Whole port in: every tag is payload; the pushed tag keeps the frame's outer PCP/DEI. */
	struct fx_tag in[3] = {T(0x8100, 6, 0, 7), T(0x88a8, 1, 1, 8), T(0x8100, 2, 0, 9)};
	struct fx_tag out0[1] = {T(0x88a8, 0, 0, 800)}; /* untagged: nothing to keep */
	check(__LINE__, 3, in, 0, E1F, out0, 1, 0);
	struct fx_tag out[1] = {T(0x88a8, 6, 0, 800)};
	check(__LINE__, 3, in, 1, E1F, out, 1, 1);
	check(__LINE__, 3, in, 2, E1F, out, 1, 2);
	check(__LINE__, 3, in, 3, E1F, out, 1, 3);
	/* Whole port out: nothing pushed, the owned tag popped. */
	struct fx_tag in2[2] = {T(0x8100, 6, 0, 16), T(0x8100, 1, 0, 99)};
	check(__LINE__, 2, in2, 1, EW, 0, 0, 0);
	check(__LINE__, 2, in2, 2, EW, 0, 0, 1);
}

/* A buffer whose frame starts `headroom` bytes into it. */
static struct cix_pkt *pkt_at(uint32_t headroom, uint16_t port, const struct fx_tag *tags, unsigned n)
{
	struct cix_pkt *p = fx_pkt(&F, port, tags, n, 0x0800, 46);
	if (!p)
		return 0;
	uint8_t tmp[128];
	memcpy(tmp, p->data, p->len);
	p->data = p->buf + headroom;
	memcpy(p->data, tmp, p->len);
	return p;
}

static void rewrite_no_headroom(void)
{
	struct fx_tag c1[1] = {T(0x8100, 0, 0, 10)};  /* push 1-2 */
	struct fx_tag c11[1] = {T(0x8100, 0, 0, 12)}; /* translate 1-1 */
	struct fx_tag c2[2] = {T(0x88a8, 0, 0, 20), T(0x8100, 0, 0, 21)}; /* pop 2-0 */
	struct {
		uint32_t headroom;
		uint16_t port;
		const struct fx_tag *tags;
		unsigned n;
		uint8_t drop;
	} cases[] = {
		{2, 0, 0, 0, CIX_DROP_NO_HEADROOM},    /* push 0-1 needs 4 */
		{3, 0, 0, 0, CIX_DROP_NO_HEADROOM},
		{4, 0, 0, 0, 0},
		{2, 1, 0, 0, CIX_DROP_NO_HEADROOM},    /* push 0-2 needs 8 */
		{7, 1, 0, 0, CIX_DROP_NO_HEADROOM},
		{8, 1, 0, 0, 0},
		{0, 2, c1, 1, CIX_DROP_NO_HEADROOM},   /* push 1-2 needs 4 */
		{4, 2, c1, 1, 0},
		{0, 2, c11, 1, 0},                     /* translate needs none */
		{0, 2, c2, 2, 0},                      /* pop needs none */
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cix_pkt *p = pkt_at(cases[i].headroom, cases[i].port, cases[i].tags, cases[i].n);
		REQUIRE(p);
		uint8_t before[128];
		uint32_t len = p->len;
		memcpy(before, p->data, len);
		uint8_t *data = p->data;
		uint32_t rc = run_to_rewrite(&p, 1);
		CHECK_EQ(rc, cases[i].drop ? 1 : 0);
		CHECK_EQ(p->drop, cases[i].drop);
		if (cases[i].drop) {
			/* Refused untouched. */
			CHECK_EQ(p->data, data);
			CHECK_EQ(p->len, len);
			CHECK_MEM(p->data, before, len);
		}
		CHECK(p->data >= p->buf);
		cix_pool_free(&F.pool, p);
	}
}

static void rewrite_burst_mixed(void)
{
	/* Each kind of rewrite in one burst, one refused for headroom; the others are done. */
	struct fx_tag c1[1] = {T(0x8100, 0, 0, 11)};
	struct fx_tag c2[2] = {T(0x88a8, 0, 0, 20), T(0x8100, 0, 0, 23)};
	struct cix_pkt *p[5];
	p[0] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);   /* push 0-1: 64 */
	p[1] = pkt_at(1, 1, 0, 0);                /* push 0-2, no room */
	p[2] = fx_pkt(&F, 2, c1, 1, 0x0800, 46);  /* pop 1-0: 60 */
	p[3] = fx_pkt(&F, 2, c2, 2, 0x0800, 46);  /* translate 2-2: 68 */
	p[4] = fx_pkt(&F, 1, 0, 0, 0x0800, 46);   /* push 0-2: 68 */
	for (unsigned i = 0; i < 5; i++)
		REQUIRE(p[i]);
	uint32_t before = F.pool.n_free;
	CHECK_EQ(run_to_rewrite(p, 5), 1);
	CHECK_EQ(F.pool.n_free, before);
	CHECK_EQ(p[1]->drop, CIX_DROP_NO_HEADROOM);
	CHECK_EQ(p[0]->len, 64);
	CHECK_EQ(p[2]->len, 60);
	CHECK_EQ(p[3]->len, 68);
	CHECK_EQ(p[4]->len, 68);
	CHECK_EQ(fx_get16(p[0]->data + 12), 0x8100);
	CHECK_EQ(fx_get16(p[2]->data + 12), 0x0800);
	CHECK_EQ(fx_get16(p[3]->data + 12), 0x9100);
	CHECK_EQ(fx_get16(p[4]->data + 12), 0x88a8);
	cix_pool_free_burst(&F.pool, p, 5);
}

int main(void)
{
	if (setup()) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	payload_len = fx_ipv4_udp(payload, 500);
	uint32_t start = F.pool.n_free;
	RUN(rewrite_push_0_1);
	RUN(rewrite_push_0_2);
	RUN(rewrite_push_1_2);
	RUN(rewrite_pop_1_0);
	RUN(rewrite_pop_2_0);
	RUN(rewrite_pop_2_1);
	RUN(rewrite_translate_1_1);
	RUN(rewrite_translate_2_2);
	RUN(rewrite_pcp_dei_kept_every_value);
	RUN(rewrite_pcp_dei_set);
	RUN(rewrite_whole_port_tags_ride);
	RUN(rewrite_no_headroom);
	RUN(rewrite_burst_mixed);
	return fx_finish(&F, start, "rewrite");
}
