/*
 * Per-worker counters, laid out so the control side can read them in place.
 *
 * Block layout (all uint64_t, little endian as the host):
 *   worker w, object o, slot s  ->  base[(w * objects + o) * CIX_CNT__SLOTS + s]
 * Objects 0..max_ports-1 are ports; max_ports + a is attachment a.
 * Each worker writes only its own block (one writer per cache line, no
 * atomics needed on x86-64: aligned 64-bit stores never tear); readers sum
 * over workers.
 */
#ifndef CIX_CORE_COUNTERS_H
#define CIX_CORE_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "drop.h"

enum cix_counter_slot {
	CIX_CNT_RX_PACKETS,
	CIX_CNT_RX_BYTES,
	CIX_CNT_TX_PACKETS,
	CIX_CNT_TX_BYTES,
	CIX_CNT_DROP_BASE,  /* + enum cix_drop */
	CIX_CNT__USED = CIX_CNT_DROP_BASE + CIX_DROP__COUNT,
	CIX_CNT__SLOTS = (CIX_CNT__USED + 7) & ~7 /* one object fills whole cache lines */
};

struct cix_counters {
	uint64_t *base;        /* this worker's block */
	uint32_t port_base;    /* first object of ports (0) */
	uint32_t att_base;     /* first object of attachments (max_ports) */
};

/* Name of a slot for export ("rx_packets", "drop_no_attachment", ...). */
const char *cix_counter_slot_name(unsigned slot);

static inline uint64_t *cix_cnt_port(const struct cix_counters *c, unsigned port)
{
	return c->base + (size_t)(c->port_base + port) * CIX_CNT__SLOTS;
}

static inline uint64_t *cix_cnt_att(const struct cix_counters *c, unsigned att)
{
	return c->base + (size_t)(c->att_base + att) * CIX_CNT__SLOTS;
}

#endif
