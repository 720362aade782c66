/*
 * The XDP program of firmware/ (cix_xsk) as user space holds it: the object
 * bytes are embedded in this library at build time (CMake compiles
 * firmware/cix_xsk.bpf.c with clang -target bpf and turns the .o into a C
 * array), so the addon, the tests and any binary find the very program
 * they were built with, without a path to look up at run time.
 *
 * One cix_xdp_prog is one loaded instance with its own maps: each port's
 * program has its own socket map and its own own-address set.
 */
#ifndef CIX_IO_XDP_PROG_H
#define CIX_IO_XDP_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "../../../firmware/cix_xsk.h"

struct bpf_object;
struct xdp_program;

/* The embedded object file (generated from firmware/cix_xsk.bpf.c). */
extern const unsigned char cix_xsk_bpf_obj[];
extern const size_t cix_xsk_bpf_obj_len;

struct cix_xdp_prog {
	struct bpf_object *obj;     /* the opened (then loaded) object */
	struct xdp_program *xprog;  /* libxdp's handle when libxdp loaded it, else NULL */
	int prog_fd;                /* -1 until loaded */
	int xsks_fd;                /* CIX_XSK_MAP_XSKS */
	int addrs_fd;               /* CIX_XSK_MAP_OWN_ADDRS */
	int stats_fd;               /* CIX_XSK_MAP_STATS */
};

/* Opens the embedded object (not loaded). 0 or -errno with err filled. */
int cix_xdp_prog_open(struct cix_xdp_prog *p, char *err, size_t errlen);
/* Once the program is loaded (by libbpf or libxdp): finds its fd and map fds. 0 or -errno. */
int cix_xdp_prog_bind_fds(struct cix_xdp_prog *p, char *err, size_t errlen);
/* Opens and loads it with libbpf, attached nowhere (BPF_PROG_TEST_RUN, tests). */
int cix_xdp_prog_load(struct cix_xdp_prog *p, char *err, size_t errlen);
/* Closes what open/load made (libxdp's handle included). Safe on a zeroed or closed one. */
void cix_xdp_prog_close(struct cix_xdp_prog *p);

/* Fills the own-address set (network byte order). 0 or -errno; n at most CIX_XSK_MAX_ADDRS. */
int cix_xdp_prog_set_addrs(const struct cix_xdp_prog *p, const uint32_t *addrs, uint32_t n);
/* Puts socket fd in queue's slot of the socket map, or clears the slot (fd < 0). 0 or -errno. */
int cix_xdp_prog_set_socket(const struct cix_xdp_prog *p, uint32_t queue, int fd);
/* Sums the per-CPU counters: out[CIX_XSK_STAT_COUNT]. 0 or -errno. */
int cix_xdp_prog_stats(const struct cix_xdp_prog *p, uint64_t *out);

/*
 * Routes libbpf's and libxdp's messages: dropped, unless the environment
 * has CIX_XDP_DEBUG=1 (then to stderr). Called by everything here before
 * it touches either library; idempotent and thread-safe.
 */
void cix_xdp_quiet_libs(void);

#endif
