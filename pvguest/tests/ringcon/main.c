/*
 * ringcon - what the builder gives a domain for its console and store.
 *
 * First it prints (through console_io) the start_info fields of the rings:
 * store_mfn, store_evtchn and console.domU, for the test to compare with
 * the hypervisor's "dN rings:" line.  An initial domain must have no
 * console ring (its console is console_io, and console.dom0 is there
 * instead); every other domain must have one: an mfn of its own inside
 * its initial mapping, with an event channel.  Then, through the ring:
 *   - LINES numbered lines, more bytes than the ring holds, so the ring
 *     wraps and the writer waits for room; each must arrive whole, in order;
 *   - with input=1 on its command line: "ready for input", then
 *     every line typed to it (Ctrl-A x3 routes input here) is said back as
 *     "ringcon: got <line>", until "quit".
 * With hostile=1 it first claims, through the ring's own indexes, more
 * output than the ring holds (out_prod 4096 past out_cons, over the bytes
 * "EVIL"): the backend must leave such a ring alone, print nothing, and
 * serve it again once the indexes are sane.
 * The verdict is printed through console_io, which still works for a domU.
 */
#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/io/console.h"

static void claim_too_much(const xen_start_info_t *si)
{
    volatile struct xen_xencons_interface *c =
        (volatile struct xen_xencons_interface *)mm_mfn_to_va(si->console.domU.mfn);
    uint32_t cons = c->out_cons;
    for (unsigned i = 0; i < 5; i++)
        c->out[(cons + i) % sizeof(c->out)] = "EVIL\n"[i];
    c->out_prod = cons + 4096;
    check_rc("notify with out_prod a ring too far", evtchn_send(si->console.domU.evtchn), 0);
    check_rc("the backend left out_cons alone", c->out_cons, cons);
    c->out_prod = cons;                 /* sane again: nothing waiting */
}

#define LINES 40

static void read_lines(void)
{
    char line[80], buf[32];
    unsigned len = 0;
    consring_printf("ringcon: ready for input\n");
    for (;;) {
        size_t n = consring_read_wait(buf, sizeof(buf));
        for (size_t i = 0; i < n; i++) {
            char c = buf[i];
            if (c != '\r' && c != '\n') {
                if (len < sizeof(line) - 1)
                    line[len++] = c;
                continue;
            }
            line[len] = '\0';
            if (!len)
                continue;
            consring_printf("ringcon: got %s\n", line);
            len = 0;
            if (!strcmp(line, "quit"))
                return;
        }
    }
}

void pvguest_main(const xen_start_info_t *si)
{
    bool initial = si->flags & SIF_INITDOMAIN;
    printf("ringcon: start_info store_mfn 0x%x store_evtchn %u console mfn 0x%x evtchn %u%s\n",
           (unsigned)si->store_mfn, si->store_evtchn, (unsigned)si->console.domU.mfn,
           si->console.domU.evtchn, initial ? " (initial domain)" : "");
    if (si->store_mfn)
        check_rc("store page is ours, in the initial mapping", mm_mfn_to_va(si->store_mfn) != 0, 1);
    if (initial) {
        check_rc("an initial domain has no console ring", consring_open(), 0);
        test_pass();
        xtf_exit();
    }
    if (!check_rc("console ring opened", consring_open(), 1))
        xtf_exit();
    if (cmdline_uint("hostile", 0))
        claim_too_much(si);
    for (unsigned i = 1; i <= LINES; i++)
        consring_printf("ringcon: ring line %u of %u, padded to wrap the ring ..........\n",
                        i, LINES);
    if (cmdline_uint("input", 0))
        read_lines();
    test_pass();
    xtf_exit();
}
