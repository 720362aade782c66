/* tables: the builder's errors, the match keys it writes, the egress stacks. */
#include <stdint.h>

#include "core/tables.h"
#include "frames.h"
#include "test.h"

static struct cix_tables *fresh(void)
{
	struct cix_tables *t = cix_tables_new(16, 8);
	if (t) {
		cix_tables_set_port(t, 0, 1500);
		cix_tables_set_port(t, 1, 9000);
	}
	return t;
}

static void tables_new_refuses(void)
{
	CHECK(cix_tables_new(0, 0) == 0);
	CHECK(cix_tables_new(CIX_MAX_ATTACHMENTS + 1, 1) == 0);
	struct cix_tables *t = cix_tables_new(CIX_MAX_ATTACHMENTS, CIX_MAX_ATTACHMENTS);
	REQUIRE(t);
	CHECK_EQ(t->max_attachments, CIX_MAX_ATTACHMENTS);
	CHECK_EQ(t->sealed, 0);
	for (unsigned p = 0; p < CIX_MAX_PORTS; p++) {
		CHECK_EQ(t->ports[p].present, 0);
		CHECK_EQ(t->ports[p].whole_port, CIX_NONE);
	}
	cix_tables_free(t);
	cix_tables_free(0);
}

static void tables_port_errors(void)
{
	struct cix_tables *t = cix_tables_new(4, 4);
	REQUIRE(t);
	CHECK_EQ(cix_tables_set_port(t, CIX_MAX_PORTS, 1500), CIX_TABLES_EPORT);
	CHECK_EQ(cix_tables_set_port(t, 0xffff, 1500), CIX_TABLES_EPORT);
	CHECK_EQ(cix_tables_set_port(t, 0, 67), CIX_TABLES_EPORT); /* below the IPv4 minimum */
	CHECK_EQ(cix_tables_set_port(t, 0, 68), CIX_TABLES_OK);
	CHECK_EQ(cix_tables_set_port(t, CIX_MAX_PORTS - 1, 65535), CIX_TABLES_OK);
	CHECK_EQ(t->ports[0].mtu, 68);
	CHECK_EQ(t->ports[0].present, 1);
	CHECK_EQ(t->ports[CIX_MAX_PORTS - 1].mtu, 65535);
	/* An attachment on a port that was never set. */
	CHECK_EQ(fx_untagged(t, 0, 1), CIX_TABLES_EPORT);
	CHECK_EQ(fx_untagged(t, 0, CIX_MAX_PORTS), CIX_TABLES_EPORT);
	CHECK_EQ(fx_untagged(t, 0, 0), CIX_TABLES_OK);
	cix_tables_free(t);
}

static void tables_attachment_id_errors(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(fx_outer(t, 16, 0, 0x8100, 10), CIX_TABLES_EATTACHMENT); /* max is 16 */
	CHECK_EQ(fx_outer(t, CIX_NONE, 0, 0x8100, 10), CIX_TABLES_EATTACHMENT);
	CHECK_EQ(fx_outer(t, 15, 0, 0x8100, 10), CIX_TABLES_OK);
	CHECK_EQ(fx_outer(t, 15, 0, 0x8100, 11), CIX_TABLES_EATTACHMENT); /* used twice */
	CHECK_EQ(fx_outer(t, 0, 0, 0x8100, 11), CIX_TABLES_OK);
	cix_tables_free(t);
}

static void tables_spec_errors(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(fx_add(t, 1, 0, 4, fx_keep(0x8100, 10), fx_keep(0x8100, 20)), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, 255, fx_keep(0x8100, 10), fx_keep(0x8100, 20)), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 0), CIX_TABLES_ESPEC);    /* priority tag: no VLAN */
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 4095), CIX_TABLES_ESPEC); /* reserved */
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 4096), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_outer(t, 1, 0, 0x0800, 10), CIX_TABLES_ESPEC);   /* not a TPID */
	CHECK_EQ(fx_outer(t, 1, 0, 0x88e5, 10), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_outer(t, 1, 0, 0, 10), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER, fx_spec(0x8100, 10, 8, 0), fx_keep(0, 0)), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER, fx_spec(0x8100, 10, -2, 0), fx_keep(0, 0)), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER, fx_spec(0x8100, 10, 0, 2), fx_keep(0, 0)), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER, fx_spec(0x8100, 10, 0, -2), fx_keep(0, 0)), CIX_TABLES_ESPEC);
	/* The inner tag of a pair is checked too ... */
	CHECK_EQ(fx_pair(t, 1, 0, 0x88a8, 10, 0x8100, 0), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_pair(t, 1, 0, 0x88a8, 10, 0x86dd, 20), CIX_TABLES_ESPEC);
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER_INNER, fx_keep(0x88a8, 10), fx_spec(0x8100, 20, 9, 0)),
		 CIX_TABLES_ESPEC);
	/* ... but tags beyond the depth are ignored. */
	CHECK_EQ(fx_add(t, 1, 0, CIX_MATCH_OUTER, fx_keep(0x8100, 10), fx_spec(0, 0, 99, 99)), CIX_TABLES_OK);
	CHECK_EQ(fx_add(t, 2, 0, CIX_MATCH_UNTAGGED, fx_spec(0, 0, 99, 99), fx_spec(0, 0, 99, 99)), CIX_TABLES_OK);
	CHECK_EQ(fx_add(t, 3, 1, CIX_MATCH_WHOLE_PORT, fx_spec(0, 0, 99, 99), fx_spec(0, 0, 99, 99)), CIX_TABLES_OK);
	/* Bounds that are fine. */
	CHECK_EQ(fx_add(t, 4, 0, CIX_MATCH_OUTER, fx_spec(0x9200, 4094, 7, 1), fx_keep(0, 0)), CIX_TABLES_OK);
	CHECK_EQ(fx_add(t, 5, 0, CIX_MATCH_OUTER, fx_spec(0x9100, 1, 0, 0), fx_keep(0, 0)), CIX_TABLES_OK);
	/* A refused attachment took nothing: its id is still free. */
	CHECK_EQ(t->att[6].present, 0);
	CHECK_EQ(fx_outer(t, 6, 0, 0x88a8, 10), CIX_TABLES_OK);
	cix_tables_free(t);
}

static void tables_overlap(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(cix_tables_set_port(t, 2, 1500), 0);
	CHECK_EQ(cix_tables_set_port(t, 3, 1500), 0);
	/* The same match twice. */
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 10), CIX_TABLES_OK);
	CHECK_EQ(fx_outer(t, 2, 0, 0x8100, 10), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_add(t, 2, 0, CIX_MATCH_OUTER, fx_spec(0x8100, 10, 5, 1), fx_keep(0, 0)), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_untagged(t, 3, 0), CIX_TABLES_OK);
	CHECK_EQ(fx_untagged(t, 4, 0), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_pair(t, 5, 0, 0x88a8, 10, 0x8100, 20), CIX_TABLES_OK);
	CHECK_EQ(fx_pair(t, 6, 0, 0x88a8, 10, 0x8100, 20), CIX_TABLES_EOVERLAP);
	/* Not overlaps: another TPID, another depth, another port. */
	CHECK_EQ(fx_outer(t, 7, 0, 0x88a8, 10), CIX_TABLES_OK);
	CHECK_EQ(fx_pair(t, 8, 0, 0x8100, 10, 0x8100, 20), CIX_TABLES_OK);
	CHECK_EQ(fx_outer(t, 9, 1, 0x8100, 10), CIX_TABLES_OK);
	/* Whole port with another attachment on the port, either way round. */
	CHECK_EQ(fx_whole(t, 10, 0), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_whole(t, 10, 2), CIX_TABLES_OK);
	CHECK_EQ(fx_untagged(t, 11, 2), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_outer(t, 11, 2, 0x8100, 10), CIX_TABLES_EOVERLAP);
	CHECK_EQ(fx_whole(t, 11, 2), CIX_TABLES_EOVERLAP);
	CHECK_EQ(t->ports[2].whole_port, 10);
	/* The refused ids are free. */
	CHECK_EQ(fx_whole(t, 11, 3), CIX_TABLES_OK);
	CHECK_EQ(fx_outer(t, 2, 1, 0x9100, 10), CIX_TABLES_OK);
	cix_tables_free(t);
}

static void tables_peer_and_sealed(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 10), 0);
	CHECK_EQ(fx_untagged(t, 2, 1), 0);
	CHECK_EQ(t->att[1].peer, CIX_NONE);
	CHECK_EQ(cix_tables_set_peer(t, 1, 3), CIX_TABLES_EATTACHMENT); /* 3 not present */
	CHECK_EQ(cix_tables_set_peer(t, 3, 1), CIX_TABLES_EATTACHMENT);
	CHECK_EQ(cix_tables_set_peer(t, 1, 16), CIX_TABLES_EATTACHMENT);
	CHECK_EQ(cix_tables_set_peer(t, CIX_NONE, 1), CIX_TABLES_EATTACHMENT);
	CHECK_EQ(cix_tables_set_peer(t, 1, 2), CIX_TABLES_OK);
	CHECK_EQ(t->att[1].peer, 2);
	CHECK_EQ(t->att[2].peer, CIX_NONE); /* one way */

	CHECK_EQ(cix_tables_seal(t), CIX_TABLES_OK);
	CHECK_EQ(t->sealed, 1);
	CHECK_EQ(cix_tables_set_port(t, 5, 1500), CIX_TABLES_ESEALED);
	CHECK_EQ(fx_outer(t, 3, 0, 0x8100, 11), CIX_TABLES_ESEALED);
	CHECK_EQ(cix_tables_set_peer(t, 2, 1), CIX_TABLES_ESEALED);
	CHECK_EQ(cix_tables_seal(t), CIX_TABLES_ESEALED);
	CHECK_EQ(t->att[2].peer, CIX_NONE);
	CHECK_EQ(t->att[3].present, 0);
	cix_tables_free(t);
}

static void tables_strerror(void)
{
	static const int codes[] = {CIX_TABLES_OK, CIX_TABLES_ENOMEM, CIX_TABLES_EPORT, CIX_TABLES_EATTACHMENT,
				    CIX_TABLES_ESPEC, CIX_TABLES_EOVERLAP, CIX_TABLES_ESEALED};
	for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *s = cix_tables_strerror(codes[i]);
		REQUIRE(s);
		CHECK(strcmp(s, "unknown error") != 0);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(s, cix_tables_strerror(codes[j])) != 0);
	}
	CHECK_STR(cix_tables_strerror(-100), "unknown error");
	CHECK_STR(cix_tables_strerror(1), "unknown error");
}

static void tables_egress_stacks(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(fx_outer(t, 1, 0, 0x8100, 100), 0);
	CHECK_EQ(fx_add(t, 2, 0, CIX_MATCH_OUTER, fx_spec(0x88a8, 200, 5, 0), fx_keep(0, 0)), 0);
	CHECK_EQ(fx_add(t, 3, 0, CIX_MATCH_OUTER, fx_spec(0x9100, 4094, 5, CIX_KEEP), fx_keep(0, 0)), 0);
	CHECK_EQ(fx_add(t, 4, 0, CIX_MATCH_OUTER, fx_spec(0x9200, 1, CIX_KEEP, 1), fx_keep(0, 0)), 0);
	CHECK_EQ(fx_add(t, 5, 0, CIX_MATCH_OUTER_INNER, fx_spec(0x88a8, 300, 7, 1), fx_keep(0x8100, 400)), 0);
	CHECK_EQ(fx_untagged(t, 6, 0), 0);
	CHECK_EQ(fx_whole(t, 7, 1), 0);

	const struct cix_att_entry *a = t->att;
	CHECK_EQ(a[1].stack.n, 1);
	CHECK_EQ(a[1].stack.word[0], 0x81000064u);
	CHECK_EQ(a[1].stack.keep[0], 0xf000);
	CHECK_EQ(a[2].stack.word[0], 0x88a8a0c8u);
	CHECK_EQ(a[2].stack.keep[0], 0);
	CHECK_EQ(a[3].stack.word[0], 0x9100affeu); /* pcp 5, dei kept (0), vid 4094 */
	CHECK_EQ(a[3].stack.keep[0], 0x1000);
	CHECK_EQ(a[4].stack.word[0], 0x92001001u);
	CHECK_EQ(a[4].stack.keep[0], 0xe000);
	CHECK_EQ(a[5].stack.n, 2);
	CHECK_EQ(a[5].stack.word[0], 0x88a8f12cu);
	CHECK_EQ(a[5].stack.keep[0], 0);
	CHECK_EQ(a[5].stack.word[1], 0x81000190u);
	CHECK_EQ(a[5].stack.keep[1], 0xf000);
	CHECK_EQ(a[6].stack.n, 0);
	CHECK_EQ(a[7].stack.n, 0);
	/* Template bits under the keep mask are zero: the customer's bits are or-ed in. */
	for (unsigned i = 1; i <= 7; i++)
		for (unsigned k = 0; k < a[i].stack.n; k++)
			CHECK_EQ(a[i].stack.word[k] & a[i].stack.keep[k], 0);
	/* The entries themselves. */
	static const uint8_t depth[8] = {0, 1, 1, 1, 1, 2, 0, 0};
	for (unsigned i = 1; i <= 7; i++) {
		CHECK_EQ(a[i].present, 1);
		CHECK_EQ(a[i].depth, depth[i]);
		CHECK_EQ(a[i].port, i == 7 ? 1 : 0);
		CHECK_EQ(a[i].peer, CIX_NONE);
	}
	CHECK_EQ(a[0].present, 0);
	CHECK_EQ(t->ports[1].whole_port, 7);
	CHECK_EQ(t->ports[0].whole_port, CIX_NONE);
	cix_tables_free(t);
}

static void tables_match_keys(void)
{
	struct cix_tables *t = fresh();
	REQUIRE(t);
	CHECK_EQ(fx_untagged(t, 1, 0), 0);
	CHECK_EQ(fx_outer(t, 2, 0, 0x9100, 100), 0);
	CHECK_EQ(fx_pair(t, 3, 1, 0x88a8, 100, 0x9200, 200), 0);
	CHECK_EQ(fx_outer(t, 4, 0, 0x88a8, 100), 0);
	CHECK_EQ(cix_match_find(&t->match, cix_match_key(0, 0, 0, 0, 0, 0)), 1);
	CHECK_EQ(cix_match_find(&t->match, cix_match_key(0, 1, CIX_TPID_9100, 100, 0, 0)), 2);
	CHECK_EQ(cix_match_find(&t->match, cix_match_key(1, 2, CIX_TPID_88A8, 100, CIX_TPID_9200, 200)), 3);
	CHECK_EQ(cix_match_find(&t->match, cix_match_key(0, 1, CIX_TPID_88A8, 100, 0, 0)), 4);
	CHECK_EQ(cix_match_find(&t->match, cix_match_key(0, 1, CIX_TPID_8100, 100, 0, 0)), CIX_NONE);
	/* by_vid forgets TPIDs: one entry for 9100/100 and 88a8/100. */
	CHECK(cix_match_find(&t->by_vid, cix_match_key(0, 1, 0, 100, 0, 0)) != CIX_NONE);
	CHECK(cix_match_find(&t->by_vid, cix_match_key(1, 2, 0, 100, 0, 200)) != CIX_NONE);
	CHECK_EQ(cix_match_find(&t->by_vid, cix_match_key(1, 1, 0, 100, 0, 0)), CIX_NONE);
	CHECK_EQ(t->by_vid.used, 3);
	/* Key fields do not bleed into each other at their limits. */
	CHECK_EQ(cix_match_key(63, 3, 3, 0xfff, 3, 0xfff), 0xfffffffffull);
	CHECK_EQ(cix_match_key(0, 0, 0, 0x1fff, 0, 0), cix_match_key(0, 0, 0, 0xfff, 0, 0));
	CHECK_EQ(cix_match_key(0, 0, 0, 0, 0, 0x1fff), 0xfff);
	CHECK_EQ(cix_match_key(1, 0, 0, 0, 0, 0), 1ull << 30);
	cix_tables_free(t);
}

static void tables_capacity(void)
{
	/* `expected` attachments always fit, of every kind. */
	const uint32_t n = 1000;
	struct cix_tables *t = cix_tables_new(n + 10, n);
	REQUIRE(t);
	for (uint16_t p = 0; p < CIX_MAX_PORTS; p++)
		REQUIRE(cix_tables_set_port(t, p, 1500) == 0);
	int rc = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint16_t port = (uint16_t)(i % 60);
		uint16_t vid = (uint16_t)(1 + i / 60);
		if (i % 3 == 0)
			rc |= fx_outer(t, (uint16_t)i, port, 0x8100, vid);
		else
			rc |= fx_pair(t, (uint16_t)i, port, 0x88a8, vid, 0x8100, (uint16_t)(i % 4094 + 1));
	}
	CHECK_EQ(rc, 0);
	for (uint16_t p = 60; p < CIX_MAX_PORTS; p++)
		CHECK_EQ(fx_whole(t, (uint16_t)(n + p - 60), p), 0);
	cix_tables_free(t);
}

int main(void)
{
	RUN(tables_new_refuses);
	RUN(tables_port_errors);
	RUN(tables_attachment_id_errors);
	RUN(tables_spec_errors);
	RUN(tables_overlap);
	RUN(tables_peer_and_sealed);
	RUN(tables_strerror);
	RUN(tables_egress_stacks);
	RUN(tables_match_keys);
	RUN(tables_capacity);
	return cix_test_finish("tables");
}
