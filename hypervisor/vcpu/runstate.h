/* runstate.h - how long vCPU 0 spent running, runnable, blocked and offline (runstate.c). */
#ifndef HV_RUNSTATE_H
#define HV_RUNSTATE_H
#include "hypervisor/domain/domain.h"

/* d enters RUNSTATE_* state at system time now: the time in the old one is added up. */
void runstate_change(struct domain *d, int state, uint64_t now);
/* What VCPUOP_get_runstate_info reports at now: the current state's time included. */
struct xen_vcpu_runstate_info runstate_get(const struct domain *d, uint64_t now);
/* Copy d's runstate to its registered area, if any (d's page tables loaded); failures ignored. */
void runstate_publish(struct domain *d);
#endif
