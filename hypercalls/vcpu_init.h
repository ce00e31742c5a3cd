/* vcpu_init.h - VCPUOP_initialise (vcpu_init.c) and bringing a vCPU up (vcpu.c). */
#ifndef HC_VCPU_INIT_H
#define HC_VCPU_INIT_H
#include "hypervisor/domain/domain.h"

/* vCPU n (< d->nr_vcpus) of d takes the context at guest pointer arg: 0 or Xen's -E*. */
long vcpu_initialise(struct domain *d, unsigned n, guest_ptr_t arg);
/* vCPU n, initialised, may run (VCPUOP_up). */
void vcpu_up(struct domain *d, unsigned n);
#endif
