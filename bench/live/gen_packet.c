/*
 * The AF_PACKET sender of cix_live_gen (--mode packet): a PACKET_TX_RING
 * (TPACKET_V2) with PACKET_QDISC_BYPASS, so a kick hands every queued slot
 * straight to the driver.
 *
 * Pacing is by credit: at each pass the frames due by now are
 * rate x elapsed; once a whole burst of them is due, they are written into
 * free ring slots and sent with one sendto() (frames leave in bursts, as
 * from a NIC's descriptor ring, and the cost per frame is the same at every
 * rate). One clock read per pass and one syscall per burst; the loop spins
 * between bursts. When the kernel falls behind, the ring fills and the
 * achieved rate drops below the asked one: the report says so.
 *
 * A slot is ours again when the kernel has freed the frame's skb (its
 * status goes back to AVAILABLE) or refused it (WRONG_FORMAT, counted as
 * failed). The frames are skbs with the ring's pages as fragments: each
 * costs the kernel an skb, which makes this sender several times slower
 * than the XDP one (gen_xdp.c) and its receivers' work heavier.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "live_gen.h"

#define RING_BLOCK_SIZE 4096u /* one page per ring block */

struct tx_ring {
	int fd;
	uint8_t *map;
	size_t map_len;
	uint32_t slot_size;
	uint32_t n_slots;
	uint32_t head;      /* next slot to fill */
	uint32_t tail;      /* oldest slot in flight */
	uint32_t in_flight;
	uint64_t queued;    /* frames put on the ring */
};

/* The smallest power of two that holds the tpacket header and the frame. */
static uint32_t slot_size_for(uint32_t frame_len)
{
	uint32_t need = TPACKET_ALIGN(sizeof(struct tpacket2_hdr)) + frame_len, s = 128;
	while (s < need)
		s <<= 1;
	return s;
}

static int ring_open(struct tx_ring *r, const struct gen_opts *o, unsigned ifindex)
{
	/* Protocol 0: a socket that sends and never receives. */
	r->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (r->fd < 0)
		return gen_sys_error("socket(AF_PACKET)");
	int v = TPACKET_V2;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		return gen_sys_error("PACKET_VERSION");
	v = 1;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &v, sizeof(v)))
		return gen_sys_error("PACKET_QDISC_BYPASS");
	/* Room for a whole ring of frames in flight (as root: past wmem_max). */
	v = 16 << 20;
	if (setsockopt(r->fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		(void)setsockopt(r->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));

	r->slot_size = slot_size_for(o->frame_len);
	uint32_t per_block = r->slot_size >= RING_BLOCK_SIZE ? 1 : RING_BLOCK_SIZE / r->slot_size;
	struct tpacket_req req = {
		.tp_block_size = r->slot_size >= RING_BLOCK_SIZE ? r->slot_size : RING_BLOCK_SIZE,
		.tp_block_nr = (o->ring + per_block - 1) / per_block,
		.tp_frame_size = r->slot_size,
	};
	req.tp_frame_nr = req.tp_block_nr * per_block;
	r->n_slots = req.tp_frame_nr;
	if (setsockopt(r->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)))
		return gen_sys_error("PACKET_TX_RING");
	r->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
	r->map = mmap(0, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = 0;
		return gen_sys_error("mmap(TX ring)");
	}
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = 0, .sll_ifindex = (int)ifindex};
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)))
		return gen_sys_error("bind");
	return 0;
}

static void ring_close(struct tx_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
}

static struct tpacket2_hdr *slot(const struct tx_ring *r, uint32_t i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * r->slot_size);
}

/* Take back the slots the kernel is done with, oldest first. */
static void ring_reclaim(struct tx_ring *r, struct gen_result *res)
{
	while (r->in_flight) {
		struct tpacket2_hdr *h = slot(r, r->tail);
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (st == TP_STATUS_AVAILABLE)
			res->sent++;
		else if (st & TP_STATUS_WRONG_FORMAT)
			res->failed++;
		else
			break;
		h->tp_status = TP_STATUS_AVAILABLE;
		r->tail = (r->tail + 1) % r->n_slots;
		r->in_flight--;
	}
}

/* Write n frames into the next free slots and hand them to the kernel. */
static void ring_send(struct tx_ring *r, const struct gen_opts *o, uint32_t n, struct gen_result *res)
{
	const uint32_t data_off = TPACKET_ALIGN(sizeof(struct tpacket2_hdr));
	for (uint32_t k = 0; k < n; k++) {
		struct tpacket2_hdr *h = slot(r, r->head);
		memcpy((uint8_t *)h + data_off, o->frame, o->frame_len);
		h->tp_len = o->frame_len;
		__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
		r->head = (r->head + 1) % r->n_slots;
	}
	r->in_flight += n;
	r->queued += n;
	/* A refused kick (ENOBUFS, EAGAIN) leaves the slots queued: the next kick takes them. */
	(void)sendto(r->fd, 0, 0, MSG_DONTWAIT, 0, 0);
	res->kicks++;
}

static void pace(struct tx_ring *r, const struct gen_opts *o, struct gen_result *res)
{
	const uint64_t t0 = gen_now_ns();
	const uint64_t end = t0 + (uint64_t)(o->duration * 1e9);
	const double per_ns = o->rate / 1e9;
	uint64_t t = t0;
	while (!gen_stop && t < end && (!o->count || r->queued < o->count)) {
		ring_reclaim(r, res);
		/* Frames due by now; unpaced: as many as there is room for. */
		uint64_t due = o->rate > 0 ? (uint64_t)((double)(t - t0) * per_ns) + 1 : UINT64_MAX;
		if (o->count && due > o->count)
			due = o->count;
		uint64_t want = due > r->queued ? due - r->queued : 0;
		uint32_t room = r->n_slots - r->in_flight;
		if (want && !room)
			res->ring_full++;
		/* Whole bursts only (the last one of a --count excepted): one kick per
		 * frame would make the generator, not the device, the limit. */
		uint64_t left = o->count ? o->count - r->queued : UINT64_MAX;
		uint32_t n = want >= o->burst || want >= left ? (uint32_t)(want < o->burst ? want : o->burst) : 0;
		if (n > room)
			n = room;
		if (n)
			ring_send(r, o, n, res);
		t = gen_now_ns();
	}
	/* Let what is queued go out (bounded: a second, or a signal). */
	const uint64_t drain_end = gen_now_ns() + 1000000000ull;
	while (r->in_flight && !gen_stop && gen_now_ns() < drain_end) {
		(void)sendto(r->fd, 0, 0, MSG_DONTWAIT, 0, 0);
		ring_reclaim(r, res);
	}
	res->unfinished = r->queued - res->sent - res->failed;
	res->elapsed = (double)(gen_now_ns() - t0) / 1e9;
}

int gen_packet_run(const struct gen_opts *o, unsigned ifindex, struct gen_result *res)
{
	struct tx_ring r = {.fd = -1};
	int rc = ring_open(&r, o, ifindex);
	if (!rc)
		pace(&r, o, res);
	ring_close(&r);
	return rc;
}
