/* console_ring.h - the ring-0 backend of the PV console rings (console_ring.c). */
#ifndef HV_CONSOLE_RING_H
#define HV_CONSOLE_RING_H
#include "hypervisor/domain/domain.h"

/* d notified its console port: print its new output, pass on waiting input. */
void console_ring_notify(struct domain *d);
/* Does d take its console input through its ring (it has one, and has used it)? */
bool console_ring_has(const struct domain *d);
/* Input typed for d is waiting (console_input.c): put what fits into in[]. */
void console_ring_input(struct domain *d);
#endif
