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

#endif
