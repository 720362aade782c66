/*
 * cix_xsk under BPF_PROG_TEST_RUN: the embedded program loaded as the
 * drivers load it, run over hand-built frames, with and without an AF_XDP
 * socket in queue 0's slot. Expected verdicts:
 *
 *   untagged ARP for an own address, untagged IPv4 to one   XDP_PASS
 *   everything else (other hosts, tagged, truncated, odd)   the socket:
 *       XDP_REDIRECT with a socket in the slot, XDP_PASS without one
 *
 * and the program's per-CPU counters add up to what was run. Needs root
 * (BPF); no network namespace.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/xdp_prog.h"
#include "test.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

static struct cix_xdp_prog prog;
static const uint8_t own_a[4] = {192, 0, 2, 1};
static const uint8_t own_b[4] = {203, 0, 113, 9};
static const uint8_t other[4] = {192, 0, 2, 99};
static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct frame {
	uint8_t b[128];
	uint32_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with optional tags (tpid/tci pairs), returns the offset after it. */
static uint32_t eth(struct frame *f, const uint8_t *dst, uint16_t ethertype, const uint16_t *tags,
		   int ntags)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, mac_b, 6);
	uint32_t o = 12;
	for (int i = 0; i < ntags; i++, o += 4) {
		put16(f->b + o, tags[2 * i]);
		put16(f->b + o + 2, tags[2 * i + 1]);
	}
	put16(f->b + o, ethertype);
	return o + 2;
}

/* ARP (RFC 826) for IPv4 over Ethernet: oper 1 request, 2 reply. */
static void arp(struct frame *f, uint16_t oper, const uint8_t *tpa, const uint16_t *tags, int ntags)
{
	uint32_t o = eth(f, oper == 1 ? bcast : mac_a, 0x0806, tags, ntags);
	uint8_t *a = f->b + o;
	put16(a, 1);          /* htype Ethernet */
	put16(a + 2, 0x0800); /* ptype IPv4 */
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, oper);
	memcpy(a + 8, mac_b, 6);
	memcpy(a + 14, other, 4);
	memcpy(a + 24, tpa, 4);
	f->len = o + 28;
	if (f->len < 60)
		f->len = 60; /* padded to the Ethernet minimum, as on the wire */
}

/* IPv4 + UDP with a small payload. */
static void ipv4(struct frame *f, const uint8_t *src, const uint8_t *dst, const uint16_t *tags,
		 int ntags)
{
	uint32_t o = eth(f, mac_a, 0x0800, tags, ntags);
	uint8_t *ip = f->b + o;
	ip[0] = 0x45;
	put16(ip + 2, 20 + 8 + 4);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 20, 5000);
	put16(ip + 22, 5001);
	put16(ip + 24, 12);
	memcpy(ip + 28, "cix!", 4);
	f->len = o + 32;
	if (f->len < 60)
		f->len = 60;
}

static int run(const struct frame *f, uint32_t *retval)
{
	uint8_t out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int rc = bpf_prog_test_run_opts(prog.prog_fd, &o);
	*retval = o.retval;
	if (rc == 0 && (o.data_size_out != f->len || memcmp(out, f->b, f->len) != 0))
		return -EPROTO; /* the program must never change a frame */
	return rc;
}

/* Expected verdict for a frame that belongs to the fast path. */
static uint32_t to_socket_verdict(int socket_in_slot)
{
	return socket_in_slot ? XDP_REDIRECT : XDP_PASS;
}

static const uint16_t ctag[] = {0x8100, 100};
static const uint16_t qinq[] = {0x88a8, 200, 0x8100, 300};

/* The cases, run once with and once without a socket; counts what each counter should see. */
static uint64_t want_to_socket, want_arp, want_ipv4;

static void check_all(int socket_in_slot)
{
	const uint32_t fast = to_socket_verdict(socket_in_slot);
	struct frame f;
	uint32_t v;

	arp(&f, 1, own_a, 0, 0);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, XDP_PASS);
	want_arp++;

	arp(&f, 2, own_b, 0, 0); /* a reply to us: ours too */
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, XDP_PASS);
	want_arp++;

	arp(&f, 1, other, 0, 0);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	ipv4(&f, other, own_a, 0, 0);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, XDP_PASS);
	want_ipv4++;

	ipv4(&f, own_a, other, 0, 0); /* from our address, to someone else: not ours */
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	/* Tagged: customer traffic even when it names our address. */
	arp(&f, 1, own_a, ctag, 1);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	ipv4(&f, other, own_a, qinq, 2);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	/* ARP that is not IPv4-over-Ethernet, with our address where tpa would be. */
	arp(&f, 1, own_a, 0, 0);
	put16(f.b + 14 + 2, 0x86dd);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	/* Version 6 in an IPv4 EtherType, destination bytes ours. */
	ipv4(&f, other, own_a, 0, 0);
	f.b[14] = 0x65;
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	/* Truncated: the header only; ARP and IPv4 cut before the address. The
	 * kernel's test run takes nothing shorter than an Ethernet header. */
	arp(&f, 1, own_a, 0, 0);
	f.len = 14;
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	arp(&f, 1, own_a, 0, 0);
	f.len = 14 + 27; /* one byte short of tpa's end */
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	ipv4(&f, other, own_a, 0, 0);
	f.len = 14 + 19;
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;

	/* A non-IP EtherType. */
	eth(&f, mac_a, 0x88cc, 0, 0);
	f.len = 60;
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, fast);
	want_to_socket++;
}

/* An AF_XDP socket good enough for an XSKMAP slot: UMEM and rx ring, not bound. */
static int xsk_for_map(void **area)
{
	const size_t len = 16 * 4096;
	*area = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (*area == MAP_FAILED || fd < 0)
		return -1;
	struct xdp_umem_reg reg = {.addr = (uint64_t)(uintptr_t)*area, .len = len, .chunk_size = 4096};
	int n = 16;
	if (setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_FILL_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &n, sizeof(n)) ||
	    setsockopt(fd, SOL_XDP, XDP_RX_RING, &n, sizeof(n))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void embedded_object_is_elf(void)
{
	CHECK(cix_xsk_bpf_obj_len > 64);
	CHECK_MEM(cix_xsk_bpf_obj, "\177ELF", 4);
}

static void kernel_knows_it_by_name(void)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	REQUIRE(bpf_obj_get_info_by_fd(prog.prog_fd, &info, &len) == 0);
	CHECK_STR(info.name, CIX_XSK_PROG_NAME);
	CHECK_EQ(info.type, BPF_PROG_TYPE_XDP);
}

/*
 * Fuzz smoke over the parser in the kernel: real frames with bytes flipped
 * and lengths cut, fixed seed. The verifier already proves every read is in
 * bounds; this checks what it cannot: the program never changes a frame,
 * and every frame ends at the socket or the kernel, nothing else.
 */
static void mutated_frames_pass_or_redirect_unchanged(void)
{
	void *area = 0;
	int fd = xsk_for_map(&area);
	REQUIRE(fd >= 0);
	CHECK_EQ(cix_xdp_prog_set_socket(&prog, 0, fd), 0);
	uint64_t x = 0x9e3779b97f4a7c15u;
	unsigned bad = 0;
	for (unsigned i = 0; i < 20000; i++) {
		struct frame f;
		switch (i % 4) {
		case 0: arp(&f, 1, own_a, 0, 0); break;
		case 1: ipv4(&f, other, own_b, 0, 0); break;
		case 2: arp(&f, 2, own_b, ctag, 1); break;
		default: ipv4(&f, own_a, other, qinq, 2); break;
		}
		for (unsigned k = 0; k < 1 + i % 6; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			f.b[x % f.len] ^= (uint8_t)(x >> 32);
		}
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (i % 3 == 0)
			f.len = 14 + (uint32_t)(x % (f.len - 13)); /* the kernel runs nothing shorter */
		uint32_t v = 0;
		if (run(&f, &v) != 0 || (v != XDP_PASS && v != XDP_REDIRECT))
			bad++;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(cix_xdp_prog_set_socket(&prog, 0, -1), 0);
	close(fd);
	munmap(area, 16 * 4096);
}

static void verdicts_without_socket(void)
{
	check_all(0);
}

static void verdicts_with_socket(void)
{
	void *area = 0;
	int fd = xsk_for_map(&area);
	REQUIRE(fd >= 0);
	CHECK_EQ(cix_xdp_prog_set_socket(&prog, 0, fd), 0);
	check_all(1);
	CHECK_EQ(cix_xdp_prog_set_socket(&prog, 0, -1), 0);
	/* Cleared slot: the fast-path frames go to the kernel again. */
	struct frame f;
	uint32_t v;
	arp(&f, 1, other, 0, 0);
	CHECK_EQ(run(&f, &v), 0);
	CHECK_EQ(v, XDP_PASS);
	want_to_socket++;
	close(fd);
	munmap(area, 16 * 4096);
}

static void counters_add_up(void)
{
	uint64_t v[CIX_XSK_STAT_COUNT];
	REQUIRE(cix_xdp_prog_stats(&prog, v) == 0);
	CHECK_EQ(v[CIX_XSK_STAT_TO_SOCKET], want_to_socket);
	CHECK_EQ(v[CIX_XSK_STAT_CONTROL_ARP], want_arp);
	CHECK_EQ(v[CIX_XSK_STAT_CONTROL_IPV4], want_ipv4);
}

static void queue_out_of_range_is_refused(void)
{
	CHECK_EQ(cix_xdp_prog_set_socket(&prog, CIX_XSK_MAX_QUEUES, 3), -ERANGE);
	uint32_t many[CIX_XSK_MAX_ADDRS + 1] = {0};
	CHECK_EQ(cix_xdp_prog_set_addrs(&prog, many, CIX_XSK_MAX_ADDRS + 1), -E2BIG);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("cix_xsk_test: skipped, loading BPF needs root\n");
		return cix_test_finish("firmware");
	}
	char err[256];
	if (cix_xdp_prog_load(&prog, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		cix_test_failed_++;
		return cix_test_finish("firmware");
	}
	uint32_t addrs[2];
	memcpy(&addrs[0], own_a, 4);
	memcpy(&addrs[1], own_b, 4);
	if (cix_xdp_prog_set_addrs(&prog, addrs, 2) != 0) {
		fprintf(stderr, "cannot fill the own-address map\n");
		cix_test_failed_++;
	}
	RUN(embedded_object_is_elf);
	RUN(kernel_knows_it_by_name);
	RUN(verdicts_without_socket);
	RUN(verdicts_with_socket);
	RUN(counters_add_up);
	RUN(mutated_frames_pass_or_redirect_unchanged);
	RUN(queue_out_of_range_is_refused);
	cix_xdp_prog_close(&prog);
	return cix_test_finish("firmware");
}
