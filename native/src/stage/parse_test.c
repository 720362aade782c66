/* parse: tags found, third tag flagged, runts and cut frames refused. */
#include "frames.h"
#include "test.h"

static struct fx F;

static struct cix_pkt *bytes_pkt(const uint8_t *b, uint32_t len)
{
	return fx_pkt_bytes(&F, 0, b, len);
}

/* Parse one packet; returns what the stage reported as marked (0 or 1). */
static uint32_t parse1(struct cix_pkt *p)
{
	return cix_stage_parse(&F.ctx, &p, 1);
}

static void done(struct cix_pkt *p)
{
	if (p)
		cix_pool_free(&F.pool, p);
}

static void parse_untagged_arp(void)
{
	uint8_t arp[28], frame[64];
	uint32_t alen = fx_arp_request(arp);
	uint32_t len = fx_eth(frame, fx_bcast_mac, fx_src_mac, 0, 0, 0x0806, arp, alen);
	memset(frame + len, 0, 60 - len); /* padded to the 60-byte minimum, as a NIC sends it */
	struct cix_pkt *p = bytes_pkt(frame, 60);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->drop, CIX_DROP_NONE);
	CHECK_EQ(p->ntags, 0);
	CHECK_EQ(p->flags, 0);
	CHECK_EQ(p->len, 60);
	done(p);
}

static void parse_one_tag_each_tpid(void)
{
	static const uint16_t tpids[] = {0x8100, 0x88a8, 0x9100, 0x9200};
	for (unsigned i = 0; i < 4; i++) {
		struct fx_tag t = fx_tag(tpids[i], 3, 1, 100 + i);
		struct cix_pkt *p = fx_pkt(&F, 0, &t, 1, 0x0800, 46);
		REQUIRE(p);
		CHECK_EQ(parse1(p), 0);
		CHECK_EQ(p->drop, 0);
		CHECK_EQ(p->ntags, 1);
		CHECK_EQ(p->tpid[0], tpids[i]);
		CHECK_EQ(p->tci[0], 3u << 13 | 1u << 12 | (100 + i));
		CHECK_EQ(p->flags, 0);
		done(p);
	}
}

static void parse_two_tags_qinq(void)
{
	struct fx_tag t[2] = {fx_tag(0x88a8, 5, 0, 300), fx_tag(0x8100, 2, 1, 4094)};
	uint8_t ip[128];
	uint32_t iplen = fx_ipv4_udp(ip, 32);
	uint8_t frame[256];
	uint32_t len = fx_eth(frame, fx_dst_mac, fx_src_mac, t, 2, 0x0800, ip, iplen);
	struct cix_pkt *p = bytes_pkt(frame, len);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->drop, 0);
	CHECK_EQ(p->ntags, 2);
	CHECK_EQ(p->tpid[0], 0x88a8);
	CHECK_EQ(p->tci[0], 0xa000 | 300);
	CHECK_EQ(p->tpid[1], 0x8100);
	CHECK_EQ(p->tci[1], 0x5000 | 4094);
	CHECK_EQ(p->flags, 0);
	CHECK_MEM(p->data, frame, len); /* parse reads, never writes */
	done(p);
}

static void parse_two_tags_same_tpid(void)
{
	/* Cloud hand-offs often stack two 0x8100 tags. */
	struct fx_tag t[2] = {fx_tag(0x8100, 0, 0, 10), fx_tag(0x8100, 0, 0, 20)};
	struct cix_pkt *p = fx_pkt(&F, 0, t, 2, 0x86dd, 60);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->ntags, 2);
	CHECK_EQ(p->tci[0], 10);
	CHECK_EQ(p->tci[1], 20);
	CHECK_EQ(p->flags, 0);
	done(p);
}

static void parse_three_tags_flagged(void)
{
	struct fx_tag t[3] = {fx_tag(0x88a8, 0, 0, 1), fx_tag(0x8100, 0, 0, 2), fx_tag(0x8100, 0, 0, 3)};
	struct cix_pkt *p = fx_pkt(&F, 0, t, 3, 0x0800, 46);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0); /* not an error here: classify decides */
	CHECK_EQ(p->drop, 0);
	CHECK_EQ(p->ntags, 2);
	CHECK_EQ(p->tci[0], 1);
	CHECK_EQ(p->tci[1], 2);
	CHECK_EQ(p->flags & CIX_PKT_F_MORE_TAGS, CIX_PKT_F_MORE_TAGS);
	done(p);

	/* The third TPID alone is enough to flag it (its TCI may be cut). */
	t[2] = fx_tag(0x9100, 0, 0, 3);
	uint8_t frame[64];
	fx_eth(frame, fx_dst_mac, fx_src_mac, t, 3, 0x0800, 0, 0);
	p = bytes_pkt(frame, 22);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->ntags, 2);
	CHECK_EQ(p->flags, CIX_PKT_F_MORE_TAGS);
	done(p);
}

static void parse_runts(void)
{
	uint8_t frame[64];
	fx_eth(frame, fx_dst_mac, fx_src_mac, 0, 0, 0x0800, 0, 46);
	static const uint32_t lens[] = {0, 1, 6, 12, 13};
	for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct cix_pkt *p = bytes_pkt(frame, lens[i]);
		REQUIRE(p);
		CHECK_EQ(parse1(p), 1);
		CHECK_EQ(p->drop, CIX_DROP_TRUNCATED);
		done(p);
	}
	/* A bare header with no payload is whole (the minimum-size rule is the sender's). */
	struct cix_pkt *p = bytes_pkt(frame, 14);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->drop, 0);
	CHECK_EQ(p->ntags, 0);
	done(p);
}

static void parse_tag_cut_short(void)
{
	uint8_t frame[64];
	struct fx_tag t[2] = {fx_tag(0x88a8, 0, 0, 100), fx_tag(0x8100, 0, 0, 200)};

	/* One tag: the frame ends inside the TPID, the TCI, or before the inner EtherType. */
	fx_eth(frame, fx_dst_mac, fx_src_mac, t, 1, 0x0800, 0, 0);
	for (uint32_t len = 13; len < 18; len++) {
		struct cix_pkt *p = bytes_pkt(frame, len);
		REQUIRE(p);
		CHECK_EQ(parse1(p), 1);
		CHECK_EQ(p->drop, CIX_DROP_TRUNCATED);
		done(p);
	}
	struct cix_pkt *p = bytes_pkt(frame, 18);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->ntags, 1);
	done(p);

	/* Two tags: cut inside the second one or before the EtherType after it. */
	fx_eth(frame, fx_dst_mac, fx_src_mac, t, 2, 0x0800, 0, 0);
	for (uint32_t len = 18; len < 22; len++) {
		p = bytes_pkt(frame, len);
		REQUIRE(p);
		CHECK_EQ(parse1(p), 1);
		CHECK_EQ(p->drop, CIX_DROP_TRUNCATED);
		done(p);
	}
	p = bytes_pkt(frame, 22);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->ntags, 2);
	CHECK_EQ(p->flags, 0);
	done(p);
}

static void parse_snapped_capture(void)
{
	/* A capture with snaplen 64 of a 1514-byte frame: what is there parses, but it is not whole. */
	struct fx_tag t = fx_tag(0x8100, 0, 0, 100);
	struct cix_pkt *p = fx_pkt(&F, 0, &t, 1, 0x0800, 46);
	REQUIRE(p);
	p->wire_len = 1514;
	CHECK_EQ(parse1(p), 1);
	CHECK_EQ(p->drop, CIX_DROP_TRUNCATED);
	done(p);

	/* Off by one byte is cut too. */
	p = fx_pkt(&F, 0, 0, 0, 0x0800, 46);
	REQUIRE(p);
	p->wire_len = p->len + 1;
	CHECK_EQ(parse1(p), 1);
	CHECK_EQ(p->drop, CIX_DROP_TRUNCATED);
	done(p);
}

static void parse_driver_marked_stays(void)
{
	/* The pcap driver marks a giant it could not fit as mtu_rx with no bytes. */
	struct cix_pkt *p = fx_pkt(&F, 0, 0, 0, 0x0800, 46);
	REQUIRE(p);
	p->len = 0;
	p->wire_len = 9018;
	p->drop = CIX_DROP_MTU_RX;
	CHECK_EQ(parse1(p), 1);
	CHECK_EQ(p->drop, CIX_DROP_MTU_RX);
	done(p);

	/* Even with a whole, valid frame under it. */
	p = fx_pkt(&F, 0, 0, 0, 0x0800, 46);
	REQUIRE(p);
	p->drop = CIX_DROP_MTU_RX;
	CHECK_EQ(parse1(p), 1);
	CHECK_EQ(p->drop, CIX_DROP_MTU_RX);
	done(p);
}

static void parse_other_ethertypes_end(void)
{
	uint8_t pl[256], frame[512];
	struct fx_tag s = fx_tag(0x88a8, 0, 0, 100);
	struct {
		uint16_t et;
		uint32_t plen;
		unsigned ntags;
	} cases[] = {
		{0x0800, fx_ipv4_udp(pl, 20), 0},
		{0x0800, 48, 1},
		{0x86dd, 0, 0},
		{0x86dd, 0, 1},
		{0x88e5, 0, 0}, /* MACsec: the SecTAG is no VLAN tag */
		{0x88e5, 0, 1},
		{0x88cc, 0, 0}, /* LLDP */
		{0x8847, 20, 1}, /* MPLS */
		{0x0806, 28, 1}, /* ARP */
		{0x88a9, 20, 0}, /* close to a TPID, but not one */
		{0x8101, 20, 0},
		{0x0000, 20, 0},
		{0xffff, 20, 0},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t plen = cases[i].plen;
		if (cases[i].et == 0x86dd)
			plen = fx_ipv6_icmp(pl, 16);
		else if (cases[i].et == 0x88e5)
			plen = fx_macsec(pl, 64);
		else if (cases[i].et == 0x88cc)
			plen = fx_lldp(pl);
		else if (cases[i].et != 0x0800 || cases[i].ntags)
			fx_fill(pl, plen, i);
		uint32_t len = fx_eth(frame, fx_dst_mac, fx_src_mac, &s, cases[i].ntags, cases[i].et, pl, plen);
		struct cix_pkt *p = bytes_pkt(frame, len);
		REQUIRE(p);
		CHECK_EQ(parse1(p), 0);
		CHECK_EQ(p->drop, 0);
		CHECK_EQ(p->ntags, cases[i].ntags);
		CHECK_EQ(p->flags, 0);
		done(p);
	}
}

static void parse_priority_tagged_vid0(void)
{
	/* 802.1p priority tag: VID 0, still a tag to the parser. */
	struct fx_tag t = fx_tag(0x8100, 6, 0, 0);
	struct cix_pkt *p = fx_pkt(&F, 0, &t, 1, 0x0800, 46);
	REQUIRE(p);
	CHECK_EQ(parse1(p), 0);
	CHECK_EQ(p->ntags, 1);
	CHECK_EQ(p->tci[0], 0xc000);
	done(p);
}

static void parse_burst_mixed(void)
{
	struct fx_tag t[3] = {fx_tag(0x88a8, 0, 0, 1), fx_tag(0x8100, 0, 0, 2), fx_tag(0x8100, 0, 0, 3)};
	struct cix_pkt *p[8];
	p[0] = fx_pkt(&F, 0, t, 0, 0x0800, 46);
	p[1] = fx_pkt(&F, 0, t, 1, 0x0800, 46);
	p[2] = fx_pkt(&F, 0, t, 2, 0x0800, 46);
	p[3] = fx_pkt(&F, 0, t, 3, 0x0800, 46);
	p[4] = fx_pkt(&F, 0, t, 2, 0x0800, 0);
	p[5] = fx_pkt(&F, 0, t, 2, 0x0800, 46);
	p[6] = fx_pkt(&F, 0, t, 1, 0x0800, 46);
	p[7] = fx_pkt(&F, 0, t, 0, 0x0800, 46);
	for (unsigned i = 0; i < 8; i++)
		REQUIRE(p[i]);
	p[4]->len = 19;             /* cut inside the second tag */
	p[4]->wire_len = 19;
	p[5]->wire_len += 4;        /* snapped */
	p[6]->len = p[6]->wire_len = 10; /* runt */
	uint32_t before = F.pool.n_free;
	CHECK_EQ(cix_stage_parse(&F.ctx, p, 8), 3);
	CHECK_EQ(F.pool.n_free, before); /* a stage never frees */
	static const uint8_t want_drop[8] = {0, 0, 0, 0, CIX_DROP_TRUNCATED, CIX_DROP_TRUNCATED,
					     CIX_DROP_TRUNCATED, 0};
	static const uint8_t want_tags[8] = {0, 1, 2, 2, 0, 0, 0, 0};
	for (unsigned i = 0; i < 8; i++) {
		CHECK_EQ(p[i]->drop, want_drop[i]);
		if (!want_drop[i])
			CHECK_EQ(p[i]->ntags, want_tags[i]);
	}
	CHECK_EQ(p[3]->flags, CIX_PKT_F_MORE_TAGS);
	CHECK_EQ(p[2]->flags, 0);
	cix_pool_free_burst(&F.pool, p, 8);
}

int main(void)
{
	if (fx_init(&F)) {
		fprintf(stderr, "fixture setup failed\n");
		return 1;
	}
	uint32_t start = F.pool.n_free;
	RUN(parse_untagged_arp);
	RUN(parse_one_tag_each_tpid);
	RUN(parse_two_tags_qinq);
	RUN(parse_two_tags_same_tpid);
	RUN(parse_three_tags_flagged);
	RUN(parse_runts);
	RUN(parse_tag_cut_short);
	RUN(parse_snapped_capture);
	RUN(parse_driver_marked_stays);
	RUN(parse_other_ethertypes_end);
	RUN(parse_priority_tagged_vid0);
	RUN(parse_burst_mixed);
	return fx_finish(&F, start, "parse");
}
