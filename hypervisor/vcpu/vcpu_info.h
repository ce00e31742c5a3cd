/* vcpu_info.h - where vCPU 0's vcpu_info lives: in shared_info, or where the guest moved it. */
#ifndef HV_VCPU_INFO_H
#define HV_VCPU_INFO_H
#include "hypervisor/domain/domain.h"

/*
 * vCPU 0's vcpu_info (event mask and pending flags, cr2, time): the one
 * pointer every reader follows, so a move (VCPUOP_register_vcpu_info)
 * takes effect everywhere at once.  Read on every return to the guest.
 */
static inline struct xen_vcpu_info *vcpu_info0(struct domain *d)
{
    return d->vcpu_info;
}

/* VCPUOP_register_vcpu_info: move it to frame mfn at offset (both the guest's). 0 or -E*. */
int vcpu_info_move(struct domain *d, uint64_t mfn, uint32_t offset);
/* At death: let go of the frame it moved to. */
void vcpu_info_release(struct domain *d);
#endif
