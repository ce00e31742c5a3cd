/* guest_log.h - log lines a guest can cause, rate-limited per domain (Xen's gdprintk). */
#ifndef HV_GUEST_LOG_H
#define HV_GUEST_LOG_H
#include "hypervisor/domain/domain.h"

/*
 * "(hv) dN " + the formatted text, unless d has used up its burst (see
 * ratelimit.h); a line let through after some were dropped is preceded by
 * "(hv) dN: M messages suppressed".  Every log line whose cause a guest
 * controls goes through here; halt lines (domain_halt) never do.
 */
void guest_log(const struct domain *d, const char *fmt, ...) __printf(2, 3);
/* The domain ends: say how many of its lines were dropped, if any. */
void guest_log_flush(const struct domain *d);
#endif
