#define _GNU_SOURCE
#include "worker.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../pipeline.h"
#include "dataplane_impl.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The descriptors an idle worker sleeps on: sockets without one are not waited for. */
static nfds_t collect_pollfds(const struct cix_worker *w, struct pollfd *pfd)
{
	nfds_t n = 0;
	for (uint32_t i = 0; i < w->n_rx; i++) {
		int fd = cix_io_pollfd(w->rx[i]);
		if (fd >= 0)
			pfd[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
	}
	return n;
}

/* How often a worker takes the kernel's drop counts of its sockets into its counters. */
#define KERNEL_DROPS_EVERY_NS 100000000u

/*
 * Frames the kernel dropped on a socket before the fast path saw them
 * (driver statistics, one syscall per socket per call), added to the port's
 * drop counters as the growth since the last call. Only this worker writes
 * its counters, so the kernel's losses join the fast path's own under named
 * reasons and reach the supervisor like every other drop.
 */
static void take_kernel_drops(struct cix_worker *w, struct cix_ctx *ctx,
			      struct cix_live_driver_stats *seen)
{
	for (uint32_t i = 0; i < w->n_rx; i++) {
		struct cix_io_port *io = w->rx[i];
		struct cix_live_driver_stats now;
		if (!io->ops->stats || io->ops->stats(io, &now) != 0)
			continue;
		uint64_t *c = cix_cnt_port(&ctx->cnt, io->port);
		c[CIX_CNT_DROP_BASE + CIX_DROP_RX_NO_BUFFER] += now.rx_dropped - seen[i].rx_dropped;
		c[CIX_CNT_DROP_BASE + CIX_DROP_RX_RING_FULL] += now.rx_ring_full - seen[i].rx_ring_full;
		c[CIX_CNT_DROP_BASE + CIX_DROP_RX_INVALID] += now.rx_invalid - seen[i].rx_invalid;
		seen[i] = now;
	}
}

static void *worker_main(void *arg)
{
	struct cix_worker *w = arg;
	struct cix_epoch *epoch = &w->dp->epoch;
	struct cix_ctx ctx;
	cix_dataplane_worker_ctx(w->dp, w->index, &ctx);
	ctx.pool = w->pool;
	ctx.tx = w->tx;

	struct pollfd pfd[CIX_MAX_PORTS];
	nfds_t npfd = collect_pollfds(w, pfd);
	struct cix_pkt *pkts[CIX_MAX_BURST];
	uint32_t empty = 0;
	/* The sockets are new (opened for this run): their kernel counts start at 0. */
	struct cix_live_driver_stats seen[CIX_MAX_PORTS];
	memset(seen, 0, sizeof(seen));
	uint64_t drops_due = monotonic_ns() + KERNEL_DROPS_EVERY_NS;

	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		ctx.now_ns = monotonic_ns();
		ctx.t = cix_epoch_enter(epoch, w->index);
		uint32_t got = 0;
		/* No tables yet (never the case once live.c started us): frames wait. */
		if (ctx.t) {
			for (uint32_t i = 0; i < w->n_rx; i++) {
				uint32_t n = cix_io_rx(w->rx[i], pkts, w->burst);
				if (n == 0)
					continue;
				got += n;
				w->stats.bursts++;
				cix_pipeline_run(&ctx, pkts, n);
			}
		}
		for (uint32_t i = 0; i < w->n_rx; i++)
			cix_io_flush(w->rx[i]);
		w->stats.passes++;
		if (ctx.now_ns >= drops_due) {
			take_kernel_drops(w, &ctx, seen);
			drops_due = ctx.now_ns + KERNEL_DROPS_EVERY_NS;
		}
		if (got) {
			w->stats.frames += got;
			empty = 0;
			continue;
		}
		if (++empty < CIX_WORKER_SPIN_PASSES)
			continue;
		/* Idle: hold no epoch while asleep, so publishes reclaim meanwhile. */
		cix_epoch_offline(epoch, w->index);
		w->stats.sleeps++;
		poll(pfd, npfd, CIX_WORKER_SLEEP_MS);
	}
	take_kernel_drops(w, &ctx, seen);
	cix_epoch_offline(epoch, w->index);
	return 0;
}

int cix_worker_start(struct cix_worker *w, char *err, size_t errlen)
{
	if (!w->dp || !w->pool || w->index >= w->dp->workers || w->burst == 0 ||
	    w->burst > CIX_MAX_BURST || w->n_rx > CIX_MAX_PORTS) {
		snprintf(err, errlen, "worker %u: bad arguments", w->index);
		return -1;
	}
	atomic_store(&w->stop, 0);
	memset(&w->stats, 0, sizeof(w->stats));

	pthread_attr_t attr;
	int e = pthread_attr_init(&attr);
	if (e) {
		snprintf(err, errlen, "worker %u: %s", w->index, strerror(e));
		return -1;
	}
	if (w->cpu >= 0) {
		if (w->cpu >= CPU_SETSIZE) {
			pthread_attr_destroy(&attr);
			snprintf(err, errlen, "worker %u: cpu %d does not exist", w->index, w->cpu);
			return -1;
		}
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	/* The thread inherits the mask: signals stay with the event loop's thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, 0);
	pthread_attr_destroy(&attr);
	if (e) {
		if (e == EINVAL && w->cpu >= 0)
			snprintf(err, errlen, "worker %u: cannot pin to cpu %d (not online or not allowed)",
				 w->index, w->cpu);
		else
			snprintf(err, errlen, "worker %u: cannot start thread: %s", w->index, strerror(e));
		return -1;
	}
	char name[16];
	snprintf(name, sizeof(name), "cix-w%u", w->index);
	pthread_setname_np(w->thread, name);
	w->running = 1;
	return 0;
}

void cix_worker_request_stop(struct cix_worker *w)
{
	atomic_store_explicit(&w->stop, 1, memory_order_relaxed);
}

void cix_worker_join(struct cix_worker *w)
{
	if (!w->running)
		return;
	cix_worker_request_stop(w);
	pthread_join(w->thread, 0);
	w->running = 0;
}
