#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../io/pcap.h"
#include "../pipeline.h"
#include "dataplane_impl.h"

#define REPLAY_POOL_BUFS 1024u
/* Largest port MTU (9216) + Ethernet header + two tags, plus headroom. */
#define REPLAY_HEADROOM 256u
#define REPLAY_BUF_SIZE 9728u

struct replay {
	struct cix_pool pool;
	void *pool_mem;
	struct cix_pcap_port *pp[CIX_MAX_PORTS];
	struct cix_io_port *tx[CIX_MAX_PORTS];
	char *partial[CIX_MAX_PORTS];
	const char *final[CIX_MAX_PORTS];
};

static void discard(struct replay *r)
{
	for (unsigned i = 0; i < CIX_MAX_PORTS; i++) {
		cix_pcap_port_free(r->pp[i]);
		if (r->partial[i]) {
			unlink(r->partial[i]);
			free(r->partial[i]);
		}
	}
	free(r->pool_mem);
	free(r);
}

static int open_ports(struct replay *r, const struct cix_replay_opts *o, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < o->n_ports; i++) {
		const struct cix_replay_port *rp = &o->ports[i];
		if (rp->port >= CIX_MAX_PORTS || r->pp[rp->port]) {
			snprintf(err, errlen, "replay: port id %u out of range or given twice", rp->port);
			return -1;
		}
		struct cix_pcap_port *pp = cix_pcap_port_new(&r->pool, rp->port);
		if (!pp) {
			snprintf(err, errlen, "replay: out of memory");
			return -1;
		}
		r->pp[rp->port] = pp;
		if (rp->input && cix_pcap_open_input(pp, rp->input, err, errlen))
			return -1;
	}
	/* Outputs only once every input opened: a bad input writes nothing. */
	for (uint32_t i = 0; i < o->n_ports; i++) {
		const struct cix_replay_port *rp = &o->ports[i];
		if (!rp->output)
			continue;
		size_t len = strlen(rp->output) + sizeof(".partial");
		char *partial = malloc(len);
		if (!partial) {
			snprintf(err, errlen, "replay: out of memory");
			return -1;
		}
		snprintf(partial, len, "%s.partial", rp->output);
		r->partial[rp->port] = partial;
		r->final[rp->port] = rp->output;
		if (cix_pcap_open_output(r->pp[rp->port], partial, err, errlen))
			return -1;
		r->tx[rp->port] = cix_pcap_io(r->pp[rp->port]);
	}
	return 0;
}

/* The port whose next frame is earliest, and the time of the next frame elsewhere. */
static int next_port(struct replay *r, uint64_t *limit, char *err, size_t errlen)
{
	int best = -1;
	uint64_t best_ts = UINT64_MAX, second = UINT64_MAX;
	for (unsigned p = 0; p < CIX_MAX_PORTS; p++) {
		uint64_t ts;
		if (!r->pp[p])
			continue;
		int st = cix_pcap_peek(r->pp[p], &ts);
		if (st < 0) {
			snprintf(err, errlen, "%s", cix_pcap_error(r->pp[p]));
			return -2;
		}
		if (st == 0)
			continue;
		if (ts < best_ts) {
			second = best_ts;
			best_ts = ts;
			best = (int)p;
		} else if (ts < second) {
			second = ts;
		}
	}
	*limit = second;
	return best;
}

int cix_replay_run(struct cix_dataplane *dp, const struct cix_replay_opts *o,
		   struct cix_replay_stats *st, char *err, size_t errlen)
{
	memset(st, 0, sizeof(*st));
	if (o->burst == 0 || o->burst > CIX_MAX_BURST || o->worker >= dp->workers) {
		snprintf(err, errlen, "replay: burst must be 1..%u", CIX_MAX_BURST);
		return -1;
	}
	struct replay *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "replay: out of memory");
		return -1;
	}
	size_t mem = cix_pool_mem_size(REPLAY_POOL_BUFS, REPLAY_BUF_SIZE);
	if (posix_memalign(&r->pool_mem, 64, mem) ||
	    cix_pool_init(&r->pool, r->pool_mem, REPLAY_POOL_BUFS, REPLAY_BUF_SIZE, REPLAY_HEADROOM)) {
		snprintf(err, errlen, "replay: out of memory");
		discard(r);
		return -1;
	}
	if (open_ports(r, o, err, errlen)) {
		discard(r);
		return -1;
	}

	struct cix_ctx ctx;
	cix_dataplane_worker_ctx(dp, o->worker, &ctx);
	ctx.pool = &r->pool;
	ctx.tx = r->tx;

	struct cix_pkt *pkts[CIX_MAX_BURST];
	int rc = 0;
	for (;;) {
		uint64_t limit;
		int port = next_port(r, &limit, err, errlen);
		if (port == -2) {
			rc = -1;
			break;
		}
		if (port < 0)
			break;
		ctx.t = cix_epoch_enter(&dp->epoch, o->worker);
		if (!ctx.t) {
			snprintf(err, errlen, "replay: no configuration published");
			rc = -1;
			break;
		}
		int n = cix_pcap_rx_until(r->pp[port], pkts, o->burst, limit);
		if (n < 0) {
			snprintf(err, errlen, "%s", cix_pcap_error(r->pp[port]));
			rc = -1;
			break;
		}
		if (n == 0) {
			/* Every burst frees its buffers before the next: an empty pool is a bug. */
			snprintf(err, errlen, "replay: buffer pool exhausted");
			rc = -1;
			break;
		}
		if (st->frames_read == 0)
			st->first_ns = pkts[0]->ts_ns;
		st->last_ns = pkts[n - 1]->ts_ns;
		st->frames_read += (uint64_t)n;
		st->bursts++;
		ctx.now_ns = pkts[n - 1]->ts_ns;
		cix_pipeline_run(&ctx, pkts, (uint32_t)n);
	}
	cix_epoch_offline(&dp->epoch, o->worker);

	for (unsigned p = 0; p < CIX_MAX_PORTS && rc == 0; p++) {
		if (!r->pp[p])
			continue;
		st->frames_written += cix_pcap_frames_written(r->pp[p]);
		if (cix_pcap_close_output(r->pp[p], err, errlen))
			rc = -1;
	}
	for (unsigned p = 0; p < CIX_MAX_PORTS && rc == 0; p++) {
		if (!r->partial[p])
			continue;
		if (rename(r->partial[p], r->final[p]) != 0) {
			snprintf(err, errlen, "%s: cannot rename into place", r->final[p]);
			rc = -1;
		} else {
			free(r->partial[p]);
			r->partial[p] = 0;
		}
	}
	discard(r);
	return rc;
}
