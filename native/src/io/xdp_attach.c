#include "xdp_attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xdp/libxdp.h>

/* libxdp's dispatcher program, as the kernel names it (15 characters at most). */
#define DISPATCHER_NAME "xdp_dispatcher"

const char *cix_xdp_mode_name(enum cix_xdp_mode mode)
{
	switch (mode) {
	case CIX_XDP_NATIVE:
		return "native";
	case CIX_XDP_SKB:
		return "skb";
	default:
		return "auto";
	}
}

const char *cix_xdp_kind_name(enum cix_xdp_attach_kind kind)
{
	switch (kind) {
	case CIX_XDP_ATTACHED_DISPATCHER:
		return "dispatcher";
	case CIX_XDP_ATTACHED_LIBXDP:
	case CIX_XDP_ATTACHED_LIBBPF:
		return "single";
	default:
		return "none";
	}
}

static uint32_t mode_flag(enum cix_xdp_mode mode)
{
	return mode == CIX_XDP_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
}

static enum xdp_attach_mode libxdp_mode(enum cix_xdp_mode mode)
{
	return mode == CIX_XDP_SKB ? XDP_MODE_SKB : XDP_MODE_NATIVE;
}

/* The kernel's name of program `id`, with an fd on it (-1 if it went away meanwhile). */
static int prog_by_id(uint32_t id, char *name, size_t namelen)
{
	name[0] = 0;
	int fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
		close(fd);
		return -1;
	}
	snprintf(name, namelen, "%s", info.name);
	return fd;
}

/* A dispatcher's programs: *ours when every one is cix_xsk, else name = the first other one. */
static void dispatcher_members(int ifindex, char *name, size_t namelen, int *ours)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	*ours = 0;
	if (!mp || libxdp_get_error(mp))
		return; /* cannot look inside: treat as foreign, under the dispatcher's name */
	int n = 0, foreign = 0;
	for (struct xdp_program *x = xdp_multiprog__next_prog(NULL, mp); x;
	     x = xdp_multiprog__next_prog(x, mp)) {
		n++;
		if (strcmp(xdp_program__name(x), CIX_XSK_PROG_NAME) != 0 && !foreign) {
			foreign = 1;
			snprintf(name, namelen, "%s", xdp_program__name(x));
		}
	}
	if (n > 0 && !foreign) {
		*ours = 1;
		snprintf(name, namelen, "%s", CIX_XSK_PROG_NAME);
	}
	xdp_multiprog__close(mp);
}

int cix_xdp_query(int ifindex, char *name, size_t namelen, int *ours)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	name[0] = 0;
	*ours = 0;
	int rc = bpf_xdp_query(ifindex, 0, &q);
	if (rc)
		return rc;
	const uint32_t ids[3] = {q.drv_prog_id, q.skb_prog_id, q.hw_prog_id};
	int any = 0, all_ours = 1;
	for (int i = 0; i < 3; i++) {
		if (!ids[i])
			continue;
		char n[64];
		int fd = prog_by_id(ids[i], n, sizeof(n));
		if (fd < 0)
			continue;
		close(fd);
		int this_ours = strcmp(n, CIX_XSK_PROG_NAME) == 0;
		if (strcmp(n, DISPATCHER_NAME) == 0)
			dispatcher_members(ifindex, n, sizeof(n), &this_ours);
		if (!any || (all_ours && !this_ours))
			snprintf(name, namelen, "%s", n);
		any = 1;
		all_ours = all_ours && this_ours;
	}
	*ours = any && all_ours;
	return 0;
}

/* Takes a cix_xsk left by a dataplane that died off ifindex. 0 or -errno. */
static int remove_stale(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int rc = bpf_xdp_query(ifindex, 0, &q);
	if (rc)
		return rc;
	const uint32_t ids[2] = {q.drv_prog_id, q.skb_prog_id};
	const uint32_t flags[2] = {XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE};
	for (int i = 0; i < 2; i++) {
		if (!ids[i])
			continue;
		char n[64];
		int fd = prog_by_id(ids[i], n, sizeof(n));
		if (fd < 0)
			continue;
		if (strcmp(n, DISPATCHER_NAME) == 0) {
			struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
			rc = (!mp || libxdp_get_error(mp)) ? -ENOENT : xdp_multiprog__detach(mp);
			if (mp && !libxdp_get_error(mp))
				xdp_multiprog__close(mp);
		} else {
			/* Only that very program: if another took its place meanwhile, refuse. */
			LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = fd);
			rc = bpf_xdp_detach(ifindex, flags[i], &o);
		}
		close(fd);
		if (rc)
			return rc;
	}
	return 0;
}

static int attach_libxdp(struct cix_xdp_attachment *a, enum cix_xdp_mode mode, char *err,
			 size_t errlen)
{
	int rc = cix_xdp_prog_open(&a->prog, err, errlen);
	if (rc)
		return rc;
	DECLARE_LIBXDP_OPTS(xdp_program_opts, o, .obj = a->prog.obj,
			    .prog_name = CIX_XSK_PROG_NAME);
	struct xdp_program *x = xdp_program__create(&o);
	if (!x || libxdp_get_error(x)) {
		rc = x ? (int)libxdp_get_error(x) : -ENOMEM;
		cix_xdp_prog_close(&a->prog);
		snprintf(err, errlen, "libxdp cannot take the program: %s", strerror(-rc));
		return rc;
	}
	a->prog.xprog = x;
	rc = xdp_program__attach(x, a->ifindex, libxdp_mode(mode), 0);
	if (rc) {
		cix_xdp_prog_close(&a->prog);
		snprintf(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	rc = cix_xdp_prog_bind_fds(&a->prog, err, errlen);
	if (rc == 0 && xdp_program__fd(x) >= 0)
		a->prog.prog_fd = xdp_program__fd(x);
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(a->ifindex);
	int dispatcher = mp && !libxdp_get_error(mp) && !xdp_multiprog__is_legacy(mp);
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	a->kind = dispatcher ? CIX_XDP_ATTACHED_DISPATCHER : CIX_XDP_ATTACHED_LIBXDP;
	/* Report the mode the kernel has it in, not the one asked for. */
	enum xdp_attach_mode got = xdp_program__is_attached(x, a->ifindex);
	a->mode = got == XDP_MODE_SKB      ? CIX_XDP_SKB
		  : got == XDP_MODE_NATIVE ? CIX_XDP_NATIVE
					   : mode;
	if (rc) {
		cix_xdp_detach(a);
		return rc;
	}
	return 0;
}

static int attach_libbpf(struct cix_xdp_attachment *a, enum cix_xdp_mode mode, char *err,
			 size_t errlen)
{
	int rc = cix_xdp_prog_load(&a->prog, err, errlen);
	if (rc)
		return rc;
	rc = bpf_xdp_attach(a->ifindex, a->prog.prog_fd,
			    XDP_FLAGS_UPDATE_IF_NOEXIST | mode_flag(mode), NULL);
	if (rc) {
		cix_xdp_prog_close(&a->prog);
		snprintf(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	a->kind = CIX_XDP_ATTACHED_LIBBPF;
	a->mode = mode;
	return 0;
}

/*
 * Set once libxdp fell back to the program alone: the kernel refuses its
 * dispatcher (that does not change while we run), and asking again costs
 * libxdp's dispatcher probe, which in libxdp 1.3.1 leaks three BPF
 * descriptors per call. Later attaches then do what libxdp's fallback does,
 * directly with libbpf.
 */
static atomic_int dispatcher_refused;

static int attach_in_mode(struct cix_xdp_attachment *a, enum cix_xdp_mode mode, unsigned flags,
			  char *err, size_t errlen)
{
	if (!(flags & CIX_XDP_ATTACH_NO_LIBXDP) && !atomic_load(&dispatcher_refused) &&
	    attach_libxdp(a, mode, err, errlen) == 0) {
		if (a->kind == CIX_XDP_ATTACHED_LIBXDP)
			atomic_store(&dispatcher_refused, 1);
		return 0;
	}
	return attach_libbpf(a, mode, err, errlen);
}

int cix_xdp_attach(struct cix_xdp_attachment *a, int ifindex, const char *ifname,
		   enum cix_xdp_mode mode, const uint32_t *addrs, uint32_t n_addrs, unsigned flags,
		   char *err, size_t errlen)
{
	cix_xdp_quiet_libs();
	memset(a, 0, sizeof(*a));
	a->prog.prog_fd = a->prog.xsks_fd = a->prog.addrs_fd = a->prog.stats_fd = -1;
	a->ifindex = ifindex;
	if (n_addrs > CIX_XSK_MAX_ADDRS) {
		snprintf(err, errlen, "%u own addresses, at most %u", n_addrs, CIX_XSK_MAX_ADDRS);
		return -E2BIG;
	}

	char name[64];
	int ours = 0;
	int rc = cix_xdp_query(ifindex, name, sizeof(name), &ours);
	if (rc) {
		snprintf(err, errlen, "cannot query XDP on interface %s: %s", ifname,
			 strerror(-rc));
		return rc;
	}
	if (name[0] && !ours) {
		snprintf(err, errlen, "interface %s already runs XDP program '%s'", ifname, name);
		return -EEXIST;
	}
	if (name[0]) {
		rc = remove_stale(ifindex);
		if (rc) {
			snprintf(err, errlen, "cannot take the stale %s off interface %s: %s",
				 CIX_XSK_PROG_NAME, ifname, strerror(-rc));
			return rc;
		}
	}

	char why[256] = "";
	rc = -EINVAL;
	if (mode == CIX_XDP_AUTO || mode == CIX_XDP_NATIVE)
		rc = attach_in_mode(a, CIX_XDP_NATIVE, flags, why, sizeof(why));
	if (rc && (mode == CIX_XDP_AUTO || mode == CIX_XDP_SKB))
		rc = attach_in_mode(a, CIX_XDP_SKB, flags, why, sizeof(why));
	if (rc) {
		const char *modes =
			mode == CIX_XDP_AUTO ? "native or skb" : cix_xdp_mode_name(mode);
		snprintf(err, errlen, "cannot attach the XDP program to interface %s in %s mode: %s",
			 ifname, modes, why);
		return rc;
	}

	rc = cix_xdp_prog_set_addrs(&a->prog, addrs, n_addrs);
	if (rc) {
		cix_xdp_detach(a);
		snprintf(err, errlen, "cannot fill the own-address map of interface %s: %s", ifname,
			 strerror(-rc));
		return rc;
	}
	return 0;
}

void cix_xdp_detach(struct cix_xdp_attachment *a)
{
	switch (a->kind) {
	case CIX_XDP_ATTACHED_DISPATCHER:
	case CIX_XDP_ATTACHED_LIBXDP:
		if (xdp_program__detach(a->prog.xprog, a->ifindex, libxdp_mode(a->mode), 0) != 0 &&
		    a->prog.prog_fd >= 0) {
			/* libxdp lost track (the interface changed under it): still only ours. */
			LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = a->prog.prog_fd);
			bpf_xdp_detach(a->ifindex, mode_flag(a->mode), &o);
		}
		break;
	case CIX_XDP_ATTACHED_LIBBPF: {
		LIBBPF_OPTS(bpf_xdp_attach_opts, o, .old_prog_fd = a->prog.prog_fd);
		bpf_xdp_detach(a->ifindex, mode_flag(a->mode), &o);
		break;
	}
	default:
		break;
	}
	cix_xdp_prog_close(&a->prog);
	a->kind = CIX_XDP_ATTACHED_NONE;
}
