/*
 * Hand-built frames and a small dataplane fixture for the unit tests and the
 * fuzz target. Header-only: everything is static inline.
 *
 * Frames: fx_eth() writes dst MAC, src MAC, 0..3 tags, an EtherType and a
 * payload, as on the wire; fx_pkt*() put such a frame in a pool buffer as a
 * driver's rx would (in_port, len, wire_len, ts). A few frames a real
 * network sends (ARP request, IPv4/UDP, IPv6, LLDP, MACsec) come ready made.
 *
 * Fixture: one worker's world. A pool (posix_memalign), a counter block and a
 * dataplane (cix_dataplane_new), a context from cix_dataplane_worker_ctx, mem
 * ports as transmit drivers, and tables built with cix_tables_* and published
 * through the dataplane's epoch.
 */
#ifndef CIX_TEST_FRAMES_H
#define CIX_TEST_FRAMES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/epoch.h"
#include "core/tables.h"
#include "host/dataplane_impl.h"
#include "io/mem.h"
#include "pipeline.h"
#include "stage/stages.h"
#include "test.h"
#include "wire/ethernet.h"

/* ---------------------------------------------------------------- frames */

static const uint8_t fx_dst_mac[6] = {0x02, 0x00, 0x5e, 0x10, 0x00, 0x01};
static const uint8_t fx_src_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t fx_bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct fx_tag {
	uint16_t tpid;
	uint16_t tci;
};

static inline struct fx_tag fx_tag(uint16_t tpid, unsigned pcp, unsigned dei, unsigned vid)
{
	struct fx_tag t = {tpid, (uint16_t)((pcp & 7u) << 13 | (dei & 1u) << 12 | (vid & 0xfffu))};
	return t;
}

static inline void fx_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t fx_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t fx_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A payload that tells its bytes apart: byte i of pattern `seed`. */
static inline void fx_fill(uint8_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

/*
 * dst, src, tags (outer first), EtherType, payload (NULL: fx_fill pattern 0).
 * Returns the frame's length: 14 + 4 * ntags + plen.
 */
static inline uint32_t fx_eth(uint8_t *out, const uint8_t *dst, const uint8_t *src,
			      const struct fx_tag *tags, unsigned ntags, uint16_t ethertype,
			      const uint8_t *payload, uint32_t plen)
{
	uint32_t off = 0;
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	off = 12;
	for (unsigned i = 0; i < ntags; i++) {
		fx_put16(out + off, tags[i].tpid);
		fx_put16(out + off + 2, tags[i].tci);
		off += 4;
	}
	fx_put16(out + off, ethertype);
	off += 2;
	if (payload)
		memcpy(out + off, payload, plen);
	else
		fx_fill(out + off, plen, 0);
	return off + plen;
}

/* The one's-complement sum of RFC 1071. */
static inline uint16_t fx_csum(const uint8_t *p, uint32_t n, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ARP who-has 192.0.2.2 tell 192.0.2.1 (28 bytes), as the EtherType 0x0806 payload. */
static inline uint32_t fx_arp_request(uint8_t *out)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,       /* Ethernet/IPv4, request */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 192, 0, 2, 1,     /* sender MAC, IP */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 192, 0, 2, 2,     /* target MAC, IP */
	};
	memcpy(out, arp, sizeof(arp));
	return sizeof(arp);
}

/*
 * An IPv4/UDP datagram 192.0.2.1:49152 -> 198.51.100.7:4789 with `data`
 * bytes of payload, checksums filled in. Returns its length (28 + data).
 */
static inline uint32_t fx_ipv4_udp(uint8_t *out, uint32_t data)
{
	uint32_t total = 20 + 8 + data;
	uint8_t *ip = out, *udp = out + 20;
	memset(out, 0, 28);
	ip[0] = 0x45;
	fx_put16(ip + 2, (uint16_t)total);
	fx_put16(ip + 4, 0x1c46);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
	ip[16] = 198, ip[17] = 51, ip[18] = 100, ip[19] = 7;
	fx_put16(ip + 10, fx_csum(ip, 20, 0));
	fx_put16(udp, 49152);
	fx_put16(udp + 2, 4789);
	fx_put16(udp + 4, (uint16_t)(8 + data));
	fx_fill(udp + 8, data, 3);
	/* Pseudo-header: addresses, protocol, UDP length. */
	uint32_t sum = 0;
	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum += 17 + 8 + data;
	uint16_t c = fx_csum(udp, 8 + data, sum);
	fx_put16(udp + 6, c ? c : 0xffff);
	return total;
}

/* An IPv6 header (ICMPv6 echo request follows, 8 + data bytes). Returns its length. */
static inline uint32_t fx_ipv6_icmp(uint8_t *out, uint32_t data)
{
	static const uint8_t hdr[40] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 58, 64,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	};
	memcpy(out, hdr, 40);
	fx_put16(out + 4, (uint16_t)(8 + data));
	uint8_t *icmp = out + 40;
	icmp[0] = 128, icmp[1] = 0, icmp[2] = 0, icmp[3] = 0;
	fx_put16(icmp + 4, 0x1234), fx_put16(icmp + 6, 1);
	fx_fill(icmp + 8, data, 5);
	return 48 + data;
}

/* An LLDPDU (chassis id, port id, TTL, end), the 0x88cc payload to 01:80:c2:00:00:0e. */
static inline uint32_t fx_lldp(uint8_t *out)
{
	static const uint8_t lldp[] = {
		0x02, 0x07, 0x04, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* chassis id: MAC */
		0x04, 0x05, 0x05, 'e', 't', 'h', '0',                  /* port id: ifname */
		0x06, 0x02, 0x00, 0x78,                                /* TTL 120 s */
		0x00, 0x00,                                            /* end */
	};
	memcpy(out, lldp, sizeof(lldp));
	return sizeof(lldp);
}

/* A MACsec SecTAG (TCI/AN, SL, PN, SCI) and `data` bytes of ciphertext, the 0x88e5 payload. */
static inline uint32_t fx_macsec(uint8_t *out, uint32_t data)
{
	static const uint8_t sectag[14] = {
		0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,             /* TCI: SC E C, AN 0; SL 0; PN 1 */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x01, /* SCI */
	};
	memcpy(out, sectag, sizeof(sectag));
	fx_fill(out + sizeof(sectag), data, 9);
	return (uint32_t)sizeof(sectag) + data;
}

/* ---------------------------------------------------------------- fixture */

#define FX_BUF_SIZE 2048u
#define FX_HEADROOM 128u
#define FX_BUFS 256u
#define FX_MAX_ATT 64u

struct fx {
	struct cix_pool pool;
	void *pool_mem;
	uint64_t *counters;
	size_t counters_size;
	struct cix_dataplane *dp;
	struct cix_ctx ctx;
	struct cix_io_port *tx[CIX_MAX_PORTS];
	struct cix_mem_port *mem[CIX_MAX_PORTS];
	uint32_t max_attachments;
};

static inline void fx_fini(struct fx *f);

/* 0, or -1 (with everything released). */
static inline int fx_init_with(struct fx *f, uint32_t bufs, uint32_t buf_size, uint32_t headroom,
			       uint32_t max_attachments)
{
	memset(f, 0, sizeof(*f));
	f->max_attachments = max_attachments;
	if (posix_memalign(&f->pool_mem, 64, cix_pool_mem_size(bufs, buf_size)) ||
	    cix_pool_init(&f->pool, f->pool_mem, bufs, buf_size, headroom))
		goto fail;
	f->counters_size = cix_dataplane_counters_size(1, max_attachments);
	if (posix_memalign((void **)&f->counters, 64, f->counters_size))
		goto fail;
	memset(f->counters, 0, f->counters_size);
	f->dp = cix_dataplane_new(1, max_attachments, f->counters);
	if (!f->dp)
		goto fail;
	cix_dataplane_worker_ctx(f->dp, 0, &f->ctx);
	f->ctx.pool = &f->pool;
	f->ctx.tx = f->tx;
	return 0;
fail:
	fx_fini(f);
	return -1;
}

static inline int fx_init(struct fx *f)
{
	return fx_init_with(f, FX_BUFS, FX_BUF_SIZE, FX_HEADROOM, FX_MAX_ATT);
}

/* A mem port as the transmit driver of `port`; ring_size a power of two. */
static inline struct cix_mem_port *fx_mem_port(struct fx *f, uint16_t port, uint32_t ring_size)
{
	struct cix_mem_port *m;
	if (posix_memalign((void **)&m, 64, sizeof(*m) + 2 * ring_size * sizeof(struct cix_pkt *)))
		return 0;
	cix_mem_port_init(m, &f->pool, port, (struct cix_pkt **)(m + 1), ring_size);
	f->mem[port] = m;
	f->tx[port] = &m->io;
	return m;
}

/* Publish sealed tables (ownership passes) and enter the new epoch as worker 0. */
static inline uint64_t fx_publish(struct fx *f, struct cix_tables *t)
{
	uint64_t g = cix_dataplane_publish(f->dp, t);
	f->ctx.t = cix_epoch_enter(&f->dp->epoch, 0);
	return g;
}

static inline void fx_fini(struct fx *f)
{
	if (f->dp) {
		cix_epoch_offline(&f->dp->epoch, 0);
		cix_dataplane_free(f->dp);
	}
	for (unsigned p = 0; p < CIX_MAX_PORTS; p++)
		free(f->mem[p]);
	free(f->counters);
	free(f->pool_mem);
	memset(f, 0, sizeof(*f));
}

/* ---------------------------------------------------------------- tables */

static inline struct cix_tag_spec fx_spec(uint16_t tpid, uint16_t vid, int pcp, int dei)
{
	struct cix_tag_spec s = {tpid, vid, (int8_t)pcp, (int8_t)dei};
	return s;
}

static inline struct cix_tag_spec fx_keep(uint16_t tpid, uint16_t vid)
{
	return fx_spec(tpid, vid, CIX_KEEP, CIX_KEEP);
}

static inline int fx_add(struct cix_tables *t, uint16_t id, uint16_t port, unsigned kind,
			 struct cix_tag_spec t0, struct cix_tag_spec t1)
{
	struct cix_attachment_spec s;
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.port = port;
	s.kind = (uint8_t)kind;
	s.tag[0] = t0;
	s.tag[1] = t1;
	return cix_tables_add_attachment(t, &s);
}

static inline int fx_untagged(struct cix_tables *t, uint16_t id, uint16_t port)
{
	return fx_add(t, id, port, CIX_MATCH_UNTAGGED, fx_keep(0, 0), fx_keep(0, 0));
}

static inline int fx_outer(struct cix_tables *t, uint16_t id, uint16_t port, uint16_t tpid, uint16_t vid)
{
	return fx_add(t, id, port, CIX_MATCH_OUTER, fx_keep(tpid, vid), fx_keep(0, 0));
}

static inline int fx_pair(struct cix_tables *t, uint16_t id, uint16_t port, uint16_t tpid0,
			  uint16_t vid0, uint16_t tpid1, uint16_t vid1)
{
	return fx_add(t, id, port, CIX_MATCH_OUTER_INNER, fx_keep(tpid0, vid0), fx_keep(tpid1, vid1));
}

static inline int fx_whole(struct cix_tables *t, uint16_t id, uint16_t port)
{
	return fx_add(t, id, port, CIX_MATCH_WHOLE_PORT, fx_keep(0, 0), fx_keep(0, 0));
}

/* E-Line between a and b. */
static inline int fx_xconnect(struct cix_tables *t, uint16_t a, uint16_t b)
{
	int rc = cix_tables_set_peer(t, a, b);
	return rc ? rc : cix_tables_set_peer(t, b, a);
}

/* ---------------------------------------------------------------- packets */

/* A pool buffer holding `len` bytes as received on `port`; NULL if the pool is empty. */
static inline struct cix_pkt *fx_pkt_bytes(struct fx *f, uint16_t port, const void *bytes, uint32_t len)
{
	struct cix_pkt *p;
	if (cix_pool_alloc_burst(&f->pool, &p, 1) != 1)
		return 0;
	if (len > cix_pool_data_room(&f->pool))
		len = cix_pool_data_room(&f->pool);
	memcpy(p->data, bytes, len);
	p->len = len;
	p->wire_len = len;
	p->in_port = port;
	p->ts_ns = f->ctx.now_ns;
	return p;
}

/* A frame with the fixture's MACs, the given tags and EtherType, and plen pattern bytes.
 * Builds in a static buffer: one thread at a time. */
static inline struct cix_pkt *fx_pkt(struct fx *f, uint16_t port, const struct fx_tag *tags,
				     unsigned ntags, uint16_t ethertype, uint32_t plen)
{
	static uint8_t frame[16384];
	if (18u + 4u * ntags + plen > sizeof(frame))
		return 0;
	uint32_t len = fx_eth(frame, fx_dst_mac, fx_src_mac, tags, ntags, ethertype, 0, plen);
	return fx_pkt_bytes(f, port, frame, len);
}

/* What port `port` has sent, in order, up to max; the caller frees them. */
static inline uint32_t fx_sent(struct fx *f, uint16_t port, struct cix_pkt **pkts, uint32_t max)
{
	if (!f->mem[port])
		return 0;
	return cix_ring_get(&f->mem[port]->wire_tx, pkts, max);
}

/* Empty every mem port's tx ring back into the pool (the wire took them). Returns how many. */
static inline uint32_t fx_drain(struct fx *f)
{
	uint32_t total = 0;
	struct cix_pkt *pkts[64];
	for (unsigned port = 0; port < CIX_MAX_PORTS; port++) {
		uint32_t n;
		while ((n = fx_sent(f, (uint16_t)port, pkts, 64)) > 0) {
			cix_pool_free_burst(&f->pool, pkts, n);
			total += n;
		}
	}
	return total;
}

/*
 * The end of a test program: every buffer the fixture's pool had at
 * `start` must be back (what sits on the mem ports' tx rings is drained
 * first), then the fixture goes and the suite's closing line is printed.
 */
static inline int fx_finish(struct fx *f, uint32_t start, const char *suite)
{
	fx_drain(f);
	int leaked = f->pool.n_free != start;
	if (leaked)
		fprintf(stderr, "pool: %u buffers not returned\n", start - f->pool.n_free);
	fx_fini(f);
	return cix_test_finish(suite) | leaked;
}

/* ---------------------------------------------------------------- counters */

static inline uint64_t fx_port_cnt(const struct fx *f, unsigned port, unsigned slot)
{
	return cix_cnt_port(&f->ctx.cnt, port)[slot];
}

static inline uint64_t fx_att_cnt(const struct fx *f, unsigned att, unsigned slot)
{
	return cix_cnt_att(&f->ctx.cnt, att)[slot];
}

static inline uint64_t fx_port_drop(const struct fx *f, unsigned port, unsigned reason)
{
	return fx_port_cnt(f, port, CIX_CNT_DROP_BASE + reason);
}

static inline uint64_t fx_att_drop(const struct fx *f, unsigned att, unsigned reason)
{
	return fx_att_cnt(f, att, CIX_CNT_DROP_BASE + reason);
}

/* A slot summed over every port. */
static inline uint64_t fx_ports_sum(const struct fx *f, unsigned slot)
{
	uint64_t s = 0;
	for (unsigned p = 0; p < CIX_MAX_PORTS; p++)
		s += fx_port_cnt(f, p, slot);
	return s;
}

/* Every drop of every port, all reasons. */
static inline uint64_t fx_ports_drops(const struct fx *f)
{
	uint64_t s = 0;
	for (unsigned r = 1; r < CIX_DROP__COUNT; r++)
		s += fx_ports_sum(f, CIX_CNT_DROP_BASE + r);
	return s;
}

static inline void fx_zero_counters(struct fx *f)
{
	memset(f->counters, 0, f->counters_size);
}

#endif
