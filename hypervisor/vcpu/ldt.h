/* ldt.h - each domain's LDT, kept as the hypervisor's checked copy (ldt.c). */
#ifndef HV_LDT_H
#define HV_LDT_H
#include "hypervisor/domain/domain.h"

/*
 * mmuext_op MMUEXT_SET_LDT: d's LDT becomes the `entries` descriptors at
 * guest linear address base, in the frames d's current page tables map
 * there.  0 entries: no LDT.  0, -EINVAL (more than 8192 entries, base
 * not page-aligned or the range reaching the hypervisor, a page not
 * mapped, a frame not d's, mapped writable or a page table, a descriptor
 * desc_check refuses) or -ENOMEM; on an error the old LDT stays.
 */
long ldt_set(struct domain *d, uint32_t base, unsigned entries);

/* update_descriptor wrote desc at entry index of frame m: keep the copy in step. */
void ldt_update_copy(struct domain *d, mfn_t m, unsigned index, uint64_t desc);

/* How many entries d's LDT has (0: none). */
unsigned ldt_entries(const struct domain *d);

/* The scheduler is about to run next (NULL: no domain): load its LDT. */
void ldt_switch_to(struct domain *next);

/* d is being destroyed: drop its frames' types, unload and free its copies. */
void ldt_domain_dies(struct domain *d);
#endif
