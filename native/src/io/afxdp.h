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
 */
#ifndef CIX_IO_AFXDP_H
#define CIX_IO_AFXDP_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pkt.h"
#include "io.h"
#include "live.h"

struct cix_afxdp_port;
struct cix_afxdp_umem;

/* Attaches the XDP program to spec->ifname. 0, or -errno with err filled. */
int cix_afxdp_port_open(const struct cix_live_port_spec *spec, struct cix_afxdp_port **out,
			char *err, size_t errlen);
/* Detaches the program. Every socket of the port must be closed first. */
void cix_afxdp_port_close(struct cix_afxdp_port *p);
/* "native" or "skb": how the program really got attached. */
const char *cix_afxdp_port_mode(const struct cix_afxdp_port *p);

int cix_afxdp_umem_new(struct cix_pool *pool, struct cix_afxdp_umem **out, char *err,
		       size_t errlen);
/* Every socket on the UMEM must be closed first. */
void cix_afxdp_umem_free(struct cix_afxdp_umem *u);

/*
 * One socket on (port, queue) over the worker's UMEM. Retries EBUSY for a
 * while (a queue re-bound right after the last owner released it). Zero-copy
 * where the NIC supports it, copy mode otherwise. NULL with err filled.
 */
struct cix_io_port *cix_afxdp_socket_open(struct cix_afxdp_port *p, struct cix_afxdp_umem *u,
					  uint32_t queue, char *err, size_t errlen);
/* "zerocopy" or "copy". */
const char *cix_afxdp_socket_mode(const struct cix_io_port *io);

#endif
