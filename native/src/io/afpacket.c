/*
 * The afpacket driver: two packet sockets per (port, queue).
 *
 *  rx: TPACKET_V3 ring of blocks. The kernel fills a block with frames and
 *      hands it over (TP_STATUS_USER) when full or after the retire timeout;
 *      rx walks the frames of the blocks it owns, copies each into a pool
 *      buffer at the pool's headroom, and hands the block back as soon as
 *      its last frame is copied. A classic BPF filter keeps the port's own
 *      control traffic (ARP for, IPv4 to its addresses) out of the socket;
 *      PACKET_IGNORE_OUTGOING keeps what we send out of it; with several
 *      queues the sockets of a port form a PACKET_FANOUT (hash) group.
 *  tx: TPACKET_V2 ring of fixed slots (a socket has one ring version, so the
 *      transmit side is its own socket, bound with protocol 0 so it receives
 *      nothing). tx copies each frame into the next free slot, frees the
 *      buffer at once, and asks the kernel to send the burst with one sendto;
 *      PACKET_QDISC_BYPASS hands frames straight to the driver.
 *
 * VLAN tags: on receive the kernel moves a frame's outer 802.1Q/802.1ad tag
 * out of the data into the ring header (tp_vlan_tci, tp_vlan_tpid; always,
 * before any packet socket sees the frame). rx puts it back where it was on
 * the wire, so the pipeline sees the frame as sent.
 */
#include "afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/drop.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* rx ring: 16 blocks of 256 KiB; a block is handed over after 1 ms at the latest. */
#define RX_BLOCK_SIZE (1u << 18)
#define RX_BLOCK_NR 16u
#define RX_FRAME_HINT 2048u
#define RX_RETIRE_MS 1u
/* tx ring: 512 slots of 4 KiB (a 4064-byte frame after the slot header), or of
 * 16 KiB when the pool has jumbo buffers (live workers always do). */
#define TX_FRAME_SIZE 4096u
#define TX_JUMBO_FRAME_SIZE 16384u
#define TX_BLOCK_SIZE (1u << 16)
#define TX_FRAME_NR 512u
#define TX_DATA_OFF TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

struct afp_counters {
	uint64_t rx_empty_polls;
	uint64_t pool_empty;
	uint64_t tx_kicks;
	uint64_t tx_too_long;
};

struct afp_socket {
	struct cix_io_port io; /* first: the driver interface */
	int rx_fd;
	int tx_fd;
	uint8_t *rx_ring;
	size_t rx_ring_len;
	uint32_t blk;          /* the block rx reads next */
	uint32_t blk_left;     /* frames of it still to copy; 0: not opened yet */
	uint8_t *next_frame;   /* the next of them */
	uint8_t *tx_ring;
	size_t tx_ring_len;
	uint32_t tx_frame_size; /* bytes per tx slot, its header included */
	uint32_t tx_head;      /* the slot tx fills next */
	struct afp_counters cnt;
	/* PACKET_STATISTICS resets on read: totals kept by the getter (control thread). */
	uint64_t kernel_drops;
};

static inline void bump(uint64_t *c, uint64_t by)
{
	__atomic_store_n(c, *c + by, __ATOMIC_RELAXED);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline struct tpacket_block_desc *rx_block(const struct afp_socket *s, uint32_t i)
{
	return (struct tpacket_block_desc *)(s->rx_ring + (size_t)i * RX_BLOCK_SIZE);
}

static inline uint32_t block_status(struct tpacket_block_desc *bd)
{
	return __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
}

/* Hands the block back to the kernel and moves on to the next one. */
static inline void give_block(struct afp_socket *s, struct tpacket_block_desc *bd)
{
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	s->blk = (s->blk + 1) % RX_BLOCK_NR;
}

static inline struct tpacket2_hdr *tx_slot(const struct afp_socket *s, uint32_t i)
{
	return (struct tpacket2_hdr *)(s->tx_ring + (size_t)i * s->tx_frame_size);
}

static inline uint32_t slot_status(struct tpacket2_hdr *h)
{
	return __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
}

/* Bytes the frame of h takes in a buffer (its outer tag put back). */
static inline uint32_t frame_bytes(const struct tpacket3_hdr *h)
{
	int tagged = (h->tp_status & TP_STATUS_VLAN_VALID) && h->tp_snaplen >= 2 * ETH_ALEN;
	return h->tp_snaplen + (tagged ? 4u : 0u);
}

/* One frame from the ring into p, its outer tag put back in front of the EtherType. */
static void copy_frame(const struct cix_pool *pool, struct cix_pkt *p, const struct tpacket3_hdr *h)
{
	const uint8_t *src = (const uint8_t *)h + h->tp_mac;
	uint32_t snap = h->tp_snaplen;
	int tagged = (h->tp_status & TP_STATUS_VLAN_VALID) && snap >= 2 * ETH_ALEN;
	uint32_t extra = tagged ? 4u : 0u;
	uint32_t room = cix_pkt_is_jumbo(pool, p) ? cix_pool_jumbo_room(pool) : cix_pool_data_room(pool);
	p->wire_len = h->tp_len + extra;
	if (snap + extra > room) {
		/* Larger than any port's MTU allows; keep nothing of it (as the pcap driver). */
		p->len = 0;
		p->drop = CIX_DROP_MTU_RX;
		return;
	}
	p->len = snap + extra;
	if (!tagged) {
		memcpy(p->data, src, snap);
		return;
	}
	uint16_t tpid =
		(h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : ETH_P_8021Q;
	uint16_t tci = h->hv1.tp_vlan_tci;
	memcpy(p->data, src, 2 * ETH_ALEN);
	p->data[12] = (uint8_t)(tpid >> 8);
	p->data[13] = (uint8_t)tpid;
	p->data[14] = (uint8_t)(tci >> 8);
	p->data[15] = (uint8_t)tci;
	memcpy(p->data + 16, src + 2 * ETH_ALEN, snap - 2 * ETH_ALEN);
}

static uint32_t afp_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	struct afp_socket *s = (struct afp_socket *)io;
	struct cix_pool *pool = io->pool;
	uint64_t now = 0;
	uint32_t n = 0;
	while (n < max) {
		struct tpacket_block_desc *bd = rx_block(s, s->blk);
		if (s->blk_left == 0) {
			if (!(block_status(bd) & TP_STATUS_USER))
				break;
			s->blk_left = bd->hdr.bh1.num_pkts;
			s->next_frame = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
			if (s->blk_left == 0) {
				give_block(s, bd);
				continue;
			}
		}
		const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)s->next_frame;
		struct cix_pkt *p;
		if (__builtin_expect(frame_bytes(h) > cix_pool_data_room(pool) && pool->jcount, 0)) {
			p = cix_pool_alloc_jumbo(pool);
			if (!p) {
				bump(&s->cnt.pool_empty, 1); /* the frames wait in the ring */
				break;
			}
		} else {
			if (pool->n_free == 0) {
				bump(&s->cnt.pool_empty, 1);
				break;
			}
			p = pool->free[--pool->n_free];
			cix_pkt_reset(pool, p);
		}
		if (n == 0)
			now = monotonic_ns();
		copy_frame(pool, p, h);
		p->in_port = io->port;
		p->ts_ns = now;
		pkts[n++] = p;
		if (--s->blk_left == 0) {
			give_block(s, bd); /* every frame copied: the kernel may refill it */
		} else {
			s->next_frame += h->tp_next_offset;
		}
	}
	if (n == 0)
		bump(&s->cnt.rx_empty_polls, 1);
	return n;
}

static void kick(struct afp_socket *s)
{
	bump(&s->cnt.tx_kicks, 1);
	/* Sends every slot marked SEND_REQUEST; ENOBUFS/EAGAIN leave the rest for flush. */
	sendto(s->tx_fd, 0, 0, MSG_DONTWAIT, 0, 0);
}

static uint32_t afp_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct afp_socket *s = (struct afp_socket *)io;
	uint32_t k = 0, queued = 0;
	for (; k < n; k++) {
		struct tpacket2_hdr *h = tx_slot(s, s->tx_head);
		if (slot_status(h) != TP_STATUS_AVAILABLE)
			break; /* the ring is full: the rest stays the caller's */
		struct cix_pkt *p = pkts[k];
		if (p->len > s->tx_frame_size - TX_DATA_OFF) {
			p->drop = CIX_DROP_MTU_TX; /* no slot holds it: refused, the caller drops it */
			bump(&s->cnt.tx_too_long, 1);
			break;
		}
		memcpy((uint8_t *)h + TX_DATA_OFF, p->data, p->len);
		h->tp_len = p->len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		s->tx_head = (s->tx_head + 1) % TX_FRAME_NR;
		queued++;
	}
	cix_pool_free_burst(io->pool, pkts, k);
	if (queued)
		kick(s);
	return k;
}

static void afp_flush(struct cix_io_port *io)
{
	struct afp_socket *s = (struct afp_socket *)io;
	/* The kernel sends in ring order: if the newest slot is still waiting, kick again. */
	uint32_t last = (s->tx_head + TX_FRAME_NR - 1) % TX_FRAME_NR;
	if (slot_status(tx_slot(s, last)) == TP_STATUS_SEND_REQUEST)
		kick(s);
}

static int afp_pollfd(struct cix_io_port *io)
{
	return ((struct afp_socket *)io)->rx_fd;
}

static void afp_close(struct cix_io_port *io)
{
	struct afp_socket *s = (struct afp_socket *)io;
	if (s->rx_ring)
		munmap(s->rx_ring, s->rx_ring_len);
	if (s->tx_ring)
		munmap(s->tx_ring, s->tx_ring_len);
	if (s->rx_fd >= 0)
		close(s->rx_fd);
	if (s->tx_fd >= 0)
		close(s->tx_fd);
	free(s);
}

static const struct cix_io_ops afpacket_ops = {
	.name = "afpacket",
	.rx = afp_rx,
	.tx = afp_tx,
	.close = afp_close,
	.pollfd = afp_pollfd,
	.flush = afp_flush,
	.stats = cix_afpacket_stats,
};

/* ---- the receive filter ---- */

#define FILTER_MAX (24u + CIX_LIVE_MAX_ADDRS)
#define SNAP_ALL 0x40000u /* "keep the whole frame" for a socket filter */

/*
 * Classic BPF that refuses (returns 0 for) untagged ARP whose target is an
 * own address and untagged IPv4 sent to one; everything else is kept. The
 * kernel has already moved an outer tag out of the data (vlan_avail), so a
 * tagged frame is recognised by that, not by its EtherType. A frame too
 * short to read an address is kept (the pipeline counts it as truncated):
 * a load past the end would make classic BPF drop it silently.
 */
static uint32_t build_filter(struct sock_filter *f, const uint32_t *addrs, uint32_t n)
{
	uint32_t k = 0;
	/* Jump targets are patched once the tail's position is known. */
	uint32_t to_accept[8], n_accept = 0;
	uint32_t arp_jump, arp_to_cmp;
#define EMIT(c, jt, jf, kk) (f[k] = (struct sock_filter)BPF_JUMP((c), (kk), (jt), (jf)), k++)
	EMIT(BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT));
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0); /* jt: no tag, go on; jf: accept */
	EMIT(BPF_LD | BPF_H | BPF_ABS, 0, 0, 12);
	arp_jump = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, ETH_P_ARP); /* jt: ARP below; jf: next */
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, ETH_P_IP); /* jt: IPv4 (next); jf: accept */
	/* IPv4: version 4, destination at 14 + 16. */
	EMIT(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 14 + 20);
	EMIT(BPF_LD | BPF_B | BPF_ABS, 0, 0, 14);
	EMIT(BPF_ALU | BPF_AND | BPF_K, 0, 0, 0xf0);
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0x40);
	EMIT(BPF_LD | BPF_W | BPF_ABS, 0, 0, 14 + 16);
	arp_to_cmp = k;
	EMIT(BPF_JMP | BPF_JA, 0, 0, 0); /* over the ARP part, to the comparisons */
	/* ARP for IPv4 over Ethernet: target protocol address at 14 + 24. */
	uint32_t arp_start = k;
	EMIT(BPF_LD | BPF_W | BPF_LEN, 0, 0, 0);
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 14 + 28);
	EMIT(BPF_LD | BPF_H | BPF_ABS, 0, 0, 14 + 2);
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, ETH_P_IP);
	EMIT(BPF_LD | BPF_H | BPF_ABS, 0, 0, 14 + 4);
	to_accept[n_accept++] = k;
	EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, (ETH_ALEN << 8) | 4);
	EMIT(BPF_LD | BPF_W | BPF_ABS, 0, 0, 14 + 24);
	uint32_t cmp_start = k;
	for (uint32_t i = 0; i < n; i++)
		EMIT(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, ntohl(addrs[i]));
	uint32_t accept = k;
	EMIT(BPF_RET | BPF_K, 0, 0, SNAP_ALL);
	uint32_t drop = k;
	EMIT(BPF_RET | BPF_K, 0, 0, 0);
#undef EMIT

	/* Relative jumps: from instruction i, offset t lands on i + 1 + t. */
	f[to_accept[0]].jt = 0;
	f[to_accept[0]].jf = (uint8_t)(accept - to_accept[0] - 1);
	f[arp_jump].jt = (uint8_t)(arp_start - arp_jump - 1);
	f[arp_jump].jf = 0;
	for (uint32_t i = 1; i < n_accept; i++) {
		f[to_accept[i]].jt = 0;
		f[to_accept[i]].jf = (uint8_t)(accept - to_accept[i] - 1);
	}
	f[arp_to_cmp].k = cmp_start - arp_to_cmp - 1;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t at = cmp_start + i;
		f[at].jt = (uint8_t)(drop - at - 1);
		f[at].jf = 0;
	}
	return k;
}

/* ---- open ---- */

static int sockopt_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) == 0 ? 0 : -errno;
}

static int bind_to(int fd, int ifindex, uint16_t protocol)
{
	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(protocol);
	sll.sll_ifindex = ifindex;
	return bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == 0 ? 0 : -errno;
}

static int open_rx(struct afp_socket *s, const struct cix_live_port_spec *spec, int ifindex,
		   uint32_t n_queues, const char **step)
{
	int rc;
	*step = "socket";
	/* Protocol 0: nothing arrives before the ring and filter are in place (bind). */
	s->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->rx_fd < 0)
		return -errno;
	*step = "TPACKET_V3";
	if ((rc = sockopt_int(s->rx_fd, SOL_PACKET, PACKET_VERSION, TPACKET_V3)))
		return rc;
	*step = "filter";
	struct sock_filter f[FILTER_MAX];
	struct sock_fprog prog = {
		.len = (unsigned short)build_filter(f, spec->addrs, spec->n_addrs),
		.filter = f,
	};
	if (setsockopt(s->rx_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0)
		return -errno;
	*step = "PACKET_IGNORE_OUTGOING";
	if ((rc = sockopt_int(s->rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)))
		return rc;
	*step = "rx ring";
	struct tpacket_req3 req;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = RX_BLOCK_SIZE;
	req.tp_block_nr = RX_BLOCK_NR;
	req.tp_frame_size = RX_FRAME_HINT;
	req.tp_frame_nr = RX_BLOCK_SIZE / RX_FRAME_HINT * RX_BLOCK_NR;
	req.tp_retire_blk_tov = RX_RETIRE_MS;
	if (setsockopt(s->rx_fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0)
		return -errno;
	s->rx_ring_len = (size_t)RX_BLOCK_SIZE * RX_BLOCK_NR;
	void *m = mmap(0, s->rx_ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       s->rx_fd, 0);
	if (m == MAP_FAILED) {
		s->rx_ring = 0;
		return -errno;
	}
	s->rx_ring = m;
	*step = "bind";
	if ((rc = bind_to(s->rx_fd, ifindex, ETH_P_ALL)))
		return rc;
	/* Frames for other MACs are customer traffic too: the NIC must not filter them.
	 * The membership is counted by the kernel and ends with the socket. */
	*step = "promiscuous mode";
	struct packet_mreq mr;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(s->rx_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0)
		return -errno;
	if (n_queues > 1) {
		*step = "fanout";
		/* One group per interface (ids are per network namespace). */
		int v = (ifindex & 0xffff) | (PACKET_FANOUT_HASH << 16);
		if ((rc = sockopt_int(s->rx_fd, SOL_PACKET, PACKET_FANOUT, v)))
			return rc;
	}
	return 0;
}

static int open_tx(struct afp_socket *s, int ifindex, const char **step)
{
	int rc;
	*step = "tx socket";
	s->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->tx_fd < 0)
		return -errno;
	*step = "TPACKET_V2";
	if ((rc = sockopt_int(s->tx_fd, SOL_PACKET, PACKET_VERSION, TPACKET_V2)))
		return rc;
	*step = "PACKET_QDISC_BYPASS";
	if ((rc = sockopt_int(s->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1)))
		return rc;
	/* A frame the kernel refuses is skipped, not a stop of the whole ring. */
	*step = "PACKET_LOSS";
	if ((rc = sockopt_int(s->tx_fd, SOL_PACKET, PACKET_LOSS, 1)))
		return rc;
	*step = "tx ring";
	struct tpacket_req req;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = TX_BLOCK_SIZE;
	req.tp_block_nr = TX_FRAME_NR / (TX_BLOCK_SIZE / s->tx_frame_size);
	req.tp_frame_size = s->tx_frame_size;
	req.tp_frame_nr = TX_FRAME_NR;
	if (setsockopt(s->tx_fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) != 0)
		return -errno;
	s->tx_ring_len = (size_t)s->tx_frame_size * TX_FRAME_NR;
	void *m = mmap(0, s->tx_ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       s->tx_fd, 0);
	if (m == MAP_FAILED) {
		s->tx_ring = 0;
		return -errno;
	}
	s->tx_ring = m;
	*step = "tx bind";
	return bind_to(s->tx_fd, ifindex, 0);
}

struct cix_io_port *cix_afpacket_open(const struct cix_live_port_spec *spec, struct cix_pool *pool,
				      uint32_t queue, uint32_t n_queues, char *err, size_t errlen)
{
	char ifname[CIX_IFNAMSIZ];
	snprintf(ifname, sizeof(ifname), "%.*s", (int)CIX_IFNAMSIZ - 1, spec->ifname);
	if (!pool || n_queues == 0 || queue >= n_queues) {
		snprintf(err, errlen, "interface %s: afpacket queue %u of %u", ifname, queue,
			 n_queues);
		return 0;
	}
	if (spec->n_addrs > CIX_LIVE_MAX_ADDRS) {
		snprintf(err, errlen, "interface %s: %u own addresses, at most %u", ifname,
			 spec->n_addrs, CIX_LIVE_MAX_ADDRS);
		return 0;
	}
	int ifindex = (int)if_nametoindex(ifname);
	if (ifindex == 0) {
		snprintf(err, errlen, "interface %s does not exist", ifname);
		return 0;
	}
	struct afp_socket *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	s->io.ops = &afpacket_ops;
	s->io.pool = pool;
	s->io.port = spec->port;
	s->rx_fd = s->tx_fd = -1;
	s->tx_frame_size = pool->jcount ? TX_JUMBO_FRAME_SIZE : TX_FRAME_SIZE;
	const char *step = "";
	int rc = open_rx(s, spec, ifindex, n_queues, &step);
	if (rc == 0)
		rc = open_tx(s, ifindex, &step);
	if (rc) {
		snprintf(err, errlen, "interface %s queue %u: AF_PACKET %s failed: %s", ifname, queue,
			 step, strerror(-rc));
		afp_close(&s->io);
		return 0;
	}
	return &s->io;
}

int cix_afpacket_stats(const struct cix_io_port *io, struct cix_live_driver_stats *out)
{
	/* The kernel totals are this getter's own (control thread); not const in spirit. */
	struct afp_socket *s = (struct afp_socket *)(uintptr_t)io;
	memset(out, 0, sizeof(*out));
	out->rx_empty_polls = __atomic_load_n(&s->cnt.rx_empty_polls, __ATOMIC_RELAXED);
	out->fill_shortfall = __atomic_load_n(&s->cnt.pool_empty, __ATOMIC_RELAXED);
	out->tx_kicks = __atomic_load_n(&s->cnt.tx_kicks, __ATOMIC_RELAXED);
	out->tx_invalid = __atomic_load_n(&s->cnt.tx_too_long, __ATOMIC_RELAXED);
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);
	memset(&st, 0, sizeof(st));
	int rc = 0;
	if (getsockopt(s->rx_fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
		/* Read-and-reset in the kernel; the worker and the control thread both ask. */
		__atomic_fetch_add(&s->kernel_drops, st.tp_drops, __ATOMIC_RELAXED);
	} else {
		rc = -errno;
	}
	out->rx_dropped = __atomic_load_n(&s->kernel_drops, __ATOMIC_RELAXED);
	return rc;
}
