/* vcpu_load.h - which of a domain's vCPUs is in struct domain's fields (docs/smp.md). */
#ifndef HV_VCPU_LOAD_H
#define HV_VCPU_LOAD_H
#include "hypervisor/domain/domain.h"

/* vCPU n's state, wherever it is now: loaded in d, or parked. n < d->nr_vcpus. */
static inline struct vcpu *vcpu_of(struct domain *d, unsigned n)
{
    return n == d->vcpu_id ? &d->v : &d->vcpus[n];
}

/*
 * Park the loaded vCPU and load vCPU n; returns the one that was loaded.
 * Memory only: the CPU is not told.  Work aimed at a vCPU that is not
 * running (its event, its timer, a vcpu_op on it) loads it, does the work
 * with the functions every domain has, and loads the old one back; only
 * vcpu_switch() leaves another one loaded.
 */
static inline unsigned vcpu_load(struct domain *d, unsigned n)
{
    unsigned was = d->vcpu_id;
    if (n != was) {
        d->vcpus[was] = d->v;
        d->v = d->vcpus[n];
        d->vcpu_id = (uint8_t)n;
    }
    return was;
}

/* The vCPU of d to run next, round robin after the loaded one; -1 if none is up and awake. */
int vcpu_next_of_several(struct domain *d);
static inline int vcpu_next(struct domain *d)
{
    if (d->nr_vcpus == 1)           /* most domains: no walk; every switch asks twice */
        return d->up && !d->blocked ? 0 : -1;
    return vcpu_next_of_several(d);
}

/* Load vCPU n (not the loaded one) for good, for the scheduler, which then loads the CPU
 * from it (sched.c). */
void vcpu_switch(struct domain *d, unsigned n);
#endif
