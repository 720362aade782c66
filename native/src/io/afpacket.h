/*
 * The afpacket driver: a TPACKET_V3 receive ring and a transmit ring sent
 * with one syscall per burst; for interfaces without XDP. With several
 * queues (workers), the sockets of one port form a PACKET_FANOUT group so
 * each worker gets its share of the flows. Frames for the port's own
 * addresses are filtered out of the socket (classic BPF): the kernel
 * answers those.
 *
 * How to drive it: cix_afpacket_open on the control thread, once per
 * (port, worker), with the worker's pool and queue = the worker's index of
 * n_queues = the number of workers; then only that worker calls rx, tx,
 * flush and pollfd; cix_io_close on the control thread once the worker
 * stopped. The socket holds no pool buffer between calls: rx copies each
 * frame into a fresh buffer (data at the pool's headroom, the outer VLAN
 * tag the kernel had moved out put back in place), tx copies into its ring
 * and returns the buffer to the pool at once (a frame longer than a slot
 * holds is refused with mtu_tx, and counted in tx_invalid too; slots are
 * 16 KiB when the pool has jumbo buffers). So the pool needs no
 * reserve for it beyond the bursts. The socket holds the interface
 * promiscuous while open. rx timestamps (ts_ns) are CLOCK_MONOTONIC, read
 * once per burst, as in afxdp.
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

/* The socket's counters and PACKET_STATISTICS. 0, or -errno (out then holds
 * the software counters only). */
int cix_afpacket_stats(const struct cix_io_port *io, struct cix_live_driver_stats *out);

#endif
