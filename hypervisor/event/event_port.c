/*
 * event_port.c - the bookkeeping of event channels: which port is what.
 *
 * Every domain has up to 1024 ports (the 2-level ABI of a 32-bit guest:
 * 32 words of 32 pending bits in shared_info).  A port is in one state of
 * Xen's small machine:
 *
 *     FREE --alloc_unbound(R)--> UNBOUND(R) --R binds to it--> INTERDOMAIN(R, R's port)
 *     FREE --bind_virq(v)------> VIRQ(v)
 *     FREE --bind_ipi----------> IPI
 *     any of these --close--> FREE
 *
 * An interdomain channel is two ports, one in each domain, naming each
 * other; closing either end puts the other back to UNBOUND, still waiting
 * for the same domain, so the survivor's port number stays meaningful.
 * Port 0 is reserved and never handed out.
 *
 * This file is pure: no shared_info, no scheduling, no guest memory, so it
 * is tested on the host (tests/unit/test_event.c).  It reaches another
 * domain's table only through event_table(), which the caller provides.
 * It must never trust a port or domain number: every one comes from a guest.
 */
#include "hypervisor/event/event_port.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"

static bool port_ok(uint32_t p)
{
    return p < EVTCHN_NR_PORTS;
}

/*
 * Port p of t, p already checked.  A domain that never bound a port has no
 * table yet (t is NULL): every port of it reads as closed.
 */
static const struct evtchn_port *port_of(const struct evtchn *t, uint32_t p)
{
    static const struct evtchn_port closed = { .state = ECS_FREE };
    return t ? &t->port[p] : &closed;
}

void event_port_init(struct evtchn *t)
{
    memset(t, 0, sizeof(*t));
    t->port[0].state = ECS_RESERVED;
    t->nr_vcpus = 1;                    /* event_table_alloc() says how many the domain has */
}

unsigned event_port_in_use(const struct evtchn *t)
{
    return t->in_use;
}

/* The lowest free port (never 0), or -ENOSPC: the table cannot grow. */
static int get_free_port(const struct evtchn *t)
{
    for (unsigned p = 1; p < EVTCHN_NR_PORTS; p++)
        if (t->port[p].state == ECS_FREE)
            return (int)p;
    return -ENOSPC;
}

/* Occupy free port p with state s. */
static struct evtchn_port *take(struct evtchn *t, int p, enum evtchn_state s)
{
    struct evtchn_port *e = &t->port[p];
    BUG_ON(e->state != ECS_FREE);
    *e = (struct evtchn_port){ .state = (uint8_t)s };
    t->in_use++;
    return e;
}

int event_port_alloc_unbound(struct evtchn *t, unsigned remote_dom)
{
    int p = get_free_port(t);
    if (p < 0)
        return p;
    take(t, p, ECS_UNBOUND)->remote_dom = (uint16_t)remote_dom;
    return p;
}

int event_port_alloc_unbound_top(struct evtchn *t, unsigned remote_dom)
{
    for (int p = EVTCHN_NR_PORTS - 1; p > 0; p--)
        if (t->port[p].state == ECS_FREE) {
            take(t, p, ECS_UNBOUND)->remote_dom = (uint16_t)remote_dom;
            return p;
        }
    return -ENOSPC;
}

/*
 * Connect a new port of t (domain self) to remote_port of remote_dom, which
 * must be UNBOUND and waiting for self.  As in Xen the local port is found
 * first, so a full table says -ENOSPC whatever the remote port is.
 */
int event_port_bind_interdomain(struct evtchn *t, unsigned self,
                                unsigned remote_dom, uint32_t remote_port)
{
    int p = get_free_port(t);
    if (p < 0)
        return p;
    struct evtchn *rt = event_table(remote_dom);
    if (!rt || !port_ok(remote_port))
        return -EINVAL;
    struct evtchn_port *r = &rt->port[remote_port];
    if (r->state != ECS_UNBOUND || r->remote_dom != self)
        return -EINVAL;
    struct evtchn_port *l = take(t, p, ECS_INTERDOMAIN);
    l->remote_dom = (uint16_t)remote_dom;
    l->remote_port = (uint16_t)remote_port;
    r->state = ECS_INTERDOMAIN;
    r->remote_dom = (uint16_t)self;
    r->remote_port = (uint16_t)p;
    return p;
}

bool virq_is_per_vcpu(uint32_t virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
           virq == VIRQ_XENPMU;
}

/* Xen's order of checks: the VIRQ, global-on-vCPU-0, the vCPU, already bound, space. */
int event_port_bind_virq(struct evtchn *t, uint32_t virq, uint32_t vcpu)
{
    if (virq >= NR_VIRQS)
        return -EINVAL;
    if (!virq_is_per_vcpu(virq) && vcpu != 0)
        return -EINVAL;
    if (vcpu >= t->nr_vcpus)
        return -ENOENT;                 /* no such vCPU (Xen's domain_vcpu()) */
    if (t->virq_to_port[vcpu][virq])
        return -EEXIST;
    int p = get_free_port(t);
    if (p < 0)
        return p;
    struct evtchn_port *e = take(t, p, ECS_VIRQ);
    e->virq = (uint8_t)virq;
    e->notify_vcpu = vcpu & 0xf;
    t->virq_to_port[vcpu][virq] = (uint16_t)p;
    return p;
}

/* A port whose send raises itself on vCPU vcpu of the same domain: the PV IPI. */
int event_port_bind_ipi(struct evtchn *t, uint32_t vcpu)
{
    if (vcpu >= t->nr_vcpus)
        return -ENOENT;
    int p = get_free_port(t);
    if (p < 0)
        return p;
    take(t, p, ECS_IPI)->notify_vcpu = vcpu & 0xf;
    return p;
}

int event_port_close(struct evtchn *t, unsigned self, uint32_t p,
                     unsigned *peer_dom, uint32_t *peer_port)
{
    *peer_dom = 0;
    *peer_port = 0;
    if (!port_ok(p))
        return -EINVAL;
    uint8_t state = port_of(t, p)->state;
    if (state == ECS_FREE || state == ECS_RESERVED)
        return -EINVAL;
    struct evtchn_port *e = &t->port[p];        /* in use, so t exists */
    switch (state) {
    case ECS_VIRQ:
        t->virq_to_port[virq_is_per_vcpu(e->virq) ? e->notify_vcpu : 0][e->virq] = 0;
        break;
    case ECS_INTERDOMAIN: {
        /* The other end must name us back: a broken link is our bug. */
        struct evtchn *rt = event_table(e->remote_dom);
        BUG_ON(!rt);
        struct evtchn_port *r = &rt->port[e->remote_port];
        BUG_ON(r->state != ECS_INTERDOMAIN || r->remote_dom != self || r->remote_port != p);
        r->state = ECS_UNBOUND;         /* waiting for us again; remote_dom stays */
        r->remote_port = 0;
        *peer_dom = e->remote_dom;
        *peer_port = e->remote_port;
        break;
    }
    default:                            /* UNBOUND, IPI: nothing else refers to them */
        break;
    }
    *e = (struct evtchn_port){ .state = ECS_FREE };
    t->in_use--;
    return 0;
}

int event_port_send_target(const struct evtchn *t, unsigned self, uint32_t p,
                           unsigned *dom, uint32_t *port)
{
    if (!port_ok(p))
        return -EINVAL;
    const struct evtchn_port *e = port_of(t, p);
    switch (e->state) {
    case ECS_INTERDOMAIN:
        *dom = e->remote_dom;
        *port = e->remote_port;
        return 1;
    case ECS_IPI:
        *dom = self;
        *port = p;
        return 1;
    case ECS_UNBOUND:                   /* Xen silently drops it, unless ring 0 is the peer */
        return e->remote_dom == DOMID_XEN ? EVTCHN_TO_XEN : 0;
    default:                            /* FREE, RESERVED, VIRQ */
        return -EINVAL;
    }
}

int event_port_status(const struct evtchn *t, uint32_t p, struct xen_evtchn_status *st)
{
    if (!port_ok(p))
        return -EINVAL;
    const struct evtchn_port *e = port_of(t, p);
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = e->notify_vcpu;
    switch (e->state) {
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = e->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = e->remote_dom;
        st->u.interdomain.port = e->remote_port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = e->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:                            /* FREE, RESERVED */
        st->status = EVTCHNSTAT_closed;
        break;
    }
    return 0;
}

/* Xen's evtchn_bind_vcpu(): the vCPU first, then the port; a per-vCPU VIRQ or an IPI stays where it is. */
int event_port_bind_vcpu(struct evtchn *t, uint32_t p, uint32_t vcpu)
{
    if (vcpu >= (t ? t->nr_vcpus : 1))
        return -ENOENT;
    if (!port_ok(p))
        return -EINVAL;
    const struct evtchn_port *e = port_of(t, p);
    switch (e->state) {
    case ECS_VIRQ:
        if (virq_is_per_vcpu(e->virq))
            return -EINVAL;
        break;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
        break;
    default:                            /* FREE, RESERVED, IPI */
        return -EINVAL;
    }
    t->port[p].notify_vcpu = vcpu & 0xf;   /* in use, so t exists */
    return 0;
}
