/*
 * runstate.c - vCPU 0's runstate: Xen's account of where its time went.
 *
 * Each domain's one vCPU is in one RUNSTATE_* at a time: running (it has the
 * CPU), runnable (it waits for it), blocked (it waits for an event) or
 * offline (it has ended).  The scheduler reports each change
 * (runstate_change), and the nanoseconds spent in the state left are added
 * to its total, so the four totals always sum to the time since the domain
 * was built: two subtractions and an addition per switch, nothing per
 * tick.  A guest reads the account with VCPUOP_get_runstate_info, or
 * registers an area (VCPUOP_register_runstate_memory_area) that the
 * hypervisor rewrites each time the vCPU is scheduled, as Xen does: there it
 * always says "running since state_entry_time".  That area is guest memory
 * at a guest address, written only through copy_to_guest; this file never
 * dereferences it.
 */
#include "hypervisor/vcpu/runstate.h"
#include "hypervisor/mm/guest_access.h"

void runstate_change(struct domain *d, int state, uint64_t now)
{
    struct xen_vcpu_runstate_info *rs = &d->runstate;
    if (rs->state == state)
        return;
    if (now > rs->state_entry_time)
        rs->time[rs->state] += now - rs->state_entry_time;
    rs->state = state;
    rs->state_entry_time = now;
}

struct xen_vcpu_runstate_info runstate_get(const struct domain *d, uint64_t now)
{
    struct xen_vcpu_runstate_info rs = d->runstate;
    if (now > rs.state_entry_time)
        rs.time[rs.state] += now - rs.state_entry_time;
    return rs;
}

/* Xen ignores a failed copy too: the guest may have unmapped its own area. */
void runstate_publish(struct domain *d)
{
    if (d->runstate_area)
        (void)copy_to_guest(d->runstate_area, &d->runstate, sizeof(d->runstate));
}
