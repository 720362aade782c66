#include "match.h"

#include <errno.h>
#include <stdlib.h>

int cix_match_init(struct cix_match *m, uint32_t entries)
{
	uint32_t bits = 4;
	while ((1u << bits) < entries * 2u && bits < 30)
		bits++;
	uint32_t size = 1u << bits;
	m->slots = malloc(sizeof(*m->slots) * size);
	if (!m->slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < size; i++) {
		m->slots[i].key = CIX_MATCH_EMPTY;
		m->slots[i].value = 0xffffu;
	}
	m->mask = size - 1;
	m->shift = 64 - bits;
	m->used = 0;
	return 0;
}

void cix_match_fini(struct cix_match *m)
{
	free(m->slots);
	m->slots = 0;
}

int cix_match_add(struct cix_match *m, uint64_t key, uint16_t value)
{
	/* Half full at most: misses stay short. */
	if ((m->used + 1) * 2 > m->mask + 1)
		return -ENOSPC;
	uint32_t i = cix_match_hash(m, key);
	while (m->slots[i].key != CIX_MATCH_EMPTY) {
		if (m->slots[i].key == key)
			return -EEXIST;
		i = (i + 1) & m->mask;
	}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->used++;
	return 0;
}
