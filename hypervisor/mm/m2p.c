/*
 * m2p.c - the machine-to-phys table.
 *
 * A PV guest knows two kinds of frame number: its own pseudo-physical pfns
 * (0..nr_pages-1, contiguous) and the real machine frames behind them.  It
 * keeps pfn->mfn itself (the P2M list in its memory).  The reverse,
 * mfn->pfn, must be kept by the hypervisor, because only the hypervisor
 * knows who owns each machine frame.  Xen publishes it read-only at
 * MACH2PHYS_VIRT_START in every address space, so a guest can translate a
 * machine address it reads from a page-table entry back to its own pfn
 * without a hypercall.  We do the same: one 4-byte entry per machine
 * frame, frames that belong to no guest read M2P_INVALID.
 *
 * The table's frames come from the directmap, where the hypervisor writes
 * them; the guests' view at 0xF5800000 maps the same frames without RW, and
 * CR0.WP makes that binding even for ring 1 ("supervisor" to the MMU).
 */
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include "arch/x86/paging.h"

#define ENTRIES_PER_PAGE (PAGE_SIZE / 4)
#define M2P_MAX_PAGES ((MACH2PHYS_VIRT_END_ - MACH2PHYS_VIRT_START_) / PAGE_SIZE)

static uint32_t *m2p_page[M2P_MAX_PAGES];   /* directmap address of each page */
static uint32_t m2p_entries;
static uint32_t m2p_frames;              /* table pages plus their L1s */
static uint32_t max_mfn;

static void *alloc_low_zeroed(void)
{
    mfn_t m = frame_alloc_low();
    BUG_ON(mfn_eq(m, INVALID_MFN));          /* boot time: no memory, no hypervisor */
    void *p = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    memset(p, 0, PAGE_SIZE);
    return p;
}

void m2p_init(uint32_t max_mfn_arg)
{
    max_mfn = max_mfn_arg;
    uint32_t pages = MIN((max_mfn_arg + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE, M2P_MAX_PAGES);
    pte_t *l1 = NULL;
    for (uint32_t i = 0; i < pages; i++) {
        if (i % L1_ENTRIES == 0) {
            l1 = alloc_low_zeroed();
            hv_l2[HV_FIRST_L2_SLOT + i / L1_ENTRIES] =
                pte_make(_mfn((uint32_t)(directmap_pa(l1) >> PAGE_SHIFT)),
                         _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED);
        }
        m2p_page[i] = alloc_low_zeroed();
        m2p_frames += 1 + (i % L1_ENTRIES == 0);
        memset(m2p_page[i], 0xff, PAGE_SIZE);                 /* all M2P_INVALID */
        /* Read-only: present and accessed, never RW, for every guest. */
        l1[i % L1_ENTRIES] = pte_make(_mfn((uint32_t)(directmap_pa(m2p_page[i]) >> PAGE_SHIFT)),
                                      _PAGE_PRESENT | _PAGE_ACCESSED);
    }
    m2p_entries = pages * ENTRIES_PER_PAGE;
}

uint32_t m2p_max_mfn(void)
{
    return max_mfn;
}

uint32_t m2p_frame_count(void)
{
    return m2p_frames;
}

void m2p_set(mfn_t mfn, uint32_t pfn)
{
    uint32_t m = mfn_x(mfn);
    BUG_ON(m >= m2p_entries);
    m2p_page[m / ENTRIES_PER_PAGE][m % ENTRIES_PER_PAGE] = pfn;
}

uint32_t m2p_get(mfn_t mfn)
{
    uint32_t m = mfn_x(mfn);
    return m < m2p_entries ? m2p_page[m / ENTRIES_PER_PAGE][m % ENTRIES_PER_PAGE] : M2P_INVALID;
}
