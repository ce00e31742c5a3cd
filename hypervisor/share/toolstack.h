/* toolstack.h - the hypervisor as Xen's toolstack: xenstored's client (toolstack.c). */
#ifndef HV_TOOLSTACK_H
#define HV_TOOLSTACK_H
#include "hypervisor/domain/domain.h"

/* Queue d's introduction to xenstored (its store ring is connected). */
void toolstack_start(struct domain *d);
/* d has ended: queue XS_RELEASE if any of its introduction was sent. */
void toolstack_release(struct domain *d);
/* Read xenstored's answers and send what fits: at connect time and on its notify. */
void toolstack_pump(void);
#endif
