/*
 * event.c - event channels at work: pending bits, upcalls, wake-ups, death.
 *
 * An event is one bit.  Raising port p of domain d is Xen's 2-level
 * set_pending, on d's shared_info page:
 *
 *     1. set bit p of evtchn_pending; if it was already set, stop: events merge;
 *     2. if bit p of evtchn_mask is clear, and bit p/32 of vcpu_info's
 *        evtchn_pending_sel was clear: set it, and set evtchn_upcall_pending;
 *     3. if d waits (SCHEDOP_block, or SCHEDOP_poll on p), wake it.
 *
 * The upcall itself happens later, on d's next return to the guest, when
 * evtchn_upcall_mask (its virtual interrupt flag) is clear (trap.c).  The
 * guest walks pending_sel, then pending & ~mask, clearing what it handles.
 *
 * Which port is connected to what is event_port.c's business (pure, and
 * host-tested).  This file owns the rest: each domain's table (two
 * directmapped frames, made on first use, freed at death), the shared_info
 * bits, and a dying domain's ports.  When a domain dies its interdomain
 * peers' ports go back to UNBOUND, as in Xen; we also set them pending,
 * because without xenstore nothing else would tell a peer that is blocked
 * waiting for its next message: it wakes, sees the port's new status, and
 * does not hang.  It must never map or read guest memory other than the
 * shared_info page, and never trust a port or domain number from a guest.
 */
#include "hypervisor/event/event.h"
#include "hypervisor/event/event_port.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/trace.h"
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/lib.h"
#include "hypervisor/mm/frame.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/paging.h"

#define TABLE_PAGES ((sizeof(struct evtchn) + PAGE_SIZE - 1) / PAGE_SIZE)
_Static_assert(TABLE_PAGES == 2, "a port table is two pages");

struct evtchn *event_table(unsigned domid)
{
    return domid < nr_domains ? domains[domid]->evtchn : NULL;
}

struct domain *event_domain(unsigned domid)
{
    if (domid >= nr_domains || domains[domid]->state != DOMAIN_RUNNABLE)
        return NULL;
    return domains[domid];
}

struct evtchn *event_table_alloc(struct domain *d)
{
    if (d->evtchn)
        return d->evtchn;
    mfn_t m = frame_alloc_low_range(TABLE_PAGES);
    if (mfn_eq(m, INVALID_MFN))
        return NULL;
    d->evtchn = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    event_port_init(d->evtchn);
    d->evtchn->nr_vcpus = d->nr_vcpus;
    return d->evtchn;
}

unsigned event_ports_in_use(const struct domain *d)
{
    return d->evtchn ? event_port_in_use(d->evtchn) : 0;
}

static struct xen_shared_info *shared_info_of(struct domain *d)
{
    BUG_ON(mfn_eq(d->shared_info, INVALID_MFN));
    return domain_shared_info(d);
}

bool event_should_wake(struct domain *d)
{
    struct xen_vcpu_info *vi = vcpu_info0(d);
    return vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

void event_enable_delivery(struct domain *d)
{
    vcpu_info0(d)->evtchn_upcall_mask = 0;
}

/* Is d in SCHEDOP_poll, waiting for port? */
static bool polls(const struct domain *d, uint32_t port)
{
    return d->blocked && d->poll_nr && d->evtchn &&
           (d->evtchn->polled[port / 32] & (1u << (port % 32)));
}

void event_poll_clear(struct domain *d)
{
    d->poll_nr = 0;
    d->poll_deadline_ns = 0;
    if (d->evtchn)
        memset(d->evtchn->polled, 0, sizeof(d->evtchn->polled));
}

/* Without a table no port of d can ever be raised: nothing to watch. */
void event_poll_watch(struct domain *d, uint32_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    if (d->evtchn)
        d->evtchn->polled[port / 32] |= 1u << (port % 32);
}

/*
 * The vCPU a port notifies, loaded for the bits of its vcpu_info and its
 * wake-up (vcpu_load.h); vcpu_load(d, the returned number) puts the old
 * one back.  A domain with no table has no bound port: vCPU 0.
 */
static unsigned load_notified(struct domain *d, uint32_t port)
{
    return vcpu_load(d, d->evtchn ? d->evtchn->port[port].notify_vcpu : 0);
}

/* Steps 1-3 of the top of this file, on the loaded vCPU: the one port notifies. */
static void set_pending(struct domain *d, uint32_t port)
{
    uint32_t word = port / 32, bit = 1u << (port % 32);
    struct xen_shared_info *si = shared_info_of(d);
    struct xen_vcpu_info *vi = vcpu_info0(d);
    bool fresh = !(si->evtchn_pending[word] & bit);
    si->evtchn_pending[word] |= bit;
    if (fresh && !(si->evtchn_mask[word] & bit) && !(vi->evtchn_pending_sel & (1u << word))) {
        vi->evtchn_pending_sel |= 1u << word;
        vi->evtchn_upcall_pending = 1;
    }
    if (d->blocked && (event_should_wake(d) || polls(d, port))) {
        event_poll_clear(d);            /* a wake-up ends any poll */
        sched_wake(d);
    }
}

void event_set_pending(struct domain *d, uint32_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    unsigned was = load_notified(d, port);
    set_pending(d, port);
    vcpu_load(d, was);
}

bool event_is_pending(struct domain *d, uint32_t port)
{
    BUG_ON(port >= EVTCHN_NR_PORTS);
    struct xen_shared_info *si = shared_info_of(d);
    bool pending = si->evtchn_pending[port / 32] & (1u << (port % 32));
    return pending;
}

/* Xen's 2-level unmask: only a port that was masked and is pending raises an upcall. */
int event_unmask(struct domain *d, uint32_t port)
{
    if (port >= EVTCHN_NR_PORTS)
        return -EINVAL;
    uint32_t word = port / 32, bit = 1u << (port % 32);
    struct xen_shared_info *si = shared_info_of(d);
    unsigned was = load_notified(d, port);   /* the port's vCPU gets the upcall (and a wake, as Xen's kick) */
    struct xen_vcpu_info *vi = vcpu_info0(d);
    bool was_masked = si->evtchn_mask[word] & bit;
    si->evtchn_mask[word] &= ~bit;
    if (was_masked && (si->evtchn_pending[word] & bit) &&
        !(vi->evtchn_pending_sel & (1u << word))) {
        vi->evtchn_pending_sel |= 1u << word;
        vi->evtchn_upcall_pending = 1;
    }
    if (d->blocked && event_should_wake(d)) {
        event_poll_clear(d);
        sched_wake(d);
    }
    vcpu_load(d, was);
    return 0;
}

int event_close(struct domain *d, uint32_t port)
{
    unsigned peer_dom;
    uint32_t peer_port;
    int rc = event_port_close(d->evtchn, d->id, port, &peer_dom, &peer_port);
    if (rc)
        return rc;
    /* A stale pending bit would fire when the port number is reused. */
    struct xen_shared_info *si = shared_info_of(d);
    si->evtchn_pending[port / 32] &= ~(1u << (port % 32));
    return 0;
}

int event_send(struct domain *d, uint32_t port)
{
    unsigned dom;
    uint32_t target;
    int rc = event_port_send_target(d->evtchn, d->id, port, &dom, &target);
    if (rc == EVTCHN_TO_XEN) {
        rings_notify(d, port);          /* the hypervisor is this port's peer */
        return 0;
    }
    if (rc <= 0)
        return rc;
    BUG_ON(dom >= nr_domains);          /* the port names a domain that has a table */
    struct domain *to = domains[dom];
    if (to->state == DOMAIN_RUNNABLE) { /* not ourselves, shut down a moment ago */
        TRACE(TRACE_EVENT, to, target, d->id);
        event_set_pending(to, target);
    }
    return 0;
}

void event_send_virq(struct domain *d, unsigned virq)
{
    if (virq >= NR_VIRQS || d->state != DOMAIN_RUNNABLE || !d->evtchn)
        return;
    uint16_t port = d->evtchn->virq_to_port[virq_is_per_vcpu(virq) ? d->vcpu_id : 0][virq];   /* the loaded vCPU's own */
    if (port) {
        TRACE(TRACE_EVENT, d, port, TRACE_FROM_HV);
        event_set_pending(d, port);
    }
}

void event_domain_dies(struct domain *d)
{
    struct evtchn *t = d->evtchn;
    event_poll_clear(d);
    if (!t)
        return;
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++) {
        unsigned peer_dom;
        uint32_t peer_port;
        if (t->port[p].state == ECS_FREE || event_port_close(t, d->id, p, &peer_dom, &peer_port))
            continue;
        struct domain *peer = peer_dom != d->id ? event_domain(peer_dom) : NULL;
        if (peer_port && peer) {
            TRACE(TRACE_EVENT, peer, peer_port, TRACE_FROM_HV);
            event_set_pending(peer, peer_port);     /* wake it to see the port unbound */
        }
    }
    BUG_ON(t->in_use);
    d->evtchn = NULL;
    uint32_t first = (uint32_t)(directmap_pa(t) >> PAGE_SHIFT);
    for (uint32_t i = 0; i < TABLE_PAGES; i++)
        frame_free(_mfn(first + i));
}
