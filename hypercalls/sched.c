/*
 * sched.c - sched_op: give up the CPU, or stop.
 *
 * SCHEDOP_yield lets the next domain run.  SCHEDOP_shutdown ends the
 * domain with the reason the guest gives (poweroff, reboot, crash,
 * watchdog...); the argument is read once into our own copy before it is
 * checked, so the guest cannot change it between check and use.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain.h"
#include "hypervisor/guest_access.h"
#include "hypervisor/sched.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/sched.h"

long do_sched_op(int cmd, guest_ptr_t arg)
{
    struct xen_sched_shutdown sd;
    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -EFAULT;
        if (sd.reason > SHUTDOWN_watchdog)
            return -EINVAL;
        domain_shutdown(current, sd.reason);
        return 0;
    default:
        return -ENOSYS;
    }
}
