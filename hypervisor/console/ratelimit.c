/*
 * ratelimit.c - the token bucket behind guest_log (pure: no clock, no output).
 *
 * A guest decides how often it makes a refused call, and every refusal the
 * hypervisor logs is polled out of the serial port with interrupts off: an
 * unlimited log is a way to hold the CPU.  Xen answers with
 * printk_ratelimit(): a burst, then one line per interval, and a count of
 * what was dropped.  This is the same bucket, one per domain (guest_log.c),
 * so one noisy domain cannot silence another's lines.  The caller passes
 * the time, which makes the rule testable on the host.
 */
#include "hypervisor/console/ratelimit.h"

#define CREDIT_MAX ((uint64_t)RATELIMIT_MS * RATELIMIT_BURST)

bool ratelimit_allow(struct ratelimit *r, uint64_t now_ms, uint32_t *missed)
{
    if (!r->started) {
        r->started = true;
        r->credit_ms = CREDIT_MAX;
        r->last_ms = now_ms;
    }
    if (now_ms > r->last_ms) {          /* time only moves forward here */
        uint64_t gained = now_ms - r->last_ms;
        r->credit_ms = gained >= CREDIT_MAX - r->credit_ms ? CREDIT_MAX : r->credit_ms + gained;
        r->last_ms = now_ms;
    }
    if (r->credit_ms < RATELIMIT_MS) {
        if (r->missed != UINT32_MAX)
            r->missed++;
        return false;
    }
    r->credit_ms -= RATELIMIT_MS;
    *missed = r->missed;
    r->missed = 0;
    return true;
}
