/*
 * Inside the afxdp driver: the UMEM and the socket as afxdp.c (open, close)
 * and xdp_sock.c (the per-burst path) both see them. Nothing outside
 * native/src/io includes this.
 *
 * Where a buffer is: the UMEM keeps one owner tag per pool buffer. 0: the
 * pool or the pipeline has it; 1..CIX_AFXDP_MAX_SOCKETS: lent to that socket
 * (its fill ring, the kernel, its rx ring, or its tx ring until the
 * completion is reaped); CIX_XSK_OWNER_QUARANTINE: lent to a zero-copy
 * socket that has closed, whose driver may still be releasing it (given
 * back when the UMEM is freed). Tags change on the worker thread only
 * (refill, rx, tx, completion) and are read at close, after the worker
 * stopped: closing a socket gives back exactly the buffers tagged with it,
 * wherever the kernel left them (fill ring, its own free list, rx ring,
 * completion ring).
 */
#ifndef CIX_IO_XDP_SOCK_H
#define CIX_IO_XDP_SOCK_H

#include <stdint.h>

#include "afxdp.h"
#include "xdp_attach.h"
#include "xdp_ring.h"

#define CIX_AFXDP_MAX_SOCKETS 64u           /* per UMEM: one per port of a worker */
#define CIX_XSK_OWNER_QUARANTINE 0xffffu
#define CIX_AFXDP_FILL_BATCH 64u            /* refill once this many fill slots are free */
/* Descriptors one multi-buffer frame may span (a jumbo buffer's worth of chunks, and spare). */
#define CIX_XSK_MAX_FRAGS 8u

/* Multi-buffer AF_XDP (Linux 6.6), newer than some distributions' headers. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1u << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1u << 0)
#endif

struct cix_afxdp_socket;

struct cix_afxdp_umem {
	struct cix_pool *pool;
	uint8_t *area;           /* pool->bufs: address 0 of the UMEM */
	uint64_t area_len;
	uint32_t frame_shift;    /* log2(pool->buf_size) */
	uint32_t frame_headroom; /* the UMEM's headroom, after XDP_PACKET_HEADROOM */
	uint16_t *owner;         /* pool->count tags, see above */
	struct cix_afxdp_socket *socks[CIX_AFXDP_MAX_SOCKETS]; /* by tag - 1 */
	uint32_t n_socks;
	/* Fixed by the bind that registered the UMEM; shared sockets inherit them. */
	int zerocopy;
	int need_wakeup;
	int sg;                  /* multi-buffer (XDP_USE_SG): the pool has jumbo buffers */
	int freed;               /* cix_afxdp_umem_free came before its last socket closed */
};

struct cix_afxdp_port {
	struct cix_xdp_attachment xdp;
	char ifname[CIX_IFNAMSIZ];
	int ifindex;
	uint16_t port_id;      /* frames received are stamped with it */
	int promisc_fd;        /* holds the interface promiscuous while the port is open */
	uint32_t n_socks;
	int closed;            /* cix_afxdp_port_close came before its last socket closed */
	uint8_t queue_used[CIX_XSK_MAX_QUEUES];
};

/* Software counters: written by the worker (relaxed stores), read by anyone. */
struct cix_afxdp_counters {
	uint64_t rx_empty_polls;
	uint64_t fill_shortfall;
	uint64_t tx_kicks;
	uint64_t rx_kicks;
};

struct cix_afxdp_socket {
	struct cix_io_port io; /* first: the driver interface */
	int fd;
	uint32_t queue;
	uint16_t tag;          /* this socket's owner tag in the UMEM */
	int zerocopy;
	int need_wakeup;
	/* Copied from the UMEM so the burst path reads one struct. */
	uint8_t *area;
	uint32_t frame_shift;
	uint32_t frame_room;   /* bytes a chunk carries from the pool's headroom on */
	int sg;
	uint16_t *owner;
	uint32_t rx_lent;      /* buffers lent for rx: fill ring, kernel, rx ring */
	uint32_t tx_lent;      /* buffers in the tx ring or awaiting completion */
	struct cix_xdp_ring rx, tx, fill, comp;
	struct cix_afxdp_counters cnt;
	struct cix_afxdp_umem *umem;
	struct cix_afxdp_port *port;
};

/* The burst path (xdp_sock.c). */
uint32_t cix_xsk_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max);
uint32_t cix_xsk_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n);
void cix_xsk_flush(struct cix_io_port *io);
int cix_xsk_pollfd(struct cix_io_port *io);
/* Lends the kernel free pool buffers until CIX_AFXDP_FILL_SIZE are lent (or the pool runs out). */
void cix_xsk_refill(struct cix_afxdp_socket *s);
/* Gives the buffers of finished transmits back to the pool. */
void cix_xsk_reap(struct cix_afxdp_socket *s);

#endif
