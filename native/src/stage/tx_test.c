/* tx: egress MTU, grouping by port in order, counters, a full ring, a port with no driver. */
#include "frames.h"
#include "test.h"

static struct fx F;

enum {
	I = 1,   /* port 0, ingress of every frame here */
	J = 2,   /* port 0, a second ingress */
	E1 = 11, /* port 1: one tag out, ring 64 */
	E2 = 12, /* port 2: two tags out, ring 64 */
	E3 = 13, /* port 3: untagged, ring 4 */
	E4 = 14, /* port 4: no driver */
	E5 = 15, /* port 5: one tag out, MTU 100 */
	E6 = 16, /* port 6: whole port, MTU 100 */
	E7 = 17, /* port 7: untagged, a driver that refuses long frames */
};

static int setup(void)
{
	if (fx_init(&F))
		return -1;
	if (!fx_mem_port(&F, 1, 64) || !fx_mem_port(&F, 2, 64) || !fx_mem_port(&F, 3, 4) ||
	    !fx_mem_port(&F, 5, 64) || !fx_mem_port(&F, 6, 64))
		return -1;
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, 16);
	if (!t)
		return -1;
	int rc = 0;
	for (uint16_t port = 0; port < 5; port++)
		rc |= cix_tables_set_port(t, port, 1500);
	rc |= cix_tables_set_port(t, 5, 100);
	rc |= cix_tables_set_port(t, 6, 100);
	rc |= cix_tables_set_port(t, 7, 1500);
	rc |= fx_untagged(t, I, 0);
	rc |= fx_outer(t, J, 0, 0x8100, 7);
	rc |= fx_outer(t, E1, 1, 0x8100, 100);
	rc |= fx_pair(t, E2, 2, 0x88a8, 200, 0x8100, 300);
	rc |= fx_untagged(t, E3, 3);
	rc |= fx_untagged(t, E4, 4);
	rc |= fx_outer(t, E5, 5, 0x8100, 500);
	rc |= fx_whole(t, E6, 6);
	rc |= fx_untagged(t, E7, 7);
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return -1;
	}
	return fx_publish(&F, t) ? 0 : -1;
}

/* A frame as rewrite leaves it: `tags` egress tags in place, sequence number in the payload. */
static struct cix_pkt *mk(uint16_t ingress, uint16_t egress, uint16_t out_port, unsigned tags, uint32_t plen,
			  uint32_t seq)
{
	struct fx_tag t[2] = {fx_tag(0x88a8, 0, 0, 200), fx_tag(0x8100, 0, 0, 300)};
	struct cix_pkt *p = fx_pkt(&F, 0, t, tags, 0x0800, plen);
	if (!p)
		return 0;
	p->attachment = ingress;
	p->egress = egress;
	p->out_port = out_port;
	if (plen >= 4) {
		uint8_t *s = p->data + 14 + 4 * tags;
		s[0] = (uint8_t)(seq >> 24), s[1] = (uint8_t)(seq >> 16), s[2] = (uint8_t)(seq >> 8), s[3] = (uint8_t)seq;
	}
	return p;
}

static uint32_t seq_of(const struct cix_pkt *p, unsigned tags)
{
	return fx_get32(p->data + 14 + 4 * tags);
}

static void tx_egress_mtu(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[6];
	p[0] = mk(I, E5, 5, 1, 100, 0); /* exactly the MTU behind the egress tag */
	p[1] = mk(I, E5, 5, 1, 101, 1); /* one over */
	p[2] = mk(J, E5, 5, 1, 1500, 2);
	p[3] = mk(I, E6, 6, 0, 100, 3); /* whole port: no tags, payload = len - 14 */
	p[4] = mk(I, E6, 6, 0, 101, 4);
	p[5] = mk(I, E1, 1, 1, 1500, 5); /* a full-size frame on a 1500 port */
	for (unsigned i = 0; i < 6; i++)
		REQUIRE(p[i]);
	cix_stage_tx(&F.ctx, p, 6);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_MTU_TX), 3);
	CHECK_EQ(fx_att_drop(&F, I, CIX_DROP_MTU_TX), 2);
	CHECK_EQ(fx_att_drop(&F, J, CIX_DROP_MTU_TX), 1);
	CHECK_EQ(fx_port_cnt(&F, 5, CIX_CNT_TX_PACKETS), 1);
	CHECK_EQ(fx_port_cnt(&F, 6, CIX_CNT_TX_PACKETS), 1);
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_PACKETS), 1);
	/* Counted on the egress port, never on the ingress port. */
	CHECK_EQ(fx_port_drop(&F, 5, CIX_DROP_MTU_TX), 0);
	CHECK_EQ(fx_port_cnt(&F, 0, CIX_CNT_TX_PACKETS), 0);
	struct cix_pkt *s[4];
	CHECK_EQ(fx_sent(&F, 5, s, 4), 1);
	CHECK_EQ(seq_of(s[0], 1), 0);
	CHECK_EQ(s[0]->len, 14 + 4 + 100);
	cix_pool_free(&F.pool, s[0]);
	CHECK_EQ(fx_sent(&F, 6, s, 4), 1);
	CHECK_EQ(seq_of(s[0], 0), 3);
	cix_pool_free(&F.pool, s[0]);
	CHECK_EQ(fx_drain(&F), 1);
	CHECK_EQ(F.pool.n_free, start);
}

static void tx_groups_by_port_in_order(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[40];
	/* Interleaved 1,2,1,1,2,2,1,2,... with increasing sequence numbers. */
	unsigned n1 = 0, n2 = 0;
	uint64_t bytes1 = 0, bytes2 = 0;
	for (uint32_t i = 0; i < 40; i++) {
		int to2 = (i * 7 + i / 3) % 3 == 0;
		p[i] = to2 ? mk(J, E2, 2, 2, 46 + i, i) : mk(I, E1, 1, 1, 46 + i, i);
		REQUIRE(p[i]);
		if (to2)
			n2++, bytes2 += p[i]->len;
		else
			n1++, bytes1 += p[i]->len;
	}
	cix_stage_tx(&F.ctx, p, 40);
	struct cix_pkt *s[64];
	uint32_t k1 = fx_sent(&F, 1, s, 64);
	CHECK_EQ(k1, n1);
	uint32_t last = 0;
	for (uint32_t i = 0; i < k1; i++) {
		uint32_t q = seq_of(s[i], 1);
		CHECK(i == 0 || q > last);
		CHECK_EQ(s[i]->egress, E1);
		CHECK_EQ(s[i]->len, 14 + 4 + 46 + q);
		last = q;
	}
	cix_pool_free_burst(&F.pool, s, k1);
	uint32_t k2 = fx_sent(&F, 2, s, 64);
	CHECK_EQ(k2, n2);
	for (uint32_t i = 0; i < k2; i++) {
		CHECK(i == 0 || seq_of(s[i], 2) > seq_of(s[i - 1], 2));
		CHECK_EQ(s[i]->egress, E2);
	}
	cix_pool_free_burst(&F.pool, s, k2);
	/* tx counters: per egress port and per egress attachment. */
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_PACKETS), n1);
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_BYTES), bytes1);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_PACKETS), n2);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_BYTES), bytes2);
	CHECK_EQ(fx_att_cnt(&F, E1, CIX_CNT_TX_PACKETS), n1);
	CHECK_EQ(fx_att_cnt(&F, E1, CIX_CNT_TX_BYTES), bytes1);
	CHECK_EQ(fx_att_cnt(&F, E2, CIX_CNT_TX_PACKETS), n2);
	CHECK_EQ(fx_att_cnt(&F, E2, CIX_CNT_TX_BYTES), bytes2);
	CHECK_EQ(fx_att_cnt(&F, I, CIX_CNT_TX_PACKETS), 0);
	CHECK_EQ(fx_ports_drops(&F), 0);
	CHECK_EQ(F.pool.n_free, start);
}

static void tx_single_port_burst(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[CIX_MAX_BURST];
	for (uint32_t i = 0; i < 60; i++) {
		p[i] = mk(I, E2, 2, 2, 46, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 60);
	struct cix_pkt *s[64];
	CHECK_EQ(fx_sent(&F, 2, s, 64), 60);
	for (uint32_t i = 0; i < 60; i++)
		CHECK_EQ(seq_of(s[i], 2), i);
	cix_pool_free_burst(&F.pool, s, 60);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_PACKETS), 60);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_BYTES), 60 * (14 + 8 + 46));
	/* An empty burst does nothing. */
	cix_stage_tx(&F.ctx, p, 0);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_PACKETS), 60);
	CHECK_EQ(F.pool.n_free, start);
}

static void tx_full_ring(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[12];
	/* Port 3's ring holds 4; 10 go there, 2 to port 1 in between. */
	for (uint32_t i = 0; i < 12; i++) {
		p[i] = (i == 3 || i == 8) ? mk(J, E1, 1, 1, 46, i) : mk(I, E3, 3, 0, 46 + i, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 12);
	CHECK_EQ(fx_port_cnt(&F, 3, CIX_CNT_TX_PACKETS), 4);
	/* Bytes of the four that went: seq 0,1,2,4. */
	CHECK_EQ(fx_port_cnt(&F, 3, CIX_CNT_TX_BYTES), 4 * 60 + 0 + 1 + 2 + 4);
	CHECK_EQ(fx_att_cnt(&F, E3, CIX_CNT_TX_PACKETS), 4);
	CHECK_EQ(fx_att_cnt(&F, E3, CIX_CNT_TX_BYTES), 4 * 60 + 0 + 1 + 2 + 4);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_TX_FULL), 6);
	CHECK_EQ(fx_att_drop(&F, I, CIX_DROP_TX_FULL), 6);
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_PACKETS), 2);
	/* The six refused went back to the pool; the six sent are the wire's. */
	CHECK_EQ(F.pool.n_free, start - 6);
	struct cix_pkt *s[8];
	uint32_t k = fx_sent(&F, 3, s, 8);
	CHECK_EQ(k, 4);
	static const uint32_t first[4] = {0, 1, 2, 4};
	for (uint32_t i = 0; i < k && i < 4; i++)
		CHECK_EQ(seq_of(s[i], 0), first[i]);
	cix_pool_free_burst(&F.pool, s, k);
	CHECK_EQ(fx_drain(&F), 2);
	CHECK_EQ(F.pool.n_free, start);

	/* A ring already full refuses the whole group. */
	for (uint32_t i = 0; i < 4; i++) {
		p[i] = mk(I, E3, 3, 0, 46, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 4);
	for (uint32_t i = 0; i < 3; i++) {
		p[i] = mk(I, E3, 3, 0, 46, 10 + i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 3);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_TX_FULL), 6 + 3);
	CHECK_EQ(fx_port_cnt(&F, 3, CIX_CNT_TX_PACKETS), 8);
	CHECK_EQ(fx_drain(&F), 4);
	CHECK_EQ(F.pool.n_free, start);
}

static void tx_no_driver_port_down(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[5];
	for (uint32_t i = 0; i < 5; i++) {
		p[i] = i == 2 ? mk(I, E1, 1, 1, 46, i) : mk(i & 1 ? J : I, E4, 4, 0, 46, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 5);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_PORT_DOWN), 4);
	CHECK_EQ(fx_att_drop(&F, I, CIX_DROP_PORT_DOWN), 2);
	CHECK_EQ(fx_att_drop(&F, J, CIX_DROP_PORT_DOWN), 2);
	CHECK_EQ(fx_port_cnt(&F, 4, CIX_CNT_TX_PACKETS), 0);
	CHECK_EQ(fx_port_cnt(&F, 4, CIX_CNT_TX_BYTES), 0);
	CHECK_EQ(fx_att_cnt(&F, E4, CIX_CNT_TX_PACKETS), 0);
	CHECK_EQ(fx_att_cnt(&F, E4, CIX_CNT_TX_BYTES), 0);
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_PACKETS), 1);
	CHECK_EQ(F.pool.n_free, start - 1);
	CHECK_EQ(fx_drain(&F), 1);
	CHECK_EQ(F.pool.n_free, start);

	/* Only to the port with no driver: the single-port path. */
	for (uint32_t i = 0; i < 3; i++) {
		p[i] = mk(I, E4, 4, 0, 46, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 3);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_PORT_DOWN), 7);
	CHECK_EQ(F.pool.n_free, start);
}

/* A driver that refuses frames over 200 bytes with a reason (as afxdp a jumbo frame it cannot chain). */
struct picky {
	struct cix_io_port io;
	uint32_t taken;
};

static uint32_t picky_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct picky *d = (struct picky *)io;
	uint32_t k = 0;
	for (; k < n; k++) {
		if (pkts[k]->len > 200) {
			pkts[k]->drop = CIX_DROP_MTU_TX;
			break;
		}
	}
	cix_pool_free_burst(io->pool, pkts, k);
	d->taken += k;
	return k;
}

static const struct cix_io_ops picky_ops = {.name = "picky", .tx = picky_tx};

static void tx_driver_refuses_with_a_reason(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct picky d = {.io = {.ops = &picky_ops, .pool = &F.pool, .port = 7}, .taken = 0};
	F.tx[7] = &d.io;
	struct cix_pkt *p[5];
	for (uint32_t i = 0; i < 5; i++) {
		p[i] = mk(i & 1 ? J : I, E7, 7, 0, (i == 1 || i == 4) ? 400 : 46, i);
		REQUIRE(p[i]);
	}
	cix_stage_tx(&F.ctx, p, 5);
	/* The refused two are dropped under the driver's reason; the others still go. */
	CHECK_EQ(d.taken, 3);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_MTU_TX), 2);
	CHECK_EQ(fx_att_drop(&F, J, CIX_DROP_MTU_TX), 1);
	CHECK_EQ(fx_att_drop(&F, I, CIX_DROP_MTU_TX), 1);
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_TX_FULL), 0);
	CHECK_EQ(fx_port_cnt(&F, 7, CIX_CNT_TX_PACKETS), 3);
	CHECK_EQ(fx_port_cnt(&F, 7, CIX_CNT_TX_BYTES), 3 * 60);
	CHECK_EQ(fx_att_cnt(&F, E7, CIX_CNT_TX_PACKETS), 3);
	CHECK_EQ(F.pool.n_free, start);
	F.tx[7] = 0;
}

int main(void)
{
	if (setup()) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	uint32_t start = F.pool.n_free;
	RUN(tx_egress_mtu);
	RUN(tx_groups_by_port_in_order);
	RUN(tx_single_port_burst);
	RUN(tx_full_ring);
	RUN(tx_no_driver_port_down);
	RUN(tx_driver_refuses_with_a_reason);
	return fx_finish(&F, start, "tx");
}
