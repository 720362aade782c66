/*
 * What a stage sees: the worker's context for one burst.
 */
#ifndef CIX_CORE_CTX_H
#define CIX_CORE_CTX_H

#include <stdint.h>

#include "counters.h"
#include "drop.h"
#include "limits.h"
#include "pkt.h"
#include "tables.h"

struct cix_io_port; /* io/io.h */

/*
 * Before a stage's per-packet loop: handle four packets per pass (the
 * compiler unrolls), so the loop's own instructions are paid once per four
 * and the core has four packets' independent work in view (STYLE.md: 2 or
 * 4 packets per pass). GCC only: clang unrolls by its own measure and
 * warns (an error under -Werror) where it does not follow the hint.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define CIX_PRAGMA_(x) _Pragma(#x)
#define CIX_UNROLL4 CIX_PRAGMA_(GCC unroll 4)
#else
#define CIX_UNROLL4
#endif

struct cix_ctx {
	const struct cix_tables *t;   /* the epoch this burst runs under */
	struct cix_counters cnt;      /* this worker's counters */
	struct cix_pool *pool;        /* this worker's buffers */
	struct cix_io_port **tx;      /* per port: where frames leave, or NULL */
	uint64_t now_ns;              /* the run's clock at this burst */
	uint32_t worker;
};

/* Count a drop where the frame came in (port, and attachment once known). */
static inline void cix_count_drop(struct cix_ctx *ctx, const struct cix_pkt *p, unsigned reason)
{
	cix_cnt_port(&ctx->cnt, p->in_port)[CIX_CNT_DROP_BASE + reason]++;
	if (p->attachment != CIX_NONE)
		cix_cnt_att(&ctx->cnt, p->attachment)[CIX_CNT_DROP_BASE + reason]++;
}

/* Count and free one packet; for stages that consume packets (tx). */
static inline void cix_drop_now(struct cix_ctx *ctx, struct cix_pkt *p, unsigned reason)
{
	cix_count_drop(ctx, p, reason);
	cix_pool_free(ctx->pool, p);
}

#endif
