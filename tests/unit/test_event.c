/*
 * test_event.c - the event-channel port table (hypervisor/event/event_port.c) on the host.
 *
 * A little world of three domains' tables stands in for the hypervisor's
 * (event_table() below is the seam event_port.c calls).  Each group states
 * one rule of Xen's state machine: lowest-first allocation from port 1,
 * exhaustion at 1023 ports with -ENOSPC, who may bind to an unbound port,
 * what closing one end does to the other, where a send goes, what status
 * reports, and that no guest-chosen number reaches outside the table.
 */
#include "hypervisor/event/event_port.h"
#include "hypercalls/public/errno.h"
#include "tests/unit/check.h"
#include <stdlib.h>

#define NR_DOMS 3
static struct evtchn *world[NR_DOMS];

struct evtchn *event_table(unsigned domid)
{
    return domid < NR_DOMS ? world[domid] : NULL;
}

/* A fresh world: domains 0 and 1 have tables, domain 2 has none yet. */
static void fresh(void)
{
    for (unsigned i = 0; i < NR_DOMS; i++) {
        free(world[i]);
        world[i] = NULL;
    }
    for (unsigned i = 0; i < 2; i++) {
        world[i] = malloc(sizeof(struct evtchn));
        event_port_init(world[i]);
    }
}

static unsigned state(unsigned dom, uint32_t p)
{
    return world[dom]->port[p].state;
}

static void ports_are_lowest_first_from_1(void)
{
    fresh();
    CHECK(state(0, 0) == ECS_RESERVED);
    CHECK(event_port_alloc_unbound(world[0], 1) == 1);
    CHECK(event_port_bind_ipi(world[0], 0) == 2);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == 3);
    unsigned pd;
    uint32_t pp;
    CHECK(event_port_close(world[0], 0, 2, &pd, &pp) == 0 && pp == 0);
    CHECKF(event_port_alloc_unbound(world[0], 1) == 2, "a closed port is reused first");
    CHECK(event_port_in_use(world[0]) == 3);
}

static void exhaustion_is_enospc_at_1023_ports(void)
{
    fresh();
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++) {
        int got = event_port_bind_ipi(world[0], 0);
        if (got != (int)p) {
            CHECKF(got == (int)p, "port %u: got %d", p, got);
            return;
        }
    }
    CHECK(event_port_in_use(world[0]) == 1023);
    CHECK(event_port_bind_ipi(world[0], 0) == -ENOSPC);
    CHECK(event_port_alloc_unbound(world[0], 1) == -ENOSPC);
    CHECK(event_port_bind_virq(world[0], VIRQ_CONSOLE, 0) == -ENOSPC);
    CHECK(event_port_alloc_unbound(world[1], 0) == 1);
    CHECKF(event_port_bind_interdomain(world[0], 0, 1, 1) == -ENOSPC,
           "a full table is -ENOSPC before the remote port is looked at");
    CHECK(state(1, 1) == ECS_UNBOUND);
    unsigned pd;
    uint32_t pp;
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++)
        CHECK(event_port_close(world[0], 0, p, &pd, &pp) == 0);
    CHECK(event_port_in_use(world[0]) == 0);
    CHECK(event_port_bind_ipi(world[0], 0) == 1);
}

static void only_the_named_peer_binds_an_unbound_port(void)
{
    fresh();
    CHECK(event_port_alloc_unbound(world[1], 0) == 1);      /* d1 offers port 1 to d0 */
    CHECK(event_port_alloc_unbound(world[1], 1) == 2);      /* ... port 2 to itself */
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 2) == -EINVAL);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 3) == -EINVAL);      /* free */
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 0) == -EINVAL);      /* reserved */
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 1024) == -EINVAL);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 0xffffffffu) == -EINVAL);
    CHECK(event_port_bind_interdomain(world[0], 0, 2, 1) == -EINVAL);      /* no table */
    CHECK(event_port_bind_interdomain(world[0], 0, 99, 1) == -EINVAL);
    CHECK(event_port_in_use(world[0]) == 0);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 1) == 1);
    CHECK(state(0, 1) == ECS_INTERDOMAIN && state(1, 1) == ECS_INTERDOMAIN);
    CHECK(world[0]->port[1].remote_dom == 1 && world[0]->port[1].remote_port == 1);
    CHECK(world[1]->port[1].remote_dom == 0 && world[1]->port[1].remote_port == 1);
    CHECKF(event_port_bind_interdomain(world[0], 0, 1, 1) == -EINVAL, "bound twice");
    /* Loopback: d1 binds to its own port 2. */
    CHECK(event_port_bind_interdomain(world[1], 1, 1, 2) == 3);
    CHECK(world[1]->port[2].remote_port == 3 && world[1]->port[3].remote_port == 2);
}

static void closing_one_end_leaves_the_other_unbound(void)
{
    fresh();
    unsigned pd;
    uint32_t pp;
    CHECK(event_port_alloc_unbound(world[1], 0) == 1);
    CHECK(event_port_bind_ipi(world[0], 0) == 1);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 1) == 2);
    CHECK(event_port_close(world[0], 0, 2, &pd, &pp) == 0);
    CHECKF(pd == 1 && pp == 1, "peer d%u port %u", pd, pp);
    CHECK(state(0, 2) == ECS_FREE);
    CHECK(state(1, 1) == ECS_UNBOUND && world[1]->port[1].remote_dom == 0);
    CHECKF(event_port_bind_interdomain(world[0], 0, 1, 1) == 2, "it can be bound again");
    CHECK(event_port_close(world[1], 1, 1, &pd, &pp) == 0 && pd == 0 && pp == 2);
    CHECK(state(0, 2) == ECS_UNBOUND && world[0]->port[2].remote_dom == 1);
    CHECK(event_port_close(world[0], 0, 2, &pd, &pp) == 0 && pp == 0);
    CHECK(event_port_close(world[0], 0, 2, &pd, &pp) == -EINVAL);          /* already free */
    CHECK(event_port_close(world[0], 0, 0, &pd, &pp) == -EINVAL);          /* reserved */
    CHECK(event_port_close(world[0], 0, 1024, &pd, &pp) == -EINVAL);
    CHECK(event_port_close(world[0], 0, 0x80000000u, &pd, &pp) == -EINVAL);
    CHECK(event_port_close(NULL, 2, 5, &pd, &pp) == -EINVAL);              /* no table */
}

static void virqs_bind_once_on_vcpu_0(void)
{
    fresh();
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == 1);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == -EEXIST);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 1) == -ENOENT);     /* per vCPU: no vCPU 1 */
    CHECK(event_port_bind_virq(world[0], VIRQ_CONSOLE, 1) == -EINVAL);   /* global: vCPU 0 only */
    CHECK(event_port_bind_virq(world[0], NR_VIRQS, 0) == -EINVAL);
    CHECK(event_port_bind_virq(world[0], 0xffffffffu, 0) == -EINVAL);
    CHECK(event_port_bind_virq(world[0], VIRQ_CONSOLE, 0) == 2);
    CHECK(world[0]->virq_to_port[0][VIRQ_TIMER] == 1 && world[0]->virq_to_port[0][VIRQ_CONSOLE] == 2);
    unsigned pd;
    uint32_t pp;
    CHECK(event_port_close(world[0], 0, 1, &pd, &pp) == 0);
    CHECK(world[0]->virq_to_port[0][VIRQ_TIMER] == 0);
    CHECKF(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == 1, "bindable again after close");
    CHECK(event_port_bind_ipi(world[0], 1) == -ENOENT);
}

static void sends_go_to_the_peer_or_to_ourselves(void)
{
    fresh();
    unsigned dom = 99;
    uint32_t port = 99;
    CHECK(event_port_alloc_unbound(world[1], 0) == 1);
    CHECK(event_port_bind_ipi(world[0], 0) == 1);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 1) == 2);
    CHECK(event_port_bind_virq(world[0], VIRQ_DEBUG, 0) == 3);
    CHECK(event_port_alloc_unbound(world[0], 1) == 4);
    CHECK(event_port_send_target(world[0], 0, 2, &dom, &port) == 1 && dom == 1 && port == 1);
    CHECK(event_port_send_target(world[1], 1, 1, &dom, &port) == 1 && dom == 0 && port == 2);
    CHECK(event_port_send_target(world[0], 0, 1, &dom, &port) == 1 && dom == 0 && port == 1);
    CHECKF(event_port_send_target(world[0], 0, 4, &dom, &port) == 0, "unbound: dropped");
    CHECK(event_port_send_target(world[0], 0, 3, &dom, &port) == -EINVAL);   /* VIRQ */
    CHECKF(event_port_alloc_unbound_top(world[1], DOMID_XEN) == 1023, "the builder's: from the top");
    CHECK(event_port_alloc_unbound_top(world[1], DOMID_XEN) == 1022);
    CHECK(event_port_alloc_unbound(world[1], 0) == 2);
    CHECK(event_port_alloc_unbound(world[0], DOMID_XEN) == 5);
    CHECKF(event_port_send_target(world[0], 0, 5, &dom, &port) == EVTCHN_TO_XEN,
           "unbound for DOMID_XEN: the hypervisor is the peer");
    CHECKF(event_port_bind_interdomain(world[1], 1, 0, 5) == -EINVAL, "no domain binds it");
    CHECK(event_port_close(world[0], 0, 5, &dom, &port) == 0);
    CHECK(event_port_send_target(world[0], 0, 5, &dom, &port) == -EINVAL);   /* free */
    CHECK(event_port_send_target(world[0], 0, 0, &dom, &port) == -EINVAL);
    CHECK(event_port_send_target(world[0], 0, 1024, &dom, &port) == -EINVAL);
    CHECK(event_port_send_target(NULL, 2, 1, &dom, &port) == -EINVAL);
}

static void status_reports_each_state(void)
{
    fresh();
    struct xen_evtchn_status st;
    CHECK(event_port_alloc_unbound(world[1], 0) == 1);
    CHECK(event_port_alloc_unbound(world[0], 1) == 1);
    CHECK(event_port_bind_interdomain(world[0], 0, 1, 1) == 2);
    CHECK(event_port_bind_virq(world[0], VIRQ_CONSOLE, 0) == 3);
    CHECK(event_port_bind_ipi(world[0], 0) == 4);
    memset(&st, 0xaa, sizeof(st));
    CHECK(event_port_status(world[0], 1, &st) == 0 && st.status == EVTCHNSTAT_unbound &&
          st.u.unbound.dom == 1 && st.vcpu == 0);
    CHECK(event_port_status(world[0], 2, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
          st.u.interdomain.dom == 1 && st.u.interdomain.port == 1);
    CHECK(event_port_status(world[0], 3, &st) == 0 && st.status == EVTCHNSTAT_virq &&
          st.u.virq == VIRQ_CONSOLE);
    CHECK(event_port_status(world[0], 4, &st) == 0 && st.status == EVTCHNSTAT_ipi);
    CHECK(event_port_status(world[0], 5, &st) == 0 && st.status == EVTCHNSTAT_closed);
    CHECK(event_port_status(world[0], 0, &st) == 0 && st.status == EVTCHNSTAT_closed);
    CHECK(event_port_status(world[0], 1023, &st) == 0 && st.status == EVTCHNSTAT_closed);
    CHECK(event_port_status(world[0], 1024, &st) == -EINVAL);
    CHECK(event_port_status(NULL, 7, &st) == 0 && st.status == EVTCHNSTAT_closed);
    CHECK(event_port_status(NULL, 1024, &st) == -EINVAL);
}

static void bind_vcpu_accepts_only_vcpu_0_and_movable_ports(void)
{
    fresh();
    CHECK(event_port_alloc_unbound(world[0], 1) == 1);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == 2);
    CHECK(event_port_bind_virq(world[0], VIRQ_CONSOLE, 0) == 3);
    CHECK(event_port_bind_ipi(world[0], 0) == 4);
    CHECK(event_port_bind_vcpu(world[0], 1, 0) == 0);
    CHECK(event_port_bind_vcpu(world[0], 2, 0) == -EINVAL);      /* per-vCPU VIRQ */
    CHECK(event_port_bind_vcpu(world[0], 3, 0) == 0);            /* global VIRQ */
    CHECK(event_port_bind_vcpu(world[0], 4, 0) == -EINVAL);      /* IPI */
    CHECK(event_port_bind_vcpu(world[0], 5, 0) == -EINVAL);      /* free */
    CHECK(event_port_bind_vcpu(world[0], 1024, 0) == -EINVAL);
    CHECK(event_port_bind_vcpu(world[0], 1, 1) == -ENOENT);
}

/* A domain with dom.vcpus=2: each vCPU its own VIRQ_TIMER; ports remember their vCPU. */
static void ports_notify_the_vcpu_they_are_bound_to(void)
{
    fresh();
    world[0]->nr_vcpus = 2;
    struct xen_evtchn_status st;
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 0) == 1);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 1) == 2);          /* vCPU 1's own */
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 1) == -EEXIST);
    CHECK(event_port_bind_virq(world[0], VIRQ_TIMER, 2) == -ENOENT);    /* no vCPU 2 */
    CHECK(world[0]->virq_to_port[0][VIRQ_TIMER] == 1 && world[0]->virq_to_port[1][VIRQ_TIMER] == 2);
    CHECK(event_port_bind_ipi(world[0], 1) == 3);
    CHECK(event_port_bind_ipi(world[0], 2) == -ENOENT);
    CHECK(event_port_status(world[0], 2, &st) == 0 && st.vcpu == 1);
    CHECK(event_port_status(world[0], 3, &st) == 0 && st.vcpu == 1);
    CHECK(event_port_alloc_unbound(world[0], 1) == 4);
    CHECK(event_port_bind_vcpu(world[0], 4, 1) == 0);
    CHECK(event_port_status(world[0], 4, &st) == 0 && st.vcpu == 1);
    CHECK(event_port_bind_vcpu(world[0], 4, 2) == -ENOENT);
    unsigned pd;
    uint32_t pp;
    CHECK(event_port_close(world[0], 0, 2, &pd, &pp) == 0);
    CHECKF(world[0]->virq_to_port[1][VIRQ_TIMER] == 0 && world[0]->virq_to_port[0][VIRQ_TIMER] == 1,
           "closing vCPU 1's timer port leaves vCPU 0's");
}

static const struct group groups[] = {
    { "ports_notify_the_vcpu_they_are_bound_to", ports_notify_the_vcpu_they_are_bound_to },
    { "ports_are_lowest_first_from_1", ports_are_lowest_first_from_1 },
    { "exhaustion_is_enospc_at_1023_ports", exhaustion_is_enospc_at_1023_ports },
    { "only_the_named_peer_binds_an_unbound_port", only_the_named_peer_binds_an_unbound_port },
    { "closing_one_end_leaves_the_other_unbound", closing_one_end_leaves_the_other_unbound },
    { "virqs_bind_once_on_vcpu_0", virqs_bind_once_on_vcpu_0 },
    { "sends_go_to_the_peer_or_to_ourselves", sends_go_to_the_peer_or_to_ourselves },
    { "status_reports_each_state", status_reports_each_state },
    { "bind_vcpu_accepts_only_vcpu_0_and_movable_ports", bind_vcpu_accepts_only_vcpu_0_and_movable_ports },
};
CHECK_MAIN(groups)
