/*
 * rings.c - the connect phase: each domain's store and console rings.
 *
 * Xen's toolstack gives every new domain two shared pages before it runs:
 * a store page for talking to xenstored, and a console ring for its text,
 * each with an event channel, and names them in start_info.  Here the
 * builder has already reserved the two pages after start_info in every
 * domain (builder.c); once all modules are built, this file connects them
 * to the services this boot has (docs/sharing.md):
 *   - store: only when a xenstored service domain exists.  The port in d
 *     is unbound, waiting for xenstored, which binds it when the
 *     hypervisor introduces d (toolstack.c); grant entry 1 lets xenstored
 *     map the page.  xenstored's own store page is the hypervisor's
 *     connection to it, so its port waits for DOMID_XEN instead;
 *   - console: every domain but an initial one, whose output stays on
 *     console_io as in Xen.  The backend is the hypervisor
 *     (console/console_ring.c), so the port waits for DOMID_XEN and grant
 *     entry 0 names DOMID_XEN, which no domain can map as.
 * A port waiting for DOMID_XEN can never be bound by a domain; a send on
 * it comes here (rings_notify).  The hypervisor holds a writable type
 * reference on each connected page, so the guest can neither give the
 * frame back nor make it a page table while ring 0 writes into it.
 */
#include "hypervisor/share/rings.h"
#include "hypervisor/share/grant.h"
#include "hypervisor/share/toolstack.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/console_ring.h"
#include "hypervisor/event/event.h"
#include "hypervisor/event/event_port.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/grant_table.h"
#include "hypercalls/public/sched.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/paging.h"

static struct domain *xenstored;    /* the xenstore service, once connected */

struct domain *rings_xenstored(void)
{
    return xenstored && xenstored->state == DOMAIN_RUNNABLE ? xenstored : NULL;
}

/* A new unbound port of d for remote; 0 if d's port table cannot be made. */
static uint16_t new_port(struct domain *d, unsigned remote)
{
    struct evtchn *t = event_table_alloc(d);
    int p = t ? event_port_alloc_unbound_top(t, remote) : 0;
    return p > 0 ? (uint16_t)p : 0;
}

/* Ring page pfn of d, with the hypervisor's writable reference on it. */
static mfn_t take_page(struct domain *d, uint32_t pfn)
{
    mfn_t m = d->frames[pfn];
    BUG_ON(page_type_get(d, m, PGT_WRITABLE));   /* the builder's own data page */
    return m;
}

/* dom.disk=1: the vbd's backend is the first blkback service (Xen's xl names one). */
static void find_disk_backend(struct domain *d)
{
    for (unsigned i = 0; i < nr_domains; i++)
        if (domains[i]->state == DOMAIN_RUNNABLE && domains[i]->service == SERVICE_BLKBACK) {
            d->disk_backend = (uint16_t)domains[i]->id;
            return;
        }
    d->disk = false;
    hvlog("warning: d%u: dom.disk=1 but no blkback service: no disk\n", d->id);
}

static void connect_store(struct domain *d)
{
    bool own = d == xenstored;          /* the toolstack's connection */
    d->store_port = new_port(d, own ? DOMID_XEN : xenstored->id);
    if (!d->store_port)
        return;
    d->store_mfn = take_page(d, d->store_pfn);
    if (own)
        return;
    grant_builder_set(d, GNTTAB_RESERVED_XENSTORE, (domid_t)xenstored->id, d->store_mfn, false);
    if (d->disk)
        find_disk_backend(d);
    if (d->service != SERVICE_XENSTORE)
        toolstack_start(d);             /* guests and driver domains (blkback) alike */
}

static void connect_console(struct domain *d)
{
    d->console_port = new_port(d, DOMID_XEN);
    if (!d->console_port)
        return;
    d->console_mfn = take_page(d, d->store_pfn + 1);
    grant_builder_set(d, GNTTAB_RESERVED_CONSOLE, DOMID_XEN, d->console_mfn, false);
}

/* What the guest finds: store_mfn 0 and no console.domU without the ring. */
static void fill_start_info(struct domain *d)
{
    struct xen_start_info *si = domain_map_pfn(d, d->start_info_pfn);
    if (!mfn_eq(d->store_mfn, INVALID_MFN)) {
        si->store_mfn = mfn_x(d->store_mfn);
        si->store_evtchn = d->store_port;
    }
    if (!mfn_eq(d->console_mfn, INVALID_MFN)) {
        si->console.domU.mfn = mfn_x(d->console_mfn);
        si->console.domU.evtchn = d->console_port;
    }                                   /* an initial domain's console.dom0: no VGA info */
    unmap_domain_page(si);
}

void rings_connect(void)
{
    for (unsigned i = 0; i < nr_domains && !xenstored; i++)
        if (domains[i]->state == DOMAIN_RUNNABLE && domains[i]->service == SERVICE_XENSTORE)
            xenstored = domains[i];
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->state != DOMAIN_RUNNABLE)
            continue;
        if (d->service == SERVICE_XENSTORE && d != xenstored)
            hvlog("warning: d%u: a second xenstored service; only d%u is used\n",
                  d->id, xenstored->id);
        if (xenstored)
            connect_store(d);
        if (!d->initdomain)
            connect_console(d);
        fill_start_info(d);
        rings_show(d);
    }
    toolstack_pump();
}

void rings_show(const struct domain *d)
{
    char store[40] = "none", console[40] = "none (console_io)";
    if (!mfn_eq(d->store_mfn, INVALID_MFN))
        snprintf(store, sizeof(store), "mfn 0x%x port %u", mfn_x(d->store_mfn), d->store_port);
    if (!mfn_eq(d->console_mfn, INVALID_MFN))
        snprintf(console, sizeof(console), "mfn 0x%x port %u", mfn_x(d->console_mfn),
                 d->console_port);
    hvlog("d%u rings: store %s, console %s\n", d->id, store, console);
}

void rings_notify(struct domain *d, uint32_t port)
{
    if (port == d->console_port && !mfn_eq(d->console_mfn, INVALID_MFN))
        console_ring_notify(d);
    else if (d == xenstored && port == d->store_port)
        toolstack_pump();
    /* any other port a guest made for DOMID_XEN has nobody behind it */
}

void rings_kick(struct domain *d, uint16_t port)
{
    const struct evtchn_port *e = d->evtchn ? &d->evtchn->port[port] : NULL;
    if (e && port && e->state == ECS_UNBOUND && e->remote_dom == DOMID_XEN)
        event_set_pending(d, port);
}

static void put_page(struct domain *d, mfn_t *m)
{
    if (mfn_eq(*m, INVALID_MFN))
        return;
    page_type_put(d, *m);
    *m = INVALID_MFN;
}

void rings_domain_dies(struct domain *d)
{
    put_page(d, &d->store_mfn);
    put_page(d, &d->console_mfn);
    if (d == xenstored)
        xenstored = NULL;               /* the toolstack's connection ends with it */
    else
        toolstack_release(d);
}

void rings_stop_services(void)
{
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->state != DOMAIN_RUNNABLE || !d->service)
            continue;
        console_domain_flush(d->id);
        hvlog("d%u stopped: service, no guest left\n", d->id);
        snprintf(d->end_reason, sizeof(d->end_reason), "stopped: service, no guest left");
        d->state = DOMAIN_SHUTDOWN;
        d->shutdown_reason = SHUTDOWN_poweroff;
        domain_destroy(d);
    }
}
