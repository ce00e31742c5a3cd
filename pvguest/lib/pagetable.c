/*
 * pagetable.c - reading our own page tables, to learn what is mapped.
 *
 * Under direct paging (Xen's PV model) a guest's page tables hold MACHINE
 * frame numbers, and the guest may read them: the builder maps them into our
 * address space read-only, at start_info.pt_base for the top level (the
 * PAE L3, four 8-byte entries).  To follow an entry down we need the
 * virtual address of the frame it names.  Every frame we own is
 * pseudo-physical page pfn, mapped at VIRT_BASE + pfn*4096, and the builder's
 * p2m list (start_info.mfn_list) says which mfn each pfn is; so we search it
 * backwards.  Tests use this to find the true end of the initial mapping
 * (for "just past the end" hypercall arguments) and to check the builder's
 * layout.  This file only reads; changing a mapping takes a hypercall.
 */
#include "pvguest/lib/pvguest.h"

/* Where we can read frame mfn, if it is one of ours; 0 if not. */
static uint32_t mfn_to_va(uint32_t mfn)
{
    static uint32_t last_mfn = ~0u, last_va;   /* tables repeat: remember one */
    const xen_start_info_t *si = pvguest_start_info;
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;

    if (mfn == last_mfn)
        return last_va;
    for (uint32_t pfn = 0; pfn < si->nr_pages; pfn++)
        if (p2m[pfn] == mfn) {
            last_mfn = mfn;
            last_va = PV_VIRT_BASE + pfn * PAGE_SIZE;
            return last_va;
        }
    return 0;
}

/* One level: entry idx of the table in frame va; false if not present. */
static bool entry(uint32_t table_va, unsigned idx, uint64_t *e)
{
    *e = ((const volatile uint64_t *)table_va)[idx];
    return *e & PTE_PRESENT;
}

bool pt_lookup(uint32_t va, uint64_t *pte)
{
    uint64_t e;
    uint32_t table = pvguest_start_info->pt_base;

    if (!entry(table, va >> 30, &e) || !(table = mfn_to_va(PTE_MFN(e))))
        return false;
    if (!entry(table, (va >> 21) & 511, &e))
        return false;
    if (e & PTE_PSE) {          /* keep the flags, pick the 4 KiB frame */
        *pte = (e & ~(PTE_PSE | 0x1ff000ull)) + (((va >> 12) & 511ull) << 12);
        return true;
    }
    if (!(table = mfn_to_va(PTE_MFN(e))) || !entry(table, (va >> 12) & 511, &e))
        return false;
    *pte = e;
    return true;
}

uint32_t pt_mapped_end(uint32_t va)
{
    uint64_t pte;

    for (va &= ~(PAGE_SIZE - 1); va < HYPERVISOR_VIRT_START; va += PAGE_SIZE)
        if (!pt_lookup(va, &pte))
            break;
    return va;
}
