/*
 * wants-services - a test guest that asks for the service domains.
 *
 * PVGUEST_WANTS_SERVICES() puts a "ringone" note in this image, so
 * tools/run adds a xenstored after the guests by default.  The guest
 * checks that it then has what a Xen kernel would expect: a store page of
 * its own (start_info.store_mfn, in its initial mapping) and a port.
 */
#include "pvguest/lib/pvguest.h"

PVGUEST_WANTS_SERVICES();

void pvguest_main(const xen_start_info_t *si)
{
    printf("wants-services: store_mfn 0x%x store_evtchn %u\n",
           (unsigned)si->store_mfn, si->store_evtchn);
    check_rc("store_mfn is set", si->store_mfn != 0, 1);
    check_rc("store page is ours", si->store_mfn && mm_mfn_to_va(si->store_mfn) != 0, 1);
    check_rc("store_evtchn is set", si->store_evtchn != 0, 1);
    test_pass();
    xtf_exit();
}
