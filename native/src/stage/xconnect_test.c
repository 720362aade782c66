/* xconnect: ingress attachment -> its peer and the peer's port, or no_service. */
#include "frames.h"
#include "test.h"

static struct fx F;

/* Port 0: 8100/10 (A) <-> port 1: 88a8/20 + 8100/30 (B); port 0 8100/11 (C) -> port 0 8100/12 (D) only;
 * port 2 untagged (E) without a service; port 3 whole port (W) <-> port 0 8100/13 (V). */
enum { A = 1, B = 2, C = 3, D = 4, E = 5, W = 6, V = 7 };

static struct cix_tables *build(int swap)
{
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, 16);
	if (!t)
		return 0;
	int rc = 0;
	for (uint16_t port = 0; port < 4; port++)
		rc |= cix_tables_set_port(t, port, 1500);
	rc |= fx_outer(t, A, 0, 0x8100, 10);
	rc |= fx_pair(t, B, 1, 0x88a8, 20, 0x8100, 30);
	rc |= fx_outer(t, C, 0, 0x8100, 11);
	rc |= fx_outer(t, D, 0, 0x8100, 12);
	rc |= fx_untagged(t, E, 2);
	rc |= fx_whole(t, W, 3);
	rc |= fx_outer(t, V, 0, 0x8100, 13);
	if (!swap) {
		rc |= fx_xconnect(t, A, B);
		rc |= cix_tables_set_peer(t, C, D);
		rc |= fx_xconnect(t, W, V);
	} else {
		/* The next epoch: A now goes to W, B has no service. */
		rc |= cix_tables_set_peer(t, A, W);
	}
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return 0;
	}
	return t;
}

static struct cix_pkt *att_pkt(uint16_t att)
{
	struct cix_pkt *p = fx_pkt(&F, 0, 0, 0, 0x0800, 46);
	if (p)
		p->attachment = att;
	return p;
}

static void xconnect_peer_found(void)
{
	static const uint16_t in[] = {A, B, C, W, V};
	static const uint16_t peer[] = {B, A, D, V, W};
	static const uint16_t port[] = {1, 0, 0, 0, 3};
	for (unsigned i = 0; i < 5; i++) {
		struct cix_pkt *p = att_pkt(in[i]);
		REQUIRE(p);
		CHECK_EQ(cix_stage_xconnect(&F.ctx, &p, 1), 0);
		CHECK_EQ(p->drop, 0);
		CHECK_EQ(p->egress, peer[i]);
		CHECK_EQ(p->out_port, port[i]);
		CHECK_EQ(p->attachment, in[i]);
		cix_pool_free(&F.pool, p);
	}
}

static void xconnect_no_service(void)
{
	/* E has no service; D is C's peer, but set_peer is one way. */
	static const uint16_t in[] = {E, D};
	for (unsigned i = 0; i < 2; i++) {
		struct cix_pkt *p = att_pkt(in[i]);
		REQUIRE(p);
		CHECK_EQ(cix_stage_xconnect(&F.ctx, &p, 1), 1);
		CHECK_EQ(p->drop, CIX_DROP_NO_SERVICE);
		CHECK_EQ(p->egress, CIX_NONE);
		CHECK_EQ(p->out_port, CIX_NONE);
		cix_pool_free(&F.pool, p);
	}
}

static void xconnect_burst_and_counters(void)
{
	fx_zero_counters(&F);
	struct cix_pkt *p[6];
	static const uint16_t in[6] = {A, E, B, D, A, W};
	for (unsigned i = 0; i < 6; i++) {
		p[i] = att_pkt(in[i]);
		REQUIRE(p[i]);
	}
	uint32_t before = F.pool.n_free;
	CHECK_EQ(cix_stage_xconnect(&F.ctx, p, 6), 2);
	CHECK_EQ(F.pool.n_free, before);
	/* Counted where they came in: port 0, attachments E and D. */
	CHECK_EQ(cix_pipeline_sweep(&F.ctx, p, 6), 4);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_NO_SERVICE), 2);
	CHECK_EQ(fx_att_drop(&F, E, CIX_DROP_NO_SERVICE), 1);
	CHECK_EQ(fx_att_drop(&F, D, CIX_DROP_NO_SERVICE), 1);
	CHECK_EQ(fx_att_drop(&F, A, CIX_DROP_NO_SERVICE), 0);
	CHECK_EQ(p[0]->egress, B);
	CHECK_EQ(p[1]->egress, A);
	CHECK_EQ(p[2]->egress, B);
	CHECK_EQ(p[3]->egress, V);
	cix_pool_free_burst(&F.pool, p, 4);
}

static void xconnect_follows_the_epoch(void)
{
	struct cix_tables *t = build(1);
	REQUIRE(t);
	REQUIRE(fx_publish(&F, t) == 2);
	struct cix_pkt *p = att_pkt(A);
	REQUIRE(p);
	CHECK_EQ(cix_stage_xconnect(&F.ctx, &p, 1), 0);
	CHECK_EQ(p->egress, W);
	CHECK_EQ(p->out_port, 3);
	cix_pool_free(&F.pool, p);
	p = att_pkt(B);
	REQUIRE(p);
	CHECK_EQ(cix_stage_xconnect(&F.ctx, &p, 1), 1);
	CHECK_EQ(p->drop, CIX_DROP_NO_SERVICE);
	cix_pool_free(&F.pool, p);
}

int main(void)
{
	struct cix_tables *t;
	if (fx_init(&F) || !(t = build(0)) || !fx_publish(&F, t)) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	uint32_t start = F.pool.n_free;
	RUN(xconnect_peer_found);
	RUN(xconnect_no_service);
	RUN(xconnect_burst_and_counters);
	RUN(xconnect_follows_the_epoch);
	return fx_finish(&F, start, "xconnect");
}
