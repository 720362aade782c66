/*
 * Counters in a shared file: a second mapping sees the writer's counts in
 * place, they survive the writer's kill -9, a re-created file leaves old
 * mappings intact, and files of another shape or no counters file at all
 * are refused instead of misread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/counters.h"
#include "core/limits.h"
#include "host/counters_shm.h"
#include "host/dataplane.h"
#include "test.h"

static char dir[] = "/tmp/cix-cnt-XXXXXX";
static char path[256];

static size_t slot_at(uint32_t objects, uint32_t w, uint32_t obj, uint32_t s)
{
	return ((size_t)w * objects + obj) * CIX_CNT__SLOTS + s;
}

static void create_then_map_shares_counts(void)
{
	char err[256] = "";
	struct cix_counters_map a, b;
	REQUIRE(cix_counters_file_create(path, 2, 16, &a, err, sizeof(err)) == 0);
	CHECK_EQ((uintptr_t)a.counters & 63u, 0);
	CHECK_EQ(a.block_bytes, cix_dataplane_counters_size(2, 16));
	/* Zeroed. */
	int zero = 1;
	for (size_t i = 0; i < a.block_bytes / 8; i++)
		zero &= a.counters[i] == 0;
	CHECK(zero);
	REQUIRE(cix_counters_file_map(path, 2, 16, &b, err, sizeof(err)) == 0);
	uint32_t objects = CIX_MAX_PORTS + 16;
	a.counters[slot_at(objects, 1, 3, CIX_CNT_RX_PACKETS)] = 12345;
	CHECK_EQ(b.counters[slot_at(objects, 1, 3, CIX_CNT_RX_PACKETS)], 12345);
	b.counters[0] = 7; /* a reader's write does not fault */
	CHECK_EQ(a.counters[0], 7);
	const struct cix_counters_header *h = b.base;
	CHECK_EQ(h->workers, 2);
	CHECK_EQ(h->max_attachments, 16);
	CHECK_EQ(h->slots, CIX_CNT__SLOTS);
	CHECK_EQ(h->writer_pid, (uint32_t)getpid());
	cix_counters_map_close(&a);
	cix_counters_map_close(&b);
	cix_counters_map_close(&b); /* twice is harmless */
}

/* The writer is killed while counting; a reader mapped before and one mapped after both see its counts. */
static void counts_survive_kill_9(void)
{
	char err[256] = "";
	int ready[2];
	REQUIRE(pipe(ready) == 0);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct cix_counters_map m;
		if (cix_counters_file_create(path, 1, 4, &m, err, sizeof(err)))
			_exit(2);
		m.counters[CIX_CNT_TX_PACKETS] = 424242;
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		volatile uint64_t *rx = &m.counters[CIX_CNT_RX_PACKETS];
		for (;;)
			(*rx)++; /* counting until killed */
	}
	close(ready[1]);
	char c;
	CHECK_EQ(read(ready[0], &c, 1), 1);
	close(ready[0]);
	struct cix_counters_map before;
	REQUIRE(cix_counters_file_map(path, 1, 4, &before, err, sizeof(err)) == 0);
	usleep(20 * 1000);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st));
	uint64_t rx = before.counters[CIX_CNT_RX_PACKETS];
	CHECK(rx > 0);
	CHECK_EQ(before.counters[CIX_CNT_TX_PACKETS], 424242);
	struct cix_counters_map after;
	REQUIRE(cix_counters_file_map(path, 1, 4, &after, err, sizeof(err)) == 0);
	CHECK_EQ(after.counters[CIX_CNT_RX_PACKETS], rx);
	CHECK_EQ(after.counters[CIX_CNT_TX_PACKETS], 424242);

	/* A new writer replaces the file; the old mappings keep the old counts. */
	struct cix_counters_map next;
	REQUIRE(cix_counters_file_create(path, 1, 4, &next, err, sizeof(err)) == 0);
	CHECK_EQ(next.counters[CIX_CNT_TX_PACKETS], 0);
	CHECK_EQ(before.counters[CIX_CNT_TX_PACKETS], 424242);
	CHECK_EQ(after.counters[CIX_CNT_RX_PACKETS], rx);
	cix_counters_map_close(&before);
	cix_counters_map_close(&after);
	cix_counters_map_close(&next);
}

static void wrong_files_refused(void)
{
	char err[256] = "";
	struct cix_counters_map m, w;
	REQUIRE(cix_counters_file_create(path, 2, 16, &w, err, sizeof(err)) == 0);
	CHECK_EQ(cix_counters_file_map(path, 1, 16, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "made for 2 workers") != 0);
	CHECK(m.base == 0);
	CHECK_EQ(cix_counters_file_map(path, 2, 17, &m, err, sizeof(err)), -1);
	cix_counters_map_close(&w);

	char other[300];
	snprintf(other, sizeof(other), "%s/missing", dir);
	CHECK_EQ(cix_counters_file_map(other, 1, 4, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "missing") != 0 && strstr(err, "cannot open") != 0);

	/* Not a counters file: garbage, empty, cut short, a directory. */
	snprintf(other, sizeof(other), "%s/garbage", dir);
	int fd = open(other, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	REQUIRE(fd >= 0);
	char junk[4096];
	memset(junk, 'j', sizeof(junk));
	CHECK_EQ(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	CHECK_EQ(cix_counters_file_map(other, 1, 4, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "not a cix counters file") != 0);
	fd = open(other, O_TRUNC | O_WRONLY);
	close(fd);
	CHECK_EQ(cix_counters_file_map(other, 1, 4, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "too short") != 0);
	REQUIRE(cix_counters_file_create(other, 1, 4, &w, err, sizeof(err)) == 0);
	cix_counters_map_close(&w);
	CHECK_EQ(truncate(other, 4096), 0);
	CHECK_EQ(cix_counters_file_map(other, 1, 4, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "size does not match") != 0);
	CHECK_EQ(cix_counters_file_map(dir, 1, 4, &m, err, sizeof(err)), -1);
	unlink(other);

	CHECK_EQ(cix_counters_file_create(path, 0, 4, &m, err, sizeof(err)), -1);
	CHECK_EQ(cix_counters_file_create(path, 1, CIX_MAX_ATTACHMENTS + 1, &m, err, sizeof(err)), -1);
	CHECK_EQ(cix_counters_file_create("", 1, 4, &m, err, sizeof(err)), -1);
	/* A directory that does not exist: refused, nothing made. */
	snprintf(other, sizeof(other), "%s/no/such/dir/counters", dir);
	CHECK_EQ(cix_counters_file_create(other, 1, 4, &m, err, sizeof(err)), -1);
	CHECK(strstr(err, "cannot create") != 0);
}

/* A failed create leaves no temporary file behind. */
static void no_temporaries_left(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s | grep -v '^counters$')\"", dir);
	CHECK_EQ(system(cmd), 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/counters", dir);
	RUN(create_then_map_shares_counts);
	RUN(counts_survive_kill_9);
	RUN(wrong_files_refused);
	RUN(no_temporaries_left);
	unlink(path);
	rmdir(dir);
	return cix_test_finish("counters_shm");
}
