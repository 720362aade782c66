/*
 * The live tests' network: a namespace holding one end of a veth pair
 * ("the peer") while the other end stays in our namespace, where the driver under test opens it. The peer is a raw
 * AF_PACKET socket opened inside the namespace: it sends real frames to the
 * port and reads what the port sends, with the kernel (not our code)
 * parsing them. Names start with cxd, the drivers engineer's prefix (see
 * cxd_ifname); each test program first removes what dead runs left behind,
 * and removes everything it made at exit, failure included (atexit).
 *
 * Header-only: static helpers for the live test programs, which define
 * _GNU_SOURCE before their first include (setns).
 */
#ifndef CIX_IO_XDP_TEST_NET_H
#define CIX_IO_XDP_TEST_NET_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

struct cxd_net {
	char tag;
	char ns[32];
	char here[IF_NAMESIZE];
	char peer[IF_NAMESIZE];
	int peer_fd;
	int peer_ifindex;
	int here_ifindex;
};

/* The tags this program made networks for, swept at exit. */
#define CXD_MAX_NETS 16
static char cxd_sweep_tags_[CXD_MAX_NETS];

/* Runs a shell command quietly; its exit status (0: fine). */
static inline int cxd_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char quiet[1100];
	snprintf(quiet, sizeof(quiet), "(%s) >/dev/null 2>&1", cmd);
	int rc = system(quiet);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* Runs a command and reads its first output line into out. 0 when it exits 0. */
static inline int cxd_sh_read(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = 0;
	FILE *f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	char sink[256];
	while (fgets(sink, sizeof(sink), f)) {
	}
	int rc = pclose(f);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/*
 * Names carry the test's one-letter tag and the process id (hex), so two
 * runs at once (a developer's and the full suite) never touch each other's:
 * interfaces cxd<tag><pid><h|p|i> (here, peer, ifb: letters that are not
 * hex digits, so the pid parses back), namespaces cxd-<tag>-<pid>.
 */
static inline void cxd_ifname(char *out, size_t len, char tag, char end)
{
	snprintf(out, len, "cxd%c%x%c", tag, (unsigned)getpid(), end);
}

static inline void cxd_nsname(char *out, size_t len, char tag)
{
	snprintf(out, len, "cxd-%c-%x", tag, (unsigned)getpid());
}

static inline void cxd_sweep(char tag)
{
	char name[IF_NAMESIZE + 8];
	cxd_ifname(name, sizeof(name), tag, 'h');
	cxd_sh("ip link del %s", name);
	cxd_ifname(name, sizeof(name), tag, 'i'); /* an ifb of afxdp's mode test */
	cxd_sh("ip link del %s", name);
	cxd_nsname(name, sizeof(name), tag);
	cxd_sh("ip netns del %s", name);
}

static inline void cxd_sweep_at_exit(void)
{
	for (int i = 0; i < CXD_MAX_NETS; i++)
		if (cxd_sweep_tags_[i])
			cxd_sweep(cxd_sweep_tags_[i]);
}

static inline int cxd_pid_alive(unsigned pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * Removes what runs of these tests that died (crash, kill -9) left behind:
 * interfaces and namespaces named as above whose process is gone.
 */
static inline void cxd_sweep_dead(void)
{
	char line[512];
	FILE *f = popen("ip -o link show 2>/dev/null; ip netns list 2>/dev/null", "r");
	if (!f)
		return;
	char doomed[64][40];
	int n = 0;
	while (fgets(line, sizeof(line), f) && n < 64) {
		char name[40] = "";
		const char *at = strstr(line, ": ");
		if (at && strncmp(at + 2, "cxd", 3) == 0) /* "12: cxda1f2e3h@if2: ..." */
			sscanf(at + 2, "%39[^@:]", name);
		else if (strncmp(line, "cxd-", 4) == 0) /* "cxd-a-1f2e3 (id: 0)" */
			sscanf(line, "%39s", name);
		unsigned pid = 0;
		char tag, end;
		if (name[3] == '-' ? sscanf(name, "cxd-%c-%x", &tag, &pid) == 2
				   : sscanf(name, "cxd%c%x%c", &tag, &pid, &end) == 3) {
			if (tag >= 'a' && tag <= 'z' && !cxd_pid_alive(pid))
				snprintf(doomed[n++], sizeof(doomed[0]), "%s", name);
		}
	}
	pclose(f);
	for (int i = 0; i < n; i++) {
		if (doomed[i][3] == '-')
			cxd_sh("ip netns del %s", doomed[i]);
		else
			cxd_sh("ip link del %s", doomed[i]);
	}
}

static inline void cxd_remember(char tag)
{
	static int registered;
	if (!registered) {
		cxd_sweep_dead();
		atexit(cxd_sweep_at_exit);
		registered = 1;
	}
	for (int i = 0; i < CXD_MAX_NETS; i++)
		if (cxd_sweep_tags_[i] == tag)
			return;
	for (int i = 0; i < CXD_MAX_NETS; i++) {
		if (!cxd_sweep_tags_[i]) {
			cxd_sweep_tags_[i] = tag;
			return;
		}
	}
}

static inline uint64_t cxd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Opens the peer's raw socket inside the namespace (setns there and back). */
static inline int cxd_open_peer(struct cxd_net *n)
{
	char path[64];
	snprintf(path, sizeof(path), "/run/netns/%s", n->ns);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int target = open(path, O_RDONLY | O_CLOEXEC);
	int fd = -1;
	if (self < 0 || target < 0 || setns(target, CLONE_NEWNET) != 0)
		goto out;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	n->peer_ifindex = (int)if_nametoindex(n->peer);
	if (fd >= 0 && n->peer_ifindex > 0) {
		struct sockaddr_ll sll;
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = n->peer_ifindex;
		int one = 1;
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0 ||
		    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) != 0 ||
		    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) != 0) {
			close(fd);
			fd = -1;
		}
	}
	setns(self, CLONE_NEWNET);
out:
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return fd;
}

/*
 * Makes the namespace and the veth pair (rx/tx queues each side), both ends
 * up, IPv6 off on both (no router or neighbour solicitations in the way).
 * 0, or -1 with everything removed again.
 */
static inline int cxd_net_up(struct cxd_net *n, char tag, unsigned queues)
{
	memset(n, 0, sizeof(*n));
	n->peer_fd = -1;
	n->tag = tag;
	cxd_nsname(n->ns, sizeof(n->ns), tag);
	cxd_ifname(n->here, sizeof(n->here), tag, 'h');
	cxd_ifname(n->peer, sizeof(n->peer), tag, 'p');
	cxd_remember(tag);
	cxd_sweep(tag);
	if (cxd_sh("ip netns add %s", n->ns) ||
	    cxd_sh("ip link add %s numtxqueues %u numrxqueues %u type veth peer name %s netns %s "
		   "numtxqueues %u numrxqueues %u",
		   n->here, queues, queues, n->peer, n->ns, queues, queues) ||
	    cxd_sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", n->here) ||
	    cxd_sh("ip netns exec %s sysctl -qw net.ipv6.conf.all.disable_ipv6=1", n->ns) ||
	    cxd_sh("ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", n->ns, n->peer) ||
	    cxd_sh("ip link set %s up", n->here) ||
	    cxd_sh("ip -n %s link set %s up", n->ns, n->peer) ||
	    cxd_sh("ip -n %s link set lo up", n->ns)) {
		fprintf(stderr, "cxd_net_up(%c): cannot make the test network\n", tag);
		cxd_sweep(tag);
		return -1;
	}
	n->here_ifindex = (int)if_nametoindex(n->here);
	n->peer_fd = cxd_open_peer(n);
	if (n->peer_fd < 0 || n->here_ifindex <= 0) {
		fprintf(stderr, "cxd_net_up(%c): cannot open the peer socket\n", tag);
		cxd_sweep(tag);
		return -1;
	}
	return 0;
}

static inline void cxd_net_down(struct cxd_net *n)
{
	if (n->peer_fd >= 0)
		close(n->peer_fd);
	n->peer_fd = -1;
	cxd_sweep(n->tag);
}

static inline int cxd_peer_send(struct cxd_net *n, const void *frame, size_t len)
{
	return send(n->peer_fd, frame, len, 0) == (ssize_t)len ? 0 : -1;
}

/*
 * The next frame the peer receives within timeout_ms whose bytes at
 * [mark_off, mark_off + mark_len) equal mark (mark NULL: any frame), as it
 * was on the wire: an outer tag the kernel moved into the aux data is put
 * back. Its length, or -1 on timeout.
 */
static inline int cxd_peer_recv(struct cxd_net *n, uint8_t *buf, size_t cap, int timeout_ms,
			 const void *mark, size_t mark_off, size_t mark_len)
{
	uint64_t end = cxd_now_ms() + (uint64_t)timeout_ms;
	for (;;) {
		uint64_t now = cxd_now_ms();
		if (now >= end)
			return -1;
		struct pollfd pfd = {.fd = n->peer_fd, .events = POLLIN};
		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		uint8_t raw[9216];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct iovec iov = {.iov_base = raw, .iov_len = sizeof(raw)};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
		ssize_t got = recvmsg(n->peer_fd, &msg, MSG_DONTWAIT);
		if (got < 14)
			continue;
		size_t len = (size_t)got;
		const struct tpacket_auxdata *aux = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA)
				aux = (const struct tpacket_auxdata *)CMSG_DATA(c);
		size_t out = 0;
		if (aux && (aux->tp_status & TP_STATUS_VLAN_VALID)) {
			uint16_t tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux->tp_vlan_tpid : ETH_P_8021Q;
			if (len + 4 > cap)
				continue;
			memcpy(buf, raw, 12);
			buf[12] = (uint8_t)(tpid >> 8);
			buf[13] = (uint8_t)tpid;
			buf[14] = (uint8_t)(aux->tp_vlan_tci >> 8);
			buf[15] = (uint8_t)aux->tp_vlan_tci;
			memcpy(buf + 16, raw + 12, len - 12);
			out = len + 4;
		} else {
			if (len > cap)
				continue;
			memcpy(buf, raw, len);
			out = len;
		}
		if (!mark || (out >= mark_off + mark_len && memcmp(buf + mark_off, mark, mark_len) == 0))
			return (int)out;
	}
}

/* Test frames: Ethernet header, then a payload with a marker and a counter. */
static inline size_t cxd_frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype,
			const char *marker, uint32_t seq, size_t len)
{
	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(ethertype >> 8);
	f[13] = (uint8_t)ethertype;
	size_t ml = strlen(marker);
	memcpy(f + 14, marker, ml);
	memcpy(f + 14 + ml, &seq, sizeof(seq));
	for (size_t i = 14 + ml + sizeof(seq); i < len; i++)
		f[i] = (uint8_t)(i * 7u + seq);
	return len;
}

/* Open descriptors of this process. */
static inline int cxd_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static inline int cxd_is_root(void)
{
	return geteuid() == 0;
}

#endif
