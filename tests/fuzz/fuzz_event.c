/*
 * fuzz_event.c - libFuzzer over the event-channel port tables
 * (hypervisor/event/event_port.c), driven as three domains' hypercalls.
 *
 * Each 6-byte record of the input is one operation by one domain:
 * alloc_unbound, bind_interdomain, bind_virq, bind_ipi, close, send,
 * status, bind_vcpu, with guest-chosen numbers.  After every step the
 * world must be consistent: an interdomain port's peer names it back, no
 * port outside the table is touched (AddressSanitizer), and the count of
 * ports in use matches the table.
 */
#include "hypervisor/event/event_port.h"
#include "hypercalls/public/errno.h"
#include <stdlib.h>

#define NR_DOMS 3
static struct evtchn *world[NR_DOMS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct evtchn *event_table(unsigned domid)
{
    return domid < NR_DOMS ? world[domid] : NULL;
}

static void check_world(void)
{
    for (unsigned d = 0; d < NR_DOMS; d++) {
        unsigned used = 0;
        for (uint32_t p = 1; p < EVTCHN_NR_PORTS; p++) {
            const struct evtchn_port *e = &world[d]->port[p];
            if (e->state != ECS_FREE && e->state != ECS_RESERVED)
                used++;
            if (e->state == ECS_INTERDOMAIN) {
                if (e->remote_dom >= NR_DOMS || e->remote_port >= EVTCHN_NR_PORTS)
                    abort();
                const struct evtchn_port *peer = &world[e->remote_dom]->port[e->remote_port];
                if (peer->state != ECS_INTERDOMAIN || peer->remote_dom != d ||
                    peer->remote_port != p)
                    abort();
            }
        }
        if (used != event_port_in_use(world[d]))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (unsigned i = 0; i < NR_DOMS; i++) {
        if (!world[i])
            world[i] = malloc(sizeof(struct evtchn));
        event_port_init(world[i]);
    }
    for (size_t i = 0; i + 6 <= size; i += 6) {
        unsigned op = data[i] % 8, self = data[i + 1] % NR_DOMS;
        uint32_t a = data[i + 2] | (uint32_t)data[i + 3] << 8;   /* a port, virq or domain */
        uint32_t b = data[i + 4] | (uint32_t)data[i + 5] << 8;
        struct evtchn *t = world[self];
        unsigned dom;
        uint32_t port;
        struct xen_evtchn_status st;
        switch (op) {
        case 0: event_port_alloc_unbound(t, a % 4); break;
        case 1: event_port_bind_interdomain(t, self, a % 4, b); break;
        case 2: event_port_bind_virq(t, a, b % 2); break;
        case 3: event_port_bind_ipi(t, b % 2); break;
        case 4: event_port_close(t, self, a, &dom, &port); break;
        case 5:
            if (event_port_send_target(t, self, a, &dom, &port) == 1 &&
                (dom >= NR_DOMS || port >= EVTCHN_NR_PORTS))
                abort();
            break;
        case 6: event_port_status(t, a, &st); break;
        case 7: event_port_bind_vcpu(t, a, b % 2); break;
        }
        check_world();
    }
    return 0;
}
