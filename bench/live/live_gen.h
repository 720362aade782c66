/*
 * cix_live_gen: what the generator's two senders share (live_gen.c parses
 * the options and prints the report; gen_xdp.c and gen_packet.c send).
 */
#ifndef CIX_LIVE_GEN_H
#define CIX_LIVE_GEN_H

#include <signal.h>
#include <stdint.h>

#define GEN_MIN_FRAME 14u   /* an Ethernet header */
#define GEN_MAX_FRAME 9216u /* a jumbo frame; packet mode sizes its TX ring slots to fit */

enum gen_mode {
	GEN_MODE_XDP,    /* BPF_PROG_TEST_RUN live frames, paced by the XDP program (gen_xdp.c) */
	GEN_MODE_PACKET, /* AF_PACKET TX_RING, paced in user space (gen_packet.c) */
};

struct gen_opts {
	enum gen_mode mode;
	const char *dev;
	uint8_t frame[GEN_MAX_FRAME];
	uint32_t frame_len;
	double rate;     /* frames per second; 0: as fast as it goes */
	double duration; /* seconds */
	uint64_t count;  /* 0: no limit but the duration */
	uint32_t burst;  /* packet: most frames per kick; xdp: frames per batch of the kernel's loop */
	uint32_t ring;   /* packet: slots in the TX ring, a power of two */
	int cpu;         /* -1: not pinned */
	double timeout;  /* hard stop, seconds */
};

struct gen_result {
	uint64_t sent;      /* frames handed to the interface */
	uint64_t failed;    /* packet: frames the kernel refused */
	uint64_t unfinished;/* packet: frames still in the ring at the end */
	uint64_t kicks;     /* packet: sendto() calls; xdp: BPF_PROG_TEST_RUN calls */
	uint64_t ring_full; /* packet: passes with frames due and no free slot */
	double elapsed;     /* seconds from the first frame to the end of the last */
};

/* Set by SIGINT, SIGTERM and the hard timeout (SIGALRM): stop now. */
extern volatile sig_atomic_t gen_stop;

/* 0, or 1 after printing the system error on stderr. */
int gen_xdp_run(const struct gen_opts *o, unsigned ifindex, struct gen_result *res);
int gen_packet_run(const struct gen_opts *o, unsigned ifindex, struct gen_result *res);

uint64_t gen_now_ns(void);
int gen_sys_error(const char *what);

#endif
