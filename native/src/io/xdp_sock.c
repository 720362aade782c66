/*
 * The afxdp burst path: rx, tx, flush on one socket, run by the worker that
 * owns it. No allocation, no lock; a syscall only where the ring asks for
 * a wakeup (need_wakeup), at most once per call.
 */
#include "xdp_sock.h"

#include <errno.h>
#include <sys/socket.h>
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

uint32_t cix_xsk_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	struct cix_afxdp_socket *s = sock_of(io);
	struct cix_pool *pool = io->pool;
	uint32_t n = cix_xdp_cons_avail(&s->rx, max);
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
	for (uint32_t i = 0; i < n; i++) {
		const struct xdp_desc *d = cix_xdp_rx_desc(&s->rx, idx + i);
		uint32_t slot = (uint32_t)(d->addr >> s->frame_shift);
		struct cix_pkt *p = &pool->descs[slot];
		s->owner[slot] = 0;
		cix_pkt_reset(pool, p);
		/* The kernel chose the offset (XDP_PACKET_HEADROOM + UMEM headroom). */
		p->data = s->area + d->addr;
		p->len = d->len;
		p->wire_len = d->len;
		p->in_port = io->port;
		p->ts_ns = now;
		pkts[i] = p;
	}
	cix_xdp_cons_release(&s->rx, n);
	s->rx_lent -= n;
	if (CIX_AFXDP_FILL_SIZE - s->rx_lent >= CIX_AFXDP_FILL_BATCH)
		cix_xsk_refill(s);
	return n;
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

uint32_t cix_xsk_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct cix_afxdp_socket *s = sock_of(io);
	cix_xsk_reap(s);
	uint32_t room = CIX_AFXDP_TX_SIZE - s->tx_lent;
	uint32_t k = cix_xdp_prod_free(&s->tx, n < room ? n : room);
	if (k == 0)
		return 0;
	uint32_t idx = s->tx.cached_prod;
	for (uint32_t i = 0; i < k; i++) {
		const struct cix_pkt *p = pkts[i];
		struct xdp_desc *d = cix_xdp_tx_desc(&s->tx, idx + i);
		/* Wherever the pipeline moved the start (tags pushed into the headroom). */
		d->addr = (uint64_t)(p->data - s->area);
		d->len = p->len;
		d->options = 0;
		s->owner[p->index] = s->tag;
	}
	cix_xdp_prod_submit(&s->tx, k);
	s->tx_lent += k;
	kick_tx(s);
	return k;
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
