/*
 * cpuid.c - the CPUID policy: what a PV guest is told about the CPU.
 *
 * A plain CPUID in ring 1 does not trap (without CPUID faulting), so the
 * guest sees the real CPU; a PV kernel that wants the truth about its
 * virtual CPU uses Xen's forced-emulation prefix, and gets this filtered
 * view.  We hide what a PV guest cannot use here (VME, PSE and PGE: the
 * hypervisor owns CR4 and refuses large pages; MTRR/MCE/ACPI/monitor:
 * platform features it cannot drive; VMX/SMX: no nesting; long mode: this
 * is a 32-bit guest), set the "running under a hypervisor" bit, and answer
 * the hypervisor leaves 0x40000000.. as Xen does, so guests can find us.
 */
#include "hypervisor/vcpu/cpuid.h"

#define XEN_CPUID_BASE 0x40000000u

/* leaf 1 EDX: VME PSE MCE MTRR PGE MCA PSE36 DS ACPI TM PBE (DE is the guest's: its virtual CR4.DE) */
#define HIDE_1_EDX ((1u << 1) | (1u << 3) | (1u << 7) | (1u << 12) | (1u << 13) | \
                    (1u << 14) | (1u << 17) | (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31))
/* leaf 1 ECX: MONITOR DS-CPL VMX SMX EST TM2 XSAVE OSXSAVE AVX */
#define HIDE_1_ECX ((1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | \
                    (1u << 26) | (1u << 27) | (1u << 28))
#define HYPERVISOR_BIT (1u << 31)
#define LM_BIT (1u << 29)

static struct cpuid_regs hypervisor_leaf(uint32_t leaf)
{
    struct cpuid_regs r = { 0, 0, 0, 0 };
    switch (leaf - XEN_CPUID_BASE) {
    case 0:                                 /* max leaf and "XenVMMXenVMM" */
        r.eax = XEN_CPUID_BASE + 2;
        r.ebx = 0x566e6558;                 /* "XenV" */
        r.ecx = 0x65584d4d;                 /* "MMXe" */
        r.edx = 0x4d4d566e;                 /* "nVMM" */
        break;
    case 1:                                 /* version: 4.0 */
        r.eax = (4u << 16) | 0;
        break;
    case 2:                                 /* one hypercall page, no MSR to fill it */
        r.eax = 1;
        break;
    }
    return r;
}

struct cpuid_regs cpuid_guest(const struct domain *d __unused, uint32_t leaf, uint32_t subleaf)
{
    if (leaf >= XEN_CPUID_BASE && leaf < XEN_CPUID_BASE + 0x100)
        return hypervisor_leaf(leaf);
    uint32_t max_basic = cpuid(0, 0).eax;
    uint32_t max_ext = cpuid(0x80000000u, 0).eax;
    if ((leaf < 0x80000000u && leaf > max_basic) || (leaf >= 0x80000000u && leaf > max_ext))
        return (struct cpuid_regs){ 0, 0, 0, 0 };
    struct cpuid_regs r = cpuid(leaf, subleaf);
    if (leaf == 1) {
        r.edx &= ~HIDE_1_EDX;
        r.ecx &= ~HIDE_1_ECX;
        r.ecx |= HYPERVISOR_BIT;
        r.ebx &= 0x0000ffff;               /* no APIC id / logical count: one vCPU */
    } else if (leaf == 0x80000001u) {
        r.edx &= ~LM_BIT;
    } else if (leaf == 7 && subleaf == 0) {
        r.ebx &= (1u << 0) | (1u << 3) | (1u << 8) | (1u << 9);   /* fsgsbase bmi1 bmi2 erms */
        r.ecx = r.edx = 0;
    }
    return r;
}
