/* page.h - what the hypervisor knows about every machine frame. */
#ifndef HV_PAGE_H
#define HV_PAGE_H
#include "hypervisor/types.h"

#define OWNER_NONE 0xffffu       /* free, or not RAM */
#define OWNER_XEN  0xfffeu       /* the hypervisor's own (M2P, heap, ...) */
#define OWNER_ORPHAN 0xfffdu     /* a dead domain's frame others still map (share/grant.c) */

enum page_type {
    PGT_NONE,        /* no type: may become anything */
    PGT_WRITABLE,    /* mapped writable somewhere */
    PGT_L1,          /* a page table at each level... */
    PGT_L2,
    PGT_L2_XEN,      /* an L2 used in L3 slot 3: carries the hypervisor's entries */
    PGT_L3,
    PGT_SEG_DESC,    /* a GDT or LDT frame */
};

#define PGF_VALIDATED 0x1        /* entries checked; their references held */
#define PGF_PINNED    0x2        /* mmuext_op PIN_*: holds one type reference */
#define PGF_PARTIAL   0x4        /* validation stopped part way (page_type.c): entries
                                    [0, nr_validated) hold references, and one type
                                    reference waits for whoever finishes it */
#define PGF_DYING     0x8        /* ... and that reference is being dropped, in steps:
                                    the frame is on its domain's puts[] (page_type.c) */
#define PGF_GIVEN     0x10       /* given back (decrease_reservation) while referenced: no
                                    new reference; the last one frees it (page_put) */

struct page_info {
    uint16_t owner;              /* domain id, OWNER_NONE or OWNER_XEN */
    uint8_t type;                /* enum page_type */
    uint8_t flags;               /* PGF_* */
    uint32_t type_count;         /* references that depend on the type */
    uint32_t ref_count;          /* all references (mappings, tables, pins) */
    uint16_t nr_validated;       /* PGF_PARTIAL: entries checked so far */
};

/* Allocate the table for frames [0, nr_frames); boot time. */
void page_table_init(uint32_t nr_frames);
/*
 * The entry for mfn, or NULL if mfn is beyond RAM.  Inline: one page-table
 * update looks up a dozen frames, and the calls were a tenth of an
 * update_va_mapping (docs/performance.md).  page.c owns the table.
 */
extern struct page_info *page_frame_table;
extern uint32_t page_frame_entries;
static inline struct page_info *page_info(mfn_t mfn)
{
    return mfn_x(mfn) < page_frame_entries ? &page_frame_table[mfn_x(mfn)] : NULL;
}
/* Give a free frame to owner, or take it back (counts must be zero). */
void page_set_owner(mfn_t mfn, uint16_t owner);
/* Frames the table itself occupies (kept for the hypervisor's lifetime). */
uint32_t page_table_frames(void);

static inline bool page_is_pt(uint8_t type)
{
    return type >= PGT_L1 && type <= PGT_L3;
}
#endif
