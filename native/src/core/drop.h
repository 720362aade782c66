/* Drop reasons: one enum generated from drop_reasons.def. */
#ifndef CIX_CORE_DROP_H
#define CIX_CORE_DROP_H

#include <stdint.h>

enum cix_drop {
#define _(sym, name, help) CIX_DROP_##sym,
#include "drop_reasons.def"
#undef _
	CIX_DROP__COUNT
};

/* Stable exported name ("no_attachment"), or NULL past the end. */
const char *cix_drop_name(unsigned reason);
/* One-line explanation for people. */
const char *cix_drop_help(unsigned reason);

#endif
