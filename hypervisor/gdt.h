/* gdt.h - each domain's GDT, kept as the hypervisor's checked copy (gdt.c). */
#ifndef HV_GDT_H
#define HV_GDT_H
#include "hypervisor/domain.h"

/*
 * set_gdt: d's GDT becomes `entries` descriptors read from the machine
 * frames frames[0..ceil(entries/512)-1].  0, -EINVAL (too many entries, a
 * frame d does not own, a descriptor desc_check refuses) or -ENOMEM; on
 * an error the old GDT stays.
 */
long gdt_set(struct domain *d, const mfn_t *frames, unsigned entries);

/* update_descriptor: check desc and write it at machine address ma. */
long gdt_update_descriptor(struct domain *d, uint64_t ma, uint64_t desc);

/* The scheduler is about to run next (NULL: no domain): show its GDT. */
void gdt_switch_to(struct domain *next);

/* d is being destroyed: unmap and free its copies. */
void gdt_domain_dies(struct domain *d);
#endif
