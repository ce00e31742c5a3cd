/* event_port.h - a domain's event-channel port table and its state machine (event_port.c). */
#ifndef HV_EVENT_PORT_H
#define HV_EVENT_PORT_H
#include "hypervisor/types.h"
#include "hypercalls/public/event_channel.h"
#include "hypervisor/domain/policy.h"

/*
 * What a port is (Xen's ECS_*).  Port 0 is RESERVED from the start and is
 * never handed out, so "port 0" can mean "none" everywhere, as in Xen.
 */
enum evtchn_state {
    ECS_FREE,             /* closed: may be allocated */
    ECS_RESERVED,         /* port 0 */
    ECS_UNBOUND,          /* alloc_unbound: waiting for remote_dom to bind */
    ECS_INTERDOMAIN,      /* connected to (remote_dom, remote_port) */
    ECS_VIRQ,             /* bound to virtual IRQ `virq` */
    ECS_IPI,              /* bound to a vCPU of the domain itself (notify_vcpu) */
};

struct evtchn_port {
    uint8_t state : 4;    /* enum evtchn_state */
    uint8_t notify_vcpu : 4;  /* the vCPU it raises upcalls on (bind_*, bind_vcpu); < MAX_VCPUS */
    uint8_t virq;         /* ECS_VIRQ: which VIRQ_* */
    uint16_t remote_dom;  /* UNBOUND: who may bind; INTERDOMAIN: the peer */
    uint16_t remote_port; /* INTERDOMAIN: the peer's port */
};

_Static_assert(MAX_VCPUS <= 16, "notify_vcpu holds a vCPU number in 4 bits");

#define EVTCHN_NR_PORTS  EVTCHN_2L_NR_CHANNELS      /* 1024: the 2-level ABI, 32-bit guest */

/* A domain's port table: hypervisor memory, never visible to the guest. */
struct evtchn {
    struct evtchn_port port[EVTCHN_NR_PORTS];
    uint16_t virq_to_port[MAX_VCPUS][NR_VIRQS];     /* [vCPU][VIRQ]; global VIRQs in row 0; 0: not bound */
    uint8_t nr_vcpus;                               /* the domain's: vCPU numbers below it exist */
    uint32_t polled[EVTCHN_NR_PORTS / 32];          /* SCHEDOP_poll: the ports waited on */
    unsigned in_use;                                /* ports neither FREE nor RESERVED */
};

/* The table of domain `domid`, or NULL.  event.c provides it (the unit test its own). */
struct evtchn *event_table(unsigned domid);

/* Empty every port and reserve port 0. */
void event_port_init(struct evtchn *t);

/*
 * The state changes.  Every port number and domain id here is
 * guest-controlled and checked here: a port outside 0..1023 is -EINVAL.
 * A new port is always the lowest free one (so a peer can predict it), and
 * a full table is -ENOSPC, never an overflow.  self is t's own domain id.
 * Each returns the new port, or a negative Xen errno.
 */
int event_port_alloc_unbound(struct evtchn *t, unsigned remote_dom);
/*
 * The same from the top of the table: the builder's ring ports (rings.c),
 * so that a guest's own ports still start at 1, as our two-domain test
 * guests' conventions expect, whatever rings it was given.
 */
int event_port_alloc_unbound_top(struct evtchn *t, unsigned remote_dom);
int event_port_bind_interdomain(struct evtchn *t, unsigned self,
                                unsigned remote_dom, uint32_t remote_port);
/* Xen's per-vCPU VIRQs (VIRQ_TIMER...): each vCPU binds its own; the rest are global. */
bool virq_is_per_vcpu(uint32_t virq);
/* Each binds a new port to a vCPU below t->nr_vcpus (-ENOENT past it), as Xen's bind_virq/bind_ipi. */
int event_port_bind_virq(struct evtchn *t, uint32_t virq, uint32_t vcpu);
int event_port_bind_ipi(struct evtchn *t, uint32_t vcpu);

/*
 * Close port p of t.  An interdomain peer's end goes back to UNBOUND,
 * waiting for us again, as in Xen; *peer_dom and *peer_port name it (else
 * *peer_port is 0).  0, or -EINVAL for a bad, free or reserved port.
 */
int event_port_close(struct evtchn *t, unsigned self, uint32_t p,
                     unsigned *peer_dom, uint32_t *peer_port);

/*
 * Where does a send on port p go?  1: set (*dom, *port) pending; 0: drop
 * it (an unbound port, as Xen does); -EINVAL: not a port one can send on;
 * EVTCHN_TO_XEN: p is unbound with DOMID_XEN as its remote, the way the
 * builder makes the ports whose other end is the hypervisor itself (a
 * console ring, the toolstack's store ring): no domain can bind them.
 */
#define EVTCHN_TO_XEN 2
int event_port_send_target(const struct evtchn *t, unsigned self, uint32_t p,
                           unsigned *dom, uint32_t *port);

/* Fill st's OUT fields for port p (vcpu is always 0); 0 or -EINVAL. */
int event_port_status(const struct evtchn *t, uint32_t p, struct xen_evtchn_status *st);

/* EVTCHNOP_bind_vcpu: only vCPU 0 exists, so a change of nothing, checked as Xen checks it. */
int event_port_bind_vcpu(struct evtchn *t, uint32_t p, uint32_t vcpu);

/* Ports neither free nor reserved. */
unsigned event_port_in_use(const struct evtchn *t);
#endif
