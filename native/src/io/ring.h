/*
 * Single-producer single-consumer ring of packet pointers. Head and tail
 * sit on their own cache lines; each side caches the other's index so a
 * burst touches the shared line once.
 */
#ifndef CIX_IO_RING_H
#define CIX_IO_RING_H

#include <stdatomic.h>
#include <stdint.h>

#include "../core/pkt.h"

struct cix_ring {
	_Atomic uint32_t head; /* written by the producer */
	uint32_t tail_cache;
	char pad0_[56];
	_Atomic uint32_t tail; /* written by the consumer */
	uint32_t head_cache;
	char pad1_[56];
	uint32_t mask;
	struct cix_pkt **slots;
};

/* size: a power of two; slots: caller-owned, size entries. */
static inline void cix_ring_init(struct cix_ring *r, struct cix_pkt **slots, uint32_t size)
{
	atomic_store(&r->head, 0);
	atomic_store(&r->tail, 0);
	r->tail_cache = 0;
	r->head_cache = 0;
	r->mask = size - 1;
	r->slots = slots;
}

static inline uint32_t cix_ring_count(struct cix_ring *r)
{
	return atomic_load_explicit(&r->head, memory_order_acquire) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}

/* Producer: enqueue a prefix of pkts; returns how many. */
static inline uint32_t cix_ring_put(struct cix_ring *r, struct cix_pkt *const *pkts, uint32_t n)
{
	uint32_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t room = r->mask + 1 - (head - r->tail_cache);
	if (room < n) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		room = r->mask + 1 - (head - r->tail_cache);
		if (n > room)
			n = room;
	}
	/* The ring wraps at most once: two straight copies, no mask per packet. */
	uint32_t at = head & r->mask, first = r->mask + 1 - at;
	if (first > n)
		first = n;
	cix_pkt_copy_ptrs(r->slots + at, pkts, first);
	cix_pkt_copy_ptrs(r->slots, pkts + first, n - first);
	atomic_store_explicit(&r->head, head + n, memory_order_release);
	return n;
}

/* Consumer: dequeue up to max; returns how many. */
static inline uint32_t cix_ring_get(struct cix_ring *r, struct cix_pkt **pkts, uint32_t max)
{
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint32_t avail = r->head_cache - tail;
	if (avail < max) {
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		avail = r->head_cache - tail;
		if (max > avail)
			max = avail;
	}
	uint32_t at = tail & r->mask, first = r->mask + 1 - at;
	if (first > max)
		first = max;
	cix_pkt_copy_ptrs(pkts, r->slots + at, first);
	cix_pkt_copy_ptrs(pkts + first, r->slots, max - first);
	atomic_store_explicit(&r->tail, tail + max, memory_order_release);
	return max;
}

#endif
