/*
 * The I/O driver interface: how frames enter and leave a port.
 *
 * A driver embeds struct cix_io_port first and fills in its ops. rx fills
 * buffers taken from the worker's pool and sets in_port, ts_ns, len and
 * wire_len; tx takes a prefix of the packets it is given and owns them from
 * then on (it returns their buffers to the pool once sent). A packet it
 * cannot send at all (larger than the port carries) it leaves first in the
 * rest with p->drop set to the reason; the caller drops that one and offers
 * the others again. Neither blocks,
 * allocates or takes a lock. Live drivers (afxdp, afpacket, dpdk) slot in
 * behind the same ops.
 */
#ifndef CIX_IO_IO_H
#define CIX_IO_IO_H

#include <stdint.h>

#include "../core/pkt.h"
#include "live.h"

struct cix_io_port;

struct cix_io_ops {
	const char *name;
	uint32_t (*rx)(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max);
	uint32_t (*tx)(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n);
	void (*close)(struct cix_io_port *io);
	/* Optional: a descriptor that polls readable when rx has frames, so an
	 * idle worker can sleep in poll() instead of spinning. -1 or NULL: none. */
	int (*pollfd)(struct cix_io_port *io);
	/* Optional: push out what tx queued (kick, completions); called once per
	 * worker loop pass, never per packet. */
	void (*flush)(struct cix_io_port *io);
	/* Optional: the driver's statistics, kernel drops included; may make a
	 * syscall, so callers ask now and then, never per burst. 0 or -errno. */
	int (*stats)(const struct cix_io_port *io, struct cix_live_driver_stats *out);
};

struct cix_io_port {
	const struct cix_io_ops *ops;
	struct cix_pool *pool; /* buffers come from and return to this pool */
	uint16_t port;         /* the port id frames are stamped with */
};

static inline uint32_t cix_io_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	return io->ops->rx(io, pkts, max);
}

static inline uint32_t cix_io_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	return io->ops->tx(io, pkts, n);
}

static inline int cix_io_pollfd(struct cix_io_port *io)
{
	return io->ops->pollfd ? io->ops->pollfd(io) : -1;
}

static inline void cix_io_flush(struct cix_io_port *io)
{
	if (io->ops->flush)
		io->ops->flush(io);
}

static inline void cix_io_close(struct cix_io_port *io)
{
	if (io && io->ops->close)
		io->ops->close(io);
}

#endif
