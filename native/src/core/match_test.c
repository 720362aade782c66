/* match: exact-match table of 48-bit keys. */
#include <errno.h>
#include <stdint.h>

#include "core/match.h"
#include "core/tables.h"
#include "test.h"

static void match_miss_on_empty(void)
{
	struct cix_match m;
	REQUIRE(cix_match_init(&m, 0) == 0);
	CHECK_EQ(m.mask + 1, 16);
	CHECK_EQ(m.used, 0);
	CHECK_EQ(cix_match_find(&m, 0), 0xffff);
	CHECK_EQ(cix_match_find(&m, 1), 0xffff);
	CHECK_EQ(cix_match_find(&m, 0xffffffffffffull), 0xffff);
	CHECK_EQ(cix_match_find(&m, cix_match_key(3, 2, 1, 100, 0, 200)), 0xffff);
	cix_match_fini(&m);
	CHECK(m.slots == 0);
}

static void match_add_find(void)
{
	struct cix_match m;
	REQUIRE(cix_match_init(&m, 4) == 0);
	/* Key 0 is a real key: the untagged attachment of port 0. */
	uint64_t k0 = cix_match_key(0, 0, 0, 0, 0, 0);
	CHECK_EQ(k0, 0);
	CHECK_EQ(cix_match_add(&m, k0, 7), 0);
	CHECK_EQ(cix_match_add(&m, cix_match_key(0, 1, 1, 100, 0, 0), 8), 0);
	CHECK_EQ(cix_match_add(&m, cix_match_key(0, 2, 1, 100, 0, 200), 9), 0);
	CHECK_EQ(cix_match_add(&m, cix_match_key(63, 2, 3, 4094, 3, 4094), 0), 0);
	CHECK_EQ(cix_match_find(&m, k0), 7);
	CHECK_EQ(cix_match_find(&m, cix_match_key(0, 1, 1, 100, 0, 0)), 8);
	CHECK_EQ(cix_match_find(&m, cix_match_key(0, 2, 1, 100, 0, 200)), 9);
	CHECK_EQ(cix_match_find(&m, cix_match_key(63, 2, 3, 4094, 3, 4094)), 0);
	/* Neighbours of present keys miss. */
	CHECK_EQ(cix_match_find(&m, cix_match_key(0, 1, 0, 100, 0, 0)), 0xffff);
	CHECK_EQ(cix_match_find(&m, cix_match_key(0, 1, 1, 101, 0, 0)), 0xffff);
	CHECK_EQ(cix_match_find(&m, cix_match_key(1, 0, 0, 0, 0, 0)), 0xffff);
	CHECK_EQ(cix_match_find(&m, cix_match_key(0, 2, 1, 100, 0, 201)), 0xffff);
	CHECK_EQ(m.used, 4);
	cix_match_fini(&m);
}

static void match_eexist_keeps_value(void)
{
	struct cix_match m;
	REQUIRE(cix_match_init(&m, 4) == 0);
	uint64_t k = cix_match_key(5, 1, 0, 42, 0, 0);
	CHECK_EQ(cix_match_add(&m, k, 1), 0);
	CHECK_EQ(cix_match_add(&m, k, 2), -EEXIST);
	CHECK_EQ(cix_match_find(&m, k), 1);
	CHECK_EQ(m.used, 1);
	cix_match_fini(&m);
}

static void match_enospc_at_half_full(void)
{
	for (uint32_t entries = 1; entries <= 300; entries += 37) {
		struct cix_match m;
		REQUIRE(cix_match_init(&m, entries) == 0);
		uint32_t size = m.mask + 1;
		CHECK_EQ(size & (size - 1), 0);
		CHECK(size >= 2 * entries);
		CHECK_EQ(m.shift, 64 - (uint32_t)__builtin_ctz(size));
		uint32_t i;
		for (i = 0; i < size / 2; i++)
			if (cix_match_add(&m, (uint64_t)i * 1000003u, (uint16_t)i) != 0)
				break;
		CHECK_EQ(i, size / 2); /* at least `entries` fit: half the table */
		CHECK_EQ(cix_match_add(&m, 0xabcdefull, 1), -ENOSPC);
		CHECK_EQ(m.used, size / 2);
		for (i = 0; i < size / 2; i++)
			CHECK_EQ(cix_match_find(&m, (uint64_t)i * 1000003u), i);
		/* At half full, a miss still ends (there is an empty slot to stop at). */
		CHECK_EQ(cix_match_find(&m, 0xabcdefull), 0xffff);
		cix_match_fini(&m);
	}
}

static void match_many_keys(void)
{
	const uint32_t n = 16384; /* CIX_MAX_ATTACHMENTS */
	struct cix_match m;
	REQUIRE(cix_match_init(&m, n) == 0);
	uint32_t x = 1;
	for (uint32_t i = 0; i < n; i++) {
		/* Real keys: port, depth, TPIDs and VIDs all over the place. */
		x = x * 1103515245u + 12345u;
		uint64_t k = cix_match_key(i % 64, 1 + (i & 1), (i >> 1) & 3, (i >> 3) % 4094 + 1, x & 3,
					   i >> 6 & 0xfff);
		int rc = cix_match_add(&m, k, (uint16_t)i);
		if (rc == -EEXIST)
			continue; /* the generator repeats itself now and then */
		CHECK_EQ(rc, 0);
		CHECK_EQ(cix_match_find(&m, k), i);
	}
	CHECK(m.used > n / 2);
	/* Sequential raw keys, the worst case for a weak hash. */
	struct cix_match s;
	REQUIRE(cix_match_init(&s, n) == 0);
	for (uint32_t i = 0; i < n; i++)
		CHECK_EQ(cix_match_add(&s, i, (uint16_t)i), 0);
	int ok = 1;
	for (uint32_t i = 0; i < n; i++)
		ok &= cix_match_find(&s, i) == i;
	CHECK(ok);
	for (uint32_t i = n; i < 4 * n; i++)
		ok &= cix_match_find(&s, i) == 0xffff;
	CHECK(ok);
	cix_match_fini(&s);
	cix_match_fini(&m);
}

static void match_probe_wraps_around(void)
{
	struct cix_match m;
	REQUIRE(cix_match_init(&m, 8) == 0);
	/* Keys that all hash to the last slot: the probe must wrap to slot 0 and on. */
	uint64_t keys[4];
	unsigned found = 0;
	for (uint64_t k = 1; found < 4 && k < 1000000; k++)
		if (cix_match_hash(&m, k) == m.mask)
			keys[found++] = k;
	REQUIRE(found == 4);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(cix_match_add(&m, keys[i], (uint16_t)(100 + i)), 0);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(cix_match_find(&m, keys[i]), 100 + i);
	CHECK(m.slots[0].key == keys[1]);
	/* A missing key hashing there walks the same chain and misses. */
	uint64_t k;
	for (k = keys[3] + 1; cix_match_hash(&m, k) != m.mask; k++)
		;
	CHECK_EQ(cix_match_find(&m, k), 0xffff);
	CHECK_EQ(cix_match_add(&m, keys[2], 1), -EEXIST);
	cix_match_fini(&m);
}

int main(void)
{
	RUN(match_miss_on_empty);
	RUN(match_add_find);
	RUN(match_eexist_keeps_value);
	RUN(match_enospc_at_half_full);
	RUN(match_many_keys);
	RUN(match_probe_wraps_around);
	return cix_test_finish("match");
}
