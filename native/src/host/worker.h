/*
 * One worker thread: polls its sockets and runs each received burst through
 * the pipeline to completion. The live runtime (live.c) fills one struct per
 * worker; unit tests fill it with mem ports.
 *
 * A pass of the loop: read the clock once, enter the current epoch, receive
 * a burst from each socket in turn and run it, flush every socket (kicks,
 * completions), look at the stop flag once. After CIX_WORKER_SPIN_PASSES
 * passes without a frame the worker goes offline in the epoch (a publish
 * can reclaim meanwhile) and sleeps in poll() on its sockets' descriptors
 * for up to CIX_WORKER_SLEEP_MS; the first frame brings it back to busy
 * polling. An idle dataplane so costs a wakeup per millisecond, not a core.
 *
 * Ownership: the worker thread alone touches its pool, its sockets' rx, tx
 * and flush, and its counter block while it runs; the thread that started
 * it touches them again only after cix_worker_join.
 */
#ifndef CIX_HOST_WORKER_H
#define CIX_HOST_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/limits.h"
#include "../io/io.h"
#include "dataplane.h"

#define CIX_WORKER_SPIN_PASSES 1024u /* empty passes before sleeping */
#define CIX_WORKER_SLEEP_MS 1         /* longest sleep: bounds the added latency */

/* What the loop counts about itself (written by the worker only). */
struct cix_worker_stats {
	uint64_t passes;
	uint64_t bursts;  /* non-empty receives */
	uint64_t frames;  /* frames received */
	uint64_t sleeps;  /* times it went offline and polled */
};

struct cix_worker {
	/* Set by the owner before cix_worker_start. */
	struct cix_dataplane *dp;
	uint32_t index;                          /* worker slot: counters, epoch */
	uint32_t burst;                          /* 1..CIX_MAX_BURST */
	int cpu;                                 /* pin here, or -1 */
	struct cix_pool *pool;                   /* this worker's buffers */
	struct cix_io_port *rx[CIX_MAX_PORTS];   /* the sockets it polls, in order */
	uint32_t n_rx;
	struct cix_io_port *tx[CIX_MAX_PORTS];   /* by port id: where frames leave, or NULL */

	/* Run state, the starting thread's. */
	int running;
	pthread_t thread;

	/* The loop's own cache line: the flag it reads once per pass and what it
	 * counts, away from other workers' lines (the struct is 64-aligned, so
	 * an array of workers shares none). */
	_Alignas(64) _Atomic uint32_t stop;
	struct cix_worker_stats stats;
};

/*
 * Starts the thread, named "cix-w<index>", pinned to `cpu` when >= 0, with
 * every signal blocked (signals are the event loop's). 0, or -1 with err.
 */
int cix_worker_start(struct cix_worker *w, char *err, size_t errlen);
/* Asks the loop to end after its current pass; does not wait. */
void cix_worker_request_stop(struct cix_worker *w);
/* Waits for the thread to end (requests the stop first). Safe if not running. */
void cix_worker_join(struct cix_worker *w);

#endif
