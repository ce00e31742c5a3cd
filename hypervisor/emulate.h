/* emulate.h - what to do with a trapping instruction from a guest. */
#ifndef HV_EMULATE_H
#define HV_EMULATE_H
#include "hypervisor/domain.h"
/* #GP from ring 1/3: emulate, reflect, or halt (never returns on halt). */
void emulate_gp(struct domain *d, struct cpu_regs *r);
/* #UD from ring 1/3: Xen's forced-emulation prefix, else like any fault. */
void emulate_ud(struct domain *d, struct cpu_regs *r);
#endif
