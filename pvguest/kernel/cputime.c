/*
 * cputime.c - how much CPU a task really had: Xen's runstate, not the clock.
 *
 * A guest kernel that charges each task the system time between switching
 * to it and back counts time when its whole domain was not running at all:
 * the hypervisor may give the CPU to another domain in the middle of a
 * task's run, and the guest cannot see that from its clock.  That is the
 * paravirtual lesson here: a PV guest can ask.  Xen keeps, per vCPU, the
 * nanoseconds spent running, runnable (ready, but another domain had the
 * CPU: time "stolen" from us), blocked and offline, and rewrites a
 * registered area (VCPUOP_register_runstate_memory_area) each time it
 * schedules us in.  So while we run, the area says "running since
 * state_entry_time", and our running total now is time[running] plus the
 * time since then.  A task is charged the growth of that total across its
 * run, and the growth of time[runnable] as stolen; Linux does the same
 * for its steal time (kernel/sched/cputime.c, paravirt_steal_clock).
 *
 * Without the area (the hypercall failed), the clock is all there is:
 * running time is then wall time and nothing is counted as stolen.
 */
#include "pvguest/kernel/kernel.h"

static struct xen_vcpu_runstate_info area;      /* rewritten by the hypervisor */
static bool have_area;

void cputime_init(void)
{
    struct xen_vcpu_register_runstate_memory_area r = { .addr.p = (uint32_t)(uintptr_t)&area };
    long rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &r);

    have_area = rc == 0;
    if (!have_area)
        printf("kernel: no runstate area (%ld): CPU time is wall time\n", rc);
}

/*
 * A consistent snapshot of the runstate, with the current state's time
 * added up to now.  The hypervisor may rewrite the area between any two of
 * our instructions (when it schedules us back in), and a 64-bit field is
 * two loads: so copy, take the time, and copy again until nothing moved.
 */
bool cputime_runstate(struct xen_vcpu_runstate_info *rs)
{
    volatile struct xen_vcpu_runstate_info *a = &area;
    uint64_t entry, now;

    if (!have_area)
        return false;
    do {
        entry = a->state_entry_time;
        memcpy(rs, (const void *)a, sizeof(*rs));
        now = time_now_ns();
    } while (entry != a->state_entry_time || rs->state_entry_time != entry);
    if (now > rs->state_entry_time)
        rs->time[rs->state] += now - rs->state_entry_time;
    return true;
}

void cputime_now(struct cputime *c)
{
    struct xen_vcpu_runstate_info rs;

    if (cputime_runstate(&rs)) {
        c->running_ns = rs.time[RUNSTATE_running];
        c->stolen_ns = rs.time[RUNSTATE_runnable];
    } else {
        c->running_ns = time_now_ns();
        c->stolen_ns = 0;
    }
}
