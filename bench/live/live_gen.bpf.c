/*
 * The XDP sender's program (cix_live_gen --mode xdp, gen_xdp.c).
 *
 * BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES runs this program over
 * and over on one frame inside the kernel; each XDP_REDIRECT transmits the
 * frame out of the interface (for a veth: straight into the peer's ring as
 * an XDP frame, no skb). The program paces: a frame goes when it is due
 * (next_ns), otherwise the run is dropped, which costs the loop a few tens
 * of nanoseconds. Frames thus leave one by one at the asked rate, not in
 * bursts; when the program falls behind (the receiving side's work runs on
 * this CPU between batches), the frames due are sent back to back until it
 * has caught up, so the average rate stays the asked one.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "live_gen_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct live_gen_pace);
} live_gen_pace SEC(".maps");

SEC("xdp")
int live_gen(struct xdp_md *ctx)
{
	(void)ctx;
	__u32 key = 0;
	struct live_gen_pace *p = bpf_map_lookup_elem(&live_gen_pace, &key);
	if (!p)
		return XDP_ABORTED;
	if (p->limit && p->sent >= p->limit)
		return XDP_DROP;
	__u64 now = bpf_ktime_get_ns();
	/* The schedule starts with the first run, not when the loader asked
	 * (setting the run up takes milliseconds, which would come out as a
	 * burst of catching up). */
	if (!p->sent && !p->first_ns)
		p->next_ns = now;
	if (p->interval_ns) {
		if (now < p->next_ns)
			return XDP_DROP;
		p->next_ns += p->interval_ns;
	}
	if (!p->sent)
		p->first_ns = now;
	p->last_ns = now;
	p->sent++;
	return bpf_redirect(p->ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
