/*
 * masked-spin - spin with events masked: the hypervisor must still preempt.
 *
 * With its virtual interrupt flag clear (evtchn_upcall_mask set, as the
 * builder starts every domain) no event can reach this guest, and it makes
 * no hypercall while it spins: it only reads the shared_info clock.  The
 * real interrupt flag is the hypervisor's, so its tick still interrupts
 * us and can give the CPU to other domains.  We see that from inside: each
 * time the hypervisor schedules us in again it rewrites our vcpu_time_info,
 * so its version moves on, and the clock has jumped by the time we did not
 * run.  (A jump in the clock alone is no evidence: the emulator itself may
 * stall on a busy host, and guest time runs on meanwhile.)  We stop after
 * `preemptions` such returns, or after max iterations if we are never
 * descheduled - the guard that ends the run even if nothing ever preempts
 * us.  "-- preemptions=10 max=10000000".  Checked: events were masked
 * throughout, and we were descheduled at least once.  Ends SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

/* Our vcpu_time_info's version: it moves on each time we are scheduled in. */
static uint32_t schedule_count(void)
{
    return map_shared_info()->vcpu_info[0].time.version;
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long want = cmdline_uint("preemptions", 10), max = cmdline_uint("max", 10000000);
    uint64_t longest = 0, start, last, now;
    unsigned long seen = 0, i;
    uint32_t scheduled, was;
    uint8_t mask;

    (void)si;
    set_event_mask(1);
    mask = event_mask();
    printf("masked-spin: spinning with events masked until descheduled %lu times\n", want);
    was = schedule_count();
    start = last = time_now_ns();
    for (i = 0; i < max && seen < want; i++) {
        scheduled = schedule_count();       /* first: a switch after it shows next time */
        now = time_now_ns();
        if (scheduled != was) {
            seen++;
            was = scheduled;
            if (now - last > longest)
                longest = now - last;
        }
        last = now;
        mask &= event_mask();
    }
    printf("masked-spin: %lu iterations in %llu ms, descheduled %lu times, longest gap %llu ms\n",
           i, (last - start) / NS_PER_MS, seen, longest / NS_PER_MS);
    check_rc("events masked throughout", mask, 1);
    check_rc("descheduled while spinning masked", seen > 0, 1);
    test_pass();
    xtf_exit();
}
