/*
 * guest_access.c - copy to and from guest virtual memory, safely.
 *
 * Every guest pointer is hostile.  Two things can go wrong with one:
 *  1. it points into the hypervisor (0xF5800000 and up).  The hypervisor
 *     runs with flat 4 GiB segments, so without a check it would happily
 *     read or overwrite itself on the guest's behalf.  guest_range_ok()
 *     refuses any range that reaches the hole or wraps around 4 GiB;
 *  2. it points at an unmapped or read-only page.  The copy then faults in
 *     ring 0; the exception table (arch/x86/usercopy.S) turns that fault
 *     into a short copy, and we return -EFAULT.
 * Nothing else in the hypervisor may dereference a guest address.
 */
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "arch/x86/layout.h"
#include "hypercalls/public/errno.h"

uint32_t arch_copy(void *dst, const void *src, size_t n);

bool guest_range_ok(guest_ptr_t p, size_t n)
{
    return n <= HYPERVISOR_VIRT_START_ && p <= HYPERVISOR_VIRT_START_ - n;
}

bool guest_stack_ok(uint32_t esp)
{
    return esp >= GUEST_STACK_FRAME_MAX && guest_range_ok(esp - GUEST_STACK_FRAME_MAX, GUEST_STACK_FRAME_MAX);
}

int copy_from_guest(void *dst, guest_ptr_t src, size_t n)
{
    if (!guest_range_ok(src, n))
        return -EFAULT;
    return arch_copy(dst, (const void *)(uintptr_t)src, n) ? -EFAULT : 0;
}

int copy_to_guest(guest_ptr_t dst, const void *src, size_t n)
{
    if (!guest_range_ok(dst, n))
        return -EFAULT;
    return arch_copy((void *)(uintptr_t)dst, src, n) ? -EFAULT : 0;
}
