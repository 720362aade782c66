/*
 * What the XDP program cix_xsk (cix_xsk.bpf.c) and its loader
 * (native/src/io/xdp_prog.c) share: the program's name, its maps' names and
 * sizes, and the layout of their keys and values. Both sides include this
 * file, so the two can never disagree about a map.
 *
 * Types come from <linux/types.h> (__u32, __u64) because the BPF side has
 * no libc.
 */
#ifndef CIX_FIRMWARE_XSK_H
#define CIX_FIRMWARE_XSK_H

#include <linux/types.h>

/*
 * The program's function name, which is also the name the kernel reports
 * (`ip link`, bpftool, xdp-loader status). The loader recognises an XDP
 * program left attached by a cix dataplane that was killed by this name;
 * BPF object names are at most 15 characters.
 */
#define CIX_XSK_PROG_NAME "cix_xsk"

/*
 * XSKMAP: rx queue index -> AF_XDP socket. A frame is redirected to the
 * socket of the queue it arrived on; a queue with no socket (slot empty, or
 * index past the end) passes the frame to the kernel.
 */
#define CIX_XSK_MAP_XSKS "cix_xsks"
#define CIX_XSK_MAX_QUEUES 256u

/*
 * HASH: the port's own IPv4 addresses (key: __u32 in network byte order,
 * value: __u8, unused). Untagged ARP asking for one of them and untagged
 * IPv4 sent to one of them go to the kernel: that traffic is the
 * appliance's own control plane, not customer traffic.
 */
#define CIX_XSK_MAP_OWN_ADDRS "cix_own_addrs"
#define CIX_XSK_MAX_ADDRS 16u

/* PERCPU_ARRAY of __u64: what the program decided, summed over CPUs by the reader. */
#define CIX_XSK_MAP_STATS "cix_xsk_stats"
enum cix_xsk_stat {
	CIX_XSK_STAT_TO_SOCKET = 0, /* redirected to the queue's socket (or passed: no socket) */
	CIX_XSK_STAT_CONTROL_ARP,   /* ARP for an own address, passed to the kernel */
	CIX_XSK_STAT_CONTROL_IPV4,  /* IPv4 to an own address, passed to the kernel */
	CIX_XSK_STAT_COUNT,
};

#endif
