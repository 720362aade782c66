/* counters: slot names, the block layout the control side reads in place, drop names. */
#include <stdint.h>

#include "core/counters.h"
#include "core/ctx.h"
#include "host/dataplane_impl.h"
#include "test.h"

static void counters_slot_names(void)
{
	CHECK_STR(cix_counter_slot_name(CIX_CNT_RX_PACKETS), "rx_packets");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_RX_BYTES), "rx_bytes");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_TX_PACKETS), "tx_packets");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_TX_BYTES), "tx_bytes");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_NONE), "drop_none");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_TRUNCATED), "drop_truncated");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_NO_ATTACHMENT), "drop_no_attachment");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_TPID_MISMATCH), "drop_tpid_mismatch");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_MTU_RX), "drop_mtu_rx");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_TX_FULL), "drop_tx_full");
	CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + CIX_DROP_PORT_DOWN), "drop_port_down");
	/* Every drop slot is "drop_" + the reason's exported name. */
	for (unsigned r = 0; r < CIX_DROP__COUNT; r++) {
		char want[64];
		snprintf(want, sizeof(want), "drop_%s", cix_drop_name(r));
		CHECK_STR(cix_counter_slot_name(CIX_CNT_DROP_BASE + r), want);
	}
	/* Padding slots and anything past them have no name. */
	for (unsigned s = CIX_CNT__USED; s < CIX_CNT__SLOTS + 8; s++)
		CHECK(cix_counter_slot_name(s) == 0);
	CHECK(cix_counter_slot_name(~0u) == 0);
	/* Names are unique and Prometheus-safe. */
	for (unsigned a = 0; a < CIX_CNT__USED; a++) {
		const char *x = cix_counter_slot_name(a);
		REQUIRE(x);
		for (const char *c = x; *c; c++)
			CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
		for (unsigned b = a + 1; b < CIX_CNT__USED; b++)
			CHECK(strcmp(x, cix_counter_slot_name(b)) != 0);
	}
}

static void counters_drop_names(void)
{
	/* The exported names are an interface: pin each one. */
	static const char *const names[] = {
		"none", "truncated", "too_many_tags", "tpid_mismatch", "no_attachment", "no_service",
		"mtu_rx", "mtu_tx", "no_headroom", "tx_full", "port_down", "rx_no_buffer", "rx_ring_full",
		"rx_invalid",
	};
	CHECK_EQ(CIX_DROP__COUNT, sizeof(names) / sizeof(names[0]));
	for (unsigned r = 0; r < CIX_DROP__COUNT && r < sizeof(names) / sizeof(names[0]); r++) {
		CHECK_STR(cix_drop_name(r), names[r]);
		CHECK(cix_drop_help(r) && strlen(cix_drop_help(r)) > 5);
	}
	CHECK(cix_drop_name(CIX_DROP__COUNT) == 0);
	CHECK(cix_drop_help(CIX_DROP__COUNT) == 0);
	CHECK(cix_drop_name(1000) == 0);
	/* The descriptor keeps a reason in a uint8_t. */
	CHECK(CIX_DROP__COUNT <= 256);
}

static void counters_slots_fill_cache_lines(void)
{
	CHECK_EQ(CIX_CNT__SLOTS % 8, 0);
	CHECK(CIX_CNT__SLOTS >= CIX_CNT__USED);
	CHECK(CIX_CNT__SLOTS < CIX_CNT__USED + 8);
	CHECK_EQ(CIX_CNT__USED, CIX_CNT_DROP_BASE + CIX_DROP__COUNT);
	CHECK_EQ(CIX_CNT_RX_PACKETS, 0);
	CHECK_EQ(CIX_CNT_DROP_BASE, 4);
}

static void counters_layout(void)
{
	const uint32_t workers = 3, atts = 10, objects = CIX_MAX_PORTS + atts;
	size_t size = cix_dataplane_counters_size(workers, atts);
	CHECK_EQ(size, (size_t)workers * objects * CIX_CNT__SLOTS * sizeof(uint64_t));
	uint64_t *mem;
	REQUIRE(posix_memalign((void **)&mem, 64, size) == 0);
	memset(mem, 0, size);
	struct cix_dataplane *dp = cix_dataplane_new(workers, atts, mem);
	REQUIRE(dp);
	CHECK_EQ(cix_dataplane_workers(dp), workers);
	CHECK_EQ(cix_dataplane_objects(dp), objects);
	CHECK_EQ(cix_dataplane_max_attachments(dp), atts);

	/* worker w, object o, slot s -> base[(w * objects + o) * SLOTS + s]; ports first. */
	for (uint32_t w = 0; w < workers; w++) {
		struct cix_ctx ctx;
		cix_dataplane_worker_ctx(dp, w, &ctx);
		CHECK_EQ(ctx.worker, w);
		CHECK(ctx.cnt.base == mem + (size_t)w * objects * CIX_CNT__SLOTS);
		CHECK_EQ(ctx.cnt.port_base, 0);
		CHECK_EQ(ctx.cnt.att_base, CIX_MAX_PORTS);
		for (unsigned port = 0; port < CIX_MAX_PORTS; port++) {
			uint64_t *c = cix_cnt_port(&ctx.cnt, port);
			CHECK(c == mem + ((size_t)w * objects + port) * CIX_CNT__SLOTS);
			CHECK_EQ((uintptr_t)c % 64, 0);
		}
		for (unsigned a = 0; a < atts; a++) {
			uint64_t *c = cix_cnt_att(&ctx.cnt, a);
			CHECK(c == mem + ((size_t)w * objects + CIX_MAX_PORTS + a) * CIX_CNT__SLOTS);
			CHECK_EQ((uintptr_t)c % 64, 0);
		}
		/* Write a distinct value into every slot this worker owns. */
		for (unsigned o = 0; o < objects; o++)
			for (unsigned s = 0; s < CIX_CNT__SLOTS; s++)
				ctx.cnt.base[(size_t)o * CIX_CNT__SLOTS + s] = (uint64_t)w << 32 | o << 8 | s;
	}
	/* The last attachment of the last worker ends exactly at the end of the block ... */
	struct cix_ctx last;
	cix_dataplane_worker_ctx(dp, workers - 1, &last);
	CHECK(cix_cnt_att(&last.cnt, atts - 1) + CIX_CNT__SLOTS == mem + size / sizeof(uint64_t));
	/* ... and every worker wrote only its own block. */
	int ok = 1;
	for (uint32_t w = 0; w < workers; w++)
		for (unsigned o = 0; o < objects; o++)
			for (unsigned s = 0; s < CIX_CNT__SLOTS; s++)
				ok &= mem[((size_t)w * objects + o) * CIX_CNT__SLOTS + s] ==
				      ((uint64_t)w << 32 | o << 8 | s);
	CHECK(ok);
	cix_dataplane_free(dp);
	free(mem);
}

static void counters_count_drop(void)
{
	const uint32_t atts = 4;
	size_t size = cix_dataplane_counters_size(1, atts);
	uint64_t *mem;
	REQUIRE(posix_memalign((void **)&mem, 64, size) == 0);
	memset(mem, 0, size);
	struct cix_dataplane *dp = cix_dataplane_new(1, atts, mem);
	REQUIRE(dp);
	struct cix_ctx ctx;
	cix_dataplane_worker_ctx(dp, 0, &ctx);
	struct cix_pkt p;
	memset(&p, 0, sizeof(p));
	p.in_port = 7;
	p.attachment = CIX_NONE;
	cix_count_drop(&ctx, &p, CIX_DROP_NO_ATTACHMENT);
	p.attachment = 2;
	cix_count_drop(&ctx, &p, CIX_DROP_MTU_RX);
	CHECK_EQ(cix_cnt_port(&ctx.cnt, 7)[CIX_CNT_DROP_BASE + CIX_DROP_NO_ATTACHMENT], 1);
	CHECK_EQ(cix_cnt_port(&ctx.cnt, 7)[CIX_CNT_DROP_BASE + CIX_DROP_MTU_RX], 1);
	CHECK_EQ(cix_cnt_att(&ctx.cnt, 2)[CIX_CNT_DROP_BASE + CIX_DROP_MTU_RX], 1);
	/* Nothing else moved. */
	uint64_t sum = 0;
	for (size_t i = 0; i < size / sizeof(uint64_t); i++)
		sum += mem[i];
	CHECK_EQ(sum, 3);
	cix_dataplane_free(dp);
	free(mem);
}

static void counters_dataplane_new_refuses(void)
{
	uint64_t *mem;
	REQUIRE(posix_memalign((void **)&mem, 64, cix_dataplane_counters_size(2, 8) + 64) == 0);
	CHECK(cix_dataplane_new(1, 8, 0) == 0);
	CHECK(cix_dataplane_new(1, 8, mem + 1) == 0); /* not 64-byte aligned */
	CHECK(cix_dataplane_new(0, 8, mem) == 0);
	CHECK(cix_dataplane_new(CIX_MAX_WORKERS + 1, 8, mem) == 0);
	CHECK(cix_dataplane_new(1, 0, mem) == 0);
	CHECK(cix_dataplane_new(1, CIX_MAX_ATTACHMENTS + 1, mem) == 0);
	struct cix_dataplane *dp = cix_dataplane_new(2, 8, mem + 8);
	CHECK(dp != 0);
	cix_dataplane_free(dp);
	cix_dataplane_free(0);
	free(mem);
}

int main(void)
{
	RUN(counters_slot_names);
	RUN(counters_drop_names);
	RUN(counters_slots_fill_cache_lines);
	RUN(counters_layout);
	RUN(counters_count_drop);
	RUN(counters_dataplane_new_refuses);
	return cix_test_finish("counters");
}
