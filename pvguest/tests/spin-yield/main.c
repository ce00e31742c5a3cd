/*
 * spin-yield - print "tick i" N times, yielding the CPU in between.
 *
 * For the multi-domain tests: several of these run side by side, and each
 * SCHEDOP_yield should let another domain run, so their "(dN) tick i" lines
 * interleave on the console.  N comes from the command line ("-- n=10"),
 * default 5; ticks count from 1 to N.  Every yield must return 0.  Ends
 * with SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long n = cmdline_uint("n", 5);
    long rc;

    (void)si;
    for (unsigned long i = 1; i <= n; i++) {
        printf("tick %lu\n", i);
        rc = HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        if (rc)
            test_fail("SCHEDOP_yield returned %ld at tick %lu", rc, i);
    }
    test_pass();
    xtf_exit();
}
