/*
 * vcpu_info.c - moving vCPU 0's vcpu_info out of shared_info (VCPUOP_register_vcpu_info).
 *
 * A guest may ask once for its vcpu_info (event mask and pending flags, cr2,
 * time) to live at an offset in a frame of its own, as Xen's
 * map_guest_area() allows.  From then on shared_info's slot is no longer
 * used: the hypervisor maps the frame for good and every reader follows
 * d->vcpu_info (vcpu_info.h).  The frame holds a writable type reference
 * while it is registered, so it can never become a page table or a
 * descriptor frame under our feet, and memory_op will not take it back.
 * This file must never map a frame the guest does not own.
 */
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/lib.h"
#include "hypervisor/event/time.h"
#include "hypervisor/mm/page_type.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/paging.h"

#define INFO_SIZE sizeof(struct xen_vcpu_info)      /* 64 */

/*
 * mfn and offset are the guest's.  Xen's checks, in Xen's order: the frame
 * address must hold (-EINVAL), no earlier move (-EBUSY), the 64 bytes in
 * one frame and 4-aligned (-ENXIO), the frame the guest's (-EINVAL) and
 * free to be writable (-EACCES).
 */
int vcpu_info_move(struct domain *d, uint64_t mfn, uint32_t offset)
{
    uint64_t ga = (mfn << PAGE_SHIFT) + offset;
    if (ga == ~0ull || ga >> PAGE_SHIFT != mfn)
        return -EINVAL;
    if (!mfn_eq(d->vcpu_info_mfn, INVALID_MFN))
        return -EBUSY;
    if (offset > PAGE_SIZE - INFO_SIZE || (offset & 3))
        return -ENXIO;
    mfn_t m = _mfn((uint32_t)mfn);
    uint32_t pfn;
    if (mfn >> 32 || !domain_owns_frame(d, m, &pfn))
        return -EINVAL;
    if (page_type_get(d, m, PGT_WRITABLE))
        return -EACCES;
    struct xen_vcpu_info *vi = (void *)((uint8_t *)map_domain_page(m) + offset);
    memcpy(vi, d->vcpu_info, INFO_SIZE);
    vi->evtchn_pending_sel = ~0u;            /* as Xen: everything may be pending, */
    vi->evtchn_upcall_pending = 1;           /* a spurious upcall is harmless */
    d->vcpu_info = vi;
    d->vcpu_info_mfn = m;
    time_update_guest(d);
    return 0;
}

void vcpu_info_release(struct domain *d)
{
    if (!mfn_eq(d->vcpu_info_mfn, INVALID_MFN))
        unmap_domain_page((void *)((uintptr_t)d->vcpu_info & ~(uintptr_t)(PAGE_SIZE - 1)));
    d->vcpu_info_mfn = INVALID_MFN;          /* the frame's references go with its owner */
    d->vcpu_info = NULL;
}
