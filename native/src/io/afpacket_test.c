/*
 * The afpacket driver on veth pairs: frames from a peer in another network
 * namespace (a raw socket, and scapy for tagged frames: 802.1Q, 802.1ad
 * over 802.1Q, priority-tagged) arrive byte for byte as they were on the
 * wire, the outer tag the kernel took off put back; frames we send (plain
 * and tagged in the headroom) reach the peer byte for byte; the port's own
 * ARP and IPv4 stay with the kernel; our own transmissions never come back
 * in; two queues split a port's flows between them (fanout); every buffer
 * is back in the pool after each step. Needs root.
 */
#define _GNU_SOURCE /* setns (xdp_test_net.h) */
#include <signal.h>
#include <stdlib.h>

#include "core/drop.h"
#include "io/afpacket.h"
#include "io/xdp_test_net.h"
#include "test.h"

#define BUF_SIZE 4096u
#define HEADROOM 256u
#define COUNT 1024u

struct test_pool {
	struct cix_pool pool;
	void *mem;
};

static int pool_make(struct test_pool *tp)
{
	if (posix_memalign(&tp->mem, 64, cix_pool_mem_size(COUNT, BUF_SIZE)))
		return -1;
	return cix_pool_init(&tp->pool, tp->mem, COUNT, BUF_SIZE, HEADROOM);
}

static const uint8_t peer_mac[6] = {0x02, 0xcd, 0, 0, 0, 0x01};
static const uint8_t far_mac[6] = {0x02, 0xcd, 0, 0, 0, 0x02};

static struct cix_live_port_spec spec_for(const struct cxd_net *n)
{
	struct cix_live_port_spec s;
	memset(&s, 0, sizeof(s));
	s.port = 3;
	s.driver = CIX_LIVE_AFPACKET;
	snprintf(s.ifname, sizeof(s.ifname), "%s", n->here);
	s.n_addrs = 2;
	inet_pton(AF_INET, "10.88.0.1", &s.addrs[0]);
	inet_pton(AF_INET, "10.88.1.1", &s.addrs[1]);
	return s;
}

/* Receives until `want` frames whose bytes at off equal mark arrived (or 3 s); others freed. */
static uint32_t rx_marked(struct cix_io_port *io, struct cix_pkt **got, uint32_t want, const char *mark,
			  size_t off)
{
	uint32_t n = 0;
	size_t ml = strlen(mark);
	uint64_t end = cxd_now_ms() + 3000;
	while (n < want && cxd_now_ms() < end) {
		struct cix_pkt *b[64];
		uint32_t k = cix_io_rx(io, b, 64);
		for (uint32_t i = 0; i < k; i++) {
			if (n < want && b[i]->len >= off + ml && memcmp(b[i]->data + off, mark, ml) == 0)
				got[n++] = b[i];
			else
				cix_pool_free(io->pool, b[i]);
		}
		if (k == 0)
			usleep(500);
	}
	return n;
}

/* Everything that arrives within ms, counted by whether it carries mark at off; all freed. */
static uint32_t count_marked(struct cix_io_port *io, const char *mark, size_t off, int ms)
{
	uint32_t n = 0;
	size_t ml = strlen(mark);
	uint64_t end = cxd_now_ms() + (uint64_t)ms;
	while (cxd_now_ms() < end) {
		struct cix_pkt *b[64];
		uint32_t k = cix_io_rx(io, b, 64);
		for (uint32_t i = 0; i < k; i++)
			n += b[i]->len >= off + ml && memcmp(b[i]->data + off, mark, ml) == 0;
		cix_pool_free_burst(io->pool, b, k);
		if (k == 0)
			usleep(500);
	}
	return n;
}

struct fixture {
	struct cxd_net net;
	struct test_pool tp;
	struct cix_io_port *io;
};

static int fixture_up(struct fixture *f, char tag)
{
	memset(f, 0, sizeof(*f));
	if (cxd_net_up(&f->net, tag, 1) != 0)
		return -1;
	if (pool_make(&f->tp) != 0)
		return -1;
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&f->net);
	f->io = cix_afpacket_open(&spec, &f->tp.pool, 0, 1, err, sizeof(err));
	if (!f->io) {
		fprintf(stderr, "afpacket open: %s\n", err);
		return -1;
	}
	return 0;
}

static void fixture_down(struct fixture *f)
{
	cix_io_close(f->io);
	f->io = 0;
	CHECK_EQ(f->tp.pool.n_free, COUNT);
	free(f->tp.mem);
	cxd_net_down(&f->net);
}

#define NFRAMES 20u

static void frames_in_byte_for_byte(void)
{
	struct fixture f;
	REQUIRE(fixture_up(&f, 'p') == 0);
	/* Frames for any MAC are ours: the socket holds the interface promiscuous. */
	CHECK_EQ(cxd_sh("ip -d -o link show %s | grep -q \"promiscuity 1 \"", f.net.here), 0);
	uint8_t sent[NFRAMES][1514];
	size_t len[NFRAMES];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		len[i] = cxd_frame(sent[i], far_mac, peer_mac, 0x88b5, "cxd-in", i, 60 + i * 72);
		CHECK_EQ(cxd_peer_send(&f.net, sent[i], len[i]), 0);
	}
	struct cix_pkt *got[NFRAMES];
	uint32_t k = rx_marked(f.io, got, NFRAMES, "cxd-in", 14);
	CHECK_EQ(k, NFRAMES);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t seq;
		memcpy(&seq, got[i]->data + 20, 4);
		REQUIRE(seq < NFRAMES);
		CHECK_EQ(got[i]->len, len[seq]);
		CHECK_EQ(got[i]->wire_len, len[seq]);
		CHECK_MEM(got[i]->data, sent[seq], len[seq]);
		CHECK_EQ(got[i]->in_port, 3);
		CHECK_EQ(cix_pkt_headroom(got[i]), HEADROOM);
	}
	cix_pool_free_burst(&f.tp.pool, got, k);
	struct cix_live_driver_stats st;
	count_marked(f.io, "-", 0, 5); /* at least one empty poll */
	CHECK_EQ(cix_afpacket_stats(f.io, &st), 0);
	CHECK(st.rx_empty_polls > 0);
	CHECK_EQ(st.rx_dropped, 0);
	fixture_down(&f);
}

/*
 * scapy (an implementation we did not write) sends tagged frames from the
 * peer and prints their bytes; we must receive exactly those bytes although
 * the kernel moved the outer tag into the ring header.
 */
static void tagged_frames_from_scapy(void)
{
	struct fixture f;
	REQUIRE(fixture_up(&f, 'q') == 0);
	const char *script =
		"import logging, sys\n"
		"logging.getLogger('scapy.runtime').setLevel(logging.ERROR)\n"
		"from scapy.all import Ether, Dot1Q, Dot1AD, IP, UDP, Raw, ARP, sendp\n"
		"src, dst = '02:cd:00:00:00:01', '02:cd:00:00:00:02'\n"
		"fs = [Ether(src=src, dst=dst)/Dot1Q(vlan=100, prio=3)/IP(src='10.0.0.1', dst='10.0.0.2')/UDP()/Raw(b'cxd-tg-1'),\n"
		"      Ether(src=src, dst=dst)/Dot1AD(vlan=200, prio=5)/Dot1Q(vlan=300)/IP(src='10.0.0.1', dst='10.0.0.2')/UDP()/Raw(b'cxd-tg-2'),\n"
		"      Ether(src=src, dst=dst)/Dot1Q(vlan=0, prio=6)/IP(src='10.0.0.1', dst='10.0.0.2')/UDP()/Raw(b'cxd-tg-3'),\n"
		"      Ether(src=src, dst='ff:ff:ff:ff:ff:ff')/Dot1Q(vlan=100)/ARP(psrc='10.88.0.2', pdst='10.88.0.1')/Raw(b'cxd-tg-4'),\n"
		"      Ether(src=src, dst=dst, type=0x9100)/Dot1Q(vlan=400)/IP(src='10.0.0.1', dst='10.0.0.2')/UDP()/Raw(b'cxd-tg-5')]\n"
		"for p in fs:\n"
		"    print(bytes(p).hex())\n"
		"sendp(fs, iface=sys.argv[1], verbose=False)\n";
	char path[] = "/tmp/cxd-scapy-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	REQUIRE(write(fd, script, strlen(script)) == (ssize_t)strlen(script));
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ip netns exec %s /usr/bin/python3 %s %s", f.net.ns, path, f.net.peer);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != 0);
	uint8_t want[5][128];
	size_t want_len[5] = {0};
	char line[512];
	for (int i = 0; i < 5 && fgets(line, sizeof(line), p); i++) {
		size_t hl = strcspn(line, "\n") / 2;
		for (size_t j = 0; j < hl && j < sizeof(want[i]); j++) {
			unsigned v;
			sscanf(line + 2 * j, "%2x", &v);
			want[i][j] = (uint8_t)v;
		}
		want_len[i] = hl;
	}
	CHECK_EQ(pclose(p), 0);
	unlink(path);

	/* The payload markers are found anywhere: collect what arrived. */
	struct cix_pkt *got[64];
	uint32_t n = 0;
	uint64_t end = cxd_now_ms() + 3000;
	while (n < 5 && cxd_now_ms() < end) {
		struct cix_pkt *b[16];
		uint32_t k = cix_io_rx(f.io, b, 16);
		for (uint32_t i = 0; i < k; i++) {
			if (memmem(b[i]->data, b[i]->len, "cxd-tg-", 7) && n < 64)
				got[n++] = b[i];
			else
				cix_pool_free(&f.tp.pool, b[i]);
		}
		if (k == 0)
			usleep(500);
	}
	CHECK_EQ(n, 5);
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *m = memmem(got[i]->data, got[i]->len, "cxd-tg-", 7);
		int which = m[7] - '1';
		REQUIRE(which >= 0 && which < 5);
		CHECK_EQ(got[i]->len, want_len[which]);
		CHECK_MEM(got[i]->data, want[which], want_len[which]);
	}
	cix_pool_free_burst(&f.tp.pool, got, n);
	fixture_down(&f);
}

static void push_tag(struct cix_pkt *p, uint16_t tpid, uint16_t tci)
{
	p->data -= 4;
	memmove(p->data, p->data + 4, 12);
	p->data[12] = (uint8_t)(tpid >> 8);
	p->data[13] = (uint8_t)tpid;
	p->data[14] = (uint8_t)(tci >> 8);
	p->data[15] = (uint8_t)tci;
	p->len += 4;
}

/* Out: plain, 802.1Q and 802.1ad pushed into the headroom; the peer reads each byte for byte. */
static void frames_out_byte_for_byte(void)
{
	struct fixture f;
	REQUIRE(fixture_up(&f, 'r') == 0);
	struct cix_pkt *out[NFRAMES];
	uint8_t expect[NFRAMES][1600];
	uint32_t expect_len[NFRAMES];
	REQUIRE(cix_pool_alloc_burst(&f.tp.pool, out, NFRAMES) == NFRAMES);
	for (uint32_t i = 0; i < NFRAMES; i++) {
		out[i]->len = (uint32_t)cxd_frame(out[i]->data, far_mac, peer_mac, 0x88b5, "cxd-ot", i, 64 + i * 70);
		if (i % 3 == 1)
			push_tag(out[i], 0x8100, (uint16_t)(0x6000 | i));
		else if (i % 3 == 2)
			push_tag(out[i], 0x88a8, (uint16_t)(0xa000 | i));
		memcpy(expect[i], out[i]->data, out[i]->len);
		expect_len[i] = out[i]->len;
	}
	uint32_t sent = cix_io_tx(f.io, out, NFRAMES);
	CHECK_EQ(sent, NFRAMES);
	CHECK_EQ(f.tp.pool.n_free, COUNT); /* copied into the ring, buffers back at once */
	uint32_t seen = 0;
	for (uint32_t j = 0; j < NFRAMES; j++) {
		uint8_t buf[1600];
		int len = cxd_peer_recv(&f.net, buf, sizeof(buf), 2000, 0, 0, 0);
		if (len < 0)
			break;
		int tagged = (buf[12] == 0x81 || buf[12] == 0x88) && (buf[13] == 0x00 || buf[13] == 0xa8);
		uint32_t seq;
		memcpy(&seq, buf + (tagged ? 18 : 14) + 6, 4);
		if (seq >= NFRAMES)
			continue;
		CHECK_EQ((uint32_t)len, expect_len[seq]);
		CHECK_MEM(buf, expect[seq], expect_len[seq]);
		seen++;
	}
	CHECK_EQ(seen, NFRAMES);
	/* What we sent never comes back in (PACKET_IGNORE_OUTGOING). */
	CHECK_EQ(count_marked(f.io, "cxd-ot", 14, 50) + count_marked(f.io, "cxd-ot", 18, 50), 0);
	struct cix_live_driver_stats st;
	CHECK_EQ(cix_afpacket_stats(f.io, &st), 0);
	CHECK(st.tx_kicks >= 1);
	CHECK_EQ(st.tx_invalid, 0);
	fixture_down(&f);
}

static size_t arp_request(uint8_t *b, const char *tpa, const char *marker_pad)
{
	memset(b, 0, 64);
	memset(b, 0xff, 6);
	memcpy(b + 6, peer_mac, 6);
	b[12] = 0x08, b[13] = 0x06;
	const uint8_t hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	memcpy(b + 14, hdr, 8);
	memcpy(b + 22, peer_mac, 6);
	inet_pton(AF_INET, "10.88.0.2", b + 28);
	inet_pton(AF_INET, tpa, b + 38);
	memcpy(b + 42, marker_pad, strlen(marker_pad)); /* in the padding: found by the test */
	return 60;
}

static size_t ipv4_to(uint8_t *b, const char *dst, const char *marker)
{
	memset(b, 0, 80);
	memcpy(b, far_mac, 6);
	memcpy(b + 6, peer_mac, 6);
	b[12] = 0x08, b[13] = 0x00;
	b[14] = 0x45;
	b[17] = 20 + 8 + 16;
	b[22] = 64;
	b[23] = 17;
	inet_pton(AF_INET, "10.88.0.2", b + 26);
	inet_pton(AF_INET, dst, b + 30);
	memcpy(b + 42, marker, strlen(marker));
	return 14 + 20 + 8 + 16;
}

/* The port's own control traffic is the kernel's alone; everybody else's is ours. */
static void own_addresses_filtered(void)
{
	struct fixture f;
	REQUIRE(fixture_up(&f, 's') == 0);
	CHECK_EQ(cxd_sh("ip addr add 10.88.0.1/24 dev %s", f.net.here), 0);
	uint8_t b[128];
	cxd_peer_send(&f.net, b, arp_request(b, "10.88.0.1", "cxd-a-own"));
	cxd_peer_send(&f.net, b, arp_request(b, "10.88.0.77", "cxd-a-oth"));
	cxd_peer_send(&f.net, b, ipv4_to(b, "10.88.1.1", "cxd-i-own"));
	cxd_peer_send(&f.net, b, ipv4_to(b, "10.88.0.77", "cxd-i-oth"));
	/* Too short to hold an ARP's addresses: kept (the pipeline counts it truncated). */
	size_t l = arp_request(b, "10.88.0.1", "");
	(void)l;
	uint8_t shortarp[20];
	memcpy(shortarp, b, 20);
	memcpy(shortarp + 14, "cxd-sh", 6);
	cxd_peer_send(&f.net, shortarp, sizeof(shortarp));
	/* The kernel answered the ARP for its address. */
	const uint8_t reply_op[2] = {0, 2};
	uint8_t rb[128];
	CHECK(cxd_peer_recv(&f.net, rb, sizeof(rb), 2000, reply_op, 20, 2) >= 42);
	uint32_t own = 0, others = 0, shorts = 0;
	uint64_t end = cxd_now_ms() + 400;
	while (cxd_now_ms() < end) {
		struct cix_pkt *g[16];
		uint32_t k = cix_io_rx(f.io, g, 16);
		for (uint32_t i = 0; i < k; i++) {
			own += memmem(g[i]->data, g[i]->len, "cxd-a-own", 9) != 0;
			own += memmem(g[i]->data, g[i]->len, "cxd-i-own", 9) != 0;
			others += memmem(g[i]->data, g[i]->len, "cxd-a-oth", 9) != 0;
			others += memmem(g[i]->data, g[i]->len, "cxd-i-oth", 9) != 0;
			shorts += g[i]->len == 20 && memcmp(g[i]->data + 14, "cxd-sh", 6) == 0;
		}
		cix_pool_free_burst(&f.tp.pool, g, k);
		if (k == 0)
			usleep(500);
	}
	CHECK_EQ(own, 0);
	CHECK_EQ(others, 2);
	CHECK_EQ(shorts, 1);
	fixture_down(&f);
}

/* A frame bigger than a pool buffer holds: handed on empty, as an MTU drop, its length kept. */
static void jumbo_frame_marked_too_big(void)
{
	struct fixture f;
	REQUIRE(fixture_up(&f, 't') == 0);
	CHECK_EQ(cxd_sh("ip link set %s mtu 9000 && ip -n %s link set %s mtu 9000", f.net.here, f.net.ns,
			f.net.peer),
		 0);
	static uint8_t big[9014];
	size_t len = cxd_frame(big, far_mac, peer_mac, 0x88b5, "cxd-jb", 1, sizeof(big));
	CHECK_EQ(cxd_peer_send(&f.net, big, len), 0);
	uint8_t small[100];
	cxd_frame(small, far_mac, peer_mac, 0x88b5, "cxd-jb", 2, sizeof(small));
	CHECK_EQ(cxd_peer_send(&f.net, small, sizeof(small)), 0);
	int saw_big = 0, saw_small = 0;
	uint64_t end = cxd_now_ms() + 2000;
	while (!saw_small && cxd_now_ms() < end) {
		struct cix_pkt *g[16];
		uint32_t k = cix_io_rx(f.io, g, 16);
		for (uint32_t i = 0; i < k; i++) {
			if (g[i]->wire_len == len && g[i]->len == 0 && g[i]->drop == CIX_DROP_MTU_RX)
				saw_big = 1;
			if (g[i]->len == sizeof(small) && memcmp(g[i]->data, small, sizeof(small)) == 0)
				saw_small = 1;
		}
		cix_pool_free_burst(&f.tp.pool, g, k);
		if (k == 0)
			usleep(500);
	}
	CHECK(saw_big);
	CHECK(saw_small);
	fixture_down(&f);
}

/* Two queues: each flow goes to one socket of the fanout group, every frame to exactly one. */
static void two_queues_share_the_flows(void)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, 'u', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n);
	struct cix_io_port *q0 = cix_afpacket_open(&spec, &tp.pool, 0, 2, err, sizeof(err));
	struct cix_io_port *q1 = cix_afpacket_open(&spec, &tp.pool, 1, 2, err, sizeof(err));
	CHECK(q0 && q1);
	CHECK(cix_afpacket_open(&spec, &tp.pool, 2, 2, err, sizeof(err)) == 0);
	if (q0 && q1) {
		enum { FLOWS = 32, PER_FLOW = 4 };
		for (uint32_t fl = 0; fl < FLOWS; fl++) {
			for (uint32_t j = 0; j < PER_FLOW; j++) {
				uint8_t b[128];
				size_t l = ipv4_to(b, "10.77.0.9", "cxd-fo");
				b[29] = (uint8_t)fl; /* source 10.88.0.<fl>: one flow per source */
				b[34] = (uint8_t)(fl >> 8), b[35] = (uint8_t)fl; /* UDP source port */
				b[48] = (uint8_t)j;
				b[49] = (uint8_t)fl;
				cxd_peer_send(&n, b, l);
			}
		}
		int where[FLOWS][2];
		memset(where, 0, sizeof(where));
		uint32_t total = 0;
		uint64_t end = cxd_now_ms() + 3000;
		while (total < FLOWS * PER_FLOW && cxd_now_ms() < end) {
			struct cix_io_port *qs[2] = {q0, q1};
			uint32_t k_all = 0;
			for (int q = 0; q < 2; q++) {
				struct cix_pkt *g[64];
				uint32_t k = cix_io_rx(qs[q], g, 64);
				k_all += k;
				for (uint32_t i = 0; i < k; i++) {
					if (g[i]->len >= 50 && memcmp(g[i]->data + 42, "cxd-fo", 6) == 0) {
						where[g[i]->data[49] % FLOWS][q]++;
						total++;
					}
				}
				cix_pool_free_burst(&tp.pool, g, k);
			}
			if (k_all == 0)
				usleep(500);
		}
		CHECK_EQ(total, FLOWS * PER_FLOW);
		uint32_t on0 = 0, on1 = 0, split = 0;
		for (int fl = 0; fl < FLOWS; fl++) {
			on0 += where[fl][0] > 0;
			on1 += where[fl][1] > 0;
			split += where[fl][0] > 0 && where[fl][1] > 0;
		}
		CHECK_EQ(split, 0);   /* a flow stays on one queue */
		CHECK(on0 > 0 && on1 > 0); /* and both queues get some (32 flows) */
	}
	cix_io_close(q0);
	cix_io_close(q1);
	CHECK_EQ(tp.pool.n_free, COUNT);
	free(tp.mem);
	cxd_net_down(&n);
}

/* Open and close many times: not one descriptor more afterwards. */
static void no_descriptor_left_behind(void)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, 'v', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	struct cix_live_port_spec spec = spec_for(&n);
	int before = cxd_open_fds();
	for (int round = 0; round < 5; round++) {
		char err[256] = "";
		struct cix_io_port *a = cix_afpacket_open(&spec, &tp.pool, 0, 2, err, sizeof(err));
		struct cix_io_port *b = cix_afpacket_open(&spec, &tp.pool, 1, 2, err, sizeof(err));
		CHECK(a && b);
		cix_io_close(a);
		cix_io_close(b);
	}
	CHECK_EQ(cxd_open_fds(), before);
	CHECK_EQ(tp.pool.n_free, COUNT);
	free(tp.mem);
	cxd_net_down(&n);
}

static void bad_arguments(void)
{
	struct test_pool tp;
	REQUIRE(pool_make(&tp) == 0);
	struct cix_live_port_spec spec;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.ifname, sizeof(spec.ifname), "cxdnone0");
	char err[256] = "";
	CHECK(cix_afpacket_open(&spec, &tp.pool, 0, 1, err, sizeof(err)) == 0);
	CHECK_STR(err, "interface cxdnone0 does not exist");
	CHECK(cix_afpacket_open(&spec, &tp.pool, 1, 1, err, sizeof(err)) == 0);
	free(tp.mem);
}

int main(void)
{
	if (!cxd_is_root()) {
		printf("afpacket_test: skipped, needs root (network namespaces)\n");
		return cix_test_finish("afpacket");
	}
	signal(SIGPIPE, SIG_IGN);
	RUN(frames_in_byte_for_byte);
	RUN(tagged_frames_from_scapy);
	RUN(frames_out_byte_for_byte);
	RUN(own_addresses_filtered);
	RUN(jumbo_frame_marked_too_big);
	RUN(two_queues_share_the_flows);
	RUN(no_descriptor_left_behind);
	RUN(bad_arguments);
	return cix_test_finish("afpacket");
}
