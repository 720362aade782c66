/*
 * classify: which attachment owns the frame.
 *
 * Longest match on (port, tags): a two-tag attachment first, then the
 * outer-tag attachment (the inner tag rides as payload), then the untagged
 * one. A whole-port attachment takes every frame of its port. A miss tells
 * tpid_mismatch (the VIDs belong to an attachment under another TPID) from
 * no_attachment. The customer tag's PCP/DEI is kept for the rewrite.
 *
 * Speed: the common frame is looked up once, inline, with the key of its
 * tags that parse left in tag_key (pkt.h) plus the port; every other frame
 * (whole port, third tag, no tag_key, a miss at full depth) goes to
 * classify_one, the complete per-frame logic, which starts over from the
 * tags: the lookups are pure, so the result is the same either way. There
 * is no last-hit cache: frames of many attachments interleave on a port,
 * and the table probe is a handful of instructions on an L1 line.
 */
#include "stages.h"

#include "../wire/ethernet.h"

static uint64_t key_of(const struct cix_pkt *p, unsigned depth)
{
	unsigned t0 = 0, v0 = 0, t1 = 0, v1 = 0;
	if (depth > 0) {
		t0 = (unsigned)cix_tpid_index(p->tpid[0]);
		v0 = p->tci[0] & CIX_TCI_VID_MASK;
	}
	if (depth > 1) {
		t1 = (unsigned)cix_tpid_index(p->tpid[1]);
		v1 = p->tci[1] & CIX_TCI_VID_MASK;
	}
	return cix_match_key(p->in_port, depth, t0, v0, t1, v1);
}

static uint64_t vid_key_of(const struct cix_pkt *p, unsigned depth)
{
	unsigned v0 = depth > 0 ? p->tci[0] & CIX_TCI_VID_MASK : 0;
	unsigned v1 = depth > 1 ? p->tci[1] & CIX_TCI_VID_MASK : 0;
	return cix_match_key(p->in_port, depth, 0, v0, 0, v1);
}

/* Why no attachment took the frame. */
static uint8_t miss_reason(const struct cix_tables *t, const struct cix_pkt *p)
{
	for (unsigned depth = p->ntags; depth > 0; depth--)
		if (cix_match_find(&t->by_vid, vid_key_of(p, depth)) != CIX_NONE)
			return CIX_DROP_TPID_MISMATCH;
	return CIX_DROP_NO_ATTACHMENT;
}

/*
 * The frame is att's, which owns its first `depth` tags: note that, count
 * it on the attachment and check the ingress MTU. Returns 1 if it dropped
 * the frame. att_cnt: the counters of attachment 0 (the caller's local).
 */
static inline uint32_t take(struct cix_pkt *p, const struct cix_port_entry *port, uint64_t *att_cnt,
			    uint16_t att, unsigned depth)
{
	p->attachment = att;
	p->consumed = (uint8_t)depth;
	/* The customer tag is the innermost one the attachment owns; with none
	 * owned, the frame's own outer tag (if any) still speaks for it. */
	p->prio = depth ? p->tci[depth - 1] & CIX_TCI_PRIO_MASK
			: (p->ntags ? p->tci[0] & CIX_TCI_PRIO_MASK : 0);

	uint32_t len = p->len;
	uint64_t *c = att_cnt + (size_t)att * CIX_CNT__SLOTS;
	c[CIX_CNT_RX_PACKETS]++;
	c[CIX_CNT_RX_BYTES] += len;
	if (len - CIX_ETH_HDR_LEN - CIX_VLAN_TAG_LEN * depth > port->mtu) {
		p->drop = CIX_DROP_MTU_RX;
		return 1;
	}
	return 0;
}

/* One frame, every case: a whole-port attachment, a third tag, a shorter match, a miss. */
static __attribute__((noinline)) uint32_t classify_one(struct cix_ctx *ctx, struct cix_pkt *p)
{
	const struct cix_tables *t = ctx->t;
	const struct cix_port_entry *port = &t->ports[p->in_port];
	uint16_t att = port->whole_port;
	unsigned depth = 0;

	if (att == CIX_NONE) {
		if (p->flags & CIX_PKT_F_MORE_TAGS) {
			p->drop = CIX_DROP_TOO_MANY_TAGS;
			return 1;
		}
		/* A tagged frame never falls through to the untagged attachment. */
		for (depth = p->ntags;; depth--) {
			att = cix_match_find(&t->match, key_of(p, depth));
			if (att != CIX_NONE || depth <= 1)
				break;
		}
		if (att == CIX_NONE && p->ntags == 1 && p->tpid[0] == 0x8100 &&
		    (p->tci[0] & CIX_TCI_VID_MASK) == 0) {
			/* A priority-tagged frame (C-tag, VID 0) belongs where an untagged
			 * one would (IEEE 802.1Q); the attachment owns the tag, so it is
			 * popped and its PCP/DEI are the customer's. */
			att = cix_match_find(&t->match, cix_match_key(p->in_port, 0, 0, 0, 0, 0));
			depth = 1;
		}
		if (att == CIX_NONE) {
			p->drop = miss_reason(t, p);
			return 1;
		}
	}

	return take(p, port, cix_cnt_att(&ctx->cnt, 0), att, depth);
}

/*
 * The common case inline: no whole-port attachment, no third tag, the key
 * of the tags left by parse (tag_key), and a hit at the frame's full depth
 * (the attachment owns every tag; the customer tag is the innermost).
 * Anything else goes to classify_one, which starts over from the tags.
 */
uint32_t cix_stage_classify(struct cix_ctx *ctx, struct cix_pkt **pkts, uint32_t n)
{
	const struct cix_tables *t = ctx->t;
	/* Locals, not loads through t: the byte stores into packets below may
	 * alias anything, so the compiler would reload these per packet. */
	const struct cix_match match = t->match;
	uint64_t *const att_cnt = cix_cnt_att(&ctx->cnt, 0);
	uint32_t dropped = 0;
	CIX_UNROLL4
	for (uint32_t i = 0; i < n; i++) {
		struct cix_pkt *p = pkts[i];
		const struct cix_port_entry *port = &t->ports[p->in_port];
		uint32_t tag_key = p->tag_key;
		uint16_t att;
		if (__builtin_expect(port->whole_port != CIX_NONE || (p->flags & CIX_PKT_F_MORE_TAGS) ||
				     tag_key == CIX_TAG_KEY_NONE, 0) ||
		    __builtin_expect((att = cix_match_find(&match, cix_match_key(p->in_port, 0, 0, 0, 0, 0) |
								    tag_key)) == CIX_NONE, 0)) {
			dropped += classify_one(ctx, p);
			continue;
		}
		dropped += take(p, port, att_cnt, att, p->ntags);
	}
	return dropped;
}
