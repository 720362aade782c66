#include "traffic.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/pkt.h"

/* Simple IMIX, in frame sizes with FCS: 64, 594, 1518 interleaved 7:4:1. */
static const uint32_t imix_size[3] = {64, 594, 1518};
static const uint8_t imix_seq[12] = {0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 0, 1};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t ipv4_checksum(const uint8_t *h)
{
	uint32_t s = 0;
	for (unsigned i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * One whole frame, FCS excluded: Ethernet, the flow's tags, IPv4, UDP, and a
 * payload whose byte at frame offset o is (uint8_t)o, so that every flow's
 * frame of a size has the same bytes past its head.
 */
static uint32_t build_frame(const struct traffic_tags *t, uint32_t flow, uint32_t len, uint8_t *out)
{
	for (uint32_t o = 0; o < len; o++)
		out[o] = (uint8_t)o;
	static const uint8_t dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x01, (uint8_t)flow};
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	uint32_t off = 12;
	for (unsigned k = 0; k < t->n; k++) {
		put16(out + off, t->tpid[k]);
		put16(out + off + 2, t->tci[k]);
		off += 4;
	}
	put16(out + off, 0x0800);
	off += 2;

	uint8_t *ip = out + off;
	uint16_t ip_len = (uint16_t)(len - off);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, ip_len);
	put16(ip + 4, (uint16_t)flow);
	ip[6] = 0x40; /* don't fragment */
	ip[8] = 64;
	ip[9] = 17;   /* UDP */
	ip[12] = 198, ip[13] = 18, ip[14] = (uint8_t)flow, ip[15] = 1; /* 198.18.0.0/15: RFC 2544 */
	ip[16] = 198, ip[17] = 19, ip[18] = 0, ip[19] = 1;
	put16(ip + 10, ipv4_checksum(ip));

	uint8_t *udp = ip + 20;
	put16(udp, (uint16_t)(1024 + flow));
	put16(udp + 2, 9); /* discard */
	put16(udp + 4, (uint16_t)(ip_len - 20));
	put16(udp + 6, 0); /* no checksum: allowed over IPv4 */
	return len;
}

int traffic_init(struct traffic *g, struct cix_pool *pool, enum traffic_mix mix, uint32_t n_flows,
		 const struct traffic_tags *flows)
{
	memset(g, 0, sizeof(*g));
	if (n_flows == 0 || n_flows > TRAFFIC_MAX_FLOWS || (n_flows & (n_flows - 1)))
		return -1;
	g->pool = pool;
	g->flow_mask = n_flows - 1;
	if (mix == TRAFFIC_MIX_IMIX) {
		g->n_classes = 3;
		g->n_steps = 12;
		memcpy(g->seq, imix_seq, sizeof(imix_seq));
	} else {
		g->n_classes = 1;
		g->n_steps = 1;
		g->seq[0] = 0;
	}
	for (uint32_t c = 0; c < g->n_classes; c++)
		g->len[c] = imix_size[c] - TRAFFIC_FCS_LEN;
	for (uint32_t f = 0; f < n_flows; f++)
		g->tags[f] = flows[f];

	size_t head_bytes = (size_t)n_flows * g->n_classes * TRAFFIC_HDR_LEN;
	g->head = aligned_alloc(64, head_bytes);
	if (!g->head)
		goto fail;
	memset(g->head, 0, head_bytes);
	uint8_t frame[TRAFFIC_MAX_FRAME];
	for (uint32_t c = 0; c < g->n_classes; c++) {
		/* Whole frame rounded up to whole cache lines, so copies may use full lines. */
		g->body[c] = aligned_alloc(64, (g->len[c] + 63u) & ~63u);
		if (!g->body[c])
			goto fail;
		build_frame(&flows[0], 0, g->len[c], g->body[c]);
		for (uint32_t f = 0; f < n_flows; f++) {
			uint32_t len = build_frame(&flows[f], f, g->len[c], frame);
			memcpy(g->head + ((size_t)f * g->n_classes + c) * TRAFFIC_HDR_LEN, frame,
			       len < TRAFFIC_HDR_LEN ? len : TRAFFIC_HDR_LEN);
		}
	}
	return 0;
fail:
	traffic_fini(g);
	return -1;
}

void traffic_fini(struct traffic *g)
{
	free(g->head);
	g->head = 0;
	for (uint32_t c = 0; c < TRAFFIC_MAX_CLASSES; c++) {
		free(g->body[c]);
		g->body[c] = 0;
	}
}

void traffic_rewind(struct traffic *g)
{
	g->flow = 0;
	g->step = 0;
}

uint32_t traffic_burst(struct traffic *g, struct cix_ring *wire, uint32_t n)
{
	struct cix_pkt *pkts[CIX_MAX_BURST];
	if (n > CIX_MAX_BURST)
		n = CIX_MAX_BURST;
	n = cix_pool_alloc_burst(g->pool, pkts, n);

	/* Everything the loop reads, in locals: the frame bytes it writes may
	 * alias any memory, so fields read through g would be reloaded per frame. */
	uint32_t flow = g->flow, step = g->step;
	const uint32_t mask = g->flow_mask, n_steps = g->n_steps, n_classes = g->n_classes;
	const uint8_t *const head = g->head;
	if (n_classes == 1) {
		/* One size: the head is the whole frame. It is copied whole (64
		 * bytes) even for a 60-byte frame: one cache line, and the buffer
		 * always has the room. */
		const uint32_t len = g->len[0];
		for (uint32_t i = 0; i < n; i++) {
			struct cix_pkt *p = pkts[i];
			memcpy(p->data, head + (size_t)flow * TRAFFIC_HDR_LEN, TRAFFIC_HDR_LEN);
			p->len = len;
			p->wire_len = len;
			flow = (flow + 1) & mask;
		}
	} else {
		const uint8_t *const seq = g->seq;
		for (uint32_t i = 0; i < n; i++) {
			struct cix_pkt *p = pkts[i];
			uint32_t c = seq[step];
			uint32_t len = g->len[c];
			memcpy(p->data, head + ((size_t)flow * n_classes + c) * TRAFFIC_HDR_LEN,
			       TRAFFIC_HDR_LEN);
			if (len > TRAFFIC_HDR_LEN)
				memcpy(p->data + TRAFFIC_HDR_LEN, g->body[c] + TRAFFIC_HDR_LEN,
				       len - TRAFFIC_HDR_LEN);
			p->len = len;
			p->wire_len = len;
			flow = (flow + 1) & mask;
			if (++step == n_steps)
				step = 0;
		}
	}
	g->flow = flow;
	g->step = step;

	uint32_t put = cix_ring_put(wire, pkts, n);
	if (put < n)
		cix_pool_free_burst(g->pool, pkts + put, n - put);
	return put;
}

uint32_t traffic_sink(struct cix_pool *pool, struct cix_ring *wire)
{
	struct cix_pkt *pkts[CIX_MAX_BURST];
	uint32_t total = 0, n;
	do {
		n = cix_ring_get(wire, pkts, CIX_MAX_BURST);
		cix_pool_free_burst(pool, pkts, n);
		total += n;
	} while (n == CIX_MAX_BURST);
	return total;
}

double traffic_avg_frame(const struct traffic *g)
{
	double s = 0;
	for (uint32_t i = 0; i < g->n_steps; i++)
		s += traffic_frame_size(g, i);
	return s / g->n_steps;
}

uint32_t traffic_frame(const struct traffic *g, uint32_t flow, uint32_t cls, uint8_t *out)
{
	return build_frame(&g->tags[flow & g->flow_mask], flow & g->flow_mask, g->len[cls], out);
}
