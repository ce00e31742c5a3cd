/*
 * xen-types.h - the scalar types and layout checks every ABI header uses.
 *
 * This file owns the few typedefs that Xen's 32-bit PV ABI is built from
 * (frame numbers, "unsigned long" words, domain ids, guest pointers) and the
 * two macros that pin every shared structure to its byte layout.  It must
 * never grow anything that only one side (hypervisor or guest) needs: both
 * include it, and both must see exactly the same bytes.
 *
 * Naming rule for all of hypercalls/public/ (why: the hypervisor and our
 * pvguest share these headers, and each also has private types with natural
 * names such as "struct cpu_user_regs" or "struct vcpu"):
 *   - every struct, union and typedef starts with "xen_" (Xen's own name
 *     with that prefix added, unless Xen's name already has it);
 *   - constants keep exactly Xen's spelling (__HYPERVISOR_*, SIF_*, VIRQ_*,
 *     SCHEDOP_* ...) so they can be looked up in Xen's documentation, and no
 *     private header may define names with those prefixes;
 *   - helpers we invent ourselves start with "XEN_".
 *
 * Layout rule: the structures below describe the i386 layout whoever
 * compiles them.  Xen's x86_32 headers say "unsigned long" and plain
 * "uint64_t" and rely on the i386 ABI (4-byte longs, 64-bit fields aligned
 * to 4 inside structs).  We spell those as xen_ulong_t (always 32 bits) and
 * xen_u64_t (always 4-aligned), so a 64-bit host compiling a unit test gets
 * the same offsets as the ring-0 hypervisor and the ring-1 guest.
 */
#ifndef XEN_PUBLIC_XEN_TYPES_H
#define XEN_PUBLIC_XEN_TYPES_H

/*
 * Everything here is C; an assembly file (entry.S) may include the public
 * headers for their constants, and sees only those.
 */
#ifndef __ASSEMBLER__
#include <stdint.h>

/* A machine word of the guest ABI: Xen's "unsigned long" on x86_32. */
typedef uint32_t xen_ulong_t;

/* A page frame number, machine (mfn) or pseudo-physical (pfn): 32 bits. */
typedef uint32_t xen_pfn_t;

/* A domain id.  Values from DOMID_FIRST_RESERVED (0x7FF0) up are special. */
typedef uint16_t xen_domid_t;

/*
 * A 64-bit field as i386 lays it out inside a struct: 4-byte aligned.  The
 * aligned attribute on a typedef may lower alignment (GCC documents this),
 * which is what keeps a 64-bit host build byte-identical to the i386 one.
 */
typedef uint64_t xen_u64_t __attribute__((aligned(4)));
typedef int64_t xen_s64_t __attribute__((aligned(4)));

/*
 * A guest pointer stored in shared memory (Xen's XEN_GUEST_HANDLE field):
 * a guest virtual address.  The hypervisor never dereferences it, it hands
 * it to copy_from_guest()/copy_to_guest().  The guest stores a real pointer
 * with set_xen_guest_handle(), as Xen guests do.  The comment next to each
 * such field names the type it points to.
 */
typedef uint32_t xen_guest_handle_t;
#define set_xen_guest_handle(hnd, ptr) \
    ((hnd) = (xen_guest_handle_t)(uintptr_t)(ptr))

/*
 * Layout checks.  Every struct in these headers is followed by one
 * XEN_ABI_SIZE and one XEN_ABI_OFFSET per field: if a compiler, a flag or a
 * careless edit ever moves a byte, the build stops here rather than a guest
 * misbehaving at run time.
 */
#define XEN_ABI_SIZE(type, n) \
    _Static_assert(sizeof(type) == (n), "ABI: sizeof(" #type ") must be " #n)
#define XEN_ABI_OFFSET(type, field, n) \
    _Static_assert(__builtin_offsetof(type, field) == (n), \
                   "ABI: " #type "." #field " must be at offset " #n)

XEN_ABI_SIZE(xen_u64_t, 8);
_Static_assert(_Alignof(xen_u64_t) == 4, "ABI: 64-bit fields are 4-aligned");

#endif /* !__ASSEMBLER__ */
#endif
