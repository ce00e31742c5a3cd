/*
 * desc_check.c - the rules for a guest's segment descriptors.
 *
 * A PV guest writes its own GDT (set_gdt, update_descriptor) and, with the
 * paging stage, its LDT.  The CPU then loads segments from those tables
 * with the hypervisor's authority, so every descriptor is checked here
 * first.  This file only judges and fixes up one 8-byte value; it never
 * touches a table, guest memory or hardware, so it is built and tested on
 * the host (tests/unit/test_desc_check.c).
 *
 * The rules are those of Xen's check_descriptor() for 32-bit PV guests
 * (xen/arch/x86/x86_32/mm.c, Xen 3.x-4.2), in order:
 *
 *  1. A descriptor that is not present is accepted unchanged: loading it
 *     faults (#NP) before any of its other fields matter.
 *  2. DPL 0 is raised to 1, the guest kernel's ring.  A guest kernel
 *     writes DPL 0 because native code does; Xen fixes it rather than
 *     refusing, and so no guest descriptor ever grants ring 0.
 *  3. System descriptors: only the 32-bit call gate (type 12) is allowed.
 *     Interrupt and trap gates belong in the (virtual) IDT; TSSs and task
 *     gates are refused because tasks are not virtualised; LDT descriptors
 *     because the hypervisor makes the one the LDT needs itself; 16-bit
 *     gates and reserved types because Xen allows none of them.
 *     A call gate's target selector gets RPL >= 1 and must name the
 *     guest's part of the GDT (index < 7168), the LDT, or FLAT_RING1_CS
 *     exactly; never 0xe008 or another hypervisor selector.  The gate's
 *     RPL is ignored by the CPU, but every descriptor it can reach has DPL
 *     >= 1 (rule 2), so a gate leads to ring 1 at most.  The reserved bits
 *     5-7 of its parameter-count byte must be zero.
 *  4. Code and data segments must stay below DESC_GUEST_TOP (0xF6800000,
 *     MACH2PHYS_VIRT_END): ring 1 is "supervisor" to the paging unit, so
 *     these limits are all that keep a guest out of the hypervisor.  The
 *     base must be more than a page below the top.  A segment that would
 *     reach past it is *truncated* like Xen does, so that the flat 4 GiB
 *     segments every native kernel writes keep working: an expand-up
 *     segment (data or code) gets the largest page-granular limit that
 *     ends at the top; an expand-down data segment, whose valid offsets lie
 *     above its limit, gets the limit that makes it wrap around to end just
 *     below its base.  Only page-granular (G=1) segments are truncated: a
 *     byte-granular one that reaches too far is refused, as in Xen ("too
 *     dangerous; too hard to work out").
 *
 * Like Xen x86_32, and unlike Xen's 32-on-64 path, the L bit is not
 * checked: it means nothing outside long mode, which we never enter.
 * A refused descriptor is left exactly as it was.
 */
#include "hypervisor/vcpu/desc_check.h"
#include "hypervisor/lib.h"

/* Bits of the descriptor's high word. */
#define SEG_TYPE  (15u << 8)
#define SEG_EC    (1u << 10)     /* data: expand-down; code: conforming */
#define SEG_CODE  (1u << 11)
#define SEG_S     (1u << 12)     /* code or data (not a system descriptor) */
#define SEG_DPL   (3u << 13)
#define SEG_P     (1u << 15)
#define SEG_G     (1u << 23)     /* limit counts 4 KiB pages */

#define SYS_CALL_GATE 12

/* Why each system type other than the 32-bit call gate is refused. */
static const char *const system_refusal[16] = {
    [0] = "reserved system type 0",
    [1] = "16-bit TSS (tasks are not virtualised)",
    [2] = "LDT descriptor (the hypervisor makes the LDT's own)",
    [3] = "busy 16-bit TSS (tasks are not virtualised)",
    [4] = "16-bit call gate",
    [5] = "task gate (tasks are not virtualised)",
    [6] = "16-bit interrupt gate (gates belong in the trap table)",
    [7] = "16-bit trap gate (gates belong in the trap table)",
    [8] = "reserved system type 8",
    [9] = "TSS (tasks are not virtualised)",
    [10] = "reserved system type 10",
    [11] = "busy TSS (tasks are not virtualised)",
    [13] = "reserved system type 13",
    [14] = "interrupt gate (gates belong in the trap table)",
    [15] = "trap gate (gates belong in the trap table)",
};

/* Rule 3 for a call gate: a is the low word, b the (DPL-fixed) high word. */
static const char *check_call_gate(uint32_t *a, uint32_t b)
{
    uint32_t cs = *a >> 16;
    if ((cs & 3) < DESC_GUEST_KERNEL_RPL)
        cs = (cs & ~3u) | DESC_GUEST_KERNEL_RPL;
    bool guest_gdt = (cs >> 3) < DESC_FIRST_RESERVED, ldt = cs & 4;
    if (!guest_gdt && !ldt && cs != DESC_FLAT_KERNEL_CS)
        return "call gate to a reserved selector other than FLAT_RING1_CS";
    if (b & 0xe0)
        return "call gate with reserved bits set";
    *a = (*a & 0xffffu) | (cs << 16);
    return NULL;
}

/*
 * Rule 4.  The arithmetic is 32-bit on purpose, as in Xen: `size` is the
 * limit plus one in bytes, and wraps to 0 for a 4 GiB segment, so "end
 * <= base" means "reaches 4 GiB or wraps".
 */
static const char *check_segment(uint32_t *a, uint32_t *b)
{
    uint32_t base = (*b & 0xff000000u) | ((*b & 0xffu) << 16) | (*a >> 16);
    if (base >= DESC_GUEST_TOP - PAGE_SIZE)
        return "segment base within a page of the hypervisor area";

    uint32_t size = ((*b & 0xf0000u) | (*a & 0xffffu)) + 1;
    if (*b & SEG_G)
        size <<= 12;
    uint32_t end = base + size, new_size;
    if ((*b & (SEG_CODE | SEG_EC)) == SEG_EC) {
        /* Expand-down data: offsets size..4G-1, i.e. base+size up to base-1
         * modulo 4 GiB.  Safe only if that range wraps. */
        if (end <= base)
            return NULL;
        new_size = -(base & PAGE_MASK);
    } else {
        /* Expand-up data, and all code: offsets 0..size-1. */
        if (end > base && end <= DESC_GUEST_TOP)
            return NULL;
        new_size = DESC_GUEST_TOP - base;
    }
    if (!(*b & SEG_G))
        return "byte-granular segment reaching the hypervisor area";
    uint32_t limit = (new_size >> 12) - 1;
    *a = (*a & ~0xffffu) | (limit & 0xffffu);
    *b = (*b & ~0xf0000u) | (limit & 0xf0000u);
    return NULL;
}

const char *desc_check_reason(uint64_t *desc)
{
    uint32_t a = (uint32_t)*desc, b = (uint32_t)(*desc >> 32);
    const char *why;

    if (!(b & SEG_P))
        return NULL;
    if (((b & SEG_DPL) >> 13) < DESC_GUEST_KERNEL_RPL)
        b = (b & ~SEG_DPL) | (DESC_GUEST_KERNEL_RPL << 13);

    if (b & SEG_S)
        why = check_segment(&a, &b);
    else if (((b & SEG_TYPE) >> 8) != SYS_CALL_GATE)
        why = system_refusal[(b & SEG_TYPE) >> 8];
    else
        why = check_call_gate(&a, b);

    if (!why)
        *desc = ((uint64_t)b << 32) | a;
    return why;
}

bool desc_check(uint64_t *desc)
{
    return desc_check_reason(desc) == NULL;
}
