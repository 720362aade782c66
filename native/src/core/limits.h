/* Fixed capacities of the fast path: tables and counters are sized once. */
#ifndef CIX_CORE_LIMITS_H
#define CIX_CORE_LIMITS_H

#define CIX_MAX_PORTS        64u
#define CIX_MAX_ATTACHMENTS  16384u
#define CIX_MAX_WORKERS      64u
#define CIX_MAX_BURST        256u
#define CIX_MAX_TAGS         2u    /* VLAN tags the parser reads */
#define CIX_NONE             0xffffu /* "no port / no attachment" in 16-bit ids */

#endif
