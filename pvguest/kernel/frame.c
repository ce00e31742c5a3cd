/*
 * frame.c - a pool of page frames for task memory, each known by its MFN.
 *
 * Under Xen's direct paging a page-table entry holds a machine frame
 * number, so to map one of our pages at a second address (a task's stack
 * in its address space, a fresh page under a faulting address) the kernel
 * needs its MFN.  The domain builder gives us the pfn->mfn list
 * (start_info.mfn_list), and every pfn is mapped at VIRT_BASE + pfn*4096,
 * so a page of our own image has pfn (va - VIRT_BASE) / 4096.  The pool
 * is a page-aligned array in .bss: its kernel VAs stay supervisor-only,
 * and ring 3 reaches a frame only where aspace.c maps it with _PAGE_USER.
 * Page-table frames do not come from here: these are mapped writable at
 * their kernel VA, so they can never become tables (lib/mm.c's pool).
 * Allocation runs with events masked: it is the kind of state an event
 * handler would one day share.
 */
#include "pvguest/kernel/kernel.h"

static uint8_t pool[POOL_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool used[POOL_PAGES];


static uint32_t pool_va(unsigned i)
{
    return (uint32_t)(uintptr_t)pool[i];
}

uint32_t frame_alloc(void)
{
    unsigned long flags = local_irq_save();
    uint32_t va = 0;

    for (unsigned i = 0; i < POOL_PAGES && !va; i++)
        if (!used[i]) {
            used[i] = true;
            va = pool_va(i);
        }
    local_irq_restore(flags);
    if (va)
        memset((void *)va, 0, PAGE_SIZE);
    return va;
}

void frame_free(uint32_t va)
{
    unsigned i = (va - pool_va(0)) / PAGE_SIZE;
    unsigned long flags = local_irq_save();

    if (i < POOL_PAGES && used[i])
        used[i] = false;
    else
        test_fail("frame_free(0x%08x): not an allocated pool frame", va);
    local_irq_restore(flags);
}

unsigned frame_free_count(void)
{
    unsigned n = 0;

    for (unsigned i = 0; i < POOL_PAGES; i++)
        n += !used[i];
    return n;
}

/* The MFN behind one of our own pages, from the builder's P2M list. */
static uint32_t va_to_mfn(uint32_t va)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)pvguest_start_info->mfn_list;

    return p2m[(va - PV_VIRT_BASE) / PAGE_SIZE];
}

uint64_t frame_user_pte(uint32_t va)
{
    return ((uint64_t)va_to_mfn(va) << 12) | PTE_PRESENT | PTE_RW | PTE_USER |
           PTE_ACCESSED | PTE_DIRTY;
}
