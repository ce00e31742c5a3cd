/*
 * mm.c - frame numbers, batched entry writes and spare frames for page tables.
 *
 * A PV kernel under direct paging builds its own page tables but never
 * writes them: they are mapped read-only (or not at all), and every entry
 * goes through the hypervisor, which checks that it names a frame of ours
 * and that no frame is a page table and writable at once.  So a kernel
 * needs three things this file gives: machine frame numbers for its pages
 * (the P2M list the builder left us, and the hypervisor's M2P for the
 * other direction), the machine address of an entry (what mmu_update
 * names), and frames that nothing maps, to turn into tables.  It keeps no
 * state the hypervisor does not also know except the pool and the queue;
 * it never decides a verdict.
 */
#include "pvguest/lib/pvguest.h"

#define QUEUE_MAX 128              /* requests per mmu_update: 2 KiB */
#define POOL_MAX 1024              /* frames the pool can hold */
#define POOL_MAPPED 0x80000000u    /* pool entry flag: still mapped at its VA */
#define VA_SLOTS 32                /* pages kept for mm_va_slot() */
#define SPARE_RESERVED 64          /* the top pages are spare_page()'s */

static const xen_start_info_t *si(void) { return pvguest_start_info; }
static xen_pfn_t *p2m(void) { return (xen_pfn_t *)si()->mfn_list; }

/* ---- frame numbers ---------------------------------------------------- */

uint32_t mm_pfn_to_mfn(uint32_t pfn)
{
    return pfn < si()->nr_pages ? p2m()[pfn] : MFN_NONE;
}

uint32_t mm_m2p(uint32_t mfn)
{
    static uint32_t max_mfn;

    /* The M2P is mapped up to the highest RAM frame; past it is a #PF. */
    if (!max_mfn)
        max_mfn = (uint32_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    return mfn < max_mfn ? M2P[mfn] : MFN_NONE;
}

uint32_t mm_mfn_to_pfn(uint32_t mfn)
{
    uint32_t pfn = mm_m2p(mfn);
    return pfn < si()->nr_pages && p2m()[pfn] == mfn ? pfn : MFN_NONE;
}

void mm_set_p2m(uint32_t pfn, uint32_t mfn)
{
    if (pfn < si()->nr_pages)
        p2m()[pfn] = mfn;
}

uint32_t mm_map_end(void)
{
    static uint32_t end;

    if (!end)
        end = pt_mapped_end(PV_VIRT_BASE);
    return end;
}

uint32_t mm_va_to_mfn(uint32_t va)
{
    return mm_pfn_to_mfn((va - PV_VIRT_BASE) / PAGE_SIZE);
}

uint64_t mm_ma_of(const void *p)
{
    uint32_t va = (uint32_t)(uintptr_t)p;

    return (uint64_t)mm_va_to_mfn(va) << 12 | (va & (PAGE_SIZE - 1));
}

uint32_t mm_mfn_to_va(uint32_t mfn)
{
    uint32_t pfn = mm_mfn_to_pfn(mfn);

    if (pfn == MFN_NONE || pfn >= (mm_map_end() - PV_VIRT_BASE) / PAGE_SIZE)
        return 0;
    return PV_VIRT_BASE + pfn * PAGE_SIZE;
}

uint32_t mm_bootstrap_l3(void)
{
    return mm_va_to_mfn(si()->pt_base);
}

/* Follow the bootstrap tables (mapped read-only) down to va's L1 entry. */
uint64_t mm_l1e_ma(uint32_t va)
{
    const volatile uint64_t *t = (const volatile uint64_t *)si()->pt_base;
    uint64_t e = t[va >> 30];

    if (!(e & PTE_PRESENT) || !(t = (const volatile uint64_t *)mm_mfn_to_va(PTE_MFN(e))))
        return 0;
    e = t[(va >> 21) & 511];
    if (!(e & PTE_PRESENT) || (e & PTE_PSE))
        return 0;
    return mm_entry_ma(PTE_MFN(e), (va >> 12) & 511);
}

/* ---- mmu_update, batched ------------------------------------------------ */

static xen_mmu_update_t queue[QUEUE_MAX];
static unsigned queued, flushed_done;
unsigned mm_mmu_update_calls;   /* mmu_update hypercalls made here, for tests to count */
static long queue_rc;           /* the first error of an automatic flush */

static long send(void)
{
    unsigned done = 0;
    long rc = 0;

    if (queued) {
        mm_mmu_update_calls++;
        rc = HYPERVISOR_mmu_update(queue, queued, &done, DOMID_SELF);
    }

    flushed_done += done;
    queued = 0;
    return rc;
}

void mmu_queue(uint64_t ptr, uint64_t val)
{
    /* After a failed automatic flush the rest is dropped: a batch stops at its first error. */
    if (queue_rc)
        return;
    if (queued == QUEUE_MAX)
        queue_rc = send();
    if (!queue_rc)
        queue[queued++] = (xen_mmu_update_t){ .ptr = ptr, .val = val };
}

long mmu_flush(unsigned *done)
{
    long rc = queue_rc ? queue_rc : send();

    if (done)
        *done = flushed_done;
    queued = flushed_done = 0;
    queue_rc = 0;
    return rc;
}

long mm_update(uint64_t ptr, uint64_t val)
{
    xen_mmu_update_t u = { .ptr = ptr, .val = val };

    mm_mmu_update_calls++;
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

/* ---- mmuext_op, one at a time ------------------------------------------ */

static uint32_t cr3_mfn;

long mm_ext(unsigned cmd, uint32_t arg1, uint32_t arg2)
{
    xen_mmuext_op_t op = { .cmd = cmd };

    op.arg1.mfn = arg1;           /* a union: mfn or linear_addr, both 32-bit */
    op.arg2.src_mfn = arg2;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long mm_pin(unsigned level, uint32_t mfn)
{
    static const unsigned cmd[] = { 0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE,
                                    MMUEXT_PIN_L3_TABLE };
    return level >= 1 && level <= 3 ? mm_ext(cmd[level], mfn, 0) : -EINVAL;
}

long mm_unpin(uint32_t mfn) { return mm_ext(MMUEXT_UNPIN_TABLE, mfn, 0); }
long mm_clear_page(uint32_t mfn) { return mm_ext(MMUEXT_CLEAR_PAGE, mfn, 0); }
long mm_copy_page(uint32_t dst, uint32_t src) { return mm_ext(MMUEXT_COPY_PAGE, dst, src); }
long mm_tlb_flush(void) { return mm_ext(MMUEXT_TLB_FLUSH_LOCAL, 0, 0); }
long mm_invlpg(uint32_t va) { return mm_ext(MMUEXT_INVLPG_LOCAL, va, 0); }

long mm_new_baseptr(uint32_t mfn)
{
    long rc = mm_ext(MMUEXT_NEW_BASEPTR, mfn, 0);

    if (rc == 0)
        cr3_mfn = mfn;
    return rc;
}

uint32_t mm_cr3(void)
{
    return cr3_mfn ? cr3_mfn : mm_bootstrap_l3();
}

/* CR3 as the guest sees it: mov from CR3 in ring 1 is emulated by the hypervisor. */
uint32_t mm_read_cr3(void)
{
    uint32_t v;

    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}

long mm_map(uint32_t va, uint64_t pte)
{
    return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);
}

/* update_va_mapping of the page's own PTE, with PTE_RW set or cleared. */
long mm_map_rw(const void *p, bool rw)
{
    uint32_t va = (uint32_t)(uintptr_t)p & ~(PAGE_SIZE - 1);
    uint64_t pte;

    if (!pt_lookup(va, &pte))
        return -EFAULT;
    return mm_map(va, rw ? pte | PTE_RW : pte & ~PTE_RW);
}

/* ---- the pool of spare frames ------------------------------------------ */

/*
 * Spare frames are ours and used by nothing: the pfns past the initial
 * mapping (never mapped), and the pages between the boot stack and the
 * pages kept for spare_page() and mm_va_slot() (mapped read-write until
 * handed out).  The pool is a stack holding pfns, unmapped ones on top.
 */
static uint32_t pool[POOL_MAX];
static unsigned pool_n;
static uint32_t slot_next, slot_end;
static bool pool_ready;

static void pool_push(uint32_t entry)
{
    if (pool_n < POOL_MAX)
        pool[pool_n++] = entry;
}

static void pool_init(void)
{
    uint32_t first = (ALIGN_UP(pvguest_boot_esp, PAGE_SIZE) - PV_VIRT_BASE) / PAGE_SIZE;
    uint32_t end = (mm_map_end() - PV_VIRT_BASE) / PAGE_SIZE;
    uint32_t top = end > first + SPARE_RESERVED + VA_SLOTS ? end - SPARE_RESERVED - VA_SLOTS : first;

    pool_ready = true;
    slot_next = PV_VIRT_BASE + top * PAGE_SIZE;
    slot_end = top + VA_SLOTS <= end - SPARE_RESERVED ? slot_next + VA_SLOTS * PAGE_SIZE : slot_next;
    for (uint32_t pfn = first; pfn < top && pool_n < POOL_MAX / 2; pfn++)
        pool_push(pfn | POOL_MAPPED);
    for (uint32_t pfn = si()->nr_pages; pfn-- > end && pool_n < POOL_MAX; )
        pool_push(pfn);
}

uint32_t mm_frame_alloc(void)
{
    if (!pool_ready)
        pool_init();
    while (pool_n) {
        uint32_t e = pool[--pool_n], pfn = e & ~POOL_MAPPED;
        long rc;
        if (!(e & POOL_MAPPED))
            return pfn;
        if ((rc = mm_map(PV_VIRT_BASE + pfn * PAGE_SIZE, 0)) == 0)
            return pfn;
        test_error("mm_frame_alloc: unmapping pfn 0x%x: %ld", pfn, rc);
    }
    return MFN_NONE;
}

uint32_t mm_frame_alloc_zeroed(void)
{
    uint32_t pfn = mm_frame_alloc();
    long rc;

    if (pfn != MFN_NONE && (rc = mm_clear_page(mm_pfn_to_mfn(pfn)))) {
        test_error("mm_frame_alloc_zeroed: clear_page of pfn 0x%x: %ld", pfn, rc);
        return MFN_NONE;
    }
    return pfn;
}

void mm_frame_free(uint32_t pfn)
{
    pool_push(pfn);
}

unsigned mm_frames_free(void)
{
    if (!pool_ready)
        pool_init();
    return pool_n;
}

uint32_t mm_va_slot(void)
{
    if (!pool_ready)
        pool_init();
    if (slot_next >= slot_end)
        return 0;
    uint32_t va = slot_next;
    long rc = mm_map(va, 0);
    if (rc) {
        test_error("mm_va_slot: unmapping 0x%08x: %ld", va, rc);
        return 0;
    }
    slot_next += PAGE_SIZE;
    pool_push((va - PV_VIRT_BASE) / PAGE_SIZE);
    return va;
}

/* ---- memory_op ---------------------------------------------------------- */

long mm_reservation(unsigned cmd)
{
    xen_domid_t self = DOMID_SELF;

    return HYPERVISOR_memory_op(cmd, &self);
}

static long reservation(unsigned cmd, uint32_t *mfns, unsigned n)
{
    struct xen_memory_reservation r = {
        .extent_start = (xen_guest_handle_t)(uintptr_t)mfns,
        .nr_extents = n, .extent_order = 0, .domid = DOMID_SELF,
    };

    return HYPERVISOR_memory_op(cmd, &r);
}

long mm_decrease(const uint32_t *mfns, unsigned n)
{
    return reservation(XENMEM_decrease_reservation, (uint32_t *)mfns, n);
}

long mm_increase(uint32_t *mfns, unsigned n)
{
    return reservation(XENMEM_increase_reservation, mfns, n);
}

long mm_refill(uint32_t pfn)
{
    uint32_t got = 0;
    long rc;
    mm_set_p2m(pfn, MFN_NONE);
    if ((rc = mm_increase(&got, 1)) != 1)
        return rc < 0 ? rc : -ENOMEM;
    if ((rc = mm_update(((uint64_t)got << 12) | MMU_MACHPHYS_UPDATE, pfn)))
        return rc;
    mm_set_p2m(pfn, got);
    mm_frame_free(pfn);
    return 0;
}
