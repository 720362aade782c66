/*
 * Exact-match table: 48-bit key -> 16-bit attachment id.
 * Open addressing with linear probing, power-of-two size, at most half full,
 * so a miss ends within a few slots. Built off the fast path, read-only after.
 */
#ifndef CIX_CORE_MATCH_H
#define CIX_CORE_MATCH_H

#include <stdint.h>

#define CIX_MATCH_EMPTY UINT64_MAX

struct cix_match_slot {
	uint64_t key;
	uint16_t value;
};

struct cix_match {
	struct cix_match_slot *slots;
	uint32_t mask;  /* size - 1 */
	uint32_t shift; /* 64 - log2(size) */
	uint32_t used;
};

/* Room for `entries` keys. Returns 0 or -ENOMEM. */
int cix_match_init(struct cix_match *m, uint32_t entries);
void cix_match_fini(struct cix_match *m);
/* 0, or -EEXIST if the key is present (value unchanged), -ENOSPC when full. */
int cix_match_add(struct cix_match *m, uint64_t key, uint16_t value);

static inline uint32_t cix_match_hash(const struct cix_match *m, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> m->shift);
}

/* Attachment id for key, or 0xffff. */
static inline uint16_t cix_match_find(const struct cix_match *m, uint64_t key)
{
	uint32_t i = cix_match_hash(m, key);
	for (;;) {
		const struct cix_match_slot *s = &m->slots[i];
		if (s->key == key)
			return s->value;
		if (s->key == CIX_MATCH_EMPTY)
			return 0xffffu;
		i = (i + 1) & m->mask;
	}
}

#endif
