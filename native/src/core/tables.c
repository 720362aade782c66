#include "tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *cix_tables_strerror(int err)
{
	switch (err) {
	case CIX_TABLES_OK: return "ok";
	case CIX_TABLES_ENOMEM: return "out of memory";
	case CIX_TABLES_EPORT: return "port id out of range or not configured";
	case CIX_TABLES_EATTACHMENT: return "attachment id out of range or used twice";
	case CIX_TABLES_ESPEC: return "bad match kind, TPID, VID, PCP or DEI";
	case CIX_TABLES_EOVERLAP: return "two attachments match the same frames";
	case CIX_TABLES_ESEALED: return "tables already sealed";
	default: return "unknown error";
	}
}

struct cix_tables *cix_tables_new(uint32_t max_attachments, uint32_t expected)
{
	if (max_attachments == 0 || max_attachments > CIX_MAX_ATTACHMENTS)
		return 0;
	struct cix_tables *t = calloc(1, sizeof(*t));
	if (!t)
		return 0;
	t->max_attachments = max_attachments;
	t->att = calloc(max_attachments, sizeof(*t->att));
	if (!t->att || cix_match_init(&t->match, expected + 1) ||
	    cix_match_init(&t->by_vid, expected + 1)) {
		cix_tables_free(t);
		return 0;
	}
	for (unsigned p = 0; p < CIX_MAX_PORTS; p++)
		t->ports[p].whole_port = CIX_NONE;
	return t;
}

void cix_tables_free(struct cix_tables *t)
{
	if (!t)
		return;
	cix_match_fini(&t->match);
	cix_match_fini(&t->by_vid);
	free(t->att);
	free(t);
}

int cix_tables_set_port(struct cix_tables *t, uint16_t port, uint16_t mtu)
{
	if (t->sealed)
		return CIX_TABLES_ESEALED;
	if (port >= CIX_MAX_PORTS || mtu < 68)
		return CIX_TABLES_EPORT;
	t->ports[port].mtu = mtu;
	t->ports[port].present = 1;
	return CIX_TABLES_OK;
}

static int tag_spec_ok(const struct cix_tag_spec *s)
{
	return cix_tpid_index(s->tpid) >= 0 && s->vid >= 1 && s->vid <= 4094 &&
	       s->pcp >= CIX_KEEP && s->pcp <= 7 && s->dei >= CIX_KEEP && s->dei <= 1;
}

/* TCI template and keep mask of one egress tag. */
static void build_tag(const struct cix_tag_spec *s, uint32_t *word, uint16_t *keep)
{
	uint16_t tci = s->vid & 0x0fff;
	uint16_t k = 0;
	if (s->pcp == CIX_KEEP)
		k |= 0xe000;
	else
		tci |= (uint16_t)(s->pcp << 13);
	if (s->dei == CIX_KEEP)
		k |= 0x1000;
	else
		tci |= (uint16_t)(s->dei << 12);
	*word = (uint32_t)s->tpid << 16 | tci;
	*keep = k;
}

int cix_tables_add_attachment(struct cix_tables *t, const struct cix_attachment_spec *spec)
{
	if (t->sealed)
		return CIX_TABLES_ESEALED;
	if (spec->port >= CIX_MAX_PORTS || !t->ports[spec->port].present)
		return CIX_TABLES_EPORT;
	if (spec->id >= t->max_attachments || t->att[spec->id].present)
		return CIX_TABLES_EATTACHMENT;
	if (spec->kind > CIX_MATCH_WHOLE_PORT)
		return CIX_TABLES_ESPEC;

	unsigned depth = spec->kind == CIX_MATCH_WHOLE_PORT ? 0 : spec->kind;
	for (unsigned i = 0; i < depth; i++)
		if (!tag_spec_ok(&spec->tag[i]))
			return CIX_TABLES_ESPEC;

	struct cix_port_entry *port = &t->ports[spec->port];
	if (spec->kind == CIX_MATCH_WHOLE_PORT) {
		/* Whole port excludes every other attachment on the port. */
		if (port->whole_port != CIX_NONE)
			return CIX_TABLES_EOVERLAP;
		for (uint32_t a = 0; a < t->max_attachments; a++)
			if (t->att[a].present && t->att[a].port == spec->port)
				return CIX_TABLES_EOVERLAP;
		port->whole_port = spec->id;
	} else {
		if (port->whole_port != CIX_NONE)
			return CIX_TABLES_EOVERLAP;
		unsigned t0 = depth > 0 ? (unsigned)cix_tpid_index(spec->tag[0].tpid) : 0;
		unsigned t1 = depth > 1 ? (unsigned)cix_tpid_index(spec->tag[1].tpid) : 0;
		unsigned v0 = depth > 0 ? spec->tag[0].vid : 0;
		unsigned v1 = depth > 1 ? spec->tag[1].vid : 0;
		int rc = cix_match_add(&t->match, cix_match_key(spec->port, depth, t0, v0, t1, v1), spec->id);
		if (rc == -EEXIST)
			return CIX_TABLES_EOVERLAP;
		if (rc)
			return CIX_TABLES_ENOMEM;
		/* Several TPIDs may share VIDs: by_vid only needs to know one exists. */
		rc = cix_match_add(&t->by_vid, cix_match_key(spec->port, depth, 0, v0, 0, v1), spec->id);
		if (rc && rc != -EEXIST)
			return CIX_TABLES_ENOMEM;
	}

	struct cix_att_entry *e = &t->att[spec->id];
	memset(e, 0, sizeof(*e));
	e->present = 1;
	e->port = spec->port;
	e->peer = CIX_NONE;
	e->depth = (uint8_t)depth;
	e->stack.n = (uint8_t)depth;
	for (unsigned i = 0; i < depth; i++)
		build_tag(&spec->tag[i], &e->stack.word[i], &e->stack.keep[i]);
	return CIX_TABLES_OK;
}

int cix_tables_set_peer(struct cix_tables *t, uint16_t a, uint16_t b)
{
	if (t->sealed)
		return CIX_TABLES_ESEALED;
	if (a >= t->max_attachments || b >= t->max_attachments || !t->att[a].present ||
	    !t->att[b].present)
		return CIX_TABLES_EATTACHMENT;
	t->att[a].peer = b;
	return CIX_TABLES_OK;
}

int cix_tables_seal(struct cix_tables *t)
{
	if (t->sealed)
		return CIX_TABLES_ESEALED;
	t->sealed = 1;
	return CIX_TABLES_OK;
}
