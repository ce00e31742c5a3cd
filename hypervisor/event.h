/* event.h - event channels: the guest's interrupts (event.c). */
#ifndef HV_EVENT_H
#define HV_EVENT_H
#include "hypervisor/domain.h"

/* Raise a virtual IRQ (VIRQ_TIMER, VIRQ_CONSOLE, VIRQ_DEBUG) if d bound it. */
void event_send_virq(struct domain *d, unsigned virq);
/* Does d have an event that should end a block (pending and unmasked)? */
bool event_should_wake(struct domain *d);
/* d is dying: close every port it holds, leaving peers consistent. */
void event_domain_dies(struct domain *d);
/* Ports in use, for the debug keys. */
unsigned event_ports_in_use(const struct domain *d);
#endif
