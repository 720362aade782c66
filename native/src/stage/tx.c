/*
 * tx: last stage. Checks the egress MTU, groups the burst by transmit port
 * (order within a port is kept) and hands each group to its driver in one
 * call. A driver takes a prefix of what it is given; the rest is still ours
 * and is counted as tx_full (or port_down when the port has no driver).
 *
 * Speed: one pass checks the MTU, counts and compacts (storing only behind
 * a drop), and notices a second port without a bitmap. Packets are counted
 * before the hand-off and uncounted if the driver leaves them, as before;
 * only the order of the adds changed. The attachments' counters are added
 * per packet, a port's once per run of packets for that port (normally once
 * per burst): per packet, adds to one counter line form a chain of
 * read-modify-writes, each waiting for the last. A burst for several ports
 * is split with one counting pass and one scatter, not one pass per port.
 */
#include "stages.h"

#include "../io/io.h"
#include "../wire/ethernet.h"

static void uncount_tx(struct cix_ctx *ctx, const struct cix_pkt *p)
{
	uint64_t *pc = cix_cnt_port(&ctx->cnt, p->out_port);
	uint64_t *ac = cix_cnt_att(&ctx->cnt, p->egress);
	pc[CIX_CNT_TX_PACKETS]--;
	pc[CIX_CNT_TX_BYTES] -= p->len;
	ac[CIX_CNT_TX_PACKETS]--;
	ac[CIX_CNT_TX_BYTES] -= p->len;
}

/*
 * Hand a counted group to its port's driver; what it leaves is dropped: a
 * packet it refused with a reason (p->drop) under that reason, and the
 * others offered again; the rest, once it takes no more, as tx_full.
 */
static void send_group(struct cix_ctx *ctx, unsigned port, struct cix_pkt **g, uint32_t k)
{
	struct cix_io_port *io = ctx->tx[port];
	uint32_t sent = 0;
	while (io && sent < k) {
		sent += cix_io_tx(io, g + sent, k - sent);
		if (sent == k || !g[sent]->drop)
			break;
		uncount_tx(ctx, g[sent]);
		cix_drop_now(ctx, g[sent], g[sent]->drop);
		sent++;
	}
	for (uint32_t i = sent; i < k; i++) {
		uncount_tx(ctx, g[i]);
		cix_drop_now(ctx, g[i], io ? CIX_DROP_TX_FULL : CIX_DROP_PORT_DOWN);
	}
}

/* A burst for several ports: a stable counting sort by port, groups sent in port order. */
static void send_by_port(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n, uint64_t ports)
{
	struct cix_pkt *group[CIX_MAX_BURST];
	uint32_t at[CIX_MAX_PORTS];
	for (uint64_t m = ports; m; m &= m - 1)
		at[__builtin_ctzll(m)] = 0;
	for (uint32_t i = 0; i < n; i++)
		at[pkts[i]->out_port]++;
	uint32_t sum = 0;
	for (uint64_t m = ports; m; m &= m - 1) {
		unsigned port = (unsigned)__builtin_ctzll(m);
		uint32_t c = at[port];
		at[port] = sum;
		sum += c;
	}
	for (uint32_t i = 0; i < n; i++)
		group[at[pkts[i]->out_port]++] = pkts[i];
	uint32_t start = 0;
	for (uint64_t m = ports; m; m &= m - 1) {
		unsigned port = (unsigned)__builtin_ctzll(m);
		send_group(ctx, port, group + start, at[port] - start);
		start = at[port];
	}
}

void cix_stage_tx(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	_Static_assert(CIX_MAX_PORTS <= 64, "port bitmap is one word");
	if (n == 0)
		return;
	/* Locals, not loads through ctx per packet (byte stores may alias them). */
	const struct cix_tables *const t = ctx->t;
	const struct cix_att_entry *const att = t->att;
	uint64_t *const att_cnt = cix_cnt_att(&ctx->cnt, 0);
	uint32_t k = 0;
	/* The current run of packets for one port: its first index in the
	 * compacted burst and its bytes. A second run means a second port. */
	unsigned run_port = pkts[0]->out_port;
	uint32_t run_start = 0;
	uint64_t run_bytes = 0;
	int several = 0;

	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		unsigned out = p->out_port;
		uint32_t len = p->len;
		uint32_t tags = att[p->egress].stack.n;
		if (len - CIX_ETH_HDR_LEN - CIX_VLAN_TAG_LEN * tags > t->ports[out].mtu) {
			cix_drop_now(ctx, p, CIX_DROP_MTU_TX);
			continue;
		}
		/* Counted before the hand-off: once sent, the driver owns the packets. */
		uint64_t *ac = att_cnt + (size_t)p->egress * CIX_CNT__SLOTS;
		ac[CIX_CNT_TX_PACKETS]++;
		ac[CIX_CNT_TX_BYTES] += len;
		if (__builtin_expect(out != run_port, 0)) {
			uint64_t *pc = cix_cnt_port(&ctx->cnt, run_port);
			pc[CIX_CNT_TX_PACKETS] += k - run_start;
			pc[CIX_CNT_TX_BYTES] += run_bytes;
			run_port = out;
			run_start = k;
			run_bytes = 0;
			several = 1;
		}
		run_bytes += len;
		/* Compact only behind a drop: a store per packet costs. */
		if (__builtin_expect(k != i, 0))
			pkts[k] = p;
		k++;
	}
	if (k == 0)
		return;
	uint64_t *pc = cix_cnt_port(&ctx->cnt, run_port);
	pc[CIX_CNT_TX_PACKETS] += k - run_start;
	pc[CIX_CNT_TX_BYTES] += run_bytes;

	/* Common case: the whole burst leaves by one port. */
	if (!several) {
		send_group(ctx, run_port, pkts, k);
		return;
	}
	uint64_t ports = 0;
	for (uint32_t i = 0; i < k; i++)
		ports |= 1ull << pkts[i]->out_port;
	send_by_port(ctx, pkts, k, ports);
}
