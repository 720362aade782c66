/*
 * tx: last stage. Checks the egress MTU, groups the burst by transmit port
 * (order within a port is kept) and hands each group to its driver in one
 * call. A driver takes a prefix of what it is given; the rest is still ours
 * and is counted as tx_full (or port_down when the port has no driver).
 */
#include "stages.h"

#include "../io/io.h"
#include "../wire/ethernet.h"

static void count_tx(struct cix_ctx *ctx, const struct cix_pkt *p, int64_t sign)
{
	uint64_t *pc = cix_cnt_port(&ctx->cnt, p->out_port);
	uint64_t *ac = cix_cnt_att(&ctx->cnt, p->egress);
	pc[CIX_CNT_TX_PACKETS] += (uint64_t)sign;
	pc[CIX_CNT_TX_BYTES] += (uint64_t)(sign * p->len);
	ac[CIX_CNT_TX_PACKETS] += (uint64_t)sign;
	ac[CIX_CNT_TX_BYTES] += (uint64_t)(sign * p->len);
}

static void send_group(struct cix_ctx *ctx, unsigned port, struct cix_pkt **g, uint32_t k)
{
	struct cix_io_port *io = ctx->tx[port];
	/* Counted before the hand-off: once sent, the driver owns the packets. */
	for (uint32_t i = 0; i < k; i++)
		count_tx(ctx, g[i], 1);
	uint32_t sent = io ? cix_io_tx(io, g, k) : 0;
	for (uint32_t i = sent; i < k; i++) {
		count_tx(ctx, g[i], -1);
		cix_drop_now(ctx, g[i], io ? CIX_DROP_TX_FULL : CIX_DROP_PORT_DOWN);
	}
}

void cix_stage_tx(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	_Static_assert(CIX_MAX_PORTS <= 64, "port bitmap is one word");
	const struct cix_tables *t = ctx->t;
	struct cix_pkt *group[CIX_MAX_BURST];
	uint64_t ports = 0;
	uint32_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		uint32_t tags = t->att[p->egress].stack.n;
		if (p->len - CIX_ETH_HDR_LEN - CIX_VLAN_TAG_LEN * tags > t->ports[p->out_port].mtu) {
			cix_drop_now(ctx, p, CIX_DROP_MTU_TX);
			continue;
		}
		ports |= 1ull << p->out_port;
		pkts[k++] = p;
	}
	n = k;

	/* Common case: the whole burst leaves by one port. */
	if ((ports & (ports - 1)) == 0) {
		if (n)
			send_group(ctx, (unsigned)__builtin_ctzll(ports), pkts, n);
		return;
	}
	while (ports) {
		unsigned port = (unsigned)__builtin_ctzll(ports);
		ports &= ports - 1;
		k = 0;
		for (uint32_t i = 0; i < n; i++)
			if (pkts[i]->out_port == port)
				group[k++] = pkts[i];
		send_group(ctx, port, group, k);
	}
}
