/*
 * console_ring.c - the console backend for every domain but the initial one.
 *
 * Xen gives each domU a console ring page (struct xencons_interface): the
 * guest writes its text into out[] and notifies; a backend (xenconsoled
 * in dom0) copies it out and puts typed input into in[].  Here that
 * backend is the hypervisor, for the reasons in docs/sharing.md ("Consoles
 * on rings"): the physical console, its input switch and the halt lines
 * are already the hypervisor's.  Output goes through the same per-domain
 * line assembly as console_io (console_domain_write), so a ring line is an
 * ordinary "(dN) " line.  Input typed for the domain (Ctrl-A x3 in
 * console_input.c) waits in that domain's input queue, and moves into in[]
 * as space allows: on arrival, and again on each notify - but only once
 * the domain has notified its console port at least once, the sign that
 * it drives the ring (xenconsoled likewise waits for a guest to connect).
 * Until then the queue is there for CONSOLEIO_read, so a domU written for
 * console_io alone (our echo and shell guests) still reads its input.
 *
 * Every index in the page is the guest's to scribble on.  Each is read
 * once; a ring whose producer and consumer are more than a ring apart is
 * left alone, as xenconsoled leaves it; masking keeps every access inside
 * the ring.  So one notify copies at most one ring of output and one of
 * input.  The page is the domain's own, held with a writable type
 * reference (rings.c), so it is never a page table while we write it.
 */
#include "hypervisor/console/console_ring.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/console_input.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/io/console.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

#define CHUNK 128

bool console_ring_has(const struct domain *d)
{
    return !mfn_eq(d->console_mfn, INVALID_MFN) && d->console_connected;
}

/* out[cons..prod) to the console, at most one ring; true if anything moved. */
static bool copy_out(struct domain *d, volatile struct xen_xencons_interface *c)
{
    uint32_t cons = c->out_cons, prod = c->out_prod;    /* read once */
    barrier();
    if (prod == cons || prod - cons > sizeof(c->out))
        return false;
    char buf[CHUNK];
    for (uint32_t at = cons; at != prod;) {
        uint32_t n = 0;
        for (; n < CHUNK && at != prod; n++, at++)
            buf[n] = c->out[MASK_XENCONS_IDX(at, c->out)];
        console_domain_write(d->id, buf, n);
    }
    barrier();
    c->out_cons = prod;
    return true;
}

/* Waiting input into in[], as much as fits; true if anything moved. */
static bool copy_in(struct domain *d, volatile struct xen_xencons_interface *c)
{
    uint32_t cons = c->in_cons, prod = c->in_prod;      /* read once */
    barrier();
    if (prod - cons > sizeof(c->in))
        return false;
    char buf[CHUNK];
    size_t n = console_input_peek(d, buf, MIN(sizeof(buf), sizeof(c->in) - (prod - cons)));
    for (size_t i = 0; i < n; i++)
        c->in[MASK_XENCONS_IDX(prod + i, c->in)] = buf[i];
    barrier();
    c->in_prod = prod + (uint32_t)n;
    console_input_consume(d, n);
    return n != 0;
}

/* Both directions; the guest hears about it on its console port. */
static void service(struct domain *d, bool out)
{
    if (!console_ring_has(d))
        return;
    volatile struct xen_xencons_interface *c = map_domain_page(d->console_mfn);
    bool moved = out && copy_out(d, c);
    moved |= copy_in(d, c);
    unmap_domain_page((const void *)c);
    if (moved)
        rings_kick(d, d->console_port);
}

void console_ring_notify(struct domain *d)
{
    d->console_connected = true;
    service(d, true);
}

void console_ring_input(struct domain *d)
{
    service(d, false);
}
