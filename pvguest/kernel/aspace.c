/*
 * aspace.c - each task's own address space, built under direct paging.
 *
 * A task runs in page tables of its own, which the kernel builds from
 * spare frames and the hypervisor validates (docs/paging.md):
 *
 *   L3 slot 0 -> the user L2 -> one user L1 for [USER_BASE, +2 MiB):
 *       USER_BASE       the user image: a private copy of the program that
 *                       pvguest/kernel/user.ld linked at this address
 *       USER_HEAP       demand-zero pages: unmapped until first touched
 *       USER_STACK_TOP  one stack page below it, and an unmapped guard page
 *   L3 slot 3 -> the kernel L2: a copy of our boot slot-3 L2's entries
 *       below the hypervisor's (0..427).  They name the boot L1s, so the
 *       kernel's mappings are shared by every space, not copied; entries
 *       428 and up the hypervisor fills in itself when it validates.
 *   L3 slots 1 and 2 are empty.
 *
 * Building one takes two hypercalls: one mmuext_op (clear the three new
 * tables, copy the L3 from a template, pin it: the pin validates the
 * tables below) and one mmu_update carrying every entry: the user L2's
 * entry for the L1 first (that validates the empty L1), then the L1's
 * entries for the image and stack, then the kernel L2's entries.  Table
 * frames come from lib/mm.c's spare pool (a frame that is mapped writable
 * anywhere can never become a table); the task's own pages come from
 * frame.c, whose frames also have a kernel VA to copy through.  Tearing
 * a space down is one unpin: the hypervisor drops every reference the
 * tables held, and both kinds of frame go back to their pools.  This file
 * never switches CR3 (task.c does); it must never tear down the space CR3
 * holds.
 */
#include "pvguest/kernel/kernel.h"

#define USER_L2E   (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define HV_L2_SLOT 428                      /* the hypervisor's entries start here */
#define L1_OF(va)  (((va) >> 12) & 511)

struct aspace_stats aspace_stats;
static uint64_t l3_template[512] __attribute__((aligned(PAGE_SIZE)));
static unsigned image_pages;

static uint32_t mfn(uint32_t pfn) { return mm_pfn_to_mfn(pfn); }

void aspace_init(void)
{
    image_pages = (uint32_t)(user_image_end - user_image_start) / PAGE_SIZE;
    if (!image_pages || image_pages > USER_IMAGE_MAX ||
        USER_BASE + image_pages * PAGE_SIZE > USER_HEAP)
        kernel_panic("aspace_init (the user image does not fit)", image_pages);
}

/* The user VA of slot i (aspace.page[i]); every slot lies in the one user L1. */
uint32_t aspace_slot_va(unsigned i)
{
    if (i < USER_IMAGE_MAX)
        return USER_BASE + i * PAGE_SIZE;
    if (i < USER_STACK_SLOT)
        return USER_HEAP + (i - USER_IMAGE_MAX) * PAGE_SIZE;
    return USER_STACK_TOP - PAGE_SIZE;
}

int aspace_slot(uint32_t va)
{
    for (unsigned i = 0; i < USER_SLOTS; i++) {
        if (i >= image_pages && i < USER_IMAGE_MAX)
            continue;                       /* past the end of the image */
        if (va - aspace_slot_va(i) < PAGE_SIZE)
            return (int)i;
    }
    return -1;
}

bool aspace_is_heap(int slot)
{
    return slot >= USER_IMAGE_MAX && slot < USER_STACK_SLOT;
}

/* The task's pages: the image copied, the stack zeroed, the heap left unmapped. */
static long alloc_pages(struct aspace *as)
{
    for (unsigned i = 0; i < image_pages; i++) {
        if (!(as->page[i] = frame_alloc()))
            return -ENOMEM;
        memcpy((void *)as->page[i], user_image_start + i * PAGE_SIZE, PAGE_SIZE);
    }
    return (as->page[USER_STACK_SLOT] = frame_alloc()) ? 0 : -ENOMEM;
}

static long alloc_tables(struct aspace *as)
{
    uint32_t *t[] = { &as->l3, &as->l2[0], &as->l2[1], &as->l1 };

    for (unsigned i = 0; i < ARRAY_SIZE(t); i++)
        if ((*t[i] = mm_frame_alloc()) == MFN_NONE)
            return -ENOMEM;
    return 0;
}

/* One mmuext_op: clear the L2s and L1, write the L3 from the template, pin it. */
static long pin_tables(struct aspace *as)
{
    xen_mmuext_op_t ops[5];
    unsigned n = 0, done = 0;
    long rc;

    memset(l3_template, 0, sizeof(l3_template));
    l3_template[0] = mm_pte(mfn(as->l2[0]), PTE_PRESENT);
    l3_template[3] = mm_pte(mfn(as->l2[1]), PTE_PRESENT);
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = mfn(as->l2[0]) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = mfn(as->l2[1]) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = mfn(as->l1) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = mfn(as->l3),
                                  .arg2.src_mfn = mm_va_to_mfn((uint32_t)(uintptr_t)l3_template) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_PIN_L3_TABLE, .arg1.mfn = mfn(as->l3) };
    rc = HYPERVISOR_mmuext_op(ops, n, &done, DOMID_SELF);
    as->pinned = rc == 0 && done == n;
    return rc ? rc : done == n ? 0 : -EINVAL;
}

/* One mmu_update: every entry of the new space, in an order that validates. */
static long fill_tables(struct aspace *as)
{
    const volatile uint64_t *boot_l3 = (const volatile uint64_t *)pvguest_start_info->pt_base;
    const volatile uint64_t *boot_l2 = (const volatile uint64_t *)mm_mfn_to_va(PTE_MFN(boot_l3[3]));
    unsigned before = mm_mmu_update_calls, done = 0, n = 0;
    long rc;

    mmu_queue(mm_entry_ma(mfn(as->l2[0]), (USER_BASE >> 21) & 511), mm_pte(mfn(as->l1), USER_L2E));
    n++;
    for (unsigned i = 0; i < USER_SLOTS; i++)
        if (as->page[i]) {
            mmu_queue(mm_entry_ma(mfn(as->l1), L1_OF(aspace_slot_va(i))), frame_user_pte(as->page[i]));
            n++;
        }
    for (unsigned i = 0; i < HV_L2_SLOT; i++)
        if (boot_l2[i] & PTE_PRESENT) {
            mmu_queue(mm_entry_ma(mfn(as->l2[1]), i), boot_l2[i]);
            n++;
        }
    rc = mmu_flush(&done);
    as->entries = done;
    as->mmu_updates = mm_mmu_update_calls - before;
    return rc ? rc : done == n ? 0 : -EINVAL;
}

/*
 * A new space for a task: its pages and tables, pinned.  0, or -errno
 * with everything given back.  Runs with events masked (the template and
 * the mmu_update queue are shared).
 */
long aspace_build(struct aspace *as)
{
    unsigned long flags = local_irq_save();
    long rc;

    memset(as, 0, sizeof(*as));
    if (!(rc = alloc_pages(as)) && !(rc = alloc_tables(as)) && !(rc = pin_tables(as)))
        rc = fill_tables(as);
    if (rc)
        aspace_destroy(as);
    else
        aspace_stats.built++;
    local_irq_restore(flags);
    return rc;
}

/* Unpin (the hypervisor drops what the tables held) and give every frame back. */
void aspace_destroy(struct aspace *as)
{
    uint32_t *t[] = { &as->l3, &as->l2[0], &as->l2[1], &as->l1 };
    long rc;

    if (as->pinned && (rc = mm_unpin(mfn(as->l3))))
        kernel_panic("unpin of a task's L3", rc);
    if (as->pinned)
        aspace_stats.destroyed++;
    as->pinned = false;
    for (unsigned i = 0; i < ARRAY_SIZE(t); i++)
        if (*t[i] && *t[i] != MFN_NONE)
            mm_frame_free(*t[i]);
    for (unsigned i = 0; i < USER_SLOTS; i++)
        if (as->page[i])
            frame_free(as->page[i]);
    memset(as, 0, sizeof(*as));
}

uint32_t aspace_l3_mfn(const struct aspace *as)
{
    return mfn(as->l3);
}

/* Map a zeroed frame at heap slot i with one mmu_update; false if none is left. */
bool aspace_demand_zero(struct aspace *as, int i)
{
    unsigned long flags = local_irq_save();
    uint32_t f = frame_alloc();             /* zeroed by the pool */
    long rc = 0;

    if (f && (rc = mm_update(mm_entry_ma(mfn(as->l1), L1_OF(aspace_slot_va(i))), frame_user_pte(f))))
        kernel_panic("mmu_update of a demand-zero page", rc);
    if (f)
        as->page[i] = f;
    local_irq_restore(flags);
    return f != 0;
}

/* Is [va, va+len) mapped in as?  (The pointer check for system calls.) */
bool aspace_user_range(const struct aspace *as, uint32_t va, uint32_t len)
{
    if (!len)
        return true;
    if (va + len < va)
        return false;
    for (uint32_t p = va & ~(PAGE_SIZE - 1); p < va + len; p += PAGE_SIZE) {
        int i = aspace_slot(p);
        if (i < 0 || !as->page[i])
            return false;
    }
    return true;
}

/*
 * Copy len bytes to user address va of as, which need not be the space
 * CR3 holds: through the frames' kernel VAs.  0, or -EFAULT (unmapped).
 */
long aspace_copy_to(struct aspace *as, uint32_t va, const void *src, uint32_t len)
{
    const uint8_t *from = src;

    if (!aspace_user_range(as, va, len))
        return -EFAULT;
    while (len) {
        uint32_t off = va & (PAGE_SIZE - 1), n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        memcpy((void *)(as->page[aspace_slot(va)] + off), from, n);
        va += n, from += n, len -= n;
    }
    return 0;
}
