#include "drop.h"

static const char *const drop_names[CIX_DROP__COUNT] = {
#define _(sym, name, help) [CIX_DROP_##sym] = name,
#include "drop_reasons.def"
#undef _
};

static const char *const drop_helps[CIX_DROP__COUNT] = {
#define _(sym, name, help) [CIX_DROP_##sym] = help,
#include "drop_reasons.def"
#undef _
};

const char *cix_drop_name(unsigned reason)
{
	return reason < CIX_DROP__COUNT ? drop_names[reason] : 0;
}

const char *cix_drop_help(unsigned reason)
{
	return reason < CIX_DROP__COUNT ? drop_helps[reason] : 0;
}
