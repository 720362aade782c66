/* classify: longest match on (port, tags), miss reasons, ingress MTU, prio, rx counters. */
#include "frames.h"
#include "test.h"

static struct fx F;

enum {
	A_PAIR = 1,     /* port 0: 88a8/100 + 8100/200 */
	A_OUTER = 2,    /* port 0: 88a8/100 */
	A_UNTAGGED = 3, /* port 0 */
	A_C300 = 4,     /* port 0: 8100/300 */
	A_PRESTD = 5,   /* port 0: 9100/400 + 9200/500 */
	A_WHOLE = 6,    /* port 1: the whole port */
	A_SMALL = 7,    /* port 2 (MTU 100): 8100/10 */
	A_SMALL_U = 8,  /* port 2: untagged */
	A_P3 = 9,       /* port 3: 8100/100 */
	A_P3_S = 10,    /* port 3: 9200/100 + 8100/7 */
};

static int setup(void)
{
	if (fx_init(&F))
		return -1;
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, 32);
	if (!t)
		return -1;
	int rc = cix_tables_set_port(t, 0, 1500) | cix_tables_set_port(t, 1, 1500) |
		 cix_tables_set_port(t, 2, 100) | cix_tables_set_port(t, 3, 9000) |
		 cix_tables_set_port(t, 5, 1500);
	rc |= fx_pair(t, A_PAIR, 0, 0x88a8, 100, 0x8100, 200);
	rc |= fx_outer(t, A_OUTER, 0, 0x88a8, 100);
	rc |= fx_untagged(t, A_UNTAGGED, 0);
	rc |= fx_outer(t, A_C300, 0, 0x8100, 300);
	rc |= fx_pair(t, A_PRESTD, 0, 0x9100, 400, 0x9200, 500);
	rc |= fx_whole(t, A_WHOLE, 1);
	rc |= fx_outer(t, A_SMALL, 2, 0x8100, 10);
	rc |= fx_untagged(t, A_SMALL_U, 2);
	rc |= fx_outer(t, A_P3, 3, 0x8100, 100);
	rc |= fx_pair(t, A_P3_S, 3, 0x9200, 100, 0x8100, 7);
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return -1;
	}
	return fx_publish(&F, t) ? 0 : -1;
}

/* Parse and classify one frame; the parse must keep it. */
static struct cix_pkt *classify(uint16_t port, const struct fx_tag *tags, unsigned ntags, uint32_t plen)
{
	struct cix_pkt *p = fx_pkt(&F, port, tags, ntags, 0x0800, plen);
	if (!p)
		return 0;
	if (cix_stage_parse(&F.ctx, &p, 1)) {
		cix_pool_free(&F.pool, p);
		return 0;
	}
	cix_stage_classify(&F.ctx, &p, 1);
	return p;
}

/* Classify, check the attachment (or the drop reason) and owned tags, free. */
static void expect(int line, uint16_t port, const struct fx_tag *tags, unsigned ntags, uint32_t plen,
		   unsigned att, unsigned drop, unsigned consumed)
{
	struct cix_pkt *p = classify(port, tags, ntags, plen);
	if (!p) {
		cix_test_fail_(__FILE__, line, "frame refused by parse");
		return;
	}
	if (p->drop != drop || (!drop && (p->attachment != att || p->consumed != consumed)) ||
	    (drop && drop != CIX_DROP_MTU_RX && p->attachment != CIX_NONE)) {
		char m[200];
		snprintf(m, sizeof(m), "got attachment %u drop %s consumed %u, want attachment %u drop %s consumed %u",
			 p->attachment, cix_drop_name(p->drop), p->consumed, att, cix_drop_name(drop), consumed);
		cix_test_fail_(__FILE__, line, m);
	}
	cix_pool_free(&F.pool, p);
}

#define EXPECT_ATT(port, tags, n, att, consumed) expect(__LINE__, port, tags, n, 46, att, 0, consumed)
#define EXPECT_DROP(port, tags, n, reason) expect(__LINE__, port, tags, n, 46, CIX_NONE, reason, 0)

static void classify_pair_wins_over_outer(void)
{
	struct fx_tag t[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200)};
	EXPECT_ATT(0, t, 2, A_PAIR, 2);
}

static void classify_outer_takes_unclaimed_pairs(void)
{
	struct fx_tag t[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 201)};
	EXPECT_ATT(0, t, 2, A_OUTER, 1); /* inner VID no pair claims */
	t[1] = fx_tag(0x9100, 0, 0, 200);
	EXPECT_ATT(0, t, 2, A_OUTER, 1); /* the pair's VIDs, but another inner TPID */
	EXPECT_ATT(0, t, 1, A_OUTER, 1); /* single tag */
	struct fx_tag c[2] = {fx_tag(0x8100, 0, 0, 300), fx_tag(0x8100, 0, 0, 1)};
	EXPECT_ATT(0, c, 2, A_C300, 1);
}

static void classify_untagged_only_untagged(void)
{
	EXPECT_ATT(0, 0, 0, A_UNTAGGED, 0);
	struct fx_tag t[2] = {fx_tag(0x8100, 0, 0, 999), fx_tag(0x8100, 0, 0, 998)};
	EXPECT_DROP(0, t, 1, CIX_DROP_NO_ATTACHMENT);
	EXPECT_DROP(0, t, 2, CIX_DROP_NO_ATTACHMENT);
	/* A tag under a TPID no attachment on the port uses is still a tag. */
	t[0] = fx_tag(0x9200, 0, 0, 999);
	EXPECT_DROP(0, t, 1, CIX_DROP_NO_ATTACHMENT);
	/* Port 3 has no untagged attachment. */
	EXPECT_DROP(3, 0, 0, CIX_DROP_NO_ATTACHMENT);
}

/* IEEE 802.1Q: a priority-tagged frame (C-tag, VID 0) is classified as untagged. */
static void classify_priority_tagged_as_untagged(void)
{
	struct fx_tag t[2] = {fx_tag(0x8100, 5, 1, 0), fx_tag(0x8100, 0, 0, 200)};
	EXPECT_ATT(0, t, 1, A_UNTAGGED, 1); /* owns (and so pops) the priority tag */
	struct cix_pkt *p = classify(0, t, 1, 46);
	CHECK_EQ(p->prio, 0xb000); /* its PCP 5 and DEI 1 are the customer's */
	cix_pool_free(&F.pool, p);
	EXPECT_DROP(3, t, 1, CIX_DROP_NO_ATTACHMENT); /* port 3 has no untagged attachment */
	EXPECT_DROP(0, t, 2, CIX_DROP_NO_ATTACHMENT); /* VID 0 outside another tag: not a priority tag */
	t[0] = fx_tag(0x88a8, 5, 0, 0);               /* an S-tag with VID 0 is not one either */
	EXPECT_DROP(0, t, 1, CIX_DROP_NO_ATTACHMENT);
}

static void classify_whole_port_takes_everything(void)
{
	struct fx_tag t[3] = {fx_tag(0x88a8, 1, 0, 100), fx_tag(0x8100, 2, 0, 200), fx_tag(0x8100, 3, 0, 300)};
	EXPECT_ATT(1, 0, 0, A_WHOLE, 0);
	EXPECT_ATT(1, t, 1, A_WHOLE, 0);
	EXPECT_ATT(1, t, 2, A_WHOLE, 0);
	EXPECT_ATT(1, t, 3, A_WHOLE, 0); /* three tags: all payload to it */
	t[0] = fx_tag(0x9100, 0, 0, 4095);
	EXPECT_ATT(1, t, 2, A_WHOLE, 0);
}

static void classify_too_many_tags(void)
{
	/* The first two tags are the pair's: the third still refuses the frame. */
	struct fx_tag t[3] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200), fx_tag(0x8100, 0, 0, 300)};
	EXPECT_DROP(0, t, 3, CIX_DROP_TOO_MANY_TAGS);
	t[1] = fx_tag(0x8100, 0, 0, 201); /* only the outer-tag attachment would want it */
	EXPECT_DROP(0, t, 3, CIX_DROP_TOO_MANY_TAGS);
	t[0] = fx_tag(0x8100, 0, 0, 3000); /* nobody would want it */
	EXPECT_DROP(0, t, 3, CIX_DROP_TOO_MANY_TAGS);
	EXPECT_DROP(5, t, 3, CIX_DROP_TOO_MANY_TAGS);
}

static void classify_tpid_mismatch_vs_no_attachment(void)
{
	struct fx_tag t[2];
	/* Outer VID 100 belongs to 88a8 on port 0; sent as a C-tag. */
	t[0] = fx_tag(0x8100, 0, 0, 100);
	EXPECT_DROP(0, t, 1, CIX_DROP_TPID_MISMATCH);
	t[0] = fx_tag(0x9100, 0, 0, 100);
	EXPECT_DROP(0, t, 1, CIX_DROP_TPID_MISMATCH);
	/* The pair's VIDs with the outer TPID wrong: neither pair nor outer takes it. */
	t[0] = fx_tag(0x8100, 0, 0, 100), t[1] = fx_tag(0x8100, 0, 0, 200);
	EXPECT_DROP(0, t, 2, CIX_DROP_TPID_MISMATCH);
	/* Pre-standard pair 9100/9200 sent with swapped TPIDs. */
	t[0] = fx_tag(0x9200, 0, 0, 400), t[1] = fx_tag(0x9100, 0, 0, 500);
	EXPECT_DROP(0, t, 2, CIX_DROP_TPID_MISMATCH);
	t[0] = fx_tag(0x88a8, 0, 0, 400), t[1] = fx_tag(0x8100, 0, 0, 500);
	EXPECT_DROP(0, t, 2, CIX_DROP_TPID_MISMATCH);
	/* VIDs nobody configured: no attachment. */
	t[0] = fx_tag(0x88a8, 0, 0, 101);
	EXPECT_DROP(0, t, 1, CIX_DROP_NO_ATTACHMENT);
	t[1] = fx_tag(0x8100, 0, 0, 200);
	EXPECT_DROP(0, t, 2, CIX_DROP_NO_ATTACHMENT);
	/* Only the pair's outer VID, alone: the pair does not make it a mismatch. */
	t[0] = fx_tag(0x9100, 0, 0, 400);
	EXPECT_DROP(0, t, 1, CIX_DROP_NO_ATTACHMENT);
	/* The pair's VIDs one level off. */
	t[0] = fx_tag(0x9100, 0, 0, 500), t[1] = fx_tag(0x9200, 0, 0, 400);
	EXPECT_DROP(0, t, 2, CIX_DROP_NO_ATTACHMENT);
	/* VID 100 under 8100 is port 3's, not port 0's; on port 3, 88a8/100 is a mismatch. */
	t[0] = fx_tag(0x88a8, 0, 0, 100);
	EXPECT_DROP(3, t, 1, CIX_DROP_TPID_MISMATCH);
}

static void classify_other_ports(void)
{
	struct fx_tag t[2] = {fx_tag(0x8100, 0, 0, 300), fx_tag(0x8100, 0, 0, 7)};
	EXPECT_DROP(3, t, 1, CIX_DROP_NO_ATTACHMENT); /* 8100/300 is port 0's */
	t[0] = fx_tag(0x8100, 0, 0, 100);
	EXPECT_ATT(3, t, 1, A_P3, 1);
	EXPECT_ATT(3, t, 2, A_P3, 1);
	t[0] = fx_tag(0x9200, 0, 0, 100);
	EXPECT_ATT(3, t, 2, A_P3_S, 2);
	t[0] = fx_tag(0x88a8, 0, 0, 100);
	EXPECT_ATT(0, t, 1, A_OUTER, 1);
	/* Ports without attachments, configured (5) or not (4, 63). */
	EXPECT_DROP(5, 0, 0, CIX_DROP_NO_ATTACHMENT);
	EXPECT_DROP(5, t, 1, CIX_DROP_NO_ATTACHMENT);
	EXPECT_DROP(4, t, 2, CIX_DROP_NO_ATTACHMENT);
	EXPECT_DROP(63, 0, 0, CIX_DROP_NO_ATTACHMENT);
}

static void classify_ingress_mtu(void)
{
	struct fx_tag t[3] = {fx_tag(0x8100, 0, 0, 10), fx_tag(0x8100, 0, 0, 20), fx_tag(0x8100, 0, 0, 30)};
	/* Port 2, MTU 100. Untagged: payload = len - 14 (the EtherType's 2 bytes are header). */
	expect(__LINE__, 2, 0, 0, 100, A_SMALL_U, 0, 0);
	expect(__LINE__, 2, 0, 0, 101, A_SMALL_U, CIX_DROP_MTU_RX, 0);
	/* The owned tag does not count. */
	expect(__LINE__, 2, t, 1, 100, A_SMALL, 0, 1);
	expect(__LINE__, 2, t, 1, 101, A_SMALL, CIX_DROP_MTU_RX, 1);
	/* An inner tag carried as payload does. */
	expect(__LINE__, 2, t, 2, 96, A_SMALL, 0, 1);
	expect(__LINE__, 2, t, 2, 97, A_SMALL, CIX_DROP_MTU_RX, 1);
	/* Port 0, MTU 1500: a full 1500-byte IP packet behind two owned tags. */
	struct fx_tag q[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200)};
	expect(__LINE__, 0, q, 2, 1500, A_PAIR, 0, 2);
	expect(__LINE__, 0, q, 2, 1501, A_PAIR, CIX_DROP_MTU_RX, 2);
	q[1] = fx_tag(0x8100, 0, 0, 201);
	expect(__LINE__, 0, q, 2, 1496, A_OUTER, 0, 1);
	expect(__LINE__, 0, q, 2, 1497, A_OUTER, CIX_DROP_MTU_RX, 1);
	/* Whole port: every tag is payload. */
	expect(__LINE__, 1, t, 3, 1488, A_WHOLE, 0, 0);
	expect(__LINE__, 1, t, 3, 1489, A_WHOLE, CIX_DROP_MTU_RX, 0);
	expect(__LINE__, 1, 0, 0, 1500, A_WHOLE, 0, 0);
	expect(__LINE__, 1, 0, 0, 1501, A_WHOLE, CIX_DROP_MTU_RX, 0);
	/* Jumbo port 3, MTU 9000. */
	struct fx_tag j = fx_tag(0x8100, 0, 0, 100);
	expect(__LINE__, 3, &j, 1, 1900, A_P3, 0, 1);

	/* An mtu_rx drop is counted on the port and the attachment it came in on. */
	fx_zero_counters(&F);
	struct cix_pkt *p = classify(2, t, 1, 200);
	REQUIRE(p);
	CHECK_EQ(p->drop, CIX_DROP_MTU_RX);
	CHECK_EQ(fx_att_cnt(&F, A_SMALL, CIX_CNT_RX_PACKETS), 1);
	CHECK_EQ(cix_pipeline_sweep(&F.ctx, &p, 1), 0);
	CHECK_EQ(fx_att_drop(&F, A_SMALL, CIX_DROP_MTU_RX), 1);
	CHECK_EQ(fx_port_drop(&F, 2, CIX_DROP_MTU_RX), 1);
}

static void classify_prio(void)
{
	struct fx_tag t[3] = {fx_tag(0x88a8, 1, 0, 100), fx_tag(0x8100, 6, 1, 200), fx_tag(0x8100, 7, 1, 1)};
	struct cix_pkt *p;

	/* Pair: the inner (customer) tag. */
	p = classify(0, t, 2, 46);
	REQUIRE(p);
	CHECK_EQ(p->attachment, A_PAIR);
	CHECK_EQ(p->prio, 0xd000);
	cix_pool_free(&F.pool, p);

	/* Outer only: the outer tag is the innermost it owns. */
	t[1] = fx_tag(0x8100, 6, 1, 201);
	p = classify(0, t, 2, 46);
	REQUIRE(p);
	CHECK_EQ(p->attachment, A_OUTER);
	CHECK_EQ(p->prio, 0x2000);
	cix_pool_free(&F.pool, p);

	t[0] = fx_tag(0x88a8, 7, 1, 100);
	p = classify(0, t, 1, 46);
	REQUIRE(p);
	CHECK_EQ(p->prio, 0xf000);
	cix_pool_free(&F.pool, p);

	/* Whole port: the frame's outer tag. */
	t[0] = fx_tag(0x8100, 5, 0, 3);
	p = classify(1, t, 3, 46);
	REQUIRE(p);
	CHECK_EQ(p->attachment, A_WHOLE);
	CHECK_EQ(p->prio, 0xa000);
	cix_pool_free(&F.pool, p);

	/* Untagged: nothing to keep. */
	p = classify(1, 0, 0, 46);
	REQUIRE(p);
	CHECK_EQ(p->prio, 0);
	cix_pool_free(&F.pool, p);
	p = classify(0, 0, 0, 46);
	REQUIRE(p);
	CHECK_EQ(p->attachment, A_UNTAGGED);
	CHECK_EQ(p->prio, 0);
	cix_pool_free(&F.pool, p);
}

static void classify_rx_counters_and_burst(void)
{
	fx_zero_counters(&F);
	struct fx_tag pair[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200)};
	struct fx_tag bad[1] = {fx_tag(0x8100, 0, 0, 100)};
	struct fx_tag three[3] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200), fx_tag(0x8100, 0, 0, 1)};
	struct cix_pkt *p[7];
	p[0] = fx_pkt(&F, 0, pair, 2, 0x0800, 46);  /* A_PAIR, 68 bytes */
	p[1] = fx_pkt(&F, 0, 0, 0, 0x0806, 46);     /* A_UNTAGGED, 60 */
	p[2] = fx_pkt(&F, 0, bad, 1, 0x0800, 46);   /* tpid_mismatch */
	p[3] = fx_pkt(&F, 0, pair, 2, 0x0800, 100); /* A_PAIR, 122 */
	p[4] = fx_pkt(&F, 0, three, 3, 0x0800, 46); /* too_many_tags */
	p[5] = fx_pkt(&F, 2, 0, 0, 0x0800, 500);    /* A_SMALL_U, mtu_rx, 514 */
	p[6] = fx_pkt(&F, 1, three, 3, 0x0800, 46); /* A_WHOLE, 72 */
	for (unsigned i = 0; i < 7; i++)
		REQUIRE(p[i]);
	CHECK_EQ(cix_stage_parse(&F.ctx, p, 7), 0);
	uint32_t before = F.pool.n_free;
	CHECK_EQ(cix_stage_classify(&F.ctx, p, 7), 3);
	CHECK_EQ(F.pool.n_free, before);
	CHECK_EQ(p[0]->attachment, A_PAIR);
	CHECK_EQ(p[1]->attachment, A_UNTAGGED);
	CHECK_EQ(p[2]->drop, CIX_DROP_TPID_MISMATCH);
	CHECK_EQ(p[3]->attachment, A_PAIR);
	CHECK_EQ(p[4]->drop, CIX_DROP_TOO_MANY_TAGS);
	CHECK_EQ(p[5]->drop, CIX_DROP_MTU_RX);
	CHECK_EQ(p[6]->attachment, A_WHOLE);

	CHECK_EQ(fx_att_cnt(&F, A_PAIR, CIX_CNT_RX_PACKETS), 2);
	CHECK_EQ(fx_att_cnt(&F, A_PAIR, CIX_CNT_RX_BYTES), 68 + 122);
	CHECK_EQ(fx_att_cnt(&F, A_UNTAGGED, CIX_CNT_RX_PACKETS), 1);
	CHECK_EQ(fx_att_cnt(&F, A_UNTAGGED, CIX_CNT_RX_BYTES), 60);
	CHECK_EQ(fx_att_cnt(&F, A_SMALL_U, CIX_CNT_RX_PACKETS), 1);
	CHECK_EQ(fx_att_cnt(&F, A_SMALL_U, CIX_CNT_RX_BYTES), 514);
	CHECK_EQ(fx_att_cnt(&F, A_WHOLE, CIX_CNT_RX_PACKETS), 1);
	CHECK_EQ(fx_att_cnt(&F, A_WHOLE, CIX_CNT_RX_BYTES), 72);
	CHECK_EQ(fx_att_cnt(&F, A_OUTER, CIX_CNT_RX_PACKETS), 0);
	/* A frame no attachment took is counted by nobody's attachment. */
	uint64_t att_rx = 0;
	for (unsigned a = 0; a < FX_MAX_ATT; a++)
		att_rx += fx_att_cnt(&F, a, CIX_CNT_RX_PACKETS);
	CHECK_EQ(att_rx, 5);

	CHECK_EQ(cix_pipeline_sweep(&F.ctx, p, 7), 4);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_TPID_MISMATCH), 1);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_TOO_MANY_TAGS), 1);
	CHECK_EQ(fx_port_drop(&F, 2, CIX_DROP_MTU_RX), 1);
	CHECK_EQ(fx_att_drop(&F, A_SMALL_U, CIX_DROP_MTU_RX), 1);
	/* The survivors, in order. */
	CHECK_EQ(p[0]->attachment, A_PAIR);
	CHECK_EQ(p[1]->attachment, A_UNTAGGED);
	CHECK_EQ(p[2]->attachment, A_PAIR);
	CHECK_EQ(p[3]->attachment, A_WHOLE);
	cix_pool_free_burst(&F.pool, p, 4);
}

int main(void)
{
	if (setup()) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	uint32_t start = F.pool.n_free;
	RUN(classify_pair_wins_over_outer);
	RUN(classify_outer_takes_unclaimed_pairs);
	RUN(classify_untagged_only_untagged);
	RUN(classify_priority_tagged_as_untagged);
	RUN(classify_whole_port_takes_everything);
	RUN(classify_too_many_tags);
	RUN(classify_tpid_mismatch_vs_no_attachment);
	RUN(classify_other_ports);
	RUN(classify_ingress_mtu);
	RUN(classify_prio);
	RUN(classify_rx_counters_and_burst);
	return fx_finish(&F, start, "classify");
}
