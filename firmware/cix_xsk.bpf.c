// SPDX-License-Identifier: GPL-2.0
/*
 * cix_xsk: steers every frame of a port to the AF_XDP socket of the queue it
 * arrived on, except the port's own control traffic, which the kernel keeps:
 *
 *   untagged ARP whose target protocol address is an own address  -> XDP_PASS
 *   untagged IPv4 whose destination address is an own address      -> XDP_PASS
 *   everything else (tagged frames, other hosts' ARP/IPv4, frames too
 *   short to classify)                                             -> the socket
 *
 * A frame too short to read what it would need to be control traffic is
 * not control traffic: it goes to the fast path, which counts it under a
 * named drop reason (truncated) instead of it vanishing here.
 *
 * "The socket" is bpf_redirect_map(xsks, rx_queue_index, XDP_PASS): the low
 * bits of the flags are the action when the slot is empty, so a queue that
 * no socket serves (yet, or any more) hands its frames to the kernel.
 *
 * Parsing walks a cursor with a bounds check against data_end before every
 * read; there is no loop (tags are never walked: a tagged frame is never
 * control traffic), so the verifier sees a short straight line.
 *
 * GPL: bpf_redirect_map and the XSKMAP are usable from any program, but the
 * license costs nothing and keeps every helper available.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "cix_xsk.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, CIX_XSK_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} cix_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CIX_XSK_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u8);
} cix_own_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CIX_XSK_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} cix_xsk_stats SEC(".maps");

/* ARP for IPv4 over Ethernet (RFC 826): the fixed part, then the addresses. */
struct arp_ipv4 {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 oper;
	__u8 sha[ETH_ALEN];
	__be32 spa;
	__u8 tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

/* The IPv4 header (RFC 791) up to the destination address; options follow. */
struct ipv4_fixed {
	__u8 version_ihl;
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
} __attribute__((packed));

static __always_inline void count(enum cix_xsk_stat stat)
{
	__u32 key = stat;
	__u64 *v = bpf_map_lookup_elem(&cix_xsk_stats, &key);
	if (v)
		*v += 1; /* per-CPU slot: no atomic needed */
}

static __always_inline int is_own_addr(__be32 addr)
{
	__u32 key = addr;
	return bpf_map_lookup_elem(&cix_own_addrs, &key) != 0;
}

/* 1 when the untagged frame whose payload starts at `l3` is the kernel's. */
static __always_inline int is_control(__be16 ethertype, void *l3, void *data_end)
{
	if (ethertype == bpf_htons(ETH_P_ARP)) {
		struct arp_ipv4 *arp = l3;
		if ((void *)(arp + 1) > data_end)
			return 0;
		if (arp->ptype != bpf_htons(ETH_P_IP) || arp->hlen != ETH_ALEN || arp->plen != 4)
			return 0;
		if (!is_own_addr(arp->tpa))
			return 0;
		count(CIX_XSK_STAT_CONTROL_ARP);
		return 1;
	}
	if (ethertype == bpf_htons(ETH_P_IP)) {
		struct ipv4_fixed *ip = l3;
		if ((void *)(ip + 1) > data_end)
			return 0;
		if ((ip->version_ihl >> 4) != 4)
			return 0;
		if (!is_own_addr(ip->daddr))
			return 0;
		count(CIX_XSK_STAT_CONTROL_IPV4);
		return 1;
	}
	return 0;
}

/*
 * "xdp.frags": the program may see frames in several buffers (multi-buffer
 * XDP), so the kernel lets it run on interfaces whose MTU is larger than a
 * page (jumbo frames). It reads headers from the first buffer only, bounds
 * checked against its end, and leaves the rest to the socket.
 */
SEC("xdp.frags")
int cix_xsk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) <= data_end && is_control(eth->h_proto, eth + 1, data_end))
		return XDP_PASS;

	count(CIX_XSK_STAT_TO_SOCKET);
	return bpf_redirect_map(&cix_xsks, ctx->rx_queue_index, XDP_PASS);
}
