/* gdt.h - each domain's GDT, kept as the hypervisor's checked copy (gdt.c). */
#ifndef HV_GDT_H
#define HV_GDT_H
#include "hypervisor/domain/domain.h"

/*
 * set_gdt: d's GDT becomes `entries` descriptors read from the machine
 * frames frames[0..ceil(entries/512)-1], each of which becomes a
 * segment-descriptor frame until the GDT is replaced.  0, -EINVAL (too
 * many entries, a frame d does not own, one mapped writable or a page
 * table, a descriptor desc_check refuses) or -ENOMEM; on an error the old
 * GDT stays.
 */
long gdt_set(struct domain *d, const mfn_t *frames, unsigned entries);

/* update_descriptor: check desc and write it at machine address ma. */
long gdt_update_descriptor(struct domain *d, uint64_t ma, uint64_t desc);

/* The scheduler is about to run next (NULL: no domain): show its GDT. */
void gdt_switch_to(struct domain *next);

/* d is being destroyed: drop its frames' types, unmap and free its copies. */
void gdt_domain_dies(struct domain *d);

/*
 * What the GDT and the LDT share.  gdt_table_get takes a PGT_SEG_DESC
 * type reference on each of frames[0..ceil(entries/512)-1] and fills new
 * hypervisor copies copy[] with the first `entries` descriptors, checked
 * and fixed up; `op` names the call in the refusal line.  0 with all of
 * that held, or -EINVAL/-ENOMEM with nothing held.  gdt_table_put drops
 * it again.
 */
long gdt_table_get(struct domain *d, const char *op, const mfn_t *frames, unsigned entries, mfn_t *copy);
void gdt_table_put(struct domain *d, const mfn_t *frames, const mfn_t *copy, unsigned entries);
/* Entry index of guest frame m now holds desc: so must the copy, if it is in the table. */
void gdt_table_update(const mfn_t *frames, const mfn_t *copy, unsigned entries,
                      mfn_t m, unsigned index, uint64_t desc);
#endif
