/*
 * The afxdp driver on veth pairs: real frames from a peer in another
 * network namespace in, byte for byte, and frames out (tagged in place in
 * the headroom, too), read back by the peer through the kernel. Also: the
 * program attached in native and skb mode (and auto falling back where the
 * driver has no native XDP), through libxdp and through libbpf; a foreign
 * XDP program refused; a cix_xsk left by a killed dataplane replaced;
 * sockets re-opened right after close; two ports sharing one UMEM; and after
 * every close no XDP program on the interface and every buffer back in the
 * pool. Needs root.
 */
#define _GNU_SOURCE /* setns (xdp_test_net.h) */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "core/drop.h"
#include "io/afxdp.h"
#include "io/xdp_attach.h"
#include "io/xdp_test_net.h"
#include "test.h"

#define BUF_SIZE 4096u
#define HEADROOM 256u
#define COUNT (2u * CIX_AFXDP_BUFFERS_PER_SOCKET + 2048u)

struct test_pool {
	struct cix_pool pool;
	void *meta;
	void *bufs;
};

static int pool_make(struct test_pool *tp)
{
	memset(tp, 0, sizeof(*tp));
	if (posix_memalign(&tp->meta, 64, cix_pool_meta_size(COUNT)))
		return -1;
	tp->bufs = mmap(0, (size_t)COUNT * BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (tp->bufs == MAP_FAILED)
		return -1;
	return cix_pool_init_split(&tp->pool, tp->meta, tp->bufs, COUNT, BUF_SIZE, HEADROOM);
}

static void pool_drop(struct test_pool *tp)
{
	munmap(tp->bufs, (size_t)COUNT * BUF_SIZE);
	free(tp->meta);
}

static const uint8_t peer_mac[6] = {0x02, 0xcd, 0, 0, 0, 0x01};
static const uint8_t far_mac[6] = {0x02, 0xcd, 0, 0, 0, 0x02};

static struct cix_live_port_spec spec_for(const struct cxd_net *n, enum cix_xdp_mode mode)
{
	struct cix_live_port_spec s;
	memset(&s, 0, sizeof(s));
	s.port = 7;
	s.driver = CIX_LIVE_AFXDP;
	s.xdp_mode = mode;
	snprintf(s.ifname, sizeof(s.ifname), "%s", n->here);
	s.n_addrs = 1;
	inet_pton(AF_INET, "10.99.0.1", &s.addrs[0]);
	return s;
}

/* "xdp" (native) or "xdpgeneric" (skb) as `ip link show` prints it, "" when none. */
static void xdp_shown(const char *ifname, char *out, size_t len)
{
	cxd_sh_read(out, len,
		    "ip -o link show %s 2>/dev/null | grep -oE ' (xdp|xdpgeneric|xdpoffload|xdpmulti) '"
		    " | tr -d ' '",
		    ifname);
}

/* Receives until `want` frames carrying marker arrived or 3 s passed; the rest go back to the pool. */
static uint32_t rx_marked(struct cix_io_port *io, struct cix_pkt **got, uint32_t want, const char *marker)
{
	uint32_t n = 0;
	uint64_t end = cxd_now_ms() + 3000;
	size_t ml = strlen(marker);
	while (n < want && cxd_now_ms() < end) {
		struct cix_pkt *b[64];
		uint32_t k = cix_io_rx(io, b, 64);
		cix_io_flush(io);
		for (uint32_t i = 0; i < k; i++) {
			if (n < want && b[i]->len >= 14 + ml && memcmp(b[i]->data + 14, marker, ml) == 0)
				got[n++] = b[i];
			else
				cix_pool_free(io->pool, b[i]);
		}
		if (k == 0)
			usleep(500);
	}
	return n;
}

/* Sends all of pkts (the driver may take a prefix at a time), flushing between. */
static uint32_t tx_all(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	uint32_t done = 0;
	uint64_t end = cxd_now_ms() + 2000;
	while (done < n && cxd_now_ms() < end) {
		done += cix_io_tx(io, pkts + done, n - done);
		cix_io_flush(io);
	}
	return done;
}

/* Flushes until every transmit completed, so the pool is whole again (bounded). */
static void drain(struct cix_io_port *io, const struct cix_pool *pool, uint32_t expect_free)
{
	uint64_t end = cxd_now_ms() + 2000;
	while (pool->n_free < expect_free && cxd_now_ms() < end) {
		cix_io_flush(io);
		usleep(200);
	}
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

#define NFRAMES 24u

/* The whole path on one mode: in byte for byte, out plain and tagged, pool whole, nothing left. */
static void frames_in_and_out(enum cix_xdp_mode mode, char tag, const char *want_link)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, tag, 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n, mode);
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem = 0;
	struct cix_io_port *io = 0;
	if (cix_afxdp_port_open(&spec, &port, err, sizeof(err)) != 0) {
		fprintf(stderr, "port open: %s\n", err);
		CHECK(0);
		goto out;
	}
	CHECK_STR(cix_afxdp_port_mode(port), mode == CIX_XDP_SKB ? "skb" : "native");
	char shown[32];
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, want_link);
	CHECK_EQ(cxd_sh("ip -d -o link show %s | grep -q \"promiscuity 1 \"", n.here), 0);
	REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
	io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
	if (!io) {
		fprintf(stderr, "socket open: %s\n", err);
		CHECK(0);
		goto out;
	}
	/* veth has no zero-copy; a pool without jumbo buffers makes no multi-buffer socket. */
	CHECK_STR(cix_afxdp_socket_mode(io), "copy, frames up to 3840 B");
	CHECK(cix_io_pollfd(io) >= 0);
	CHECK_EQ(tp.pool.n_free, COUNT - CIX_AFXDP_FILL_SIZE); /* the fill ring is full */

	/* In: frames of many sizes, as the peer's kernel put them on the wire. */
	uint8_t sent[NFRAMES][1514];
	size_t sent_len[NFRAMES];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		sent_len[i] = cxd_frame(sent[i], far_mac, peer_mac, 0x88b5, "cxd-in", i, 60 + i * 61);
		CHECK_EQ(cxd_peer_send(&n, sent[i], sent_len[i]), 0);
	}
	struct cix_pkt *got[NFRAMES];
	uint32_t k = rx_marked(io, got, NFRAMES, "cxd-in");
	CHECK_EQ(k, NFRAMES);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t seq;
		memcpy(&seq, got[i]->data + 14 + 6, 4);
		REQUIRE(seq < NFRAMES);
		CHECK_EQ(got[i]->len, sent_len[seq]);
		CHECK_EQ(got[i]->wire_len, sent_len[seq]);
		CHECK_MEM(got[i]->data, sent[seq], sent_len[seq]);
		CHECK_EQ(got[i]->in_port, 7);
		/* Received where the pipeline expects: after exactly the pool's headroom. */
		CHECK_EQ(cix_pkt_headroom(got[i]), HEADROOM);
		CHECK(got[i]->ts_ns > 0);
	}

	/* Out: half as they came, half with an 802.1Q tag pushed into the headroom. */
	for (uint32_t i = 0; i < k; i++) {
		memcpy(got[i]->data + 14, "cxd-ot", 6);
		if (i % 2)
			push_tag(got[i], 0x8100, (uint16_t)(0x2000 | (100 + i)));
	}
	uint8_t expect[NFRAMES][1520];
	uint32_t expect_len[NFRAMES], expect_seq[NFRAMES];
	for (uint32_t i = 0; i < k; i++) {
		memcpy(expect[i], got[i]->data, got[i]->len);
		expect_len[i] = got[i]->len;
		memcpy(&expect_seq[i], got[i]->data + (i % 2 ? 18 : 14) + 6, 4);
	}
	CHECK_EQ(tx_all(io, got, k), k);
	uint32_t seen = 0;
	for (uint32_t j = 0; j < k; j++) {
		uint8_t buf[1600];
		int len = cxd_peer_recv(&n, buf, sizeof(buf), 2000, 0, 0, 0);
		if (len < 0)
			break;
		/* Find which one it is by its sequence number and tagging. */
		int tagged = buf[12] == 0x81 && buf[13] == 0x00;
		uint32_t seq;
		memcpy(&seq, buf + (tagged ? 18 : 14) + 6, 4);
		for (uint32_t i = 0; i < k; i++) {
			if (expect_seq[i] == seq && (i % 2) == (uint32_t)tagged) {
				CHECK_EQ((uint32_t)len, expect_len[i]);
				CHECK_MEM(buf, expect[i], expect_len[i]);
				seen++;
			}
		}
	}
	CHECK_EQ(seen, k);

	/* Control traffic stays with the kernel: with 10.99.0.1 on the port,
	 * the kernel answers the peer's ARP and the socket sees none of it. */
	CHECK_EQ(cxd_sh("ip addr add 10.99.0.1/24 dev %s", n.here), 0);
	uint8_t req[60] = {0};
	memset(req, 0xff, 6);
	memcpy(req + 6, peer_mac, 6);
	req[12] = 0x08, req[13] = 0x06;
	const uint8_t arp_hdr[8] = {0, 1, 8, 0, 6, 4, 0, 1};
	memcpy(req + 14, arp_hdr, 8);
	memcpy(req + 22, peer_mac, 6);
	inet_pton(AF_INET, "10.99.0.2", req + 28);
	inet_pton(AF_INET, "10.99.0.1", req + 38);
	CHECK_EQ(cxd_peer_send(&n, req, sizeof(req)), 0);
	const uint8_t reply_op[2] = {0, 2};
	uint8_t buf[128];
	CHECK(cxd_peer_recv(&n, buf, sizeof(buf), 2000, reply_op, 20, 2) >= 42);
	struct cix_pkt *stray[64];
	uint32_t strays = 0;
	for (int i = 0; i < 20; i++) {
		uint32_t m = cix_io_rx(io, stray, 64);
		for (uint32_t j = 0; j < m; j++)
			if (stray[j]->len >= 14 && stray[j]->data[12] == 0x08 && stray[j]->data[13] == 0x06)
				strays++;
		cix_pool_free_burst(io->pool, stray, m);
		usleep(1000);
	}
	CHECK_EQ(strays, 0);
	/* Tagged frames are customer traffic, an ARP for our own address too: all
	 * reach the socket with their tags in place (XDP sees the wire bytes). */
	uint8_t tagged[3][80];
	size_t tagged_len[3];
	for (int t = 0; t < 3; t++) {
		uint8_t *b = tagged[t];
		memset(b, 0, sizeof(tagged[t]));
		memcpy(b, t == 0 ? (const uint8_t *)"\xff\xff\xff\xff\xff\xff" : far_mac, 6);
		memcpy(b + 6, peer_mac, 6);
		size_t o = 12;
		static const uint16_t tags[3][4] = {{0x8100, 0x0064, 0, 0}, /* 802.1Q VID 100 */
						    {0x88a8, 0xa0c8, 0x8100, 0x012c}, /* QinQ 200/300 */
						    {0x8100, 0xc000, 0, 0}}; /* priority tag */
		for (int j = 0; j < 4 && tags[t][j]; j++, o += 2) {
			b[o] = (uint8_t)(tags[t][j] >> 8);
			b[o + 1] = (uint8_t)tags[t][j];
		}
		b[o] = 0x08, b[o + 1] = t == 0 ? 0x06 : 0x00;
		o += 2;
		if (t == 0) { /* ARP request for 10.99.0.1, our own address */
			const uint8_t arp_fixed[8] = {0, 1, 8, 0, 6, 4, 0, 1};
			memcpy(b + o, arp_fixed, 8);
			memcpy(b + o + 8, peer_mac, 6);
			inet_pton(AF_INET, "10.99.0.2", b + o + 14);
			inet_pton(AF_INET, "10.99.0.1", b + o + 24);
			o += 28;
		} else { /* IPv4 header to 10.99.0.1 */
			b[o] = 0x45, b[o + 3] = 28, b[o + 8] = 64, b[o + 9] = 17;
			inet_pton(AF_INET, "10.99.0.2", b + o + 12);
			inet_pton(AF_INET, "10.99.0.1", b + o + 16);
			o += 28;
		}
		memcpy(b + o, "cxd-tg", 6);
		b[o + 6] = (uint8_t)('0' + t);
		tagged_len[t] = o + 8;
		CHECK_EQ(cxd_peer_send(&n, b, tagged_len[t]), 0);
	}
	int tagged_seen[3] = {0, 0, 0};
	uint64_t tg_end = cxd_now_ms() + 2000;
	while (!(tagged_seen[0] && tagged_seen[1] && tagged_seen[2]) && cxd_now_ms() < tg_end) {
		struct cix_pkt *g[16];
		uint32_t m = cix_io_rx(io, g, 16);
		for (uint32_t j = 0; j < m; j++) {
			const uint8_t *at = memmem(g[j]->data, g[j]->len, "cxd-tg", 6);
			if (!at || at[6] < '0' || at[6] > '2')
				continue;
			int t = at[6] - '0';
			tagged_seen[t] = 1;
			CHECK_EQ(g[j]->len, tagged_len[t]);
			CHECK_MEM(g[j]->data, tagged[t], tagged_len[t]);
		}
		cix_pool_free_burst(io->pool, g, m);
		if (m == 0)
			usleep(500);
	}
	CHECK(tagged_seen[0] && tagged_seen[1] && tagged_seen[2]);

	struct cix_afxdp_port_stats ps;
	CHECK_EQ(cix_afxdp_port_stats(port, &ps), 0);
	CHECK(ps.control_arp >= 1);
	CHECK(ps.to_socket >= NFRAMES);

	struct cix_live_driver_stats st;
	CHECK_EQ(cix_afxdp_socket_stats(io, &st), 0);
	CHECK(st.rx_empty_polls > 0);
	CHECK(st.tx_kicks > 0);
	CHECK_EQ(st.rx_invalid + st.tx_invalid, 0);

	drain(io, &tp.pool, COUNT - CIX_AFXDP_FILL_SIZE);
out:
	cix_io_close(io);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(port);
	CHECK_EQ(tp.pool.n_free, COUNT); /* every buffer came home */
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, ""); /* and no program stayed behind */
	CHECK(cxd_sh("ip -d -o link show %s | grep -q \"promiscuity 1 \"", n.here) != 0);
	pool_drop(&tp);
	cxd_net_down(&n);
}

static void native_mode_frames(void)
{
	frames_in_and_out(CIX_XDP_NATIVE, 'a', "xdp");
}

static void skb_mode_frames(void)
{
	frames_in_and_out(CIX_XDP_SKB, 'b', "xdpgeneric");
}

/* ifb has no native XDP: auto falls back to skb, native alone is refused. */
static void auto_falls_back_to_skb(void)
{
	char ifb[IF_NAMESIZE];
	cxd_ifname(ifb, sizeof(ifb), 'c', 'i');
	cxd_remember('c');
	cxd_sweep('c');
	REQUIRE(cxd_sh("ip link add %s type ifb && ip link set %s up", ifb, ifb) == 0);
	struct cix_live_port_spec spec;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.ifname, sizeof(spec.ifname), "%s", ifb);
	spec.xdp_mode = CIX_XDP_NATIVE;
	struct cix_afxdp_port *port = 0;
	char err[256] = "";
	CHECK(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) != 0);
	CHECK(strstr(err, ifb) != 0 && strstr(err, "native") != 0);
	spec.xdp_mode = CIX_XDP_AUTO;
	CHECK_EQ(cix_afxdp_port_open(&spec, &port, err, sizeof(err)), 0);
	if (port) {
		CHECK_STR(cix_afxdp_port_mode(port), "skb");
		/* libxdp's dispatcher or the program alone: whichever this kernel allows. */
		const char *kind = cix_afxdp_port_attach_kind(port);
		CHECK(strcmp(kind, "dispatcher") == 0 || strcmp(kind, "single") == 0);
		cix_afxdp_port_close(port);
	}
	char shown[32];
	xdp_shown(ifb, shown, sizeof(shown));
	CHECK_STR(shown, "");
	cxd_sweep('c');
}

/* The fallback path on its own: libbpf attaches, and detaches only what it attached. */
static void libbpf_attach_path(void)
{
	struct cxd_net n;
	REQUIRE(cxd_net_up(&n, 'd', 1) == 0);
	struct cix_xdp_attachment a;
	char err[256] = "";
	uint32_t addr = htonl(0x0a630001);
	CHECK_EQ(cix_xdp_attach(&a, n.here_ifindex, n.here, CIX_XDP_NATIVE, &addr, 1,
				CIX_XDP_ATTACH_NO_LIBXDP, err, sizeof(err)),
		 0);
	CHECK_EQ(a.kind, CIX_XDP_ATTACHED_LIBBPF);
	char name[64];
	int ours = 0;
	CHECK_EQ(cix_xdp_query(n.here_ifindex, name, sizeof(name), &ours), 0);
	CHECK_STR(name, CIX_XSK_PROG_NAME);
	CHECK(ours);
	cix_xdp_detach(&a);
	CHECK_EQ(cix_xdp_query(n.here_ifindex, name, sizeof(name), &ours), 0);
	CHECK_STR(name, "");
	cxd_net_down(&n);
}

/* A trivial XDP program named "foo" (r0 = XDP_PASS; exit), as someone else's. */
static int load_foreign(void)
{
	struct bpf_insn insns[2];
	memset(insns, 0, sizeof(insns));
	insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
	insns[0].dst_reg = BPF_REG_0;
	insns[0].imm = XDP_PASS;
	insns[1].code = BPF_JMP | BPF_EXIT;
	return bpf_prog_load(BPF_PROG_TYPE_XDP, "foo", "GPL", insns, 2, 0);
}

static void foreign_program_refused(void)
{
	struct cxd_net n;
	REQUIRE(cxd_net_up(&n, 'e', 1) == 0);
	int fd = load_foreign();
	REQUIRE(fd >= 0);
	REQUIRE(bpf_xdp_attach(n.here_ifindex, fd, XDP_FLAGS_SKB_MODE, 0) == 0);
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_AUTO);
	struct cix_afxdp_port *port = 0;
	char err[256] = "";
	CHECK(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) != 0);
	char want[128];
	snprintf(want, sizeof(want), "interface %s already runs XDP program 'foo'", n.here);
	CHECK_STR(err, want);
	CHECK(port == 0);
	/* Left alone: still attached. */
	char shown[32];
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, "xdpgeneric");
	bpf_xdp_detach(n.here_ifindex, XDP_FLAGS_SKB_MODE, 0);
	close(fd);
	cxd_net_down(&n);
}

/* One frame from the peer to the socket: 1 when it arrived. */
static int one_frame_through(struct cxd_net *n, struct cix_io_port *io, const char *marker)
{
	uint8_t f[128];
	size_t len = cxd_frame(f, far_mac, peer_mac, 0x88b5, marker, 1, 100);
	cxd_peer_send(n, f, len);
	struct cix_pkt *got[1];
	uint32_t k = rx_marked(io, got, 1, marker);
	if (k)
		cix_pool_free(io->pool, got[0]);
	return k == 1;
}

/* Close and open again at once, several times: the queue is free again (EBUSY retried). */
static void reopen_right_after_close(void)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, 'f', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_AUTO);
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem = 0;
	REQUIRE(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) == 0);
	REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
	for (int round = 0; round < 5; round++) {
		struct cix_io_port *io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
		if (!io) {
			fprintf(stderr, "round %d: %s\n", round, err);
			CHECK(0);
			break;
		}
		CHECK(one_frame_through(&n, io, "cxd-re"));
		cix_io_close(io);
		CHECK_EQ(tp.pool.n_free, COUNT);
	}
	/* A second socket on a queue that has one is refused, not double-bound. */
	struct cix_io_port *a = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
	CHECK(a != 0);
	CHECK(cix_afxdp_socket_open(port, umem, 0, err, sizeof(err)) == 0);
	CHECK(strstr(err, "already has a socket") != 0);
	/* A queue the interface does not have: a clear error. */
	CHECK(cix_afxdp_socket_open(port, umem, 5, err, sizeof(err)) == 0);
	CHECK(strstr(err, "queue 5") != 0);
	cix_io_close(a);
	CHECK_EQ(tp.pool.n_free, COUNT);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(port);
	pool_drop(&tp);
	cxd_net_down(&n);
}

/*
 * The supervisor's restart case: a dataplane killed with SIGKILL leaves its
 * program attached and its socket being released; the next one replaces the
 * program and gets the queue (EBUSY retried meanwhile).
 */
static void restart_after_sigkill(void)
{
	struct cxd_net n;
	REQUIRE(cxd_net_up(&n, 'g', 1) == 0);
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_AUTO);
	int ready[2];
	REQUIRE(pipe(ready) == 0);
	pid_t child = fork();
	REQUIRE(child >= 0);
	if (child == 0) {
		struct test_pool tp;
		char err[256];
		struct cix_afxdp_port *port;
		struct cix_afxdp_umem *umem;
		if (pool_make(&tp) || cix_afxdp_port_open(&spec, &port, err, sizeof(err)) ||
		    cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) ||
		    !cix_afxdp_socket_open(port, umem, 0, err, sizeof(err)))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	char c = 0;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	kill(child, SIGKILL);
	waitpid(child, 0, 0);
	char shown[32];
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, "xdp"); /* the dead one's program is still there */

	struct test_pool tp;
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem = 0;
	struct cix_io_port *io = 0;
	CHECK_EQ(cix_afxdp_port_open(&spec, &port, err, sizeof(err)), 0);
	if (port && cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0)
		io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
	if (!io)
		fprintf(stderr, "after the restart: %s\n", err);
	CHECK(io != 0);
	if (io)
		CHECK(one_frame_through(&n, io, "cxd-rs"));
	cix_io_close(io);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(port);
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, "");
	CHECK_EQ(tp.pool.n_free, COUNT);
	pool_drop(&tp);
	cxd_net_down(&n);
}

/* Two ports on one UMEM: a frame in on one goes out on the other, same buffer, no copy. */
static void two_ports_share_a_umem(void)
{
	struct cxd_net a, b;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&a, 'h', 1) == 0);
	REQUIRE(cxd_net_up(&b, 'i', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_live_port_spec sa = spec_for(&a, CIX_XDP_NATIVE), sb = spec_for(&b, CIX_XDP_SKB);
	sb.port = 8;
	struct cix_afxdp_port *pa = 0, *pb = 0;
	struct cix_afxdp_umem *umem = 0;
	struct cix_io_port *ia = 0, *ib = 0;
	REQUIRE(cix_afxdp_port_open(&sa, &pa, err, sizeof(err)) == 0);
	REQUIRE(cix_afxdp_port_open(&sb, &pb, err, sizeof(err)) == 0);
	REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
	ia = cix_afxdp_socket_open(pa, umem, 0, err, sizeof(err));
	ib = cix_afxdp_socket_open(pb, umem, 0, err, sizeof(err));
	if (!ia || !ib)
		fprintf(stderr, "shared UMEM: %s\n", err);
	CHECK(ia && ib);
	if (ia && ib) {
		uint8_t f[200];
		size_t len = cxd_frame(f, far_mac, peer_mac, 0x88b5, "cxd-sh", 3, sizeof(f));
		CHECK_EQ(cxd_peer_send(&a, f, len), 0);
		struct cix_pkt *got[1];
		CHECK_EQ(rx_marked(ia, got, 1, "cxd-sh"), 1);
		uint8_t *where = got[0]->data;
		CHECK_EQ(tx_all(ib, got, 1), 1);
		uint8_t buf[256];
		int n = cxd_peer_recv(&b, buf, sizeof(buf), 2000, "cxd-sh", 14, 6);
		CHECK_EQ(n, (int)len);
		CHECK_MEM(buf, f, len);
		CHECK(where >= (uint8_t *)tp.bufs && where < (uint8_t *)tp.bufs + (size_t)COUNT * BUF_SIZE);
		drain(ib, &tp.pool, COUNT - 2 * CIX_AFXDP_FILL_SIZE);
		/* The first socket (the one that registered the UMEM) closes first; the other goes on. */
		cix_io_close(ia);
		ia = 0;
		CHECK(one_frame_through(&b, ib, "cxd-s2"));
		/* And a socket opened now shares through the one still open. */
		ia = cix_afxdp_socket_open(pa, umem, 0, err, sizeof(err));
		CHECK(ia != 0);
		if (ia)
			CHECK(one_frame_through(&a, ia, "cxd-s3"));
	}
	cix_io_close(ia);
	cix_io_close(ib);
	CHECK_EQ(tp.pool.n_free, COUNT);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(pa);
	cix_afxdp_port_close(pb);
	/* The same interface twice in one process: refused, not replaced. */
	struct cix_afxdp_port *again = 0;
	REQUIRE(cix_afxdp_port_open(&sa, &pa, err, sizeof(err)) == 0);
	CHECK(cix_afxdp_port_open(&sa, &again, err, sizeof(err)) != 0);
	CHECK(strstr(err, "already open") != 0);
	cix_afxdp_port_close(pa);
	pool_drop(&tp);
	cxd_net_down(&a);
	cxd_net_down(&b);
}

/* Port and UMEM closed before their socket (out of order): nothing breaks, nothing leaks. */
static void close_out_of_order(void)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, 'j', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_SKB);
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem = 0;
	REQUIRE(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) == 0);
	REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
	struct cix_io_port *io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
	REQUIRE(io != 0);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(port);
	char shown[32];
	xdp_shown(n.here, shown, sizeof(shown));
	CHECK_STR(shown, "");
	cix_io_close(io);
	CHECK_EQ(tp.pool.n_free, COUNT);
	pool_drop(&tp);
	cxd_net_down(&n);
}

/*
 * Two workers: a socket per queue, each on its own UMEM (its own pool).
 * The peer's flows spread over both rx queues (native mode keeps the queue
 * veth chose); every frame arrives once, on one of them.
 */
static void two_queues_two_umems(void)
{
	struct cxd_net n;
	struct test_pool tp[2];
	REQUIRE(cxd_net_up(&n, 'k', 2) == 0);
	REQUIRE(pool_make(&tp[0]) == 0);
	REQUIRE(pool_make(&tp[1]) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_NATIVE);
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem[2] = {0, 0};
	struct cix_io_port *io[2] = {0, 0};
	REQUIRE(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) == 0);
	for (int q = 0; q < 2; q++) {
		REQUIRE(cix_afxdp_umem_new(&tp[q].pool, &umem[q], err, sizeof(err)) == 0);
		io[q] = cix_afxdp_socket_open(port, umem[q], (uint32_t)q, err, sizeof(err));
		if (!io[q])
			fprintf(stderr, "queue %d: %s\n", q, err);
	}
	CHECK(io[0] && io[1]);
	enum { FLOWS = 32 };
	uint32_t per_queue[2] = {0, 0}, total = 0;
	if (io[0] && io[1]) {
		for (uint32_t fl = 0; fl < FLOWS; fl++) {
			/* IPv4/UDP with a different source port each: the peer hashes flows to queues. */
			uint8_t b[80];
			memset(b, 0, sizeof(b));
			memcpy(b, far_mac, 6);
			memcpy(b + 6, peer_mac, 6);
			b[12] = 0x08, b[14] = 0x45, b[17] = 46, b[22] = 64, b[23] = 17;
			inet_pton(AF_INET, "10.99.0.2", b + 26);
			inet_pton(AF_INET, "10.77.0.9", b + 30);
			b[34] = 0x80, b[35] = (uint8_t)fl, b[36] = 0x13, b[37] = 0x88, b[39] = 26;
			memcpy(b + 42, "cxd-mq", 6);
			cxd_peer_send(&n, b, 14 + 46);
		}
		uint64_t end = cxd_now_ms() + 3000;
		while (total < FLOWS && cxd_now_ms() < end) {
			uint32_t k_all = 0;
			for (int q = 0; q < 2; q++) {
				struct cix_pkt *g[64];
				uint32_t k = cix_io_rx(io[q], g, 64);
				k_all += k;
				for (uint32_t i = 0; i < k; i++) {
					if (g[i]->len >= 48 && memcmp(g[i]->data + 42, "cxd-mq", 6) == 0) {
						per_queue[q]++;
						total++;
					}
					/* Each socket hands out its own worker's buffers only. */
					CHECK(g[i]->buf >= (uint8_t *)tp[q].bufs &&
					      g[i]->buf < (uint8_t *)tp[q].bufs + (size_t)COUNT * BUF_SIZE);
				}
				cix_pool_free_burst(&tp[q].pool, g, k);
			}
			if (k_all == 0)
				usleep(500);
		}
	}
	CHECK_EQ(total, FLOWS);
	for (int q = 0; q < 2; q++) {
		cix_io_close(io[q]);
		cix_afxdp_umem_free(umem[q]);
		CHECK_EQ(tp[q].pool.n_free, COUNT);
		pool_drop(&tp[q]);
	}
	/* Both queues served some (32 flows hashed over 2 queues). */
	CHECK(per_queue[0] > 0 && per_queue[1] > 0);
	cix_afxdp_port_close(port);
	cxd_net_down(&n);
}

/* Open and close everything many times: not one descriptor more afterwards. */
static void no_descriptor_left_behind(void)
{
	struct cxd_net n;
	struct test_pool tp;
	REQUIRE(cxd_net_up(&n, 'l', 1) == 0);
	REQUIRE(pool_make(&tp) == 0);
	struct cix_live_port_spec spec = spec_for(&n, CIX_XDP_AUTO);
	int before = -1;
	for (int round = 0; round < 6; round++) {
		/* The first round lets the libraries open what they keep for good. */
		if (round == 1)
			before = cxd_open_fds();
		char err[256] = "";
		struct cix_afxdp_port *port = 0;
		struct cix_afxdp_umem *umem = 0;
		REQUIRE(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) == 0);
		REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
		struct cix_io_port *io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
		CHECK(io != 0);
		cix_io_close(io);
		cix_afxdp_umem_free(umem);
		cix_afxdp_port_close(port);
	}
	CHECK_EQ(cxd_open_fds(), before);
	CHECK_EQ(tp.pool.n_free, COUNT);
	pool_drop(&tp);
	cxd_net_down(&n);
}

static void bad_arguments(void)
{
	char err[256] = "";
	struct cix_live_port_spec spec;
	memset(&spec, 0, sizeof(spec));
	snprintf(spec.ifname, sizeof(spec.ifname), "cxdnone0");
	struct cix_afxdp_port *port = 0;
	CHECK(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) != 0);
	CHECK_STR(err, "interface cxdnone0 does not exist");
	/* A pool that cannot be a UMEM: buffers not a power of two. */
	struct cix_pool pool;
	void *meta = 0, *bufs = 0;
	REQUIRE(posix_memalign(&meta, 64, cix_pool_meta_size(16)) == 0);
	REQUIRE(posix_memalign(&bufs, 4096, 16 * 3072) == 0);
	REQUIRE(cix_pool_init_split(&pool, meta, bufs, 16, 3072, 256) == 0);
	struct cix_afxdp_umem *u = 0;
	CHECK(cix_afxdp_umem_new(&pool, &u, err, sizeof(err)) != 0);
	CHECK(u == 0);
	free(meta);
	free(bufs);
}

/*
 * Jumbo frames (multi-buffer AF_XDP): a pool with jumbo buffers makes the
 * socket multi-buffer; frames of one chunk stay in place, larger ones are
 * gathered into a jumbo buffer, byte for byte, and go out again split over
 * chunks. With no jumbo buffer free, the frame's first chunk comes up
 * marked rx_no_buffer and the other chunks go home. Every buffer is back
 * at the end.
 */
#define JCOUNT 8u
#define JBUF 16384u

static void jumbo_frames(enum cix_xdp_mode mode, char tag)
{
	struct cxd_net n;
	struct test_pool tp;
	void *jmeta = 0, *jbufs = 0;
	REQUIRE(cxd_net_up(&n, tag, 1) == 0);
	REQUIRE(cxd_sh("ip link set dev %s mtu 9216", n.here) == 0);
	REQUIRE(cxd_sh("ip -n %s link set dev %s mtu 9216", n.ns, n.peer) == 0);
	REQUIRE(pool_make(&tp) == 0);
	REQUIRE(posix_memalign(&jmeta, 64, cix_pool_meta_size(JCOUNT)) == 0);
	REQUIRE(posix_memalign(&jbufs, 64, (size_t)JCOUNT * JBUF) == 0);
	REQUIRE(cix_pool_add_jumbo(&tp.pool, jmeta, jbufs, JCOUNT, JBUF) == 0);
	char err[256] = "";
	struct cix_live_port_spec spec = spec_for(&n, mode);
	struct cix_afxdp_port *port = 0;
	struct cix_afxdp_umem *umem = 0;
	REQUIRE(cix_afxdp_port_open(&spec, &port, err, sizeof(err)) == 0);
	REQUIRE(cix_afxdp_umem_new(&tp.pool, &umem, err, sizeof(err)) == 0);
	struct cix_io_port *io = cix_afxdp_socket_open(port, umem, 0, err, sizeof(err));
	if (!io)
		fprintf(stderr, "socket open: %s\n", err);
	REQUIRE(io != 0);
	CHECK_STR(cix_afxdp_socket_mode(io), "copy"); /* multi-buffer: nothing to add */

	/* One chunk holds 3840 bytes; 7681 takes three; 9014 is a 9000-byte MTU's frame. */
	static const size_t sizes[] = {60, 3840, 3841, 7681, 9014};
	enum { NS = sizeof(sizes) / sizeof(sizes[0]) };
	static uint8_t sent[NS][9216];
	for (uint32_t i = 0; i < NS; i++) {
		cxd_frame(sent[i], far_mac, peer_mac, 0x88b5, "cxd-jb", i, sizes[i]);
		CHECK_EQ(cxd_peer_send(&n, sent[i], sizes[i]), 0);
	}
	struct cix_pkt *got[NS];
	uint32_t k = rx_marked(io, got, NS, "cxd-jb");
	CHECK_EQ(k, NS);
	for (uint32_t i = 0; i < k; i++) {
		uint32_t seq;
		memcpy(&seq, got[i]->data + 14 + 6, 4);
		REQUIRE(seq < NS);
		CHECK_EQ(got[i]->len, sizes[seq]);
		CHECK_EQ(got[i]->wire_len, sizes[seq]);
		CHECK_EQ(got[i]->drop, CIX_DROP_NONE);
		CHECK_MEM(got[i]->data, sent[seq], sizes[seq]);
		CHECK_EQ(cix_pkt_is_jumbo(&tp.pool, got[i]), sizes[seq] > 3840);
		CHECK_EQ(cix_pkt_headroom(got[i]), HEADROOM);
		memcpy(got[i]->data + 14, "cxd-jo", 6); /* marked for the way out */
	}
	CHECK_EQ(tx_all(io, got, k), k);
	uint32_t seen = 0;
	for (uint32_t j = 0; j < k; j++) {
		static uint8_t buf[9216];
		int len = cxd_peer_recv(&n, buf, sizeof(buf), 2000, "cxd-jo", 14, 6);
		if (len < 0)
			break;
		uint32_t seq;
		memcpy(&seq, buf + 14 + 6, 4);
		REQUIRE(seq < NS);
		CHECK_EQ((size_t)len, sizes[seq]);
		memcpy(sent[seq] + 14, "cxd-jo", 6);
		CHECK_MEM(buf, sent[seq], sizes[seq]);
		seen++;
	}
	CHECK_EQ(seen, NS);
	drain(io, &tp.pool, COUNT - CIX_AFXDP_FILL_SIZE);
	CHECK_EQ(tp.pool.jn_free, JCOUNT);

	/* A burst of jumbo frames in one call: the ring takes every chunk of every frame. */
	struct cix_pkt *many[JCOUNT];
	for (uint32_t i = 0; i < JCOUNT; i++) {
		REQUIRE((many[i] = cix_pool_alloc_jumbo(&tp.pool)) != 0);
		many[i]->len = (uint32_t)cxd_frame(many[i]->data, far_mac, peer_mac, 0x88b5, "cxd-jm", i, 9014);
	}
	CHECK_EQ(cix_io_tx(io, many, JCOUNT), JCOUNT);
	uint32_t arrived = 0;
	for (uint32_t j = 0; j < JCOUNT; j++) {
		static uint8_t buf[9216];
		if (cxd_peer_recv(&n, buf, sizeof(buf), 2000, "cxd-jm", 14, 6) != 9014)
			break;
		arrived++;
	}
	CHECK_EQ(arrived, JCOUNT);
	drain(io, &tp.pool, COUNT - CIX_AFXDP_FILL_SIZE);
	CHECK_EQ(tp.pool.jn_free, JCOUNT);

	/* No jumbo buffer free: the frame is counted, not lost silently, and its chunks come home. */
	struct cix_pkt *held[JCOUNT];
	for (uint32_t i = 0; i < JCOUNT; i++)
		REQUIRE((held[i] = cix_pool_alloc_jumbo(&tp.pool)) != 0);
	uint8_t big[9014];
	cxd_frame(big, far_mac, peer_mac, 0x88b5, "cxd-jx", 99, sizeof(big));
	CHECK_EQ(cxd_peer_send(&n, big, sizeof(big)), 0);
	struct cix_pkt *cut = 0;
	CHECK_EQ(rx_marked(io, &cut, 1, "cxd-jx"), 1);
	if (cut) {
		CHECK_EQ(cut->drop, CIX_DROP_RX_NO_BUFFER);
		CHECK_EQ(cut->wire_len, sizeof(big));
		CHECK_EQ(cut->len, 3840);
		CHECK(!cix_pkt_is_jumbo(&tp.pool, cut));
		cix_pool_free(&tp.pool, cut);
	}
	for (uint32_t i = 0; i < JCOUNT; i++)
		cix_pool_free(&tp.pool, held[i]);

	cix_io_close(io);
	cix_afxdp_umem_free(umem);
	cix_afxdp_port_close(port);
	CHECK_EQ(tp.pool.n_free, COUNT);
	CHECK_EQ(tp.pool.jn_free, JCOUNT);
	pool_drop(&tp);
	free(jmeta);
	free(jbufs);
	cxd_net_down(&n);
}

static void jumbo_native(void)
{
	jumbo_frames(CIX_XDP_NATIVE, 'm');
}

static void jumbo_skb(void)
{
	jumbo_frames(CIX_XDP_SKB, 'n');
}

int main(void)
{
	if (!cxd_is_root()) {
		printf("afxdp_test: skipped, needs root (network namespaces, XDP)\n");
		return cix_test_finish("afxdp");
	}
	signal(SIGPIPE, SIG_IGN);
	RUN(native_mode_frames);
	RUN(skb_mode_frames);
	RUN(auto_falls_back_to_skb);
	RUN(libbpf_attach_path);
	RUN(foreign_program_refused);
	RUN(reopen_right_after_close);
	RUN(restart_after_sigkill);
	RUN(two_ports_share_a_umem);
	RUN(close_out_of_order);
	RUN(two_queues_two_umems);
	RUN(no_descriptor_left_behind);
	RUN(jumbo_native);
	RUN(jumbo_skb);
	RUN(bad_arguments);
	return cix_test_finish("afxdp");
}
