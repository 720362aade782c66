/*
 * The afpacket driver: a TPACKET_V3 receive ring and a transmit ring sent
 * with one syscall per burst; for interfaces without XDP. With several
 * queues (workers), the sockets of one port form a PACKET_FANOUT group so
 * each worker gets its share of the flows. Frames for the port's own
 * addresses are filtered out of the socket (classic BPF): the kernel
 * answers those.
 */
#ifndef CIX_IO_AFPACKET_H
#define CIX_IO_AFPACKET_H

#include <stddef.h>
#include <stdint.h>

#include "../core/pkt.h"
#include "io.h"
#include "live.h"

/* One socket for worker `queue` of `n_queues`; rx copies into buffers from
 * `pool`. NULL with err filled. */
struct cix_io_port *cix_afpacket_open(const struct cix_live_port_spec *spec, struct cix_pool *pool,
				      uint32_t queue, uint32_t n_queues, char *err, size_t errlen);

#endif
