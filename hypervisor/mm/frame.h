/* frame.h - the machine frame allocator. */
#ifndef HV_FRAME_H
#define HV_FRAME_H
#include "hypervisor/types.h"
#include "hypervisor/mm/memmap.h"

#define FRAME_MAX (MEMMAP_LIMIT >> PAGE_SHIFT)

/*
 * Frames below this machine frame are in the directmap, so the hypervisor
 * can use them as its own memory (Xen's "xenheap"); the rest (the
 * "domheap") is reached only through map_domain_page.
 */
#define FRAME_LOW_LIMIT (0x04000000u >> PAGE_SHIFT)

void frame_init(void);
void frame_add_ram(uint64_t start, uint64_t end);     /* make RAM allocatable */
void frame_reserve(uint64_t start, uint64_t end);     /* never hand these out */
mfn_t frame_alloc(void);        /* any frame; INVALID_MFN when none is left */
mfn_t frame_alloc_low(void);    /* a directmapped frame, for the hypervisor */
mfn_t frame_alloc_low_range(uint32_t n);   /* n contiguous directmapped frames */
void frame_free(mfn_t mfn);
bool frame_is_free(mfn_t mfn);
uint32_t frame_free_count(void);
uint32_t frame_total_count(void);      /* frames that were ever allocatable */
#endif
