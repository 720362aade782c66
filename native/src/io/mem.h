/*
 * mem driver: a port made of two in-process rings. Whoever plays the wire
 * (a unit test, the benchmark's generator) puts frames on `wire_rx` for the
 * port to receive and takes what the port sent from `wire_tx`.
 */
#ifndef CIX_IO_MEM_H
#define CIX_IO_MEM_H

#include "io.h"
#include "ring.h"

struct cix_mem_port {
	struct cix_io_port io;
	struct cix_ring wire_rx; /* frames waiting to be received */
	struct cix_ring wire_tx; /* frames the port sent */
	uint64_t clock_ns;       /* stamped on received frames: time is a parameter */
};

/* slots: caller-owned, 2 * ring_size entries; ring_size a power of two. */
void cix_mem_port_init(struct cix_mem_port *m, struct cix_pool *pool, uint16_t port,
		       struct cix_pkt **slots, uint32_t ring_size);

#endif
