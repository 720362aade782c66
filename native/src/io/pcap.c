#include "pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/drop.h"

struct cix_pcap_port {
	struct cix_io_port io;
	pcap_t *in;
	const uint8_t *next_data; /* lookahead frame, valid until the next read */
	struct pcap_pkthdr next_hdr;
	int next_state; /* 1 waiting, 0 end, -1 error, 2 not read yet */
	pcap_t *dead;
	pcap_dumper_t *out;
	uint64_t read, written;
	char err[PCAP_ERRBUF_SIZE + 128];
};

static uint64_t ts_of(const struct pcap_pkthdr *h)
{
	/* Opened with nanosecond precision: tv_usec holds nanoseconds. */
	return (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
}

static void advance(struct cix_pcap_port *pp)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(pp->in, &h, &d);
	if (rc == 1) {
		pp->next_hdr = *h;
		pp->next_data = d;
		pp->next_state = 1;
	} else if (rc == PCAP_ERROR_BREAK) {
		pp->next_state = 0;
	} else {
		snprintf(pp->err, sizeof(pp->err), "%s", pcap_geterr(pp->in));
		pp->next_state = -1;
	}
}

int cix_pcap_peek(struct cix_pcap_port *pp, uint64_t *ts)
{
	if (!pp->in)
		return 0;
	if (pp->next_state == 2)
		advance(pp);
	if (pp->next_state == 1)
		*ts = ts_of(&pp->next_hdr);
	return pp->next_state;
}

int cix_pcap_rx_until(struct cix_pcap_port *pp, struct cix_pkt **pkts, uint32_t max,
		      uint64_t limit_ns)
{
	struct cix_pool *pool = pp->io.pool;
	uint32_t room = cix_pool_data_room(pool);
	uint32_t n = 0;
	uint64_t ts;
	while (n < max) {
		int st = cix_pcap_peek(pp, &ts);
		if (st < 0) {
			cix_pool_free_burst(pool, pkts, n);
			return -1;
		}
		if (st == 0 || ts > limit_ns)
			break;
		if (cix_pool_alloc_burst(pool, &pkts[n], 1) == 0)
			break; /* pool empty: the caller runs this burst first */
		struct cix_pkt *p = pkts[n++];
		uint32_t cap = pp->next_hdr.caplen;
		p->in_port = pp->io.port;
		p->ts_ns = ts;
		p->wire_len = pp->next_hdr.len;
		if (cap > room) {
			/* Larger than any port's MTU allows; keep nothing of it. */
			p->len = 0;
			p->drop = CIX_DROP_MTU_RX;
		} else {
			memcpy(p->data, pp->next_data, cap);
			p->len = cap;
		}
		pp->read++;
		advance(pp);
	}
	return (int)n;
}

static uint32_t pcap_rx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t max)
{
	int n = cix_pcap_rx_until((struct cix_pcap_port *)io, pkts, max, UINT64_MAX);
	return n < 0 ? 0 : (uint32_t)n;
}

static uint32_t pcap_tx(struct cix_io_port *io, struct cix_pkt **pkts, uint32_t n)
{
	struct cix_pcap_port *pp = (struct cix_pcap_port *)io;
	if (!pp->out)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		struct pcap_pkthdr h;
		h.ts.tv_sec = (time_t)(p->ts_ns / 1000000000ull);
		h.ts.tv_usec = (suseconds_t)(p->ts_ns % 1000000000ull);
		h.caplen = p->len;
		h.len = p->len;
		pcap_dump((u_char *)pp->out, &h, p->data);
		cix_pool_free(io->pool, p);
	}
	pp->written += n;
	return n;
}

static const struct cix_io_ops pcap_ops = {
	.name = "pcap",
	.rx = pcap_rx,
	.tx = pcap_tx,
	.close = 0,
};

struct cix_pcap_port *cix_pcap_port_new(struct cix_pool *pool, uint16_t port)
{
	struct cix_pcap_port *pp = calloc(1, sizeof(*pp));
	if (!pp)
		return 0;
	pp->io.ops = &pcap_ops;
	pp->io.pool = pool;
	pp->io.port = port;
	pp->next_state = 2;
	return pp;
}

struct cix_io_port *cix_pcap_io(struct cix_pcap_port *pp)
{
	return &pp->io;
}

int cix_pcap_open_input(struct cix_pcap_port *pp, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pp->in = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pp->in) {
		snprintf(err, errlen, "%s: %s", path, ebuf[0] ? ebuf : "cannot open capture");
		return -1;
	}
	int lt = pcap_datalink(pp->in);
	if (lt != DLT_EN10MB) {
		snprintf(err, errlen, "%s: not an Ethernet capture (link type %s)", path,
			 pcap_datalink_val_to_name(lt) ? pcap_datalink_val_to_name(lt) : "unknown");
		pcap_close(pp->in);
		pp->in = 0;
		return -1;
	}
	return 0;
}

int cix_pcap_open_output(struct cix_pcap_port *pp, const char *path, char *err, size_t errlen)
{
	pp->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144, PCAP_TSTAMP_PRECISION_NANO);
	if (!pp->dead) {
		snprintf(err, errlen, "%s: cannot create a capture writer", path);
		return -1;
	}
	pp->out = pcap_dump_open(pp->dead, path);
	if (!pp->out) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(pp->dead));
		return -1;
	}
	return 0;
}

int cix_pcap_close_output(struct cix_pcap_port *pp, char *err, size_t errlen)
{
	int rc = 0;
	if (pp->out) {
		FILE *f = pcap_dump_file(pp->out);
		if (pcap_dump_flush(pp->out) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
			snprintf(err, errlen, "writing a capture failed: %s", strerror(errno));
			rc = -1;
		}
		pcap_dump_close(pp->out);
		pp->out = 0;
	}
	return rc;
}

void cix_pcap_port_free(struct cix_pcap_port *pp)
{
	if (!pp)
		return;
	if (pp->out)
		pcap_dump_close(pp->out);
	if (pp->dead)
		pcap_close(pp->dead);
	if (pp->in)
		pcap_close(pp->in);
	free(pp);
}

const char *cix_pcap_error(const struct cix_pcap_port *pp)
{
	return pp->err;
}

uint64_t cix_pcap_frames_read(const struct cix_pcap_port *pp)
{
	return pp->read;
}

uint64_t cix_pcap_frames_written(const struct cix_pcap_port *pp)
{
	return pp->written;
}
