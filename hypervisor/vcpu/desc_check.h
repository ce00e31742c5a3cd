/* desc_check.h - may a guest put this segment descriptor in its GDT or LDT? */
#ifndef HV_DESC_CHECK_H
#define HV_DESC_CHECK_H
#include "hypervisor/types.h"

/*
 * Xen's check_descriptor() for 32-bit PV guests (x86_32/mm.c).  *desc is
 * the raw 8-byte descriptor, low word first as it lies in the table.
 * Returns NULL when it is acceptable, after fixing it up in place the way
 * Xen does (DPL 0 becomes 1, a call gate's target RPL 0 becomes 1, a limit
 * reaching the hypervisor is truncated); otherwise a short reason and
 * *desc is left untouched.  The same rules serve the GDT and the LDT.
 */
const char *desc_check_reason(uint64_t *desc);

/* desc_check_reason() == NULL. */
bool desc_check(uint64_t *desc);

/*
 * The values the rules depend on.  They are the ABI's, repeated here so
 * that this pure file needs no arch header; hypervisor/vcpu/gdt.c checks them
 * against arch/x86/layout.h.
 */
#define DESC_GUEST_TOP        0xF6800000u   /* MACH2PHYS_VIRT_END: segments stop here */
#define DESC_FIRST_RESERVED   7168u         /* FIRST_RESERVED_GDT_ENTRY */
#define DESC_FLAT_KERNEL_CS   0xe019u       /* FLAT_RING1_CS */
#define DESC_GUEST_KERNEL_RPL 1u            /* guest kernels run in ring 1 */
#endif
