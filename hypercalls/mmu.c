/*
 * mmu.c - the guest's only ways to change its page tables.
 *
 * mmu_update writes entries named by machine address, update_va_mapping
 * the L1 entry behind one virtual address, and mmuext_op does everything
 * that is not an entry write: pinning, switching CR3, TLB flushes.  Every
 * entry written goes through page_type_mod_entry(), which checks it against
 * the rules in hypervisor/mm/page_type.c before the hypervisor writes it.
 * Batches stop at the first bad request and report how many were done,
 * as Xen does, so a guest can tell exactly which request failed; a long
 * batch continues later in pieces (batch.c).
 */
#include "gen/hypercall_handlers.h"
#include "hypercalls/batch.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

#define MMU_BATCH_MAX 4096      /* a larger count is refused, not walked */

static int mmu_one(struct domain *d, const void *item)
{
    const struct xen_mmu_update *u = item;
    uint32_t lo = (uint32_t)u->ptr, hi = (uint32_t)(u->ptr >> 32), pfn, cmd = lo & 3;
    if (hi >> (32 - PAGE_SHIFT))
        return -EINVAL;                           /* a frame number above 32 bits */
    mfn_t m = _mfn(hi << (32 - PAGE_SHIFT) | lo >> PAGE_SHIFT);
    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
        if (lo & 4)
            return -EINVAL;                       /* entries are 8-byte aligned */
        return page_type_mod_entry(d, m, (lo & (PAGE_SIZE - 1)) >> 3, u->val,
                                   cmd == MMU_PT_UPDATE_PRESERVE_AD);
    case MMU_MACHPHYS_UPDATE:
        if (!domain_owns_frame(d, m, &pfn))
            return -EINVAL;                       /* only its own frames' (Xen's get_page_from_mfn) */
        m2p_set(m, (uint32_t)u->val);
        return 0;
    default:
        return -ENOSYS;
    }
}

long do_mmu_update(guest_ptr_t reqs, unsigned int count, guest_ptr_t done, unsigned int foreigndom)
{
    static const struct batch mmu = {
        __HYPERVISOR_mmu_update, sizeof(struct xen_mmu_update), MMU_BATCH_MAX, mmu_one,
    };
    _Static_assert(sizeof(struct xen_mmu_update) <= BATCH_ITEM_MAX, "batch.c's buffer");
    return batch_run(&mmu, reqs, count, done, foreigndom);
}

static void flush(unsigned long flags, uint32_t va)
{
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg((const void *)va);
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        write_cr3(read_cr3());
}

long do_update_va_mapping(unsigned long va, uint64_t val, unsigned long flags)
{
    struct domain *d = current;
    if (va >= HYPERVISOR_VIRT_START || (flags & ~(unsigned long)(UVMF_FLUSHTYPE_MASK | UVMF_ALL)) ||
        (flags & UVMF_FLUSHTYPE_MASK) == 3)
        return -EINVAL;
    mfn_t l1 = page_type_l1_of(d, va);
    if (mfn_eq(l1, INVALID_MFN))
        return -EINVAL;                           /* no L1 for va: map one with mmu_update */
    long rc = page_type_mod_entry(d, l1, l1_index(va), val, false);
    if (rc == 0)
        flush(flags, va);
    return rc;
}
