/*
 * guest_log.c - rate-limited hypervisor lines about one domain's requests.
 *
 * The refusals a guest can provoke (set_gdt, update_descriptor, set_ldt,
 * ...) are worth a line each for whoever debugs that guest, but a guest
 * can make thousands a second, and the serial port is polled with
 * interrupts off.  Each domain gets its own bucket (ratelimit.c, Xen's
 * printk_ratelimit defaults); the count of dropped lines is printed when
 * logging resumes and when the domain ends, so nothing is lost silently.
 * Domain ids are never reused while the hypervisor runs, and a domain
 * whose id shares a slot starts with what is left in it (at worst a
 * shorter first burst).
 */
#include "hypervisor/console/guest_log.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/ratelimit.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/event/time.h"
#include "hypervisor/lib.h"
#include <stdarg.h>

#define GUEST_LOG_SLOTS 256
static struct ratelimit bucket[GUEST_LOG_SLOTS];

static void suppressed(unsigned id, uint32_t missed)
{
    if (missed)
        hvlog("d%u: %u messages suppressed\n", id, missed);
}

void guest_log(const struct domain *d, const char *fmt, ...)
{
    char buf[256];
    uint32_t missed = 0;
    va_list ap;
    if (!hv_opts.guest_log_all &&
        !ratelimit_allow(&bucket[d->id % GUEST_LOG_SLOTS], time_now_ns() / 1000000, &missed))
        return;
    suppressed(d->id, missed);
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    hvlog("d%u %s", d->id, buf);
}

void guest_log_flush(const struct domain *d)
{
    struct ratelimit *r = &bucket[d->id % GUEST_LOG_SLOTS];
    suppressed(d->id, r->missed);
    r->missed = 0;
}
