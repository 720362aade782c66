/*
 * The counter block in a file, mapped MAP_SHARED: the dataplane process
 * writes it, the supervisor maps the same file and reads it in place, and
 * the counts stay readable after the writer died (kill -9 included).
 *
 * File layout: a 64-byte header, then the block of core/counters.h
 * (workers * objects * CIX_CNT__SLOTS uint64_t, host byte order). The
 * header says what the block is, so a reader refuses a file made for
 * another shape or another build's slot list instead of misreading it.
 *
 * Creating replaces the file with a new one (a fresh inode, renamed into
 * place complete): a reader still mapping the old file keeps its counts,
 * never sees a file shrink under it (no SIGBUS), and remaps when it wants
 * the new one. The blocks are allocated up front (posix_fallocate), so a
 * full tmpfs fails here, not later as SIGBUS in a worker.
 */
#ifndef CIX_HOST_COUNTERS_SHM_H
#define CIX_HOST_COUNTERS_SHM_H

#include <stddef.h>
#include <stdint.h>

#define CIX_COUNTERS_MAGIC "CIXCNTR\n"
#define CIX_COUNTERS_VERSION 1u
#define CIX_COUNTERS_HEADER_SIZE 64u

struct cix_counters_header {
	char magic[8];            /* CIX_COUNTERS_MAGIC */
	uint32_t version;         /* CIX_COUNTERS_VERSION */
	uint32_t header_size;     /* where the block starts: CIX_COUNTERS_HEADER_SIZE */
	uint32_t workers;
	uint32_t max_attachments;
	uint32_t objects;         /* CIX_MAX_PORTS + max_attachments */
	uint32_t slots;           /* CIX_CNT__SLOTS of the writer's build */
	uint32_t port_base;       /* first object of ports */
	uint32_t attachment_base; /* first object of attachments */
	uint32_t writer_pid;      /* the process that made the file */
	uint32_t reserved_[5];
};

/* One mapping of a counters file. */
struct cix_counters_map {
	void *base;          /* the whole mapping (header first), page-aligned */
	size_t len;          /* bytes mapped */
	uint64_t *counters;  /* the block, 64-byte aligned: base + header_size */
	size_t block_bytes;  /* cix_dataplane_counters_size(workers, max_attachments) */
};

/*
 * Makes `path` a new zeroed counters file for this shape and maps it
 * read-write. 0, or -1 with a one-line message in err (nothing left behind).
 */
int cix_counters_file_create(const char *path, uint32_t workers, uint32_t max_attachments,
			     struct cix_counters_map *out, char *err, size_t errlen);

/*
 * Maps an existing counters file that another process made, after checking
 * its header against the shape the caller expects. Read-write, so a reader
 * that writes by mistake cannot fault; the writer's counts are untouched
 * by reading. 0, or -1 with a message in err.
 */
int cix_counters_file_map(const char *path, uint32_t workers, uint32_t max_attachments,
			  struct cix_counters_map *out, char *err, size_t errlen);

/* Unmaps; the file stays. Safe on a zeroed map. */
void cix_counters_map_close(struct cix_counters_map *m);

#endif
