/*
 * memory.c - memory_op: how much memory a domain has, and changing it.
 *
 * A PV guest names its frames by machine frame number, so extents are
 * MFNs.  decrease_reservation gives frames back to the hypervisor - but
 * only frames nothing refers to any more: a frame still mapped, still a
 * page table (pinned or in use), or holding an Argo ring (argo_ring.c),
 * stays, and the call reports how many it did (Xen would take an Argo
 * ring's page out of the domain and free it when the ring lets go).  Freed frames are flushed from the TLB at once, so no stale
 * translation can reach a frame after it has been given to someone else.
 * increase_reservation allocates up to the domain's maximum and returns
 * the new MFNs; the guest then enters them in its P2M and the M2P.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain.h"
#include "hypervisor/guest_access.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/memory.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

static bool give_back(struct domain *d, mfn_t m)
{
    struct page_info *pg = page_info(m);
    uint32_t pfn;
    if (!pg || !domain_owns_frame(d, m, &pfn) || pg->ref_count || pg->type_count)
        return false;
    /*
     * The M2P names the pfn, but the guest may rewrite its own entries
     * (MMU_MACHPHYS_UPDATE): trust it only when frames[] agrees, else search.
     */
    if (pfn >= d->nr_pages || !mfn_eq(d->frames[pfn], m))
        for (pfn = 0; pfn < d->nr_pages && !mfn_eq(d->frames[pfn], m); pfn++)
            ;
    if (pfn == d->nr_pages)
        return false;                             /* shared_info is not RAM to give */
    d->frames[pfn] = INVALID_MFN;
    d->tot_pages--;
    page_set_owner(m, OWNER_NONE);
    m2p_set(m, M2P_INVALID);
    frame_free(m);
    return true;
}

/* *from: no free slot below it (the caller's scan position, kept per call). */
static bool take_more(struct domain *d, mfn_t *out, uint32_t *from)
{
    uint32_t pfn;
    for (pfn = *from; pfn < d->nr_pages && !mfn_eq(d->frames[pfn], INVALID_MFN); pfn++)
        ;
    *from = pfn;
    if (pfn == d->nr_pages)
        return false;                             /* at the domain's maximum */
    mfn_t m = frame_alloc();
    if (mfn_eq(m, INVALID_MFN))
        return false;
    void *p = map_domain_page(m);
    memset(p, 0, PAGE_SIZE);
    unmap_domain_page(p);
    page_set_owner(m, (uint16_t)d->id);
    m2p_set(m, pfn);
    d->frames[pfn] = m;
    d->tot_pages++;
    *out = m;
    return true;
}

static long reservation(struct domain *d, guest_ptr_t arg, bool increase)
{
    struct xen_memory_reservation r;
    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    if (r.domid != DOMID_SELF && r.domid != d->id)
        return -EPERM;
    if (r.extent_order != 0)
        return -EINVAL;                           /* single frames only */
    long done = 0;
    uint32_t free_from = 0;
    for (; done < (long)r.nr_extents && done < 4096; done++) {
        guest_ptr_t slot = r.extent_start + (uint32_t)done * sizeof(xen_pfn_t);
        mfn_t m;
        if (increase) {
            if (!take_more(d, &m, &free_from))
                break;
            if (copy_to_guest(slot, &m, sizeof(m)))
                return -EFAULT;
        } else {
            if (copy_from_guest(&m, slot, sizeof(m)))
                return -EFAULT;
            if (!give_back(d, m))
                break;
        }
    }
    if (!increase && done)
        write_cr3(read_cr3());                    /* no stale TLB entry to a freed frame */
    return done;
}

long do_memory_op(unsigned int cmd, guest_ptr_t arg)
{
    struct domain *d = current;
    xen_domid_t who;
    switch (cmd) {
    case XENMEM_increase_reservation:
        return reservation(d, arg, true);
    case XENMEM_decrease_reservation:
        return reservation(d, arg, false);
    case XENMEM_maximum_ram_page:
        return m2p_max_mfn();
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        if (copy_from_guest(&who, arg, sizeof(who)))
            return -EFAULT;
        if (who != DOMID_SELF && who != d->id)
            return -EPERM;
        return cmd == XENMEM_current_reservation ? d->tot_pages : d->nr_pages;
    default:
        return -ENOSYS;
    }
}
