/*
 * The tables of one configuration epoch: what the fast path reads.
 *
 * Built off the fast path from a plan the control side sends
 * (cix_tables_new / _set_port / _add_attachment / _seal), then published
 * whole with one pointer swap (epoch.h). Never modified once sealed.
 */
#ifndef CIX_CORE_TABLES_H
#define CIX_CORE_TABLES_H

#include <stdint.h>

#include "limits.h"
#include "match.h"

/* How an attachment finds its frames on its port. */
enum cix_match_kind {
	CIX_MATCH_UNTAGGED = 0,    /* frames without a VLAN tag */
	CIX_MATCH_OUTER = 1,       /* outer tag = VID (an inner tag, if any, is payload) */
	CIX_MATCH_OUTER_INNER = 2, /* outer and inner tag = VIDs */
	CIX_MATCH_WHOLE_PORT = 3,  /* every frame of the port, its tags as payload */
};

/* The TPIDs a tag may carry; the index is what the match key holds. */
enum cix_tpid_index { CIX_TPID_8100, CIX_TPID_88A8, CIX_TPID_9100, CIX_TPID_9200 };

static inline int cix_tpid_index(uint16_t tpid)
{
	switch (tpid) {
	case 0x8100: return CIX_TPID_8100;
	case 0x88a8: return CIX_TPID_88A8;
	case 0x9100: return CIX_TPID_9100;
	case 0x9200: return CIX_TPID_9200;
	default: return -1;
	}
}

#define CIX_KEEP (-1) /* pcp/dei: copy from the customer tag */

struct cix_tag_spec {
	uint16_t tpid;
	uint16_t vid;
	int8_t pcp; /* 0..7, or CIX_KEEP */
	int8_t dei; /* 0..1, or CIX_KEEP */
};

struct cix_attachment_spec {
	uint16_t id;
	uint16_t port;
	uint8_t kind; /* enum cix_match_kind; the tag count is the depth */
	struct cix_tag_spec tag[CIX_MAX_TAGS];
};

/* The egress tag stack, precomputed: word = TPID << 16 | TCI template. */
struct cix_egress_stack {
	uint32_t word[CIX_MAX_TAGS];
	uint16_t keep[CIX_MAX_TAGS]; /* TCI bits taken from the customer tag */
	uint8_t n;
};

struct cix_att_entry {
	uint16_t port;
	uint16_t peer; /* egress attachment of its service, CIX_NONE if none */
	uint8_t depth; /* tags the attachment owns: 0, 1 or 2 */
	uint8_t present;
	struct cix_egress_stack stack;
};

struct cix_port_entry {
	uint16_t mtu;        /* largest payload after Ethernet header and owned tags */
	uint16_t whole_port; /* the attachment that takes every frame, or CIX_NONE */
	uint8_t present;
};

struct cix_tables {
	uint64_t generation; /* set by cix_epoch_publish */
	uint32_t max_attachments;
	uint32_t sealed;
	struct cix_port_entry ports[CIX_MAX_PORTS];
	struct cix_att_entry *att; /* max_attachments entries */
	struct cix_match match;    /* (port, depth, TPIDs, VIDs) -> attachment */
	struct cix_match by_vid;   /* the same without TPIDs: tells tpid_mismatch from no_attachment */
};

/*
 * Match key: port(16) | depth(2) | tpid0(2) | vid0(12) | tpid1(2) | vid1(12).
 * Unused fields are zero.
 */
static inline uint64_t cix_match_key(unsigned port, unsigned depth, unsigned t0, unsigned v0,
				     unsigned t1, unsigned v1)
{
	return (uint64_t)port << 30 | (uint64_t)depth << 28 | (uint64_t)t0 << 26 |
	       (uint64_t)(v0 & 0xfff) << 14 | (uint64_t)t1 << 12 | (v1 & 0xfff);
}

/* Errors of the builder; the control side validated the plan, so these name broken plans. */
enum cix_tables_err {
	CIX_TABLES_OK = 0,
	CIX_TABLES_ENOMEM = -1,
	CIX_TABLES_EPORT = -2,       /* port id out of range or not set */
	CIX_TABLES_EATTACHMENT = -3, /* attachment id out of range or used twice */
	CIX_TABLES_ESPEC = -4,       /* bad kind, TPID, VID, PCP or DEI */
	CIX_TABLES_EOVERLAP = -5,    /* two attachments match the same frames */
	CIX_TABLES_ESEALED = -6,
};

const char *cix_tables_strerror(int err);

struct cix_tables *cix_tables_new(uint32_t max_attachments, uint32_t expected_attachments);
void cix_tables_free(struct cix_tables *t);
int cix_tables_set_port(struct cix_tables *t, uint16_t port, uint16_t mtu);
int cix_tables_add_attachment(struct cix_tables *t, const struct cix_attachment_spec *spec);
/* Frames of a go out on b (xconnect: call it both ways). */
int cix_tables_set_peer(struct cix_tables *t, uint16_t a, uint16_t b);
int cix_tables_seal(struct cix_tables *t);

#endif
