/*
 * cix_live_gen: a paced frame generator for the live benchmark.
 *
 * Sends one frame, over and over, out of one interface at a given rate for
 * a bounded time, and says on one JSON line how many it sent and how fast.
 * It exists because trafgen 0.6.8 (netsniff-ng) cannot hold a rate: with
 * --rate it sends one frame per sendto() with a sleep between, the gap is
 * rounded to whole microseconds, and above ~330 kpps the gap becomes zero and
 * it sends flat out (asked 200 kpps: got 263 k; asked 350 k: got 780 k).
 * A binary search over offered rates needs the rate it asks for.
 *
 * Two senders:
 *   --mode xdp     (default, gen_xdp.c) the kernel sends: an XDP program run
 *                  with BPF_PROG_TEST_RUN live frames paces frame by frame
 *                  and redirects to the interface; no skb per frame.
 *   --mode packet  (gen_packet.c) an AF_PACKET TX_RING, paced in bursts
 *                  from user space; every frame is an skb.
 *
 * Every run is bounded: --duration (and --count) end it, SIGALRM at
 * --timeout ends it whatever happens, SIGINT/SIGTERM end it early.
 *
 *   cix_live_gen --dev IF --frame HEX [--mode xdp|packet] [--rate PPS]
 *                [--duration S] [--count N] [--burst N] [--ring N]
 *                [--cpu N] [--timeout S]
 *
 * Output (stdout, one line):
 *   {"dev":"cxb-gen0","mode":"xdp","rate_pps":1000000,"sent":2000000,
 *    "failed":0,"unfinished":0,"elapsed_s":2.000001,"achieved_pps":999999.5,
 *    "kicks":1,"ring_full":0}
 * Errors: one line on stderr, exit 2 (bad arguments) or 1 (system error).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "live_gen.h"

volatile sig_atomic_t gen_stop;

static void on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

uint64_t gen_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int gen_sys_error(const char *what)
{
	fprintf(stderr, "cix_live_gen: %s: %s\n", what, strerror(errno));
	return 1;
}

static int usage_error(const char *what)
{
	fprintf(stderr, "cix_live_gen: %s\n"
		"usage: cix_live_gen --dev IF --frame HEX [--mode xdp|packet] [--rate PPS] [--duration S]\n"
		"                    [--count N] [--burst N] [--ring N] [--cpu N] [--timeout S]\n", what);
	return 2;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *s, uint8_t *out, uint32_t *len)
{
	size_t n = strlen(s);
	if (n % 2 || n / 2 < GEN_MIN_FRAME || n / 2 > GEN_MAX_FRAME)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint32_t)(n / 2);
	return 0;
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = GEN_MODE_XDP;
	o->duration = 2.0;
	o->burst = 32;
	o->ring = 1024;
	o->cpu = -1;
	o->timeout = -1;
	int have_frame = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : 0;
		double d;
		if (!v)
			return usage_error("every option takes a value");
		i++;
		if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "xdp"))
				o->mode = GEN_MODE_XDP;
			else if (!strcmp(v, "packet"))
				o->mode = GEN_MODE_PACKET;
			else
				return usage_error("--mode: xdp or packet");
		} else if (!strcmp(a, "--dev")) {
			if (!*v || strlen(v) >= IF_NAMESIZE)
				return usage_error("--dev: not an interface name");
			o->dev = v;
		} else if (!strcmp(a, "--frame")) {
			if (parse_hex(v, o->frame, &o->frame_len))
				return usage_error("--frame: hex bytes, 14 to 2000 of them");
			have_frame = 1;
		} else if (!strcmp(a, "--rate")) {
			if (parse_number(v, 0, 1e9, &o->rate))
				return usage_error("--rate: frames per second, 0 to 1e9 (0: unpaced)");
		} else if (!strcmp(a, "--duration")) {
			if (parse_number(v, 0.001, 3600, &o->duration))
				return usage_error("--duration: seconds, 0.001 to 3600");
		} else if (!strcmp(a, "--count")) {
			if (parse_number(v, 0, 1e15, &d))
				return usage_error("--count: frames, 0 (no limit) to 1e15");
			o->count = (uint64_t)d;
		} else if (!strcmp(a, "--burst")) {
			if (parse_number(v, 1, 256, &d))
				return usage_error("--burst: 1 to 256");
			o->burst = (uint32_t)d;
		} else if (!strcmp(a, "--ring")) {
			if (parse_number(v, 64, 65536, &d) || ((uint32_t)d & ((uint32_t)d - 1)))
				return usage_error("--ring: slots, a power of two from 64 to 65536");
			o->ring = (uint32_t)d;
		} else if (!strcmp(a, "--cpu")) {
			if (parse_number(v, 0, CPU_SETSIZE - 1, &d))
				return usage_error("--cpu: a CPU number");
			o->cpu = (int)d;
		} else if (!strcmp(a, "--timeout")) {
			if (parse_number(v, 0.001, 7200, &o->timeout))
				return usage_error("--timeout: seconds, 0.001 to 7200");
		} else {
			return usage_error("unknown option");
		}
	}
	if (!o->dev || !have_frame)
		return usage_error("--dev and --frame are required");
	if (o->timeout < 0)
		o->timeout = o->duration + 5;
	if (o->burst > o->ring)
		o->burst = o->ring;
	return 0;
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	unsigned ifindex = if_nametoindex(o.dev);
	if (!ifindex)
		return gen_sys_error(o.dev);
	if (o.cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return gen_sys_error("sched_setaffinity");
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, 0);
	sigaction(SIGTERM, &sa, 0);
	sigaction(SIGALRM, &sa, 0);
	struct itimerval hard = {.it_value = {.tv_sec = (time_t)o.timeout,
					      .tv_usec = (suseconds_t)((o.timeout - (double)(time_t)o.timeout) * 1e6)}};
	setitimer(ITIMER_REAL, &hard, 0);

	struct gen_result res = {0};
	rc = o.mode == GEN_MODE_XDP ? gen_xdp_run(&o, ifindex, &res) : gen_packet_run(&o, ifindex, &res);
	if (rc)
		return rc;
	printf("{\"dev\":\"%s\",\"mode\":\"%s\",\"rate_pps\":%.0f,\"sent\":%llu,\"failed\":%llu,\"unfinished\":%llu,"
	       "\"elapsed_s\":%.6f,\"achieved_pps\":%.1f,\"kicks\":%llu,\"ring_full\":%llu}\n",
	       o.dev, o.mode == GEN_MODE_XDP ? "xdp" : "packet", o.rate, (unsigned long long)res.sent,
	       (unsigned long long)res.failed, (unsigned long long)res.unfinished, res.elapsed,
	       res.elapsed > 0 ? (double)res.sent / res.elapsed : 0.0, (unsigned long long)res.kicks,
	       (unsigned long long)res.ring_full);
	return 0;
}
