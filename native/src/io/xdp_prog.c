#include "xdp_prog.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xdp/libxdp.h>

static int debug_enabled(void)
{
	const char *v = getenv("CIX_XDP_DEBUG");
	return v && v[0] == '1';
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int drop_print_bpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int drop_print_xdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void set_printers(void)
{
	/* Both libraries narrate every load at warning level (the dispatcher
	 * fallback included); our callers report failures in their own words. */
	int dbg = debug_enabled();
	libbpf_set_print(dbg ? libbpf_print : drop_print_bpf);
	libxdp_set_print(dbg ? libxdp_print : drop_print_xdp);
}

void cix_xdp_quiet_libs(void)
{
	pthread_once(&quiet_once, set_printers);
}

static void reset(struct cix_xdp_prog *p)
{
	memset(p, 0, sizeof(*p));
	p->prog_fd = p->xsks_fd = p->addrs_fd = p->stats_fd = -1;
}

int cix_xdp_prog_open(struct cix_xdp_prog *p, char *err, size_t errlen)
{
	cix_xdp_quiet_libs();
	reset(p);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = CIX_XSK_PROG_NAME);
	p->obj = bpf_object__open_mem(cix_xsk_bpf_obj, cix_xsk_bpf_obj_len, &opts);
	if (!p->obj) {
		int e = errno ? errno : EINVAL;
		snprintf(err, errlen, "cannot open the embedded XDP program: %s", strerror(e));
		return -e;
	}
	return 0;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}

int cix_xdp_prog_bind_fds(struct cix_xdp_prog *p, char *err, size_t errlen)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(p->obj, CIX_XSK_PROG_NAME);
	p->prog_fd = prog ? bpf_program__fd(prog) : -ENOENT;
	p->xsks_fd = map_fd(p->obj, CIX_XSK_MAP_XSKS);
	p->addrs_fd = map_fd(p->obj, CIX_XSK_MAP_OWN_ADDRS);
	p->stats_fd = map_fd(p->obj, CIX_XSK_MAP_STATS);
	if (p->prog_fd < 0 || p->xsks_fd < 0 || p->addrs_fd < 0 || p->stats_fd < 0) {
		snprintf(err, errlen, "the loaded XDP program lacks its program or maps");
		return -ENOENT;
	}
	return 0;
}

int cix_xdp_prog_load(struct cix_xdp_prog *p, char *err, size_t errlen)
{
	int rc = cix_xdp_prog_open(p, err, errlen);
	if (rc)
		return rc;
	rc = bpf_object__load(p->obj);
	if (rc) {
		snprintf(err, errlen,
			 "cannot load the XDP program: %s (CIX_XDP_DEBUG=1 shows the verifier's log)",
			 strerror(-rc));
		cix_xdp_prog_close(p);
		return rc;
	}
	rc = cix_xdp_prog_bind_fds(p, err, errlen);
	if (rc)
		cix_xdp_prog_close(p);
	return rc;
}

void cix_xdp_prog_close(struct cix_xdp_prog *p)
{
	/* libxdp's handle was made from our object (it does not own it). */
	if (p->xprog)
		xdp_program__close(p->xprog);
	if (p->obj)
		bpf_object__close(p->obj);
	reset(p);
}

int cix_xdp_prog_set_addrs(const struct cix_xdp_prog *p, const uint32_t *addrs, uint32_t n)
{
	if (n > CIX_XSK_MAX_ADDRS)
		return -E2BIG;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t key = addrs[i];
		uint8_t one = 1;
		int rc = bpf_map_update_elem(p->addrs_fd, &key, &one, BPF_ANY);
		if (rc)
			return rc;
	}
	return 0;
}

int cix_xdp_prog_set_socket(const struct cix_xdp_prog *p, uint32_t queue, int fd)
{
	if (queue >= CIX_XSK_MAX_QUEUES)
		return -ERANGE;
	if (fd < 0) {
		int rc = bpf_map_delete_elem(p->xsks_fd, &queue);
		return rc == -ENOENT ? 0 : rc;
	}
	uint32_t value = (uint32_t)fd;
	return bpf_map_update_elem(p->xsks_fd, &queue, &value, BPF_ANY);
}

int cix_xdp_prog_stats(const struct cix_xdp_prog *p, uint64_t *out)
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	uint64_t *per_cpu = calloc((size_t)ncpu, sizeof(uint64_t));
	if (!per_cpu)
		return -ENOMEM;
	int rc = 0;
	for (uint32_t k = 0; k < CIX_XSK_STAT_COUNT; k++) {
		out[k] = 0;
		rc = bpf_map_lookup_elem(p->stats_fd, &k, per_cpu);
		if (rc)
			break;
		for (int c = 0; c < ncpu; c++)
			out[k] += per_cpu[c];
	}
	free(per_cpu);
	return rc;
}
