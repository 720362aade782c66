/*
 * Offline replay: the real pipeline over capture files, on one worker, with
 * the captures' timestamps as the clock, so a run is exact and repeatable.
 *
 * Frames of all input ports are merged by time (ties: lower port id first)
 * and processed in bursts of consecutive frames of one port. Each output is
 * written to "<path>.partial" and renamed only when the whole run succeeded:
 * a failed run leaves no output behind, and none half-written.
 */
#ifndef CIX_HOST_REPLAY_H
#define CIX_HOST_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane.h" /* opaque here: replay.c includes the insides */

struct cix_replay_port {
	uint16_t port;
	const char *input;  /* capture to receive from, or NULL */
	const char *output; /* where the port's transmitted frames go, or NULL */
};

struct cix_replay_opts {
	const struct cix_replay_port *ports;
	uint32_t n_ports;
	uint32_t burst;     /* frames per burst, 1..CIX_MAX_BURST */
	uint32_t worker;    /* the dataplane worker slot the replay runs as */
};

struct cix_replay_stats {
	uint64_t frames_read;
	uint64_t frames_written;
	uint64_t bursts;
	uint64_t first_ns, last_ns; /* capture time span */
};

/* 0, or -1 with a one-line message in err. */
int cix_replay_run(struct cix_dataplane *dp, const struct cix_replay_opts *opts,
		   struct cix_replay_stats *stats, char *err, size_t errlen);

#endif
