/*
 * The whole pipeline on bursts that mix good and bad frames: every frame is
 * either transmitted or counted under exactly one drop reason, and every
 * buffer comes back to the pool.
 */
#include "frames.h"
#include "test.h"

static struct fx F;

enum {
	A_U = 1,   /* port 0 untagged            <-> A_1O (port 1, 8100/100): push 0-1 */
	A_S = 2,   /* port 0 88a8/100            <-> A_2P (port 2, 88a8/7 + 8100/8): push 1-2 */
	A_Q = 3,   /* port 0 88a8/100 + 8100/200 <-> A_1U (port 1, untagged): pop 2-0 */
	A_NS = 4,  /* port 0 8100/999, no service */
	A_D = 5,   /* port 0 8100/50             <-> A_3 (port 3, no driver) */
	A_1O = 10,
	A_2P = 11,
	A_1U = 12,
	A_3 = 13,
};

static int setup(void)
{
	if (fx_init(&F))
		return -1;
	if (!fx_mem_port(&F, 1, 8) || !fx_mem_port(&F, 2, 64))
		return -1;
	struct cix_tables *t = cix_tables_new(FX_MAX_ATT, 16);
	if (!t)
		return -1;
	int rc = cix_tables_set_port(t, 0, 1500) | cix_tables_set_port(t, 1, 1500) |
		 cix_tables_set_port(t, 2, 100) | cix_tables_set_port(t, 3, 1500);
	rc |= fx_untagged(t, A_U, 0);
	rc |= fx_outer(t, A_S, 0, 0x88a8, 100);
	rc |= fx_pair(t, A_Q, 0, 0x88a8, 100, 0x8100, 200);
	rc |= fx_outer(t, A_NS, 0, 0x8100, 999);
	rc |= fx_outer(t, A_D, 0, 0x8100, 50);
	rc |= fx_outer(t, A_1O, 1, 0x8100, 100);
	rc |= fx_pair(t, A_2P, 2, 0x88a8, 7, 0x8100, 8);
	rc |= fx_untagged(t, A_1U, 1);
	rc |= fx_untagged(t, A_3, 3);
	rc |= fx_xconnect(t, A_U, A_1O) | fx_xconnect(t, A_S, A_2P) | fx_xconnect(t, A_Q, A_1U) |
	      fx_xconnect(t, A_D, A_3);
	rc |= cix_tables_seal(t);
	if (rc) {
		cix_tables_free(t);
		return -1;
	}
	return fx_publish(&F, t) ? 0 : -1;
}

/* Sequence number in the first 4 payload bytes after `tags` tags. */
static void put_seq(struct cix_pkt *p, unsigned tags, uint32_t seq)
{
	uint8_t *s = p->data + 14 + 4 * tags;
	s[0] = (uint8_t)(seq >> 24), s[1] = (uint8_t)(seq >> 16), s[2] = (uint8_t)(seq >> 8), s[3] = (uint8_t)seq;
}

static void pipeline_mixed_burst(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct fx_tag s100 = fx_tag(0x88a8, 3, 0, 100);
	struct fx_tag q[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 6, 1, 200)};
	struct fx_tag q201[2] = {fx_tag(0x88a8, 2, 0, 100), fx_tag(0x8100, 0, 0, 201)};
	struct fx_tag three[3] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200), fx_tag(0x8100, 0, 0, 1)};
	struct fx_tag c100 = fx_tag(0x8100, 0, 0, 100), c4000 = fx_tag(0x8100, 0, 0, 4000);
	struct fx_tag c999 = fx_tag(0x8100, 0, 0, 999), c50 = fx_tag(0x8100, 0, 0, 50);

	struct cix_pkt *p[26];
	unsigned ntags[26] = {0};
	p[0] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);              /* -> port 1 */
	p[1] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);              /* runt */
	p[1]->len = p[1]->wire_len = 10;
	p[2] = fx_pkt(&F, 0, &s100, 1, 0x0800, 40), ntags[2] = 1; /* -> port 2 */
	p[3] = fx_pkt(&F, 0, three, 3, 0x0800, 46), ntags[3] = 3; /* too_many_tags */
	p[4] = fx_pkt(&F, 0, &c100, 1, 0x0800, 46), ntags[4] = 1;  /* tpid_mismatch */
	p[5] = fx_pkt(&F, 0, &c4000, 1, 0x0800, 46), ntags[5] = 1; /* no_attachment */
	p[6] = fx_pkt(&F, 0, &c999, 1, 0x0800, 46), ntags[6] = 1;  /* no_service */
	p[7] = fx_pkt(&F, 0, &s100, 1, 0x0800, 200), ntags[7] = 1; /* mtu_tx (port 2: 100) */
	p[8] = fx_pkt(&F, 0, 0, 0, 0x0800, 1501);            /* mtu_rx */
	p[9] = fx_pkt(&F, 0, q, 2, 0x0800, 46), ntags[9] = 2; /* -> port 1, popped */
	p[10] = fx_pkt(&F, 0, &c50, 1, 0x0800, 46), ntags[10] = 1; /* port_down */
	p[11] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);             /* snapped */
	p[11]->wire_len = 1514;
	p[12] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);             /* the driver's giant */
	p[12]->len = 0, p[12]->wire_len = 9018, p[12]->drop = CIX_DROP_MTU_RX;
	p[13] = fx_pkt(&F, 0, 0, 0, 0x0800, 46);             /* no_headroom */
	memmove(p[13]->buf + 2, p[13]->data, p[13]->len);
	p[13]->data = p[13]->buf + 2;
	p[14] = fx_pkt(&F, 5, 0, 0, 0x0800, 46);             /* port 5: no_attachment */
	p[15] = fx_pkt(&F, 0, q201, 2, 0x0800, 40), ntags[15] = 2; /* outer only -> port 2 */
	for (unsigned i = 16; i < 26; i++)
		p[i] = fx_pkt(&F, 0, 0, 0, 0x0800, 46 + i);  /* -> port 1: 8 of 12 fit */
	for (unsigned i = 0; i < 26; i++) {
		REQUIRE(p[i]);
		if (p[i]->len >= 18 + 4 * ntags[i])
			put_seq(p[i], ntags[i], i);
	}
	uint64_t rx_bytes = 0;
	for (unsigned i = 0; i < 26; i++)
		rx_bytes += p[i]->wire_len;
	/* What port 2 must send, built before the burst changes them. */
	uint8_t want2[2][128];
	uint32_t want2_len[2];
	{
		struct fx_tag o[3] = {fx_tag(0x88a8, 3, 0, 7), fx_tag(0x8100, 3, 0, 8)};
		uint8_t pl[64];
		memcpy(pl, p[2]->data + 18, 40);
		want2_len[0] = fx_eth(want2[0], fx_dst_mac, fx_src_mac, o, 2, 0x0800, pl, 40);
		o[0] = fx_tag(0x88a8, 2, 0, 7), o[1] = fx_tag(0x8100, 2, 0, 8), o[2] = q201[1];
		memcpy(pl, p[15]->data + 22, 40);
		want2_len[1] = fx_eth(want2[1], fx_dst_mac, fx_src_mac, o, 3, 0x0800, pl, 40);
	}

	cix_pipeline_run(&F.ctx, p, 26);

	CHECK_EQ(fx_port_cnt(&F, 0, CIX_CNT_RX_PACKETS), 25);
	CHECK_EQ(fx_port_cnt(&F, 5, CIX_CNT_RX_PACKETS), 1);
	CHECK_EQ(fx_ports_sum(&F, CIX_CNT_RX_BYTES), rx_bytes);
	static const struct {
		unsigned reason;
		uint64_t n;
	} want[] = {
		{CIX_DROP_TRUNCATED, 2},   {CIX_DROP_TOO_MANY_TAGS, 1}, {CIX_DROP_TPID_MISMATCH, 1},
		{CIX_DROP_NO_ATTACHMENT, 2}, {CIX_DROP_NO_SERVICE, 1},  {CIX_DROP_MTU_RX, 2},
		{CIX_DROP_MTU_TX, 1},      {CIX_DROP_NO_HEADROOM, 1},   {CIX_DROP_TX_FULL, 4},
		{CIX_DROP_PORT_DOWN, 1},
	};
	uint64_t drops = 0;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		uint64_t got = fx_ports_sum(&F, CIX_CNT_DROP_BASE + want[i].reason);
		if (got != want[i].n)
			fprintf(stderr, "drop %s: %llu, want %llu\n", cix_drop_name(want[i].reason),
				(unsigned long long)got, (unsigned long long)want[i].n);
		CHECK_EQ(got, want[i].n);
		drops += got;
	}
	CHECK_EQ(fx_ports_drops(&F), drops);
	CHECK_EQ(fx_port_drop(&F, 5, CIX_DROP_NO_ATTACHMENT), 1);
	CHECK_EQ(fx_ports_sum(&F, CIX_CNT_TX_PACKETS), 10);
	CHECK_EQ(fx_ports_sum(&F, CIX_CNT_TX_PACKETS) + fx_ports_drops(&F), 26);
	CHECK_EQ(fx_port_cnt(&F, 1, CIX_CNT_TX_PACKETS), 8);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_PACKETS), 2);
	/* Attachments: what came in on A_U and did not go was refused at A_U. */
	CHECK_EQ(fx_att_cnt(&F, A_U, CIX_CNT_RX_PACKETS), 1 + 1 + 1 + 10);
	CHECK_EQ(fx_att_drop(&F, A_U, CIX_DROP_MTU_RX), 1);
	CHECK_EQ(fx_att_drop(&F, A_U, CIX_DROP_NO_HEADROOM), 1);
	CHECK_EQ(fx_att_drop(&F, A_U, CIX_DROP_TX_FULL), 4);
	CHECK_EQ(fx_att_cnt(&F, A_1O, CIX_CNT_TX_PACKETS), 7);
	CHECK_EQ(fx_att_cnt(&F, A_1U, CIX_CNT_TX_PACKETS), 1);
	CHECK_EQ(fx_att_drop(&F, A_S, CIX_DROP_MTU_TX), 1);
	CHECK_EQ(fx_att_drop(&F, A_NS, CIX_DROP_NO_SERVICE), 1);
	CHECK_EQ(fx_att_drop(&F, A_D, CIX_DROP_PORT_DOWN), 1);

	/* Port 1 sent 0, 9, 16..21 in that order, tagged 8100/100 (0, 16..) or untagged (9). */
	struct cix_pkt *s[16];
	uint32_t k = fx_sent(&F, 1, s, 16);
	CHECK_EQ(k, 8);
	static const uint32_t order[8] = {0, 9, 16, 17, 18, 19, 20, 21};
	for (uint32_t i = 0; i < k && i < 8; i++) {
		unsigned tags = order[i] == 9 ? 0 : 1;
		CHECK_EQ(fx_get32(s[i]->data + 14 + 4 * tags), order[i]);
		if (tags) {
			CHECK_EQ(fx_get16(s[i]->data + 12), 0x8100);
			CHECK_EQ(fx_get16(s[i]->data + 14), 100);
		} else {
			CHECK_EQ(fx_get16(s[i]->data + 12), 0x0800);
		}
		CHECK_MEM(s[i]->data, fx_dst_mac, 6);
		CHECK_MEM(s[i]->data + 6, fx_src_mac, 6);
	}
	cix_pool_free_burst(&F.pool, s, k);
	k = fx_sent(&F, 2, s, 16);
	CHECK_EQ(k, 2);
	for (uint32_t i = 0; i < k && i < 2; i++) {
		CHECK_EQ(s[i]->len, want2_len[i]);
		CHECK_MEM(s[i]->data, want2[i], want2_len[i]);
	}
	cix_pool_free_burst(&F.pool, s, k);
	CHECK_EQ(fx_drain(&F), 0);
	CHECK_EQ(F.pool.n_free, start);
}

static void pipeline_all_dropped_and_all_sent(void)
{
	fx_zero_counters(&F);
	uint32_t start = F.pool.n_free;
	struct cix_pkt *p[CIX_MAX_BURST];
	/* A whole burst nobody wants. */
	struct fx_tag c = fx_tag(0x8100, 0, 0, 4000);
	for (unsigned i = 0; i < CIX_MAX_BURST; i++) {
		p[i] = fx_pkt(&F, 0, &c, 1, 0x0800, 46);
		REQUIRE(p[i]);
	}
	cix_pipeline_run(&F.ctx, p, CIX_MAX_BURST); /* every buffer of the pool */
	CHECK_EQ(fx_port_drop(&F, 0, CIX_DROP_NO_ATTACHMENT), CIX_MAX_BURST);
	CHECK_EQ(F.pool.n_free, start);
	/* A burst that all leaves by port 2, in order. */
	struct fx_tag s = fx_tag(0x88a8, 0, 0, 100);
	for (unsigned i = 0; i < 60; i++) {
		p[i] = fx_pkt(&F, 0, &s, 1, 0x0800, 46);
		REQUIRE(p[i]);
		put_seq(p[i], 1, i);
	}
	cix_pipeline_run(&F.ctx, p, 60);
	struct cix_pkt *o[64];
	CHECK_EQ(fx_sent(&F, 2, o, 64), 60);
	for (unsigned i = 0; i < 60; i++)
		CHECK_EQ(fx_get32(o[i]->data + 22), i);
	cix_pool_free_burst(&F.pool, o, 60);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_PACKETS), 60);
	CHECK_EQ(fx_port_cnt(&F, 2, CIX_CNT_TX_BYTES), 60 * (14 + 8 + 46));
	/* An empty burst. */
	cix_pipeline_run(&F.ctx, p, 0);
	CHECK_EQ(F.pool.n_free, start);
}

/* A small deterministic generator (xorshift). */
static uint32_t rnd_state = 0x12345678u;
static uint32_t rnd(void)
{
	uint32_t x = rnd_state;
	x ^= x << 13, x ^= x >> 17, x ^= x << 5;
	return rnd_state = x;
}

static void pipeline_random_bursts_conserve(void)
{
	uint32_t start = F.pool.n_free;
	static const uint16_t tpids[] = {0x8100, 0x88a8, 0x9100, 0x9200, 0x0800, 0x86dd};
	static const uint16_t vids[] = {100, 200, 999, 50, 7, 8, 4000, 0};
	for (unsigned round = 0; round < 300; round++) {
		fx_zero_counters(&F);
		uint32_t n = 1 + rnd() % 64;
		struct cix_pkt *p[64];
		uint64_t rx_bytes = 0;
		for (uint32_t i = 0; i < n; i++) {
			struct fx_tag t[3];
			unsigned nt = rnd() % 4;
			for (unsigned k = 0; k < nt; k++)
				t[k] = fx_tag(tpids[rnd() % 4], rnd() % 8, rnd() % 2, vids[rnd() % 8]);
			uint16_t et = tpids[rnd() % 6];
			uint32_t plen = rnd() % 4 == 0 ? rnd() % 1600 : rnd() % 120;
			p[i] = fx_pkt(&F, (uint16_t)(rnd() % 6), t, nt, et, plen);
			REQUIRE(p[i]);
			switch (rnd() % 16) {
			case 0: p[i]->len = rnd() % (p[i]->len + 1), p[i]->wire_len = p[i]->len; break;
			case 1: p[i]->wire_len += 1 + rnd() % 100; break;
			case 2: p[i]->len = 0, p[i]->drop = CIX_DROP_MTU_RX; break;
			case 3: {
				uint32_t h = rnd() % 12;
				memmove(p[i]->buf + h, p[i]->data, p[i]->len);
				p[i]->data = p[i]->buf + h;
				break;
			}
			default: break;
			}
			rx_bytes += p[i]->wire_len;
		}
		cix_pipeline_run(&F.ctx, p, n);
		uint32_t sent = fx_drain(&F);
		uint64_t tx = fx_ports_sum(&F, CIX_CNT_TX_PACKETS);
		CHECK_EQ(fx_ports_sum(&F, CIX_CNT_RX_PACKETS), n);
		CHECK_EQ(fx_ports_sum(&F, CIX_CNT_RX_BYTES), rx_bytes);
		CHECK_EQ(tx, sent);
		CHECK_EQ(tx + fx_ports_drops(&F), n);
		/* The same over attachments: each classified frame went or was counted there. */
		uint64_t arx = 0, atx = 0, adrop = 0;
		for (unsigned a = 0; a < FX_MAX_ATT; a++) {
			arx += fx_att_cnt(&F, a, CIX_CNT_RX_PACKETS);
			atx += fx_att_cnt(&F, a, CIX_CNT_TX_PACKETS);
			for (unsigned r = 1; r < CIX_DROP__COUNT; r++)
				adrop += fx_att_drop(&F, a, r);
		}
		CHECK_EQ(arx, atx + adrop);
		CHECK_EQ(F.pool.n_free, start);
		if (cix_test_failed_checks_) {
			fprintf(stderr, "round %u\n", round);
			return;
		}
	}
}

int main(void)
{
	if (setup()) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	uint32_t start = F.pool.n_free;
	RUN(pipeline_mixed_burst);
	RUN(pipeline_all_dropped_and_all_sent);
	RUN(pipeline_random_bursts_conserve);
	return fx_finish(&F, start, "pipeline");
}
