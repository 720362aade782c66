/*
 * The state the XDP sender's program (live_gen.bpf.c) and its loader
 * (gen_xdp.c) share: one entry of an array map. The loader writes it before
 * the run and reads it after; during the run only the program touches it,
 * on the one CPU the run is on, so no atomics.
 */
#ifndef CIX_LIVE_GEN_BPF_H
#define CIX_LIVE_GEN_BPF_H

#include <linux/types.h>

struct live_gen_pace {
	__u64 next_ns;     /* CLOCK_MONOTONIC time the next frame is due */
	__u64 interval_ns; /* 1 / rate; 0: unpaced, every run of the program sends */
	__u64 limit;       /* frames to send at most; 0: no limit */
	__u64 sent;        /* frames redirected to the interface */
	__u64 first_ns;    /* when the first frame went */
	__u64 last_ns;     /* when the last frame went */
	__u32 ifindex;     /* where frames go (bpf_redirect) */
	__u32 pad;
};

#endif
