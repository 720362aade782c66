/*
 * The afxdp burst path: rx, tx, flush on one socket, run by the worker that
 * owns it. No allocation, no lock; a syscall only where the ring asks for
 * a wakeup (need_wakeup), at most once per call.
 */
#include "xdp_sock.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "../core/drop.h"
#include <time.h>

static inline void bump(uint64_t *c, uint64_t by)
{
	/* Single writer (this worker); readers on other threads load it whole. */
	__atomic_store_n(c, *c + by, __ATOMIC_RELAXED);
}

static inline struct cix_afxdp_socket *sock_of(struct cix_io_port *io)
{
	return (struct cix_afxdp_socket *)io;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cix_xsk_refill(struct cix_afxdp_socket *s)
{
	struct cix_pool *pool = s->io.pool;
	uint32_t want = CIX_AFXDP_FILL_SIZE - s->rx_lent;
	want = cix_xdp_prod_free(&s->fill, want);
	uint32_t n = want < pool->n_free ? want : pool->n_free;
	if (n < want)
		bump(&s->cnt.fill_shortfall, want - n);
	if (n == 0)
		return;
	uint32_t idx = s->fill.cached_prod;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pool->free[--pool->n_free];
		/* Aligned mode: the kernel places the frame at chunk + headroom itself. */
		*cix_xdp_fill_addr(&s->fill, idx + i) = (uint64_t)(p->buf - s->area);
		s->owner[p->index] = s->tag;
	}
	cix_xdp_prod_submit(&s->fill, n);
	s->rx_lent += n;
}

/* Gives an rx chunk the pipeline will not see back to the pool. */
static inline void chunk_home(struct cix_afxdp_socket *s, struct cix_pool *pool, uint64_t addr)
{
	uint32_t slot = (uint32_t)(addr >> s->frame_shift);
	s->owner[slot] = 0;
	pool->free[pool->n_free++] = &pool->descs[slot];
}

/*
 * One frame the kernel wrote in chunks first..last (multi-buffer): copied
 * into a jumbo buffer, its chunks back to the pool. Without a jumbo buffer
 * free, or a frame larger than one holds, the first chunk comes back
 * instead, marked with the drop reason the pipeline counts.
 */
static struct cix_pkt *gather(struct cix_afxdp_socket *s, struct cix_pool *pool, uint32_t first,
			      uint32_t last)
{
	uint32_t total = 0;
	for (uint32_t i = first; i <= last; i++)
		total += cix_xdp_rx_desc(&s->rx, i)->len;
	const struct xdp_desc *d0 = cix_xdp_rx_desc(&s->rx, first);
	int too_long = total > cix_pool_jumbo_room(pool);
	struct cix_pkt *j = too_long ? 0 : cix_pool_alloc_jumbo(pool);
	if (!j) {
		uint32_t slot = (uint32_t)(d0->addr >> s->frame_shift);
		struct cix_pkt *p = &pool->descs[slot];
		s->owner[slot] = 0;
		cix_pkt_reset(pool, p);
		p->data = s->area + d0->addr;
		p->len = d0->len;
		p->wire_len = total;
		p->drop = too_long ? CIX_DROP_MTU_RX : CIX_DROP_RX_NO_BUFFER;
		for (uint32_t i = first + 1; i <= last; i++)
			chunk_home(s, pool, cix_xdp_rx_desc(&s->rx, i)->addr);
		return p;
	}
	uint8_t *to = j->data;
	for (uint32_t i = first; i <= last; i++) {
		const struct xdp_desc *d = cix_xdp_rx_desc(&s->rx, i);
		memcpy(to, s->area + d->addr, d->len);
		to += d->len;
		chunk_home(s, pool, d->addr);
	}
	j->len = total;
	j->wire_len = total;
	return j;
}

uint32_t cix_xsk_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	struct cix_afxdp_socket *s = sock_of(io);
	struct cix_pool *pool = io->pool;
	/* Room to see the whole of a multi-buffer frame that starts within max. */
	uint32_t n = cix_xdp_cons_avail(&s->rx, s->sg ? max + CIX_XSK_MAX_FRAGS : max);
	if (n == 0) {
		bump(&s->cnt.rx_empty_polls, 1);
		/* Zero-copy drivers stop taking fill entries until woken; copy mode never asks. */
		if (s->need_wakeup && cix_xdp_needs_wakeup(&s->fill)) {
			bump(&s->cnt.rx_kicks, 1);
			recvfrom(s->fd, 0, 0, MSG_DONTWAIT, 0, 0);
		}
		if (CIX_AFXDP_FILL_SIZE - s->rx_lent >= CIX_AFXDP_FILL_BATCH)
			cix_xsk_refill(s);
		return 0;
	}

	uint64_t now = monotonic_ns();
	uint32_t idx = s->rx.cached_cons;
	uint32_t i = 0, out = 0;
	while (i < n && out < max) {
		const struct xdp_desc *d = cix_xdp_rx_desc(&s->rx, idx + i);
		struct cix_pkt *p;
		if (__builtin_expect(!(d->options & XDP_PKT_CONTD), 1)) {
			uint32_t slot = (uint32_t)(d->addr >> s->frame_shift);
			p = &pool->descs[slot];
			s->owner[slot] = 0;
			cix_pkt_reset(pool, p);
			/* The kernel chose the offset (XDP_PACKET_HEADROOM + UMEM headroom). */
			p->data = s->area + d->addr;
			p->len = d->len;
			p->wire_len = d->len;
			i++;
		} else {
			uint32_t last = i;
			while (last < n && (cix_xdp_rx_desc(&s->rx, idx + last)->options & XDP_PKT_CONTD))
				last++;
			if (last == n)
				break; /* its last chunk is not in the ring yet: next call */
			p = gather(s, pool, idx + i, idx + last);
			i = last + 1;
		}
		p->in_port = io->port;
		p->ts_ns = now;
		pkts[out++] = p;
	}
	cix_xdp_cons_release(&s->rx, i);
	s->rx_lent -= i;
	if (CIX_AFXDP_FILL_SIZE - s->rx_lent >= CIX_AFXDP_FILL_BATCH)
		cix_xsk_refill(s);
	return out;
}

void cix_xsk_reap(struct cix_afxdp_socket *s)
{
	struct cix_pool *pool = s->io.pool;
	uint32_t n = cix_xdp_cons_avail(&s->comp, CIX_AFXDP_COMP_SIZE);
	if (n == 0)
		return;
	uint32_t idx = s->comp.cached_cons;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slot = (uint32_t)(*cix_xdp_comp_addr(&s->comp, idx + i) >> s->frame_shift);
		s->owner[slot] = 0;
		pool->free[pool->n_free++] = &pool->descs[slot];
	}
	cix_xdp_cons_release(&s->comp, n);
	s->tx_lent -= n;
}

static void kick_tx(struct cix_afxdp_socket *s)
{
	if (s->need_wakeup && !cix_xdp_needs_wakeup(&s->tx))
		return;
	bump(&s->cnt.tx_kicks, 1);
	/* EAGAIN/EBUSY/ENOBUFS: the kernel is busy; what stays in the ring goes
	 * out on the next kick (flush). ENETDOWN: dropped by the kernel. */
	sendto(s->fd, 0, 0, MSG_DONTWAIT, 0, 0);
}

/*
 * A jumbo frame out as consecutive chunks (XDP_PKT_CONTD on all but the
 * last), copied from its jumbo buffer, which goes back to the pool. 0 when
 * the tx ring or the pool cannot take all its chunks now (the frame stays
 * the caller's).
 */
static uint32_t tx_jumbo(struct cix_afxdp_socket *s, struct cix_pool *pool, struct cix_pkt *p,
			 uint32_t ring_free)
{
	uint32_t k = (p->len + s->frame_room - 1) / s->frame_room;
	if (k > ring_free || k > pool->n_free)
		return 0;
	uint32_t idx = s->tx.cached_prod;
	const uint8_t *from = p->data;
	uint32_t left = p->len;
	for (uint32_t c = 0; c < k; c++) {
		struct cix_pkt *b = pool->free[--pool->n_free];
		uint32_t len = left < s->frame_room ? left : s->frame_room;
		uint8_t *to = b->buf + pool->headroom;
		memcpy(to, from, len);
		struct xdp_desc *d = cix_xdp_tx_desc(&s->tx, idx + c);
		d->addr = (uint64_t)(to - s->area);
		d->len = len;
		d->options = c + 1 < k ? XDP_PKT_CONTD : 0;
		s->owner[b->index] = s->tag;
		from += len;
		left -= len;
	}
	cix_pool_free(pool, p);
	return k;
}

uint32_t cix_xsk_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct cix_afxdp_socket *s = sock_of(io);
	struct cix_pool *pool = io->pool;
	cix_xsk_reap(s);
	uint32_t room = CIX_AFXDP_TX_SIZE - s->tx_lent;
	/* Multi-buffer: a frame may take several slots, so ask for all there are. */
	uint32_t want = s->sg ? room : n;
	uint32_t slots = cix_xdp_prod_free(&s->tx, want < room ? want : room);
	if (slots == 0)
		return 0;
	uint32_t idx = s->tx.cached_prod;
	uint32_t used = 0, i = 0;
	for (; i < n && used < slots; i++) {
		struct cix_pkt *p = pkts[i];
		if (__builtin_expect(cix_pkt_is_jumbo(pool, p), 0)) {
			if (!s->sg) {
				/* Chunks the kernel cannot chain would never complete: refused. */
				p->drop = CIX_DROP_MTU_TX;
				break;
			}
			/* Publish what is written so far: tx_jumbo writes from cached_prod. */
			if (used) {
				cix_xdp_prod_submit(&s->tx, used);
				s->tx_lent += used;
				slots -= used;
				idx += used;
				used = 0;
			}
			uint32_t k = tx_jumbo(s, pool, p, slots);
			if (k == 0)
				break;
			cix_xdp_prod_submit(&s->tx, k);
			s->tx_lent += k;
			slots -= k;
			idx += k;
			continue;
		}
		struct xdp_desc *d = cix_xdp_tx_desc(&s->tx, idx + used);
		/* Wherever the pipeline moved the start (tags pushed into the headroom). */
		d->addr = (uint64_t)(p->data - s->area);
		d->len = p->len;
		d->options = 0;
		s->owner[p->index] = s->tag;
		used++;
	}
	if (used) {
		cix_xdp_prod_submit(&s->tx, used);
		s->tx_lent += used;
	}
	if (i)
		kick_tx(s);
	return i;
}

void cix_xsk_flush(struct cix_io_port *io)
{
	struct cix_afxdp_socket *s = sock_of(io);
	cix_xsk_reap(s);
	/* Copy mode sends a budget of frames per kick; the rest waits for this one. */
	if (cix_xdp_prod_outstanding(&s->tx))
		kick_tx(s);
}

int cix_xsk_pollfd(struct cix_io_port *io)
{
	return sock_of(io)->fd;
}
