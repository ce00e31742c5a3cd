/*
 * sched.c - sched_op: give up the CPU, wait for an event, or stop.
 *
 * SCHEDOP_yield lets the next domain run.  SCHEDOP_block sleeps until an
 * event arrives; SCHEDOP_poll until one of a list of ports is pending or a
 * deadline passes.  SCHEDOP_shutdown ends the domain with the reason the
 * guest gives (poweroff, reboot, crash, watchdog...).  Each record is read
 * once into our own copy before it is checked, so the guest cannot change
 * it between check and use.
 *
 * The wake-up race.  A guest checks for work with events masked, then
 * blocks.  An event that arrives in between must not be lost, so block
 * first unmasks events (as Xen's local_event_delivery_enable) and then, if
 * an upcall is already pending, returns at once: the return to the guest
 * delivers it.  Poll likewise returns at once if a listed port, or an
 * unmasked upcall, is pending.  Either returns 0, also after sleeping.
 *
 * No domain here may act on another: remote_shutdown is -EPERM for a live
 * domain (-ESRCH for none), as Xen's XSM_DM_PRIV check says to an
 * unprivileged caller; shutdown_code (latch a reason for a later crash) is
 * not offered and is -EPERM too.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/event.h"
#include "hypervisor/event/event_port.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/event/sched.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/sched.h"

#define POLL_MAX_PORTS 128          /* Xen's "fairly arbitrary limit" */

static long block(struct domain *d)
{
    event_poll_clear(d);
    event_enable_delivery(d);
    if (!event_should_wake(d))
        sched_block(d);
    return 0;
}

/* The port list is guest memory: read one port at a time, checking each. */
static long poll(struct domain *d, guest_ptr_t arg)
{
    struct xen_sched_poll sp;
    if (copy_from_guest(&sp, arg, sizeof(sp)))
        return -EFAULT;
    if (sp.nr_ports > POLL_MAX_PORTS)
        return -EINVAL;
    if (!guest_range_ok(sp.ports, sp.nr_ports * sizeof(uint32_t)))
        return -EFAULT;
    if (event_should_wake(d))
        return 0;
    event_poll_clear(d);
    for (uint32_t i = 0; i < sp.nr_ports; i++) {
        uint32_t port;
        long rc = copy_from_guest(&port, sp.ports + i * sizeof(port), sizeof(port));
        if (!rc && port >= EVTCHN_NR_PORTS)
            rc = -EINVAL;
        if (rc || event_is_pending(d, port)) {
            event_poll_clear(d);
            return rc;
        }
        event_poll_watch(d, port);
    }
    d->poll_nr = sp.nr_ports;
    d->poll_deadline_ns = sp.timeout;   /* absolute system time; 0: none (time.c) */
    sched_block(d);
    return 0;
}

long do_sched_op(int cmd, guest_ptr_t arg)
{
    struct xen_sched_shutdown sd;
    struct xen_sched_remote_shutdown rs;
    switch (cmd) {
    case SCHEDOP_yield:
        sched_yield();
        return 0;
    case SCHEDOP_block:
        return block(current);
    case SCHEDOP_poll:
        return poll(current, arg);
    case SCHEDOP_shutdown:
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -EFAULT;
        if (sd.reason > SHUTDOWN_watchdog)
            return -EINVAL;
        domain_shutdown(current, sd.reason);
        return 0;
    case SCHEDOP_shutdown_code:
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -EFAULT;
        return -EPERM;
    case SCHEDOP_remote_shutdown:
        if (copy_from_guest(&rs, arg, sizeof(rs)))
            return -EFAULT;
        return event_domain(rs.domain_id) ? -EPERM : -ESRCH;
    default:
        return -ENOSYS;
    }
}
