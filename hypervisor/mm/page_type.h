/* page_type.h - page types and references: the rules of direct paging. */
#ifndef HV_PAGE_TYPE_H
#define HV_PAGE_TYPE_H
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/page.h"

/* A general reference to a frame d owns (or its shared_info). 0 or -EPERM. */
int page_get(struct domain *d, mfn_t mfn);
/* The last reference to a frame given back in use (PGF_GIVEN) frees it: domain_drop_frame. */
void page_put(mfn_t mfn);

/*
 * A reference that depends on the frame being of `type` (and a general
 * reference with it).  The first one may change the type, which for a page
 * table means validating every entry.  0, or -EINVAL/-EPERM/-EBUSY.
 */
int page_type_get(struct domain *d, mfn_t mfn, enum page_type type);
void page_type_put(struct domain *d, mfn_t mfn);

/*
 * Hypervisor-internal (Xen's ERESTART, never returned to a guest): a
 * table's validation stopped part way because the tick is due.  The frame
 * keeps its partial state (PGF_PARTIAL); the hypercall continues and asks
 * again, and validation goes on from the entry where it stopped.
 */
#define ERESTART 85

/*
 * As page_type_get, from a hypercall that can continue: validating an L2
 * or L3 (pin, NEW_BASEPTR, an L3 entry's L2) may stop with -ERESTART.
 */
int page_type_get_preemptible(struct domain *d, mfn_t mfn, enum page_type type);

/*
 * As page_type_put, from a hypercall that can continue: when this is the
 * last reference to a validated L2 or L3, the frame's entries are let go
 * later, in steps, by page_type_finish_puts.
 */
void page_type_put_deferred(struct domain *d, mfn_t mfn);
/* Go on letting go of those entries: 0 when none is left, -ERESTART if the tick is due. */
int page_type_finish_puts(struct domain *d);

/* Write one entry of a page-table frame of d, checked.  0, -E* or (an L3 entry) -ERESTART. */
int page_type_mod_entry(struct domain *d, mfn_t table, unsigned index, pte_t val, bool preserve_ad);

/*
 * The grant code's entry write (share/grant.c): as page_type_mod_entry on
 * an L1 of d, but val may name `granted`, another domain's frame whose
 * references d's grant mapping holds; such an entry takes none itself.
 */
int page_type_mod_grant_entry(struct domain *d, mfn_t l1, unsigned index, pte_t val, mfn_t granted);

/* Entry index of the table in frame `table`, as it is now. */
pte_t page_type_read_entry(mfn_t table, unsigned index);

/* The L1 frame mapping va in d's current address space, or INVALID_MFN. */
mfn_t page_type_l1_of(struct domain *d, uint32_t va);

/* The PDPT the CPU uses, rebuilt from d's L3 (d->cr3_mfn). */
void page_type_load_pdpt(struct domain *d);
#endif
