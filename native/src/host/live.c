#define _GNU_SOURCE
#include "live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../io/afpacket.h"
#include "../io/afxdp.h"
#include "dataplane_impl.h"
#include "live_pool.h"
#include "worker.h"

struct live_port {
	struct cix_live_port cfg;
	struct cix_afxdp_port *xdp;                 /* afxdp: the attached program */
	struct cix_io_port *sock[CIX_MAX_WORKERS];  /* by queue (= worker) */
};

struct live_worker {
	struct cix_live_pool mem;
	struct cix_afxdp_umem *umem; /* when any port is afxdp */
	struct cix_worker w;
};

struct cix_live {
	struct cix_dataplane *dp;
	uint32_t n_ports;
	uint32_t workers;
	uint32_t pool_count;
	struct live_port port[CIX_MAX_PORTS];
	struct live_worker worker[CIX_MAX_WORKERS];
};

static const char *driver_name(enum cix_live_driver d)
{
	return d == CIX_LIVE_AFXDP ? "afxdp" : d == CIX_LIVE_AFPACKET ? "afpacket" : "?";
}

/* Everything opened so far, in reverse; returns buffers not back in the pools. */
static uint64_t close_all(struct cix_live *l)
{
	for (uint32_t w = 0; w < l->workers; w++)
		cix_worker_join(&l->worker[w].w);
	for (uint32_t i = l->n_ports; i-- > 0;) {
		struct live_port *p = &l->port[i];
		for (uint32_t q = l->workers; q-- > 0;) {
			cix_io_close(p->sock[q]);
			p->sock[q] = 0;
		}
	}
	for (uint32_t w = l->workers; w-- > 0;) {
		if (l->worker[w].umem)
			cix_afxdp_umem_free(l->worker[w].umem);
		l->worker[w].umem = 0;
	}
	for (uint32_t i = l->n_ports; i-- > 0;) {
		if (l->port[i].xdp)
			cix_afxdp_port_close(l->port[i].xdp);
		l->port[i].xdp = 0;
	}
	uint64_t missing = 0;
	for (uint32_t w = l->workers; w-- > 0;) {
		struct cix_live_pool *m = &l->worker[w].mem;
		if (m->pool.descs)
			missing += (m->pool.count - m->pool.n_free) + (m->pool.jcount - m->pool.jn_free);
		cix_live_pool_free(m);
	}
	return missing;
}

static int check_opts(const struct cix_dataplane *dp, const struct cix_live_opts *o, char *err,
		      size_t errlen)
{
	if (o->workers != dp->workers) {
		snprintf(err, errlen, "live: %u workers asked, the dataplane was made for %u", o->workers,
			 dp->workers);
		return -1;
	}
	if (o->n_ports == 0 || o->n_ports > CIX_MAX_PORTS || !o->ports) {
		snprintf(err, errlen, "live: 1..%u ports expected", CIX_MAX_PORTS);
		return -1;
	}
	if (o->burst == 0 || o->burst > CIX_MAX_BURST) {
		snprintf(err, errlen, "live: burst must be 1..%u", CIX_MAX_BURST);
		return -1;
	}
	if (o->n_cpus != 0 && (o->n_cpus != o->workers || !o->cpus)) {
		snprintf(err, errlen, "live: cpus must be empty or one per worker (%u)", o->workers);
		return -1;
	}
	uint64_t seen = 0;
	for (uint32_t i = 0; i < o->n_ports; i++) {
		const struct cix_live_port *p = &o->ports[i];
		const char *name = p->name[0] ? p->name : "?";
		if (p->io.port >= CIX_MAX_PORTS || (seen >> p->io.port & 1)) {
			snprintf(err, errlen, "live: port %s: id %u out of range or given twice", name,
				 p->io.port);
			return -1;
		}
		seen |= 1ull << p->io.port;
		if (p->io.driver != CIX_LIVE_AFXDP && p->io.driver != CIX_LIVE_AFPACKET) {
			snprintf(err, errlen, "live: port %s: unknown driver", name);
			return -1;
		}
		if (!p->io.ifname[0] || !memchr(p->io.ifname, 0, sizeof(p->io.ifname))) {
			snprintf(err, errlen, "live: port %s: bad interface name", name);
			return -1;
		}
		for (uint32_t k = 0; k < i; k++)
			if (strcmp(o->ports[k].io.ifname, p->io.ifname) == 0) {
				snprintf(err, errlen, "live: port %s: interface %s is already port %s", name,
					 p->io.ifname, o->ports[k].name);
				return -1;
			}
	}
	if (!atomic_load(&dp->epoch.current)) {
		snprintf(err, errlen, "live: no tables published yet");
		return -1;
	}
	return 0;
}

/* Pools, XDP programs, UMEMs, sockets: in that order, each failure named. */
static int open_all(struct cix_live *l, const struct cix_live_opts *o, char *err, size_t errlen)
{
	char why[256];
	uint32_t n_afxdp = 0;
	for (uint32_t i = 0; i < o->n_ports; i++)
		n_afxdp += o->ports[i].io.driver == CIX_LIVE_AFXDP;

	l->pool_count = cix_live_pool_buffers(o->ports, o->n_ports, o->burst);
	uint32_t jumbo = cix_live_pool_jumbo_buffers(o->burst);
	for (uint32_t w = 0; w < l->workers; w++) {
		if (cix_live_pool_init(&l->worker[w].mem, l->pool_count, jumbo, why, sizeof(why))) {
			snprintf(err, errlen, "worker %u: %s", w, why);
			return -1;
		}
	}
	for (uint32_t i = 0; i < l->n_ports; i++) {
		struct live_port *p = &l->port[i];
		if (p->cfg.io.driver != CIX_LIVE_AFXDP)
			continue;
		why[0] = 0;
		if (cix_afxdp_port_open(&p->cfg.io, &p->xdp, why, sizeof(why)) != 0) {
			p->xdp = 0;
			snprintf(err, errlen, "port %s (interface %s): %s", p->cfg.name, p->cfg.io.ifname,
				 why[0] ? why : "cannot attach the XDP program");
			return -1;
		}
	}
	for (uint32_t w = 0; n_afxdp && w < l->workers; w++) {
		why[0] = 0;
		if (cix_afxdp_umem_new(&l->worker[w].mem.pool, &l->worker[w].umem, why, sizeof(why))) {
			l->worker[w].umem = 0;
			snprintf(err, errlen, "worker %u: cannot register its buffers as UMEM: %s", w,
				 why[0] ? why : "failed");
			return -1;
		}
	}
	for (uint32_t i = 0; i < l->n_ports; i++) {
		struct live_port *p = &l->port[i];
		for (uint32_t q = 0; q < l->workers; q++) {
			why[0] = 0;
			if (p->cfg.io.driver == CIX_LIVE_AFXDP)
				p->sock[q] = cix_afxdp_socket_open(p->xdp, l->worker[q].umem, q, why, sizeof(why));
			else
				p->sock[q] = cix_afpacket_open(&p->cfg.io, &l->worker[q].mem.pool, q, l->workers,
							       why, sizeof(why));
			if (!p->sock[q]) {
				snprintf(err, errlen, "port %s (interface %s, %s queue %u): %s", p->cfg.name,
					 p->cfg.io.ifname, driver_name(p->cfg.io.driver), q,
					 why[0] ? why : "cannot open socket");
				return -1;
			}
		}
	}
	return 0;
}

static int start_workers(struct cix_live *l, const struct cix_live_opts *o, char *err, size_t errlen)
{
	for (uint32_t w = 0; w < l->workers; w++) {
		struct live_worker *lw = &l->worker[w];
		struct cix_worker *k = &lw->w;
		k->dp = l->dp;
		k->index = w;
		k->burst = o->burst;
		k->cpu = o->n_cpus ? o->cpus[w] : -1;
		k->pool = &lw->mem.pool;
		k->n_rx = l->n_ports;
		for (uint32_t i = 0; i < l->n_ports; i++) {
			k->rx[i] = l->port[i].sock[w];
			k->tx[l->port[i].cfg.io.port] = l->port[i].sock[w];
		}
		if (cix_worker_start(k, err, errlen))
			return -1;
	}
	return 0;
}

int cix_live_start(struct cix_dataplane *dp, const struct cix_live_opts *o, struct cix_live **out,
		   char *err, size_t errlen)
{
	*out = 0;
	if (!dp || !o) {
		snprintf(err, errlen, "live: bad arguments");
		return -1;
	}
	if (check_opts(dp, o, err, errlen))
		return -1;
	struct cix_live *l;
	/* Workers' hot lines are cache-aligned inside: the block must be too. */
	if (posix_memalign((void **)&l, 64, sizeof(*l))) {
		snprintf(err, errlen, "live: out of memory");
		return -1;
	}
	memset(l, 0, sizeof(*l));
	l->dp = dp;
	l->workers = o->workers;
	l->n_ports = o->n_ports;
	for (uint32_t i = 0; i < o->n_ports; i++)
		l->port[i].cfg = o->ports[i];
	if (open_all(l, o, err, errlen) || start_workers(l, o, err, errlen)) {
		close_all(l);
		free(l);
		return -1;
	}
	*out = l;
	return 0;
}

uint64_t cix_live_stop(struct cix_live *l)
{
	if (!l)
		return 0;
	uint64_t missing = close_all(l);
	free(l);
	return missing;
}

uint32_t cix_live_workers(const struct cix_live *l) { return l->workers; }
uint32_t cix_live_n_ports(const struct cix_live *l) { return l->n_ports; }
uint32_t cix_live_pool_count(const struct cix_live *l) { return l->pool_count; }

void cix_live_describe_port(const struct cix_live *l, uint32_t i, struct cix_live_port_info *out)
{
	const struct live_port *p = &l->port[i];
	out->port = p->cfg.io.port;
	out->name = p->cfg.name;
	out->ifname = p->cfg.io.ifname;
	out->driver = p->cfg.io.driver;
	out->mode = p->cfg.io.driver == CIX_LIVE_AFXDP ? cix_afxdp_port_mode(p->xdp) : "tpacket-v3";
}

const char *cix_live_socket_mode(const struct cix_live *l, uint32_t i, uint32_t queue)
{
	const struct live_port *p = &l->port[i];
	if (p->cfg.io.driver == CIX_LIVE_AFXDP)
		return cix_afxdp_socket_mode(p->sock[queue]);
	return "tpacket-v3";
}

/* The driver's own counters (one getsockopt for the kernel's). */
static void read_socket_stats(enum cix_live_driver d, const struct cix_io_port *io,
			      struct cix_live_driver_stats *s)
{
	/* On a failed getsockopt the software counters are still there; the kernel's stay 0. */
	if (d == CIX_LIVE_AFXDP)
		(void)cix_afxdp_socket_stats(io, s);
	else
		(void)cix_afpacket_stats(io, s);
}

uint32_t cix_live_collect_socket_stats(const struct cix_live *l,
				       struct cix_live_socket_stats *out, uint32_t max)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < l->n_ports; i++) {
		const struct live_port *p = &l->port[i];
		for (uint32_t q = 0; q < l->workers; q++, k++) {
			if (k >= max)
				continue;
			struct cix_live_socket_stats *s = &out[k];
			memset(s, 0, sizeof(*s));
			s->port = p->cfg.io.port;
			s->queue = q;
			s->worker = q;
			read_socket_stats(p->cfg.io.driver, p->sock[q], &s->driver);
		}
	}
	return l->n_ports * l->workers;
}
