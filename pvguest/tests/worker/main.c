/*
 * worker - a CPU-bound loop that never gives the CPU up.
 *
 * It counts, and every `every` iterations prints how far it got and the
 * system time; it makes no hypercall in between, never yields and never
 * blocks.  So if other domains make progress while it runs, it is the
 * hypervisor's timer tick that took the CPU from it: preemption, not
 * cooperation.  "-- every=N reports=R": R lines of N iterations each
 * (defaults 20000000 and 10; reports=0 runs for ever).  "-- ms=M
 * reports=R" reports every M ms of system time instead, reading the clock
 * from shared_info (no hypercall) between runs of 100000 iterations: a
 * test that orders the worker against a sleeper then compares two
 * durations on the guest's own clock, not a count against the host's
 * speed.  Ends SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long every = cmdline_uint("every", 20000000), reports = cmdline_uint("reports", 10);
    unsigned long ms = cmdline_uint("ms", 0);
    uint64_t start = time_now_ns();
    volatile uint32_t sink = 0;

    (void)si;
    if (ms)
        printf("worker: %lu reports every %lu ms; never yields\n", reports, ms);
    else
        printf("worker: %lu reports of %lu iterations; never yields\n", reports, every);
    for (unsigned long r = 1; !reports || r <= reports; r++) {
        if (ms) {
            while (time_now_ns() - start < (uint64_t)r * ms * NS_PER_MS)
                for (unsigned long i = 0; i < 100000; i++)
                    sink++;
        } else {
            for (unsigned long i = 0; i < every; i++)
                sink++;
        }
        printf("worker: progress %lu/%lu at %llu ms\n", r, reports,
               (time_now_ns() - start) / NS_PER_MS);
    }
    test_pass();
    xtf_exit();
}
