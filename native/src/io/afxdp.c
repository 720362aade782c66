/*
 * The afxdp driver's control path: ports (the XDP program on an interface),
 * UMEMs (a worker's pool registered with the kernel) and sockets (open,
 * close, statistics). The burst path is xdp_sock.c.
 *
 * UMEM and sockets: the kernel registers a UMEM on one socket (XDP_UMEM_REG)
 * and lets further sockets use it by naming a bound socket that has it
 * (XDP_SHARED_UMEM); a socket on another (interface, queue) brings its own
 * fill and completion rings. So the first socket opened on a UMEM registers
 * it, later ones share it through any socket still open, and when the last
 * one closes the kernel lets the UMEM go: the next socket registers the same
 * memory again. Zero-copy or copy is decided by the bind that registers
 * (zero-copy tried first); shared sockets inherit it.
 *
 * Where the kernel writes a received frame (aligned mode): chunk start +
 * UMEM headroom + XDP_PACKET_HEADROOM (256). The UMEM headroom is what the
 * pool's headroom asks beyond those 256 bytes, so received data starts at
 * least pool->headroom into its buffer and tags are pushed in place.
 */
#include "afxdp.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "xdp_sock.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef XDP_PACKET_HEADROOM
#define XDP_PACKET_HEADROOM 256u
#endif
/* Linux 6.17: frames a copy-mode sendto may send (default 32). */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

/* EBUSY on bind: a previous owner of the queue is still being released. */
#define BIND_RETRY_TOTAL_MS 1000u
#define BIND_RETRY_MAX_STEP_MS 64u

/* ---- ports ---- */

/*
 * Frames for other MACs are customer traffic too, so the NIC must not
 * filter them. A packet socket's promiscuous membership is counted by the
 * kernel and ends with the socket (also when the process dies), unlike
 * IFF_PROMISC set by hand. Protocol 0: the socket receives nothing.
 */
static int hold_promiscuous(int ifindex, int *fd_out)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct packet_mreq mr;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*fd_out = fd;
	return 0;
}

/*
 * Interfaces this process has a port open on. A cix_xsk found on an
 * interface is taken for a dead dataplane's and replaced; this list keeps
 * a second port of the same process from replacing the first one's.
 */
#define MAX_OPEN_PORTS 256u
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static int open_ifindex[MAX_OPEN_PORTS];

static int claim_interface(int ifindex)
{
	int rc = -ENOSPC;
	pthread_mutex_lock(&open_lock);
	for (uint32_t i = 0; i < MAX_OPEN_PORTS; i++) {
		if (open_ifindex[i] == ifindex) {
			rc = -EEXIST;
			break;
		}
	}
	for (uint32_t i = 0; rc == -ENOSPC && i < MAX_OPEN_PORTS; i++) {
		if (open_ifindex[i] == 0) {
			open_ifindex[i] = ifindex;
			rc = 0;
		}
	}
	pthread_mutex_unlock(&open_lock);
	return rc;
}

static void release_interface(int ifindex)
{
	pthread_mutex_lock(&open_lock);
	for (uint32_t i = 0; i < MAX_OPEN_PORTS; i++)
		if (open_ifindex[i] == ifindex)
			open_ifindex[i] = 0;
	pthread_mutex_unlock(&open_lock);
}

int cix_afxdp_port_open(const struct cix_live_port_spec *spec, struct cix_afxdp_port **out,
			char *err, size_t errlen)
{
	*out = 0;
	char ifname[CIX_IFNAMSIZ];
	snprintf(ifname, sizeof(ifname), "%.*s", (int)CIX_IFNAMSIZ - 1, spec->ifname);
	int ifindex = (int)if_nametoindex(ifname);
	if (ifindex == 0) {
		int e = errno ? errno : ENODEV;
		snprintf(err, errlen, "interface %s does not exist", ifname);
		return -e;
	}
	if (spec->n_addrs > CIX_LIVE_MAX_ADDRS) {
		snprintf(err, errlen, "interface %s: %u own addresses, at most %u", ifname,
			 spec->n_addrs, CIX_LIVE_MAX_ADDRS);
		return -E2BIG;
	}
	int rc = claim_interface(ifindex);
	if (rc) {
		snprintf(err, errlen, rc == -EEXIST ? "interface %s is already open in this process"
						    : "interface %s: too many open interfaces",
			 ifname);
		return rc;
	}
	struct cix_afxdp_port *p = calloc(1, sizeof(*p));
	if (!p) {
		release_interface(ifindex);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(p->ifname, ifname, sizeof(ifname));
	p->ifindex = ifindex;
	p->port_id = spec->port;
	p->promisc_fd = -1;
	rc = cix_xdp_attach(&p->xdp, ifindex, ifname, spec->xdp_mode, spec->addrs, spec->n_addrs, 0,
			    err, errlen);
	if (rc == 0 && (rc = hold_promiscuous(ifindex, &p->promisc_fd)) != 0) {
		snprintf(err, errlen, "interface %s: cannot make it promiscuous: %s", ifname,
			 strerror(-rc));
		cix_xdp_detach(&p->xdp);
	}
	if (rc) {
		release_interface(ifindex);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void cix_afxdp_port_close(struct cix_afxdp_port *p)
{
	if (!p)
		return;
	cix_xdp_detach(&p->xdp);
	if (p->promisc_fd >= 0)
		close(p->promisc_fd);
	p->promisc_fd = -1;
	release_interface(p->ifindex);
	/* Out of order (a socket still open): the socket's close frees it. */
	p->closed = 1;
	if (p->n_socks == 0)
		free(p);
}

const char *cix_afxdp_port_mode(const struct cix_afxdp_port *p)
{
	return cix_xdp_mode_name(p->xdp.mode);
}

const char *cix_afxdp_port_attach_kind(const struct cix_afxdp_port *p)
{
	return cix_xdp_kind_name(p->xdp.kind);
}

int cix_afxdp_port_stats(const struct cix_afxdp_port *p, struct cix_afxdp_port_stats *out)
{
	uint64_t v[CIX_XSK_STAT_COUNT];
	memset(out, 0, sizeof(*out));
	int rc = cix_xdp_prog_stats(&p->xdp.prog, v);
	if (rc)
		return rc;
	out->to_socket = v[CIX_XSK_STAT_TO_SOCKET];
	out->control_arp = v[CIX_XSK_STAT_CONTROL_ARP];
	out->control_ipv4 = v[CIX_XSK_STAT_CONTROL_IPV4];
	return 0;
}

/* ---- UMEMs ---- */

int cix_afxdp_umem_new(struct cix_pool *pool, struct cix_afxdp_umem **out, char *err,
		       size_t errlen)
{
	*out = 0;
	long page = sysconf(_SC_PAGESIZE);
	uint32_t bs = pool ? pool->buf_size : 0;
	if (!pool || (bs & (bs - 1)) || bs < 2048 || (long)bs > page ||
	    ((uintptr_t)pool->bufs & (uintptr_t)(page - 1))) {
		snprintf(err, errlen,
			 "the pool cannot be a UMEM: buffers must be page-aligned, "
			 "a power of two of 2048..%ld bytes",
			 page);
		return -EINVAL;
	}
	struct cix_afxdp_umem *u = calloc(1, sizeof(*u));
	uint16_t *owner = calloc(pool->count, sizeof(uint16_t));
	if (!u || !owner) {
		free(u);
		free(owner);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	u->pool = pool;
	u->area = pool->bufs;
	u->area_len = (uint64_t)pool->count * bs;
	u->frame_shift = (uint32_t)__builtin_ctz(bs);
	u->frame_headroom =
		pool->headroom > XDP_PACKET_HEADROOM ? pool->headroom - XDP_PACKET_HEADROOM : 0;
	/* A pool with jumbo buffers serves frames larger than a chunk: multi-buffer sockets. */
	u->sg = pool->jcount > 0;
	u->owner = owner;
	*out = u;
	return 0;
}

/* Gives every buffer tagged `tag` back to the pool; returns how many. */
static uint32_t give_back(struct cix_afxdp_umem *u, uint16_t tag)
{
	struct cix_pool *pool = u->pool;
	uint32_t n = 0;
	for (uint32_t i = 0; i < pool->count; i++) {
		if (u->owner[i] != tag)
			continue;
		u->owner[i] = 0;
		cix_pool_free(pool, &pool->descs[i]);
		n++;
	}
	return n;
}

void cix_afxdp_umem_free(struct cix_afxdp_umem *u)
{
	if (!u)
		return;
	if (u->n_socks > 0) {
		u->freed = 1; /* out of order: the last socket's close frees it */
		return;
	}
	give_back(u, CIX_XSK_OWNER_QUARANTINE);
	free(u->owner);
	free(u);
}

/* ---- sockets ---- */

static void socket_close(struct cix_io_port *io);

static const struct cix_io_ops afxdp_ops = {
	.name = "afxdp",
	.rx = cix_xsk_rx,
	.tx = cix_xsk_tx,
	.close = socket_close,
	.pollfd = cix_xsk_pollfd,
	.flush = cix_xsk_flush,
	.stats = cix_afxdp_socket_stats,
};

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static int set_ring_size(int fd, int opt, uint32_t entries)
{
	int v = (int)entries;
	return setsockopt(fd, SOL_XDP, opt, &v, sizeof(v)) == 0 ? 0 : -errno;
}

/* Registers the UMEM on fd (the first socket of the UMEM). */
static int register_umem(const struct cix_afxdp_umem *u, int fd)
{
	struct xdp_umem_reg reg;
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uint64_t)(uintptr_t)u->area;
	reg.len = u->area_len;
	reg.chunk_size = 1u << u->frame_shift;
	reg.headroom = u->frame_headroom;
	reg.flags = 0; /* aligned mode */
	return setsockopt(fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) == 0 ? 0 : -errno;
}

static int map_rings(struct cix_afxdp_socket *s)
{
	int rc;
	if ((rc = set_ring_size(s->fd, XDP_UMEM_FILL_RING, CIX_AFXDP_FILL_SIZE)) ||
	    (rc = set_ring_size(s->fd, XDP_UMEM_COMPLETION_RING, CIX_AFXDP_COMP_SIZE)) ||
	    (rc = set_ring_size(s->fd, XDP_RX_RING, CIX_AFXDP_RX_SIZE)) ||
	    (rc = set_ring_size(s->fd, XDP_TX_RING, CIX_AFXDP_TX_SIZE)))
		return rc;
	if ((rc = cix_xdp_ring_map(&s->fill, s->fd, XDP_UMEM_PGOFF_FILL_RING,
				   CIX_AFXDP_FILL_SIZE)) ||
	    (rc = cix_xdp_ring_map(&s->comp, s->fd, XDP_UMEM_PGOFF_COMPLETION_RING,
				   CIX_AFXDP_COMP_SIZE)) ||
	    (rc = cix_xdp_ring_map(&s->rx, s->fd, XDP_PGOFF_RX_RING, CIX_AFXDP_RX_SIZE)) ||
	    (rc = cix_xdp_ring_map(&s->tx, s->fd, XDP_PGOFF_TX_RING, CIX_AFXDP_TX_SIZE)))
		return rc;
	return 0;
}

static int bind_once(struct cix_afxdp_socket *s, uint16_t flags, int shared_fd)
{
	struct sockaddr_xdp sxdp;
	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = (uint32_t)s->port->ifindex;
	sxdp.sxdp_queue_id = s->queue;
	sxdp.sxdp_flags = flags;
	sxdp.sxdp_shared_umem_fd = shared_fd >= 0 ? (uint32_t)shared_fd : 0;
	return bind(s->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0 ? 0 : -errno;
}

/*
 * The first socket of a UMEM fixes its mode, in this order of preference:
 * zero-copy with multi-buffer, zero-copy (a driver without zero-copy
 * multi-buffer: frames over one chunk are dropped by the kernel), copy with
 * multi-buffer, copy (a kernel before 6.6). Multi-buffer is only asked for
 * when the pool has jumbo buffers to gather into.
 */
static int bind_first(struct cix_afxdp_socket *s)
{
	const uint16_t modes[] = {XDP_ZEROCOPY | XDP_USE_SG, XDP_ZEROCOPY, XDP_COPY | XDP_USE_SG, XDP_COPY};
	int rc = -EINVAL;
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if ((modes[i] & XDP_USE_SG) && !s->sg)
			continue;
		rc = bind_once(s, (uint16_t)(modes[i] | XDP_USE_NEED_WAKEUP), -1);
		if (rc == 0) {
			s->sg = (modes[i] & XDP_USE_SG) != 0;
			return 0;
		}
		if (rc == -EBUSY)
			return rc;
	}
	return rc;
}

/*
 * Binds s to its queue: sharing the UMEM through `anchor` (a bound socket of
 * it) when there is one, else fixing the UMEM's mode (bind_first).
 * Retries EBUSY with a growing pause, about a second in all.
 */
static int bind_socket(struct cix_afxdp_socket *s, int anchor)
{
	uint32_t waited = 0, step = 1;
	for (;;) {
		int rc;
		if (anchor >= 0)
			rc = bind_once(s, XDP_SHARED_UMEM, anchor);
		else
			rc = bind_first(s);
		if (rc != -EBUSY || waited >= BIND_RETRY_TOTAL_MS)
			return rc;
		sleep_ms(step);
		waited += step;
		step = step * 2 > BIND_RETRY_MAX_STEP_MS ? BIND_RETRY_MAX_STEP_MS : step * 2;
	}
}

static void unmap_and_close(struct cix_afxdp_socket *s)
{
	cix_xdp_ring_unmap(&s->rx);
	cix_xdp_ring_unmap(&s->tx);
	cix_xdp_ring_unmap(&s->fill);
	cix_xdp_ring_unmap(&s->comp);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static int zerocopy_of(int fd)
{
	struct xdp_options opts;
	socklen_t len = sizeof(opts);
	memset(&opts, 0, sizeof(opts));
	if (getsockopt(fd, SOL_XDP, XDP_OPTIONS, &opts, &len) != 0)
		return 0;
	return (opts.flags & XDP_OPTIONS_ZEROCOPY) != 0;
}

static const char *bind_hint(int rc)
{
	switch (rc) {
	case -EINVAL:
		return " (does the interface have that many rx queues?)";
	case -EBUSY:
		return " (another AF_XDP socket still holds the queue)";
	case -EOPNOTSUPP:
		return " (a zero-copy UMEM cannot be shared with an interface without zero-copy)";
	default:
		return "";
	}
}

struct cix_io_port *cix_afxdp_socket_open(struct cix_afxdp_port *p, struct cix_afxdp_umem *u,
					  uint32_t queue, char *err, size_t errlen)
{
	if (!p || !u || p->closed || u->freed) {
		snprintf(err, errlen, "afxdp socket: no port or no UMEM (or already closed)");
		return 0;
	}
	if (queue >= CIX_XSK_MAX_QUEUES) {
		snprintf(err, errlen, "interface %s queue %u: at most %u queues", p->ifname, queue,
			 CIX_XSK_MAX_QUEUES);
		return 0;
	}
	if (p->queue_used[queue]) {
		snprintf(err, errlen, "interface %s queue %u already has a socket", p->ifname,
			 queue);
		return 0;
	}
	uint16_t tag = 0;
	for (uint32_t i = 0; i < CIX_AFXDP_MAX_SOCKETS; i++) {
		if (!u->socks[i]) {
			tag = (uint16_t)(i + 1);
			break;
		}
	}
	if (!tag) {
		snprintf(err, errlen, "interface %s queue %u: the UMEM already serves %u sockets",
			 p->ifname, queue, CIX_AFXDP_MAX_SOCKETS);
		return 0;
	}

	struct cix_afxdp_socket *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	s->io.ops = &afxdp_ops;
	s->io.pool = u->pool;
	s->io.port = p->port_id;
	s->queue = queue;
	s->tag = tag;
	s->area = u->area;
	s->frame_shift = u->frame_shift;
	s->frame_room = u->pool->buf_size - u->pool->headroom;
	s->sg = u->sg;
	s->owner = u->owner;
	s->umem = u;
	s->port = p;

	int anchor = -1;
	for (uint32_t i = 0; i < CIX_AFXDP_MAX_SOCKETS && anchor < 0; i++)
		if (u->socks[i])
			anchor = u->socks[i]->fd;

	const char *step = "socket";
	int rc = 0;
	s->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = -errno;
		goto fail;
	}
	step = "UMEM registration";
	if (anchor < 0 && (rc = register_umem(u, s->fd)) != 0)
		goto fail;
	step = "rings";
	if ((rc = map_rings(s)) != 0)
		goto fail;
	step = "bind";
	if ((rc = bind_socket(s, anchor)) != 0)
		goto fail;

	if (anchor < 0) {
		u->zerocopy = zerocopy_of(s->fd);
		u->need_wakeup = 1;
		u->sg = s->sg; /* what the kernel took; shared sockets inherit it */
	}
	s->sg = u->sg;
	s->zerocopy = u->zerocopy;
	s->need_wakeup = u->need_wakeup;
	if (!s->zerocopy) {
		/* One kick sends the whole tx ring instead of 32 frames (6.17+; older: ignored). */
		unsigned budget = CIX_AFXDP_TX_SIZE;
		setsockopt(s->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &budget, sizeof(budget));
	}

	u->socks[tag - 1] = s;
	u->n_socks++;
	cix_xsk_refill(s);
	step = "socket map";
	if ((rc = cix_xdp_prog_set_socket(&p->xdp.prog, queue, s->fd)) != 0) {
		u->socks[tag - 1] = 0;
		u->n_socks--;
		unmap_and_close(s);
		give_back(u, tag);
		goto fail_closed;
	}
	p->queue_used[queue] = 1;
	p->n_socks++;
	return &s->io;

fail:
	unmap_and_close(s);
fail_closed:
	snprintf(err, errlen, "interface %s queue %u: AF_XDP %s failed: %s%s", p->ifname, queue,
		 step, strerror(-rc), strcmp(step, "bind") == 0 ? bind_hint(rc) : "");
	free(s);
	return 0;
}

static void socket_close(struct cix_io_port *io)
{
	struct cix_afxdp_socket *s = (struct cix_afxdp_socket *)io;
	struct cix_afxdp_umem *u = s->umem;
	struct cix_afxdp_port *p = s->port;
	/* Out of the map first: the program stops sending frames to it. */
	if (!p->closed)
		cix_xdp_prog_set_socket(&p->xdp.prog, s->queue, -1);
	p->queue_used[s->queue] = 0;
	p->n_socks--;
	unmap_and_close(s);
	u->socks[s->tag - 1] = 0;
	u->n_socks--;
	if (s->zerocopy) {
		/* The NIC driver lets go of its rx buffers after close() returns
		 * (the kernel releases the pool from a work queue): keep them out
		 * of the pool until the UMEM itself is freed. */
		for (uint32_t i = 0; i < u->pool->count; i++)
			if (u->owner[i] == s->tag)
				u->owner[i] = CIX_XSK_OWNER_QUARANTINE;
	} else {
		give_back(u, s->tag);
	}
	free(s);
	if (p->closed && p->n_socks == 0)
		free(p);
	if (u->freed && u->n_socks == 0)
		cix_afxdp_umem_free(u);
}

const char *cix_afxdp_socket_mode(const struct cix_io_port *io)
{
	const struct cix_afxdp_socket *s = (const struct cix_afxdp_socket *)io;
	/* Without multi-buffer the kernel drops what one chunk cannot hold: say so where modes are shown. */
	if (s->zerocopy)
		return s->sg ? "zerocopy" : "zerocopy, frames up to 3840 B";
	return s->sg ? "copy" : "copy, frames up to 3840 B";
}

static uint64_t load(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

int cix_afxdp_socket_stats(const struct cix_io_port *io, struct cix_live_driver_stats *out)
{
	const struct cix_afxdp_socket *s = (const struct cix_afxdp_socket *)io;
	memset(out, 0, sizeof(*out));
	out->rx_empty_polls = load(&s->cnt.rx_empty_polls);
	out->fill_shortfall = load(&s->cnt.fill_shortfall);
	out->tx_kicks = load(&s->cnt.tx_kicks);
	out->rx_kicks = load(&s->cnt.rx_kicks);
	struct xdp_statistics st;
	socklen_t len = sizeof(st);
	memset(&st, 0, sizeof(st));
	if (getsockopt(s->fd, SOL_XDP, XDP_STATISTICS, &st, &len) != 0)
		return -errno;
	out->rx_dropped = st.rx_dropped;
	out->rx_invalid = st.rx_invalid_descs;
	out->tx_invalid = st.tx_invalid_descs;
	out->rx_ring_full = st.rx_ring_full;
	out->fill_ring_empty = st.rx_fill_ring_empty_descs;
	out->tx_ring_empty = st.tx_ring_empty_descs;
	return 0;
}
