/*
 * memory.c - memory_op: how much memory a domain has, and changing it.
 *
 * A PV guest names its frames by machine frame number, so extents are
 * MFNs.  decrease_reservation takes frames out of the domain as Xen's
 * guest_remove_page does: a pinned table is unpinned, and a frame still
 * referenced (mapped, a table, CR3, a GDT, vcpu_info, an Argo ring, a
 * grant mapping) is marked PGF_GIVEN: it takes no new reference, and its
 * last one frees it (page_put).  Freed frames are flushed from the TLB
 * at once, so no stale translation can reach a frame after it has been
 * given to someone else.
 * increase_reservation allocates up to the domain's maximum and returns
 * the new MFNs; the guest then enters them in its P2M and the M2P.
 * A long reservation continues in pieces, the start extent in cmd's high
 * bits as in Xen (MEMOP_EXTENT_SHIFT).  The rest answer questions, as Xen answers a PV domain: how much memory
 * a domain has or may have, its highest pfn, where the M2P is, and its
 * memory map.  A domain may ask about itself only.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/continuation.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page.h"
#include "hypervisor/mm/page_type.h"
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
    if (!pg || !domain_owns_frame(d, m, &pfn) || (pg->flags & PGF_PARTIAL))
        return false;                             /* a table half validated or let go: not now */
    /*
     * The M2P names the pfn, but the guest may rewrite its own entries
     * (MMU_MACHPHYS_UPDATE): trust it only when frames[] agrees, else search.
     */
    if (pfn >= d->nr_pages || !mfn_eq(d->frames[pfn], m))
        for (pfn = 0; pfn < d->nr_pages && !mfn_eq(d->frames[pfn], m); pfn++)
            ;
    if (pfn == d->nr_pages)
        return false;                             /* shared_info is not RAM to give */
    d->tot_pages--;
    m2p_set(m, pfn);                              /* where domain_drop_frame finds its slot */
    if (pg->flags & PGF_PINNED) {
        pg->flags &= ~PGF_PINNED;                 /* Xen unpins it; a big table in steps */
        page_type_put_deferred(d, m);
    }
    pg->flags |= PGF_GIVEN;
    if (!pg->ref_count)
        domain_drop_frame(m);
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

/*
 * increase/decrease_reservation from extent cmd >> MEMOP_EXTENT_SHIFT (0 on
 * a first call): returns the extents done in all, counting earlier pieces,
 * as Xen does.  Between two extents it may continue later with the start
 * moved on (hypercall_continue); frames given back are flushed first.
 */
static long reservation(struct domain *d, unsigned int cmd, guest_ptr_t arg, bool increase)
{
    struct xen_memory_reservation r;
    if (copy_from_guest(&r, arg, sizeof(r)))
        return -EFAULT;
    long rc = domain_check_self(r.domid);        /* -EPERM, or -ESRCH for no such domain */
    if (rc)
        return rc;
    uint32_t start = continuation_memop_start(cmd), done, free_from = 0;
    if (r.extent_order != 0)
        return start;                             /* Xen's answer above max_order; ours is 0 */
    uint64_t bytes = start < r.nr_extents ? (uint64_t)(r.nr_extents - start) * sizeof(xen_pfn_t) : 0;
    if (bytes > HYPERVISOR_VIRT_START ||
        !guest_range_ok(r.extent_start + start * sizeof(xen_pfn_t), (size_t)bytes))
        return start;                             /* Xen: a list reaching the hole is not walked */
    for (done = start; ; done++) {
        guest_ptr_t slot = r.extent_start + done * sizeof(xen_pfn_t);
        mfn_t m;
        rc = increase ? 0 : page_type_finish_puts(d);    /* an unpinned table, let go in steps */
        if (!rc && (done >= r.nr_extents || done >= 4096))
            break;                                /* Xen: start itself when nothing is left */
        if (rc || (done > start && hypercall_preempt_check())) {
            uint32_t args[5] = { 0, arg };
            continuation_memop_cmd(cmd, done, &args[0]);    /* done < 4096: it fits */
            rc = hypercall_continue(__HYPERVISOR_memory_op, args);
            break;
        }
        if (increase) {
            if (!take_more(d, &m, &free_from))
                break;
            if (copy_to_guest(slot, &m, sizeof(m))) {
                rc = -EFAULT;
                break;
            }
        } else {
            if (copy_from_guest(&m, slot, sizeof(m))) {
                rc = -EFAULT;
                break;
            }
            if (!give_back(d, m))
                break;
        }
    }
    if (!increase && done > start)
        write_cr3(read_cr3());                    /* no stale TLB entry to a freed frame */
    return rc ? rc : (long)done;
}

/*
 * The domid behind arg is the guest's: itself only (domain_check_self).
 * maximum_gpfn reads shared_info's max_pfn, which a PV guest writes (its
 * P2M size, 0 at boot): Xen answers one less, and 0 for 0.
 */
static long query(struct domain *d, unsigned int cmd, guest_ptr_t arg)
{
    struct xen_memory_domain who;
    if (cmd == XENMEM_maximum_ram_page)
        return m2p_max_mfn();
    if (copy_from_guest(&who, arg, sizeof(who)))
        return -EFAULT;
    long rc = domain_check_self(who.domid);
    if (rc)
        return rc;
    if (cmd == XENMEM_current_reservation)
        return d->tot_pages;
    if (cmd == XENMEM_maximum_reservation)
        return d->nr_pages;
    uint32_t max_pfn = domain_shared_info(d)->arch.max_pfn;
    return (long)((max_pfn ? max_pfn : 1) - 1);
}

/*
 * The map Xen's toolstack sets for a PV domain (libxl: one RAM entry from
 * 0 to its maximum) and Xen hands back: at most nr_entries of it go to
 * the guest's buffer, and nr_entries says how many did.
 */
static long memory_map(struct domain *d, guest_ptr_t arg)
{
    struct xen_memory_map map;
    struct xen_e820_entry ram = { .size = (uint64_t)d->nr_pages << PAGE_SHIFT, .type = XEN_E820_RAM };
    if (copy_from_guest(&map, arg, sizeof(map)))
        return -EFAULT;
    map.nr_entries = MIN(map.nr_entries, 1u);
    if ((map.nr_entries && copy_to_guest(map.buffer, &ram, sizeof(ram))) ||
        copy_to_guest(arg, &map, sizeof(map)))
        return -EFAULT;
    return 0;
}

long do_memory_op(unsigned int cmd, guest_ptr_t arg)
{
    static const struct xen_machphys_mapping m2p = {
        MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_END, MACH2PHYS_NR_ENTRIES - 1,
    };
    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_maximum_ram_page:
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        return cmd >> MEMOP_EXTENT_SHIFT ? -EINVAL : query(current, cmd, arg);
    }
    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_increase_reservation:
        return reservation(current, cmd, arg, true);
    case XENMEM_decrease_reservation:
        return reservation(current, cmd, arg, false);
    }
    switch (cmd) {
    case XENMEM_memory_map:
        return memory_map(current, arg);
    case XENMEM_machphys_mapping:
        return copy_to_guest(arg, &m2p, sizeof(m2p)) ? -EFAULT : 0;
    default:
        return -ENOSYS;
    }
}
