/*
 * pcap driver: a port that receives the frames of a capture file (pcap or
 * pcapng, via libpcap) and writes what it sends to a pcap file with
 * nanosecond timestamps. The receive side keeps one frame of lookahead so
 * the replay can merge several ports by capture time.
 */
#ifndef CIX_IO_PCAP_H
#define CIX_IO_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "io.h"

struct cix_pcap_port;

/* Returns NULL and a one-line message in err on failure. */
struct cix_pcap_port *cix_pcap_port_new(struct cix_pool *pool, uint16_t port);
int cix_pcap_open_input(struct cix_pcap_port *pp, const char *path, char *err, size_t errlen);
int cix_pcap_open_output(struct cix_pcap_port *pp, const char *path, char *err, size_t errlen);
/* Flush and close the output; nonzero (with err) if anything failed to reach the file. */
int cix_pcap_close_output(struct cix_pcap_port *pp, char *err, size_t errlen);
void cix_pcap_port_free(struct cix_pcap_port *pp);

struct cix_io_port *cix_pcap_io(struct cix_pcap_port *pp);

/* 1 with *ts set when a frame is waiting, 0 at the end, -1 on a read error. */
int cix_pcap_peek(struct cix_pcap_port *pp, uint64_t *ts);
/* Receive up to max frames whose time is <= limit_ns. -1 on a read error. */
int cix_pcap_rx_until(struct cix_pcap_port *pp, struct cix_pkt **pkts, uint32_t max,
		      uint64_t limit_ns);
/* The last read or write error, as one line. */
const char *cix_pcap_error(const struct cix_pcap_port *pp);
uint64_t cix_pcap_frames_read(const struct cix_pcap_port *pp);
uint64_t cix_pcap_frames_written(const struct cix_pcap_port *pp);

#endif
