/*
 * The benchmark's traffic generator and sink: the "wire" around a mem port.
 *
 * The generator writes real frames: for every packet it takes a buffer from
 * the pool, copies a pre-built template into it (Ethernet, 0..2 VLAN tags,
 * IPv4, UDP, payload) and puts it on a mem port's wire_rx ring, as a NIC
 * would DMA a frame into a posted buffer. Copying the template is the honest
 * cost of a frame arriving; it is paid the same way by the zero-work loop
 * and by the pipeline, so their ratio isolates the pipeline's own cost.
 * The sink takes what a port sent from its wire_tx ring and gives the
 * buffers back to the pool.
 *
 * Flows rotate packet by packet over n_flows (a power of two) distinct tag
 * stacks, so the classifier sees as many keys as there are flows, never a
 * run of one.
 *
 * Frame sizes follow RFC 2544: the size of a frame is counted on the wire
 * with its 4-byte FCS, which is not stored (a 64-byte frame is 60 bytes in
 * the buffer). Line-rate (L1) bits add the 20 bytes of preamble, start
 * delimiter and inter-frame gap: a 64-byte frame occupies 84 bytes of the
 * wire. Sizes are those of the frame as generated (the ingress frame).
 *
 * IMIX is the "simple IMIX" of 7:4:1 frames of 64, 594 and 1518 bytes: the
 * Ethernet form of the classic 40/576/1500-byte IP mix, interleaved in a
 * fixed 12-frame sequence (average 361.8 bytes, 381.8 on the wire).
 */
#ifndef CIX_BENCH_TRAFFIC_H
#define CIX_BENCH_TRAFFIC_H

#include <stdint.h>

#include "io/ring.h"

#define TRAFFIC_FCS_LEN 4u
#define TRAFFIC_L1_OVERHEAD 20u   /* preamble 7 + SFD 1 + inter-frame gap 12 */
#define TRAFFIC_MAX_FLOWS 64u
#define TRAFFIC_HDR_LEN 64u       /* the per-flow head of a template */
#define TRAFFIC_MAX_CLASSES 3u
#define TRAFFIC_MAX_FRAME 1518u   /* on the wire, FCS included */

enum traffic_mix {
	TRAFFIC_MIX_64,   /* every frame 64 bytes */
	TRAFFIC_MIX_IMIX, /* 7 x 64, 4 x 594, 1 x 1518 */
};

/* The VLAN tags of one flow, outer first. */
struct traffic_tags {
	uint8_t n;
	uint16_t tpid[2];
	uint16_t tci[2];
};

struct traffic {
	struct cix_pool *pool;
	uint32_t flow_mask;  /* n_flows - 1 */
	uint32_t flow;       /* flow of the next frame */
	uint32_t step;       /* position in the size sequence */
	uint32_t n_steps;
	uint8_t seq[12];     /* size class of each step */
	uint32_t n_classes;
	uint32_t len[TRAFFIC_MAX_CLASSES];     /* stored bytes per class (FCS excluded) */
	uint8_t *head;       /* [flow][class][TRAFFIC_HDR_LEN]: the first bytes of each frame */
	uint8_t *body[TRAFFIC_MAX_CLASSES];    /* whole frame of flow 0 per class; bytes past the head */
	struct traffic_tags tags[TRAFFIC_MAX_FLOWS];
};

/* n_flows: a power of two up to TRAFFIC_MAX_FLOWS. Returns 0, or -1 on bad arguments / no memory. */
int traffic_init(struct traffic *g, struct cix_pool *pool, enum traffic_mix mix, uint32_t n_flows,
		 const struct traffic_tags *flows);
void traffic_fini(struct traffic *g);

/* Back to the first flow and the first size of the sequence. */
void traffic_rewind(struct traffic *g);

/*
 * Write up to n frames (the next in the rotation) into pool buffers and put
 * them on `wire` (a port's wire_rx). Returns how many were put.
 */
uint32_t traffic_burst(struct traffic *g, struct cix_ring *wire, uint32_t n);

/* Drain `wire` (a port's wire_tx) and free the buffers; returns how many. */
uint32_t traffic_sink(struct cix_pool *pool, struct cix_ring *wire);

/* Frame bytes on the wire (FCS included, L1 overhead not) of the frame at `step`. */
static inline uint32_t traffic_frame_size(const struct traffic *g, uint32_t step)
{
	return g->len[g->seq[step % g->n_steps]] + TRAFFIC_FCS_LEN;
}

/* Average frame size over the sequence, FCS included. */
double traffic_avg_frame(const struct traffic *g);

/*
 * The frame the generator writes for (flow, class), into out (room for
 * TRAFFIC_MAX_FRAME bytes); returns its stored length. For checks.
 */
uint32_t traffic_frame(const struct traffic *g, uint32_t flow, uint32_t cls, uint8_t *out);

#endif
