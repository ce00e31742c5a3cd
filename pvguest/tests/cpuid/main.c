/*
 * cpuid - CPUID through Xen's forced-emulation prefix, and the Xen leaves.
 *
 * In ring 1 a plain CPUID does not trap, so a PV kernel asks for the
 * hypervisor's view with "ud2a; .ascii \"xen\"; cpuid" (lib/cpuid.c).  This
 * test checks that the hypervisor recognises that prefix and resumes us
 * after the cpuid with answers: leaf 0 (highest leaf and vendor string),
 * leaf 1 (signature and feature bits), and the hypervisor leaf 0x40000000,
 * which must say "XenVMMXenVMM" - the way every Xen guest finds out it runs
 * on Xen.  If leaf 0x40000001 is offered it must carry the same version as
 * XENVER_version, as on Xen.  If the prefix were not emulated, the #UD would
 * halt us and no result line would appear.
 */
#include "pvguest/lib/pvguest.h"

#define XEN_CPUID_BASE 0x40000000u

static void regs_to_str(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
    memcpy(out, &a, 4);
    memcpy(out + 4, &b, 4);
    memcpy(out + 8, &c, 4);
    out[12] = '\0';
}

static void show(uint32_t leaf, const struct cpuid_regs *r)
{
    printf("leaf 0x%08x: eax 0x%08x ebx 0x%08x ecx 0x%08x edx 0x%08x\n",
           leaf, r->eax, r->ebx, r->ecx, r->edx);
}

void pvguest_main(const xen_start_info_t *si)
{
    struct cpuid_regs r;
    char sig[13];
    long ver;

    (void)si;
    xen_cpuid(0, 0, &r);                     /* vendor: EBX, EDX, ECX */
    show(0, &r);
    regs_to_str(sig, r.ebx, r.edx, r.ecx);
    printf("vendor \"%s\", max basic leaf 0x%x\n", sig, r.eax);
    check_rc("leaf 0 max basic leaf >= 1", r.eax >= 1, 1);

    xen_cpuid(1, 0, &r);
    show(1, &r);
    printf("family %u model %u stepping %u, hypervisor bit %u\n",
           (r.eax >> 8) & 0xf, (r.eax >> 4) & 0xf, r.eax & 0xf, r.ecx >> 31);

    xen_cpuid(XEN_CPUID_BASE, 0, &r);        /* signature: EBX, ECX, EDX */
    show(XEN_CPUID_BASE, &r);
    regs_to_str(sig, r.ebx, r.ecx, r.edx);
    printf("hypervisor signature \"%s\", max leaf 0x%08x\n", sig, r.eax);
    check_rc("leaf 0x40000000 says XenVMMXenVMM", !strcmp(sig, "XenVMMXenVMM"), 1);

    if (r.eax >= XEN_CPUID_BASE + 1) {
        xen_cpuid(XEN_CPUID_BASE + 1, 0, &r);
        show(XEN_CPUID_BASE + 1, &r);
        ver = HYPERVISOR_xen_version(XENVER_version, NULL);
        check_rc("leaf 0x40000001 eax = XENVER_version", r.eax, ver);
    }
    test_pass();
    xtf_exit();
}
