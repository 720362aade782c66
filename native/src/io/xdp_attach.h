/*
 * Putting cix_xsk on an interface and taking it off again.
 *
 * Attach order, for each mode the spec allows (auto: native, then skb):
 *   1. libxdp's xdp_program__attach: the multi-program dispatcher where the
 *      kernel takes it; libxdp itself falls back to the program alone where
 *      the kernel refuses the dispatcher (this project's 6.18 kernel refuses
 *      the dispatcher's freplace programs with EPERM);
 *   2. if libxdp fails altogether (no bpffs, no lock, an old libxdp),
 *      libbpf's bpf_xdp_attach of the program alone, only if no program is
 *      attached meanwhile (XDP_FLAGS_UPDATE_IF_NOEXIST).
 * Once libxdp has fallen back to the program alone, the process goes
 * straight to step 2 for every later attach: the kernel will not take the
 * dispatcher later either, and libxdp 1.3.1's dispatcher probe leaks three
 * BPF descriptors per call (so they leak once per process, not per port).
 * Detach removes exactly what attach put there: libxdp's detach, or
 * bpf_xdp_detach naming our program (XDP_FLAGS_REPLACE), so a program
 * someone attached after us is never taken off.
 *
 * Before attaching, what already runs on the interface is looked at: a
 * cix_xsk left by a dataplane that died (alone or as the only program of a
 * dispatcher) is taken off; anything else is refused by name.
 */
#ifndef CIX_IO_XDP_ATTACH_H
#define CIX_IO_XDP_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "live.h"
#include "xdp_prog.h"

enum cix_xdp_attach_kind {
	CIX_XDP_ATTACHED_NONE = 0,
	CIX_XDP_ATTACHED_DISPATCHER, /* libxdp's dispatcher runs our program */
	CIX_XDP_ATTACHED_LIBXDP,     /* libxdp attached the program alone */
	CIX_XDP_ATTACHED_LIBBPF,     /* bpf_xdp_attach of the program alone */
};

/* Skip step 1 (tests use it to check the libbpf path). */
#define CIX_XDP_ATTACH_NO_LIBXDP 0x1u

struct cix_xdp_attachment {
	struct cix_xdp_prog prog;
	int ifindex;
	enum cix_xdp_mode mode;          /* CIX_XDP_NATIVE or CIX_XDP_SKB once attached */
	enum cix_xdp_attach_kind kind;
};

/*
 * Attaches a fresh instance of the program to ifindex (ifname for messages)
 * with addrs as its own addresses. 0, or -errno with err filled and nothing
 * attached.
 */
int cix_xdp_attach(struct cix_xdp_attachment *a, int ifindex, const char *ifname,
		   enum cix_xdp_mode mode, const uint32_t *addrs, uint32_t n_addrs, unsigned flags,
		   char *err, size_t errlen);
/* Takes it off the interface and closes it. Safe on a zeroed or detached attachment. */
void cix_xdp_detach(struct cix_xdp_attachment *a);

/*
 * What runs on ifindex: 0 and name[0] == 0 when nothing; otherwise the
 * program's name (a dispatcher's: the first program in it that is not
 * cix_xsk, or cix_xsk if all are) and *ours set when it is only cix_xsk.
 */
int cix_xdp_query(int ifindex, char *name, size_t namelen, int *ours);

/* "native", "skb", and the kind's name ("dispatcher", "single"). */
const char *cix_xdp_mode_name(enum cix_xdp_mode mode);
const char *cix_xdp_kind_name(enum cix_xdp_attach_kind kind);

#endif
