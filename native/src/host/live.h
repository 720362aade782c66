/*
 * The live runtime: real interfaces, one worker thread per queue index.
 *
 * Model: `workers` threads; every port is served on queues 0..workers-1,
 * one socket per (port, queue), owned by worker `queue`. Each worker has
 * one pool (buffers page-aligned, CIX_LIVE_BUF_SIZE bytes, CIX_LIVE_HEADROOM
 * of headroom) sized for every buffer its sockets can hold at once; when any
 * port is afxdp the pool is also the worker's UMEM, and its afpacket sockets
 * use the same pool. A worker's context sends to port p through its own
 * socket on p.
 *
 * start opens every port (afxdp: the XDP program once per interface, then a
 * socket per worker), then starts the threads; any failure closes what was
 * opened, in reverse, and names the port and interface. stop joins the
 * threads, closes the sockets, frees the UMEMs, detaches XDP and frees the
 * pools. Both run on the control thread; packets never do.
 *
 * Opaque, and free of _Atomic types, so the C++ addon can include it.
 */
#ifndef CIX_HOST_LIVE_H
#define CIX_HOST_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../io/live.h"
#include "dataplane.h"

#define CIX_LIVE_BUF_SIZE 4096u  /* one page: the AF_XDP frame size */
#define CIX_LIVE_HEADROOM 256u   /* room to push tags and, later, tunnel headers */
/* Frames one ordinary buffer holds. Every worker also has jumbo buffers, so
 * larger frames (multi-buffer AF_XDP, afpacket) run up to CIX_LIVE_MAX_FRAME
 * whatever the MTUs, and an MTU change never needs the sockets rebound. */
#define CIX_LIVE_FRAME_ROOM (CIX_LIVE_BUF_SIZE - CIX_LIVE_HEADROOM)
#define CIX_LIVE_JUMBO_BUF_SIZE 16384u
#define CIX_LIVE_MAX_FRAME (CIX_LIVE_JUMBO_BUF_SIZE - CIX_LIVE_HEADROOM)
#define CIX_LIVE_NAME_MAX 72u    /* port names are at most 64 characters */

struct cix_live_port {
	struct cix_live_port_spec io;  /* what the driver opens */
	char name[CIX_LIVE_NAME_MAX];  /* the configuration's name, for messages */
};

struct cix_live_opts {
	const struct cix_live_port *ports;
	uint32_t n_ports;        /* 1..CIX_MAX_PORTS, ids and interfaces unique */
	uint32_t workers;        /* must be the dataplane's */
	const int32_t *cpus;     /* worker i runs on cpus[i]; n_cpus 0: not pinned */
	uint32_t n_cpus;         /* 0 or workers */
	uint32_t burst;          /* 1..CIX_MAX_BURST */
};

struct cix_live;

/*
 * Opens the ports and starts the workers. The dataplane must have published
 * tables and stay until cix_live_stop. 0 with *out set, or -1 with a
 * one-line message in err and nothing left open.
 */
int cix_live_start(struct cix_dataplane *dp, const struct cix_live_opts *opts,
		   struct cix_live **out, char *err, size_t errlen);

/*
 * Stops everything start opened and frees it. Returns how many buffers were
 * not back in their pools once every socket had closed (0: all came home;
 * anything else is a driver's leak, reported instead of hidden).
 */
uint64_t cix_live_stop(struct cix_live *l);

uint32_t cix_live_workers(const struct cix_live *l);
uint32_t cix_live_n_ports(const struct cix_live *l);
/* Buffers in each worker's pool (the computed size). */
uint32_t cix_live_pool_count(const struct cix_live *l);

struct cix_live_port_info {
	uint16_t port;
	const char *name;
	const char *ifname;
	enum cix_live_driver driver;
	const char *mode; /* "native" | "skb" (afxdp), "tpacket-v3" (afpacket) */
};

/* Port i of the spec, in the spec's order. */
void cix_live_describe_port(const struct cix_live *l, uint32_t i, struct cix_live_port_info *out);
/* "zerocopy" | "copy" (afxdp), "tpacket-v3" (afpacket). */
const char *cix_live_socket_mode(const struct cix_live *l, uint32_t port_index, uint32_t queue);

/* One socket's driver statistics; read on the control thread, not per packet. */
struct cix_live_socket_stats {
	uint16_t port;
	uint32_t queue;
	uint32_t worker;
	struct cix_live_driver_stats driver; /* io/live.h: the same shape for every driver */
};

/* Fills up to max entries (port-major, then queue); returns n_ports * workers. */
uint32_t cix_live_collect_socket_stats(const struct cix_live *l,
				       struct cix_live_socket_stats *out, uint32_t max);

#endif
