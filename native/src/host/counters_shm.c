#define _GNU_SOURCE
#include "counters_shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/counters.h"
#include "../core/limits.h"
#include "dataplane.h"

_Static_assert(sizeof(struct cix_counters_header) == CIX_COUNTERS_HEADER_SIZE,
	       "the header is one cache line");

static int fail(char *err, size_t errlen, const char *path, const char *what, int e)
{
	if (e)
		snprintf(err, errlen, "counters file %s: %s: %s", path, what, strerror(e));
	else
		snprintf(err, errlen, "counters file %s: %s", path, what);
	return -1;
}

static int shape_ok(uint32_t workers, uint32_t max_attachments)
{
	return workers >= 1 && workers <= CIX_MAX_WORKERS && max_attachments >= 1 &&
	       max_attachments <= CIX_MAX_ATTACHMENTS;
}

static void fill_header(struct cix_counters_header *h, uint32_t workers, uint32_t max_attachments)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, CIX_COUNTERS_MAGIC, sizeof(h->magic));
	h->version = CIX_COUNTERS_VERSION;
	h->header_size = CIX_COUNTERS_HEADER_SIZE;
	h->workers = workers;
	h->max_attachments = max_attachments;
	h->objects = CIX_MAX_PORTS + max_attachments;
	h->slots = CIX_CNT__SLOTS;
	h->port_base = 0;
	h->attachment_base = CIX_MAX_PORTS;
	h->writer_pid = (uint32_t)getpid();
}

static int map_fd(int fd, size_t len, struct cix_counters_map *out, size_t block_bytes)
{
	void *base = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -1;
	out->base = base;
	out->len = len;
	out->counters = (uint64_t *)((uint8_t *)base + CIX_COUNTERS_HEADER_SIZE);
	out->block_bytes = block_bytes;
	return 0;
}

int cix_counters_file_create(const char *path, uint32_t workers, uint32_t max_attachments,
			     struct cix_counters_map *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return fail(err, errlen, "(none)", "empty path", 0);
	if (!shape_ok(workers, max_attachments))
		return fail(err, errlen, path, "workers or maxAttachments out of range", 0);
	size_t block = cix_dataplane_counters_size(workers, max_attachments);
	size_t len = CIX_COUNTERS_HEADER_SIZE + block;

	/* Made complete under a temporary name beside it, then renamed over. */
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".XXXXXX"));
	if (!tmp)
		return fail(err, errlen, path, "out of memory", 0);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".XXXXXX", sizeof(".XXXXXX"));
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return fail(err, errlen, path, "cannot create", e);
	}
	const char *what = 0;
	int e = posix_fallocate(fd, 0, (off_t)len); /* returns the error, zero-filled space */
	if (e)
		what = "cannot allocate";
	else if (map_fd(fd, len, out, block))
		what = "cannot map", e = errno;
	if (!what) {
		fill_header(out->base, workers, max_attachments);
		if (rename(tmp, path) != 0) {
			what = "cannot rename into place", e = errno;
			cix_counters_map_close(out);
		}
	}
	close(fd);
	if (what) {
		unlink(tmp);
		free(tmp);
		return fail(err, errlen, path, what, e);
	}
	free(tmp);
	return 0;
}

static int check_header(const struct cix_counters_header *h, uint32_t workers,
			uint32_t max_attachments, char *why, size_t whylen)
{
	if (memcmp(h->magic, CIX_COUNTERS_MAGIC, sizeof(h->magic)) != 0)
		snprintf(why, whylen, "not a cix counters file");
	else if (h->version != CIX_COUNTERS_VERSION || h->header_size != CIX_COUNTERS_HEADER_SIZE)
		snprintf(why, whylen, "layout version %u, this build reads %u", h->version,
			 CIX_COUNTERS_VERSION);
	else if (h->slots != CIX_CNT__SLOTS || h->objects != CIX_MAX_PORTS + h->max_attachments ||
		 h->attachment_base != CIX_MAX_PORTS || h->port_base != 0)
		snprintf(why, whylen, "written by a build with other counter slots (%u, this build %u)",
			 h->slots, (unsigned)CIX_CNT__SLOTS);
	else if (h->workers != workers || h->max_attachments != max_attachments)
		snprintf(why, whylen, "made for %u workers and %u attachments, expected %u and %u",
			 h->workers, h->max_attachments, workers, max_attachments);
	else
		return 0;
	return -1;
}

int cix_counters_file_map(const char *path, uint32_t workers, uint32_t max_attachments,
			  struct cix_counters_map *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (!path || !*path)
		return fail(err, errlen, "(none)", "empty path", 0);
	if (!shape_ok(workers, max_attachments))
		return fail(err, errlen, path, "workers or maxAttachments out of range", 0);
	size_t block = cix_dataplane_counters_size(workers, max_attachments);
	size_t len = CIX_COUNTERS_HEADER_SIZE + block;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, path, "cannot open", errno);
	struct stat st;
	int rc = -1;
	char why[160];
	/* The size first: touching a page past the end of a file is SIGBUS. */
	if (fstat(fd, &st) != 0)
		rc = fail(err, errlen, path, "cannot stat", errno);
	else if (!S_ISREG(st.st_mode))
		rc = fail(err, errlen, path, "not a regular file", 0);
	else if ((size_t)st.st_size < CIX_COUNTERS_HEADER_SIZE)
		rc = fail(err, errlen, path, "too short for a counters file", 0);
	else if (map_fd(fd, (size_t)st.st_size, out, block))
		rc = fail(err, errlen, path, "cannot map", errno);
	else if (check_header(out->base, workers, max_attachments, why, sizeof(why)))
		rc = fail(err, errlen, path, why, 0);
	else if ((size_t)st.st_size != len)
		rc = fail(err, errlen, path, "size does not match its header", 0);
	else
		rc = 0;
	close(fd);
	if (rc) {
		cix_counters_map_close(out);
		return -1;
	}
	return 0;
}

void cix_counters_map_close(struct cix_counters_map *m)
{
	if (m->base)
		munmap(m->base, m->len);
	memset(m, 0, sizeof(*m));
}
