#include "xdp_ring.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

int cix_xdp_ring_map(struct cix_xdp_ring *r, int fd, uint64_t pgoff, uint32_t entries)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	memset(r, 0, sizeof(*r));
	if (getsockopt(fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) != 0)
		return -errno;
	if (optlen != sizeof(off))
		return -EPROTO; /* kernels before 5.4 (no flags word): not supported */

	const struct xdp_ring_offset *o;
	size_t desc_size;
	switch (pgoff) {
	case XDP_PGOFF_RX_RING:
		o = &off.rx;
		desc_size = sizeof(struct xdp_desc);
		break;
	case XDP_PGOFF_TX_RING:
		o = &off.tx;
		desc_size = sizeof(struct xdp_desc);
		break;
	case XDP_UMEM_PGOFF_FILL_RING:
		o = &off.fr;
		desc_size = sizeof(uint64_t);
		break;
	case XDP_UMEM_PGOFF_COMPLETION_RING:
		o = &off.cr;
		desc_size = sizeof(uint64_t);
		break;
	default:
		return -EINVAL;
	}

	size_t len = o->desc + (size_t)entries * desc_size;
	void *map =
		mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, (off_t)pgoff);
	if (map == MAP_FAILED)
		return -errno;
	uint8_t *base = map;
	r->producer = (uint32_t *)(base + o->producer);
	r->consumer = (uint32_t *)(base + o->consumer);
	r->flags = (uint32_t *)(base + o->flags);
	r->descs = base + o->desc;
	r->size = entries;
	r->mask = entries - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	/* A producer ring's cache holds consumer + size (see cix_xdp_prod_free). */
	if (pgoff == XDP_PGOFF_TX_RING || pgoff == XDP_UMEM_PGOFF_FILL_RING)
		r->cached_cons += entries;
	r->map = map;
	r->map_len = len;
	return 0;
}

void cix_xdp_ring_unmap(struct cix_xdp_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	memset(r, 0, sizeof(*r));
}
