#include "mem.h"

static uint32_t mem_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	struct cix_mem_port *m = (struct cix_mem_port *)io;
	uint32_t n = cix_ring_get(&m->wire_rx, pkts, max);
	for (uint32_t i = 0; i < n; i++) {
		pkts[i]->in_port = io->port;
		pkts[i]->ts_ns = m->clock_ns;
	}
	return n;
}

static uint32_t mem_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct cix_mem_port *m = (struct cix_mem_port *)io;
	return cix_ring_put(&m->wire_tx, pkts, n);
}

static const struct cix_io_ops mem_ops = {
	.name = "mem",
	.rx = mem_rx,
	.tx = mem_tx,
	.close = 0,
};

void cix_mem_port_init(struct cix_mem_port *m, struct cix_pool *pool, uint16_t port,
		       struct cix_pkt **slots, uint32_t ring_size)
{
	m->io.ops = &mem_ops;
	m->io.pool = pool;
	m->io.port = port;
	m->clock_ns = 0;
	cix_ring_init(&m->wire_rx, slots, ring_size);
	cix_ring_init(&m->wire_tx, slots + ring_size, ring_size);
}
