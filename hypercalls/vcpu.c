/*
 * vcpu_op: a domain's vCPUs - up and down, runstate, timers and vcpu_info.
 *
 * vcpu_op(cmd, vcpuid, arg) as Xen's do_vcpu_op() answers a 32-bit PV
 * guest.  A domain has dom.vcpus vCPUs (docs/smp.md); a vcpuid past them
 * is -ENOENT before the command is even looked at.  initialise takes a
 * whole context (vcpu_init.c); up needs one (-EINVAL), down stops the
 * vCPU where it is.  For any vCPU: is_up, the runstate account
 * (runstate.c) read out or kept in a guest area, Xen's periodic timer (at
 * least 1 ms a period), moving vcpu_info (vcpu_info.c; another vCPU only
 * while it is down, as Xen).  The single-shot timer, set_timer_op's own,
 * only for the caller itself (Xen: -EINVAL).  get_physid, which Xen
 * answers only to a hardware domain with pinned vCPUs: -EINVAL.  NMIs and
 * the time-info area are -ENOSYS.  A command on another vCPU than the
 * caller loads that vCPU into the domain for its duration (vcpu_load.h):
 * memory only.  arg is a guest pointer, read once into a local copy with
 * copy_from_guest; every field is checked there.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/runstate.h"
#include "hypervisor/event/time.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/event/sched.h"
#include "hypercalls/vcpu_init.h"
#include "hypercalls/public/errno.h"

#define PERIOD_MIN_NS 1000000ull                 /* Xen's MILLISECS(1) */
#define PERIOD_MAX_NS (~0ull >> 2)               /* Xen's STIME_DELTA_MAX */

/* The runstate area: a 32-bit handle, as Xen's compat path reads it, whose 44 bytes lie below the hole. */
static long register_runstate(struct domain *d, guest_ptr_t arg)
{
    guest_ptr_t area;
    if (copy_from_guest(&area, arg, sizeof(area)) ||
        !guest_range_ok(area, sizeof(struct xen_vcpu_runstate_info)))
        return -EFAULT;
    d->runstate_area = area;                     /* 0: none, as a null handle is in Xen */
    runstate_publish(d);
    return 0;
}

/*
 * A deadline is absolute system time.  With VCPU_SSHOTTMR_future one
 * already past is -ETIME (Xen's unsigned comparison); otherwise it fires at
 * once, and so does one that is negative as Xen's signed s_time_t.
 */
static long singleshot(struct domain *d, guest_ptr_t arg)
{
    struct xen_vcpu_set_singleshot_timer set;
    uint64_t now = time_now_ns();
    if (copy_from_guest(&set, arg, sizeof(set)))
        return -EFAULT;
    if ((set.flags & VCPU_SSHOTTMR_future) && set.timeout_abs_ns < now)
        return -ETIME;
    time_set_timer(d, (int64_t)set.timeout_abs_ns < (int64_t)now ? now : set.timeout_abs_ns);
    return 0;
}

static long periodic(struct domain *d, guest_ptr_t arg)
{
    struct xen_vcpu_set_periodic_timer set;
    if (copy_from_guest(&set, arg, sizeof(set)))
        return -EFAULT;
    if (set.period_ns < PERIOD_MIN_NS || set.period_ns > PERIOD_MAX_NS)
        return -EINVAL;
    d->periodic_ns = set.period_ns;
    time_periodic(d, time_now_ns());             /* as Xen: a first event at once */
    return 0;
}

void vcpu_up(struct domain *d, unsigned n)
{
    unsigned was = vcpu_load(d, n);
    if (!d->up) {
        d->up = true;                            /* one downed while blocked stays blocked (Xen) */
        runstate_change(d, d->blocked ? RUNSTATE_blocked : RUNSTATE_runnable, time_now_ns());
        if (!d->blocked)
            sched_wake(d);                       /* the scheduler may pick it now */
    }
    vcpu_load(d, was);
}

/* Down: off the CPU at the next exit if it is the caller; its state stays for up. */
static long down(struct domain *d, unsigned n, bool self)
{
    unsigned was = vcpu_load(d, n);
    if (d->up && !self)
        runstate_change(d, RUNSTATE_offline, time_now_ns());
    d->up = false;
    vcpu_load(d, was);
    if (self)
        sched_yield();                           /* sched.c accounts it offline */
    return 0;
}

/* The commands on the loaded vCPU, whichever that is. */
static long vcpu_cmd(struct domain *d, int cmd, guest_ptr_t arg, bool self)
{
    struct xen_vcpu_runstate_info rs;
    struct xen_vcpu_register_vcpu_info info;
    switch (cmd) {
    case VCPUOP_is_up:
        return d->up;
    case VCPUOP_get_runstate_info:
        rs = runstate_get(d, time_now_ns());
        return copy_to_guest(arg, &rs, sizeof(rs)) ? -EFAULT : 0;
    case VCPUOP_register_runstate_memory_area:
        return register_runstate(d, arg);
    case VCPUOP_set_periodic_timer:
        return periodic(d, arg);
    case VCPUOP_stop_periodic_timer:
        d->periodic_ns = 0;
        return 0;
    case VCPUOP_set_singleshot_timer:
        return singleshot(d, arg);
    case VCPUOP_stop_singleshot_timer:
        time_set_timer(d, 0);
        return 0;
    case VCPUOP_register_vcpu_info:
        if (copy_from_guest(&info, arg, sizeof(info)))
            return -EFAULT;
        if (!self && d->up)
            return -EINVAL;                      /* Xen: yourself, or an offline vCPU */
        return vcpu_info_move(d, info.mfn, info.offset);
    case VCPUOP_get_physid:
        return -EINVAL;
    default:
        return -ENOSYS;
    }
}

long do_vcpu_op(int cmd, unsigned int vcpuid, guest_ptr_t arg)
{
    struct domain *d = current;
    if (vcpuid >= d->nr_vcpus)
        return -ENOENT;
    bool self = vcpuid == d->vcpu_id;            /* the caller is the loaded vCPU */
    switch (cmd) {
    case VCPUOP_initialise:
        return vcpu_initialise(d, vcpuid, arg);
    case VCPUOP_up:
        if (!vcpu_of(d, vcpuid)->initialised)
            return -EINVAL;
        vcpu_up(d, vcpuid);
        return 0;
    case VCPUOP_down:
        return down(d, vcpuid, self);
    case VCPUOP_set_singleshot_timer:
    case VCPUOP_stop_singleshot_timer:
        if (!self)
            return -EINVAL;                      /* Xen: v != current */
        break;
    }
    unsigned was = vcpu_load(d, vcpuid);
    long rc = vcpu_cmd(d, cmd, arg, self);
    vcpu_load(d, was);
    return rc;
}
