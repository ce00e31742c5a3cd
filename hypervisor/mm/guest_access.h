/* guest_access.h - the one pair of functions that read and write guest memory. */
#ifndef HV_GUEST_ACCESS_H
#define HV_GUEST_ACCESS_H
#include "hypervisor/types.h"

/* Return 0, or -EFAULT if any byte is outside the guest's half or unmapped. */
int copy_from_guest(void *dst, guest_ptr_t src, size_t n);
int copy_to_guest(guest_ptr_t dst, const void *src, size_t n);

/* Is [p, p+n) entirely below the hypervisor hole?  (No wrap-around.) */
bool guest_range_ok(guest_ptr_t p, size_t n);
#endif
