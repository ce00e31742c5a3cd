/*
 * page.c - the frame table: one struct page_info per machine frame.
 *
 * Who owns a frame, what it is being used as (its type), and how many
 * references to it exist.  These three facts are what make direct paging
 * safe: a guest may map only frames it owns, a frame is never a page table
 * and writable at once, and a frame is not given back while anything still
 * refers to it.  page_type.c has the rules; this file only keeps the table.
 * It lives in the directmap (hypervisor memory no guest can map).
 */
#include "hypervisor/mm/page.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include "arch/x86/paging.h"

struct page_info *page_frame_table;        /* page.h: page_info() reads them inline */
uint32_t page_frame_entries;

void page_table_init(uint32_t nr_frames)
{
    uint32_t pages = (uint32_t)ALIGN_UP((uint64_t)nr_frames * sizeof(struct page_info), PAGE_SIZE) / PAGE_SIZE;
    mfn_t m = frame_alloc_low_range(pages);
    BUG_ON(mfn_eq(m, INVALID_MFN));          /* boot time: no table, no paging */
    page_frame_table = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    page_frame_entries = nr_frames;
    for (uint32_t i = 0; i < nr_frames; i++)
        page_frame_table[i] = (struct page_info){ .owner = OWNER_NONE };
}

void page_set_owner(mfn_t mfn, uint16_t owner)
{
    struct page_info *pg = page_info(mfn);
    BUG_ON(!pg);
    *pg = (struct page_info){ .owner = owner };
}

uint32_t page_table_frames(void)
{
    return (uint32_t)ALIGN_UP((uint64_t)page_frame_entries * sizeof(struct page_info), PAGE_SIZE) / PAGE_SIZE;
}
