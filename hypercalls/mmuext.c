/*
 * mmuext.c - mmuext_op: page-table operations that are not entry writes.
 *
 * Pinning makes a frame a page table of a given level and keeps it one
 * (a pin holds a type reference), so a guest can build a table, pin it,
 * and later switch to it without the hypervisor validating it again.
 * NEW_BASEPTR is the guest's "mov to cr3": the new L3 must be (or become)
 * a valid L3 of the guest's.  TLB operations are local: one CPU runs every
 * vCPU, so a *_MULTI op's vCPU mask is read (as Xen reads it) but a local
 * flush is always enough: a vCPU switch reloads cr3.
 * SET_LDT is the guest's lldt; hypervisor/vcpu/ldt.c owns its rules.
 */
#include "gen/hypercall_handlers.h"
#include "hypercalls/batch.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

#define MMUEXT_BATCH_MAX 4096

/* As Xen's do_mmuext_op(): a frame not ours, or of the wrong type, is -EINVAL throughout. */
static int pin(struct domain *d, mfn_t m, enum page_type type)
{
    struct page_info *pg = page_info(m);
    if (!pg || pg->owner != d->id)
        return -EINVAL;
    if (pg->flags & PGF_PINNED)
        return -EINVAL;                              /* already pinned */
    if (type == PGT_L2 && pg->type == PGT_L2_XEN && pg->type_count)
        type = PGT_L2_XEN;                           /* the L2 of L3 slot 3 */
    int rc = page_type_get_preemptible(d, m, type);   /* -ERESTART: pin again to go on */
    if (rc == 0)
        pg->flags |= PGF_PINNED;
    return rc;
}

static int unpin(struct domain *d, mfn_t m)
{
    struct page_info *pg = page_info(m);
    if (!pg || pg->owner != d->id)
        return -EINVAL;
    if (!(pg->flags & PGF_PINNED))
        return -EINVAL;
    pg->flags &= ~PGF_PINNED;
    page_type_put_deferred(d, m);                   /* a big table: let go in steps (batch.c) */
    return 0;
}

static int new_baseptr(struct domain *d, mfn_t m)
{
    int rc = page_type_get_preemptible(d, m, PGT_L3);
    if (rc)
        return rc;
    mfn_t old = d->cr3_mfn;
    d->cr3_mfn = m;
    page_type_load_pdpt(d);
    page_type_put_deferred(d, old);
    return 0;
}

static int copy_or_clear(struct domain *d, mfn_t dst, mfn_t src, bool copy)
{
    int rc = page_type_get(d, dst, PGT_WRITABLE);   /* never into a page table */
    if (rc)
        return rc;
    if (copy && (rc = page_get(d, src))) {
        page_type_put(d, dst);
        return rc;
    }
    uint8_t *to = map_domain_page(dst);
    if (copy) {
        const uint8_t *from = map_domain_page(src);
        memcpy(to, from, PAGE_SIZE);
        unmap_domain_page(from);
        page_put(src);
    } else {
        memset(to, 0, PAGE_SIZE);
    }
    unmap_domain_page(to);
    page_type_put(d, dst);
    return 0;
}

static int mmuext_one(struct domain *d, const void *item)
{
    const struct xen_mmuext_op *op = item;
    mfn_t m = _mfn(op->arg1.mfn);
    uint32_t mask;                                   /* vCPUs 0-31: more than a domain has */
    if ((op->cmd == MMUEXT_TLB_FLUSH_MULTI || op->cmd == MMUEXT_INVLPG_MULTI) &&
        copy_from_guest(&mask, op->arg2.vcpumask, sizeof(mask)))
        return -EINVAL;                              /* as Xen's vcpumask_to_pcpumask() failing */
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE: return pin(d, m, PGT_L1);
    case MMUEXT_PIN_L2_TABLE: return pin(d, m, PGT_L2);
    case MMUEXT_PIN_L3_TABLE: return pin(d, m, PGT_L3);
    case MMUEXT_UNPIN_TABLE:  return unpin(d, m);
    case MMUEXT_NEW_BASEPTR:  return new_baseptr(d, m);
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_TLB_FLUSH_ALL:
        write_cr3(read_cr3());
        return 0;
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_MULTI:
    case MMUEXT_INVLPG_ALL:
        if (op->arg1.linear_addr < HYPERVISOR_VIRT_START)
            invlpg((const void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_CLEAR_PAGE:   return copy_or_clear(d, m, m, false);
    case MMUEXT_COPY_PAGE:    return copy_or_clear(d, m, _mfn(op->arg2.src_mfn), true);
    case MMUEXT_SET_LDT:      return ldt_set(d, op->arg1.linear_addr, op->arg2.nr_ents);
    /* Xen's answers to a 32-bit guest without I/O memory: L4s ignored, no superpages, no cache flush. */
    case MMUEXT_PIN_L4_TABLE: return 0;
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER: return -EOPNOTSUPP;
    case MMUEXT_FLUSH_CACHE:  return -EACCES;
    case MMUEXT_FLUSH_CACHE_GLOBAL: return -EINVAL;
    default:
        return -ENOSYS;
    }
}

long do_mmuext_op(guest_ptr_t ops, unsigned int count, guest_ptr_t done, unsigned int foreigndom)
{
    static const struct batch ext = {
        __HYPERVISOR_mmuext_op, sizeof(struct xen_mmuext_op), MMUEXT_BATCH_MAX, mmuext_one,
    };
    _Static_assert(sizeof(struct xen_mmuext_op) <= BATCH_ITEM_MAX, "batch.c's buffer");
    return batch_run(&ext, ops, count, done, foreigndom);
}
