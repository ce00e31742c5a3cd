/* ratelimit.h - a token bucket for log lines (Xen's printk_ratelimit), pure C. */
#ifndef HV_RATELIMIT_H
#define HV_RATELIMIT_H
#include "hypervisor/types.h"

/*
 * Xen's defaults (xen/common/console.c): a burst of 10 lines, then one
 * line per 5000 ms.  Credit is kept in milliseconds: each line costs
 * RATELIMIT_MS of it, and it grows with time up to RATELIMIT_BURST lines'
 * worth.
 */
#define RATELIMIT_MS    5000u
#define RATELIMIT_BURST 10u

struct ratelimit {
    uint64_t last_ms;       /* when credit was last added */
    uint64_t credit_ms;     /* 0 .. RATELIMIT_MS * RATELIMIT_BURST */
    uint32_t missed;        /* lines refused since the last one let through */
    bool started;           /* false: a fresh bucket, full on first use */
};

/*
 * May a line be printed at time now_ms?  true: print it, and first say
 * that *missed lines were dropped if *missed is not 0 (the count is then
 * reset).  false: drop it (it is counted).
 */
bool ratelimit_allow(struct ratelimit *r, uint64_t now_ms, uint32_t *missed);
#endif
