/*
 * timer.c - set_timer_op: the guest's one-shot timer.
 *
 * The guest names an absolute system time in ns (the clock it reads from
 * its vcpu_time_info); when that time comes, the hypervisor raises
 * VIRQ_TIMER on it.  There is one such timer per vCPU, so each call
 * replaces the last; 0 cancels it, and a time already past fires at once.
 * The argument is a plain number: nothing in it can hurt the hypervisor,
 * so the call never fails.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/time.h"

#define MS 1000000ull

/*
 * Xen's workaround, kept for the guests written against it: Linux's jiffy
 * arithmetic sometimes asks for a time that wrapped negative, or lies more
 * than 2^50 ns (13 days) ahead.  Firing at once would make a guest with no
 * timers spin; never firing would lose a guest with work to do.  Xen fires
 * 100 ms later, and so do we.
 */
long do_set_timer_op(uint64_t timeout)
{
    uint64_t now = time_now_ns();
    if (timeout && ((int64_t)timeout < 0 || (timeout > now && (timeout - now) >> 50)))
        timeout = now + 100 * MS;
    time_set_timer(current, timeout);
    return 0;
}
