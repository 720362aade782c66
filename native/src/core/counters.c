#include "counters.h"

static const char *const slot_names[CIX_CNT__USED] = {
	[CIX_CNT_RX_PACKETS] = "rx_packets",
	[CIX_CNT_RX_BYTES] = "rx_bytes",
	[CIX_CNT_TX_PACKETS] = "tx_packets",
	[CIX_CNT_TX_BYTES] = "tx_bytes",
#define _(sym, name, help) [CIX_CNT_DROP_BASE + CIX_DROP_##sym] = "drop_" name,
#include "drop_reasons.def"
#undef _
};

const char *cix_counter_slot_name(unsigned slot)
{
	return slot < CIX_CNT__USED ? slot_names[slot] : 0;
}
