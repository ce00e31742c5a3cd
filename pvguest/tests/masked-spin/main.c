/*
 * masked-spin - spin with events masked: the hypervisor must still preempt.
 *
 * With its virtual interrupt flag clear (evtchn_upcall_mask set, as the
 * builder starts every domain) no event can reach this guest, and it makes
 * no hypercall while it spins: it only reads the shared_info clock.  The
 * real interrupt flag is the hypervisor's, so its tick still interrupts
 * us and can give the CPU to other domains.  We see that from inside as a
 * jump in the clock between two readings: time passed in which we did not
 * run.  We stop after `preemptions` such gaps (of gap_ms or more), or
 * after max iterations if the clock never shows one - the guard that ends
 * the run even if nothing ever preempts us.  "-- preemptions=10 gap_ms=2
 * max=10000000".  Checked: events were masked throughout, and we were
 * descheduled at least once.  Ends SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long want = cmdline_uint("preemptions", 10), max = cmdline_uint("max", 10000000);
    uint64_t gap = cmdline_uint("gap_ms", 2) * NS_PER_MS, longest = 0;
    uint64_t start, last, now;
    unsigned long seen = 0, i;
    uint8_t mask;

    (void)si;
    set_event_mask(1);
    mask = event_mask();
    printf("masked-spin: spinning with events masked until descheduled %lu times\n", want);
    start = last = time_now_ns();
    for (i = 0; i < max && seen < want; i++) {
        now = time_now_ns();
        if (now - last >= gap) {
            seen++;
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
