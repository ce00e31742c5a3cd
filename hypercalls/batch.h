/* batch.h - Xen's protocol for a batch of requests with a done count (batch.c). */
#ifndef HC_BATCH_H
#define HC_BATCH_H
#include "hypervisor/domain/domain.h"

#define BATCH_ITEM_MAX 16       /* bytes: the largest request (xen_mmu_update) */

struct batch {
    uint32_t op;                /* the hypercall, for its continuation */
    uint32_t item_size;         /* bytes per request in the guest's list */
    uint32_t max;               /* a larger count is refused (-EINVAL), not walked */
    int (*one)(struct domain *d, const void *item);   /* 0 or -E*: stops the batch */
};

/*
 * mmu_update and mmuext_op: run the guest's `items` in order, stopping at
 * the first that fails, and add the number run to *pdone (the guest's, may
 * be 0).  count_arg may carry MMU_UPDATE_PREEMPTED: then this call resumes
 * one that was preempted, and *pdone already holds what ran before.
 * Between requests it may continue later (hypercall_continue) with the
 * list advanced and the count flagged, exactly as Xen's do_mmu_update.
 */
long batch_run(const struct batch *b, guest_ptr_t items, uint32_t count_arg,
               guest_ptr_t pdone, unsigned int foreigndom);
#endif
