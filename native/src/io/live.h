/*
 * What a live port is: the part of the configuration the live drivers
 * (afxdp, afpacket) need to open an interface. Filled by the addon from the
 * TypeScript run spec, which config validation already checked.
 */
#ifndef CIX_IO_LIVE_H
#define CIX_IO_LIVE_H

#include <stdint.h>

#define CIX_LIVE_MAX_ADDRS 16u
#define CIX_IFNAMSIZ 16u

enum cix_live_driver {
	CIX_LIVE_AFXDP = 1,
	CIX_LIVE_AFPACKET = 2,
};

enum cix_xdp_mode {
	CIX_XDP_AUTO = 0,   /* native (driver) mode, falling back to generic (SKB) */
	CIX_XDP_NATIVE = 1, /* native only: refuse to start without it */
	CIX_XDP_SKB = 2,    /* generic mode */
};

struct cix_live_port_spec {
	uint16_t port; /* the port id frames are stamped with */
	enum cix_live_driver driver;
	enum cix_xdp_mode xdp_mode;
	char ifname[CIX_IFNAMSIZ];
	/* The appliance's own IPv4 addresses on this port, network byte order:
	 * ARP asking for them and IPv4 sent to them go to the kernel, not to
	 * the fast path (the control path). */
	uint32_t n_addrs;
	uint32_t addrs[CIX_LIVE_MAX_ADDRS];
};

/*
 * One live socket's driver statistics, the same shape for every driver
 * (cix_afxdp_socket_stats, cix_afpacket_stats). The software counters are
 * kept by the worker thread that owns the socket and read without a lock
 * from any thread (each is one relaxed 64-bit load); the kernel's counters
 * are fetched by the getter (one getsockopt), so call it on the control
 * thread, never per packet. A counter a driver does not have stays 0.
 */
struct cix_live_driver_stats {
	uint64_t rx_empty_polls;  /* rx calls that found nothing */
	uint64_t fill_shortfall;  /* afxdp: fill-ring slots left empty for want of buffers;
				   * afpacket: rx bursts cut short by an empty pool */
	uint64_t tx_kicks;        /* transmit syscalls (sendto) */
	uint64_t rx_kicks;        /* afxdp: receive wakeups (recvfrom) the fill ring asked for */
	/* The kernel's view. afxdp: XDP_STATISTICS. afpacket: PACKET_STATISTICS
	 * (tp_drops in rx_dropped; read-and-reset by the kernel, so the getter
	 * adds them up) and tx frames the kernel refused in tx_invalid. */
	uint64_t rx_dropped;
	uint64_t rx_invalid;
	uint64_t tx_invalid;
	uint64_t rx_ring_full;
	uint64_t fill_ring_empty;
	uint64_t tx_ring_empty;
};

#endif
