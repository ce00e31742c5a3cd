/*
 * xs-hostile - a guest that scribbles on its own xenstore ring's indexes.
 *
 * Booted as "-- main=M" beside xs-basic (M).  It offers M an event
 * channel (port number in its node "port", made readable to all), waits
 * for M's go, then writes impossible values into every index of its store
 * page - the producer index more than a ring ahead, the consumer indexes
 * arbitrary - and notifies xenstored.  xenstored must drop this one
 * connection and go on serving M; the test checks both on the console.
 * It then tells M it is done, and stays (scribbled) until M says it has
 * used xenstore again, so xenstored meets the broken ring while it lives.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/xenbus.h"

static void clear_pending(xen_evtchn_port_t p)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[p / 32], ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned main_dom = (unsigned)cmdline_uint("main", 0);
    char self[16], value[16], perms[24];
    long port;
    xen_evtchn_port_t p;
    struct xen_sched_poll poll = { .nr_ports = 1 };

    traps_init();
    if (!xenbus_test_ready())
        xtf_exit();
    check(xs_read(0, "domid", self, sizeof(self)) > 0, 1, "our domid (%s)", self);
    port = evtchn_alloc_unbound(main_dom);
    check(port > 0, 1, "a port for d%u", main_dom);
    snprintf(value, sizeof(value), "%ld", port);
    check(xs_write(0, "port", value), 0, "write port");
    int n = snprintf(perms, sizeof(perms), "r%s", self) + 1;   /* everyone may read */
    check(xs_set_perms(0, "port", perms, (size_t)n), 0, "open port to all");
    p = (xen_evtchn_port_t)port;
    set_xen_guest_handle(poll.ports, &p);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);        /* M's go */
    clear_pending(p);

    volatile struct xen_xenstore_domain_interface *page = xenbus_page();
    page->req_prod = page->req_cons + 5000;          /* more than a ring ahead */
    page->rsp_cons = page->rsp_prod + 77;            /* consumed what was never produced */
    page->req_cons = 0xdeadbeefu;                    /* xenstored's own index */
    evtchn_send(si->store_evtchn);
    printf("scribbled: req_prod 0x%x rsp_cons 0x%x\n", page->req_prod, page->rsp_cons);
    evtchn_send(p);                                  /* tell M */
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);        /* stay, scribbled, until M is done */
    printf("d%u is done\n", main_dom);
    test_pass();
    xtf_exit();
}
