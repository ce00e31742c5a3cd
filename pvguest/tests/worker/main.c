/*
 * worker - a CPU-bound loop that never gives the CPU up.
 *
 * It counts, and every `every` iterations prints how far it got and the
 * system time; it makes no hypercall in between, never yields and never
 * blocks.  So if other domains make progress while it runs, it is the
 * hypervisor's timer tick that took the CPU from it: preemption, not
 * cooperation.  "-- every=N reports=R": R lines of N iterations each
 * (defaults 20000000 and 10; reports=0 runs for ever).  Ends SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long every = cmdline_uint("every", 20000000), reports = cmdline_uint("reports", 10);
    uint64_t start = time_now_ns();
    volatile uint32_t sink = 0;

    (void)si;
    printf("worker: %lu reports of %lu iterations; never yields\n", reports, every);
    for (unsigned long r = 1; !reports || r <= reports; r++) {
        for (unsigned long i = 0; i < every; i++)
            sink++;
        printf("worker: progress %lu/%lu at %llu ms\n", r, reports,
               (time_now_ns() - start) / NS_PER_MS);
    }
    test_pass();
    xtf_exit();
}
