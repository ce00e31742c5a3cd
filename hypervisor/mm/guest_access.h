/* guest_access.h - the one pair of functions that read and write guest memory. */
#ifndef HV_GUEST_ACCESS_H
#define HV_GUEST_ACCESS_H
#include "hypervisor/types.h"
#include "arch/x86/layout.h"
#include "arch/x86/x86.h"
#include "hypercalls/public/errno.h"

/* Return 0, or -EFAULT if any byte is outside the guest's half or unmapped. */
int copy_from_guest(void *dst, guest_ptr_t src, size_t n);
int copy_to_guest(guest_ptr_t dst, const void *src, size_t n);

/*
 * copy_from_guest() of one 32-bit word, inline: the same range check and
 * fault fixup without a call, for the exception paths that must peek at
 * guest code before they bounce (emulate_ud).  0 or -EFAULT.
 */
static inline int get_guest_u32(uint32_t *v, guest_ptr_t p)
{
    return p <= HYPERVISOR_VIRT_START_ - 4 && load32_safe((const void *)(uintptr_t)p, v) ? 0 : -EFAULT;
}

/* Is [p, p+n) entirely below the hypervisor hole?  (No wrap-around.) */
bool guest_range_ok(guest_ptr_t p, size_t n);

/*
 * Addresses the guest hands us now for the hypervisor or the CPU to use
 * later, checked when they are set (not only when used), because one of
 * the users is the CPU itself, which checks nothing but segment limits,
 * and QEMU's TCG ignores those for data (docs/vcpu.md, "Segment limits").
 *   guest_code_ok:  a handler or callback entry point, below the hole;
 *   guest_stack_ok: a ring-1 stack top below which the largest frame any
 *                   path pushes (GUEST_STACK_FRAME_MAX bytes) fits without
 *                   reaching the hole or wrapping past 0.
 */
/* The CPU's largest push there: a call gate from ring 3 with 31 parameters
 * (SS, ESP, the parameters, CS, EIP; docs/attacks.md, case 60).  The
 * hypervisor's own bounce frames go through copy_to_guest, checked anyway. */
#define GUEST_STACK_FRAME_MAX 140
static inline bool guest_code_ok(uint32_t eip) { return eip < HYPERVISOR_VIRT_START_; }
bool guest_stack_ok(uint32_t esp);
#endif
