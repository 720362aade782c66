/*
 * The afxdp driver: AF_XDP sockets fed by the XDP program of firmware/.
 *
 * Three objects with their own lifetimes:
 *  - cix_afxdp_port: one per interface; the XDP program attached (native
 *    mode, falling back to SKB) and its map of sockets by queue. Closing it
 *    detaches the program.
 *  - cix_afxdp_umem: one per worker; the worker's pool buffers registered as
 *    a UMEM (pool made with cix_pool_init_split: page-aligned buffers,
 *    buf_size a power of two). Every socket of the worker shares it, so a
 *    frame received on one port is sent on another without a copy.
 *  - the socket: one per (port, queue), an ordinary cix_io_port (rx, tx,
 *    pollfd, flush, close).
 *
 * How to drive them (control thread unless said otherwise):
 *
 *   cix_afxdp_port_open(spec, &port)       once per interface
 *   cix_afxdp_umem_new(pool, &umem)        once per worker
 *   io = cix_afxdp_socket_open(port, umem, queue)   per (port, worker)
 *       ... the worker thread: cix_io_rx / cix_io_tx / cix_io_flush /
 *           cix_io_pollfd on its own sockets only ...
 *   cix_io_close(io)                       every socket (worker stopped)
 *   cix_afxdp_umem_free(umem)              after its sockets
 *   cix_afxdp_port_close(port)             after its sockets: detaches XDP
 *
 * Buffers: a pool buffer is in exactly one place: the pool's free stack,
 * a socket's fill ring (lent to the kernel for rx), the pipeline (received,
 * not yet sent or dropped) or a socket's tx ring (until its completion is
 * reaped, then back to the pool). A socket lends the kernel at most
 * CIX_AFXDP_FILL_SIZE buffers for rx and CIX_AFXDP_TX_SIZE for tx, so a
 * worker's pool needs CIX_AFXDP_BUFFERS_PER_SOCKET per afxdp socket on top of
 * what its pipeline holds; with fewer, the fill ring runs short (counted in
 * fill_shortfall) and nothing breaks. Closing a socket returns every buffer
 * it had lent the kernel; rx hands the pipeline buffers whose data sits at
 * the pool's headroom (or more), so tags are pushed in place before tx.
 * rx stamps ts_ns with CLOCK_MONOTONIC, read once per burst.
 *
 * Every pool buffer must belong to the UMEM's pool: one pool per worker, the
 * same for all its sockets (afpacket sockets of the worker use it too).
 */
#ifndef CIX_IO_AFXDP_H
#define CIX_IO_AFXDP_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pkt.h"
#include "io.h"
#include "live.h"

/* Ring sizes of every socket (entries, powers of two). */
#define CIX_AFXDP_FILL_SIZE 8192u
#define CIX_AFXDP_RX_SIZE 8192u
#define CIX_AFXDP_TX_SIZE 2048u
#define CIX_AFXDP_COMP_SIZE 2048u
/* The most buffers one socket holds away from its pool at any time. */
#define CIX_AFXDP_BUFFERS_PER_SOCKET (CIX_AFXDP_FILL_SIZE + CIX_AFXDP_TX_SIZE)

struct cix_afxdp_port;
struct cix_afxdp_umem;

/*
 * Attaches the XDP program to spec->ifname in spec->xdp_mode, with
 * spec->addrs as the addresses whose ARP and IPv4 stay with the kernel.
 * A program left attached by a cix dataplane that died (same program name)
 * is replaced; any other XDP program is refused:
 * "interface veth0 already runs XDP program 'foo'". Tries libxdp's
 * dispatcher first and attaches the program alone where the kernel refuses
 * the dispatcher (see firmware/README.md). 0, or -errno with err filled.
 */
int cix_afxdp_port_open(const struct cix_live_port_spec *spec, struct cix_afxdp_port **out,
			char *err, size_t errlen);
/* Detaches the program. Every socket of the port must be closed first. */
void cix_afxdp_port_close(struct cix_afxdp_port *p);
/* "native" or "skb": how the program really got attached. */
const char *cix_afxdp_port_mode(const struct cix_afxdp_port *p);
/* "dispatcher" (libxdp's multi-program dispatcher) or "single" (the program alone). */
const char *cix_afxdp_port_attach_kind(const struct cix_afxdp_port *p);

/* What the XDP program decided, summed over CPUs (one map read per CPU). */
struct cix_afxdp_port_stats {
	uint64_t to_socket;    /* frames sent to the queue's socket (passed if it has none) */
	uint64_t control_arp;  /* ARP for an own address, left to the kernel */
	uint64_t control_ipv4; /* IPv4 to an own address, left to the kernel */
};
int cix_afxdp_port_stats(const struct cix_afxdp_port *p, struct cix_afxdp_port_stats *out);

int cix_afxdp_umem_new(struct cix_pool *pool, struct cix_afxdp_umem **out, char *err,
		       size_t errlen);
/* Every socket on the UMEM must be closed first. */
void cix_afxdp_umem_free(struct cix_afxdp_umem *u);

/*
 * One socket on (port, queue) over the worker's UMEM. Retries EBUSY for up
 * to about a second (a queue re-bound right after the last owner released
 * it). Zero-copy where the NIC supports it, copy mode otherwise. NULL with
 * err filled.
 */
struct cix_io_port *cix_afxdp_socket_open(struct cix_afxdp_port *p, struct cix_afxdp_umem *u,
					  uint32_t queue, char *err, size_t errlen);
/*
 * "zerocopy" or "copy"; with ", frames up to 3840 B" when the socket is
 * not multi-buffer (the kernel or the driver refused it), so larger frames
 * are dropped by the kernel: 3840 is what one live chunk holds
 * (CIX_LIVE_FRAME_ROOM).
 */
const char *cix_afxdp_socket_mode(const struct cix_io_port *io);
/* The socket's counters and XDP_STATISTICS. 0, or -errno (out then holds the
 * software counters only). */
int cix_afxdp_socket_stats(const struct cix_io_port *io, struct cix_live_driver_stats *out);

#endif
