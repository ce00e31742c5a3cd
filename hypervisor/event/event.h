/* event.h - event channels: the guest's interrupts (event.c; the port table: event_port.h). */
#ifndef HV_EVENT_H
#define HV_EVENT_H
#include "hypervisor/domain/domain.h"

/* Raise a virtual IRQ (VIRQ_TIMER, VIRQ_CONSOLE, VIRQ_DEBUG) if d bound it. */
void event_send_virq(struct domain *d, unsigned virq);
/* Does d have an event that should end a block (upcall pending and unmasked)? */
bool event_should_wake(struct domain *d);
/* d is dying: close every port it holds, leaving peers consistent and woken. */
void event_domain_dies(struct domain *d);
/* Ports in use, for the debug keys. */
unsigned event_ports_in_use(const struct domain *d);

/* ---- for the handlers in hypercalls/evtchn.c and hypercalls/sched.c ---- */

/* A live domain by id (never DOMID_SELF), or NULL. */
struct domain *event_domain(unsigned domid);
/* d's port table, made on first use; NULL when out of memory. */
struct evtchn *event_table_alloc(struct domain *d);

/* Xen's 2-level set_pending: pending bit, selector, upcall; wakes d if it waits for it. */
void event_set_pending(struct domain *d, uint32_t port);
/* Is port (< 1024, checked by the caller) pending in d's shared_info? */
bool event_is_pending(struct domain *d, uint32_t port);
/* EVTCHNOP_unmask: 0, or -EINVAL for a port beyond the 2-level ABI. */
int event_unmask(struct domain *d, uint32_t port);
/* EVTCHNOP_close: 0 or -EINVAL; the port's pending bit is cleared, as in Xen. */
int event_close(struct domain *d, uint32_t port);
/* EVTCHNOP_send: 0 (also when dropped, on an unbound port) or -EINVAL. */
int event_send(struct domain *d, uint32_t port);

/* SCHEDOP_block's first step: clear the upcall mask (Xen's local_event_delivery_enable). */
void event_enable_delivery(struct domain *d);
/* SCHEDOP_poll's watch list: emptied, then one port (< 1024) added at a time. */
void event_poll_clear(struct domain *d);
void event_poll_watch(struct domain *d, uint32_t port);
#endif
