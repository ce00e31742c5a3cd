/*
 * cpu.c - find out what the processor supports.
 *
 * The features listed are the ones later stages depend on: PAE (required:
 * the whole ABI is PAE), NX (guest page tables may use bit 63, which is
 * reserved without EFER.NXE), PGE (global hypervisor mappings survive
 * guest CR3 switches), TSC (time), UMIP and CPUID faulting (make
 * SGDT/SIDT/SMSW/... and CPUID trap in ring 1), SMEP/SMAP.  They are printed at boot so a log says what machine
 * it came from.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"
#include "hypervisor/console/console.h"
#include "hypervisor/lib.h"

struct cpu_features cpu;

static const char *yn(bool b) { return b ? "+" : "-"; }

/*
 * The two switches that turn sensitive-but-unprivileged instructions into
 * traps (docs/untrappable.md).  UMIP makes sgdt, sidt, sldt, smsw and str
 * raise #GP outside ring 0.  CPUID faulting, an Intel MSR pair that Xen
 * also uses, makes cpuid raise #GP outside ring 0.  Both leave ring 0 (the
 * hypervisor) untouched.  A CPU without them gets neither, and the
 * builder's load-time scan reports what then runs unseen.
 */
static void enable_trapping(bool want_umip, bool want_cpuid_faulting)
{
    uint64_t v;
    if (cpu.umip && want_umip) {
        write_cr4(read_cr4() | CR4_UMIP);
        cpu.umip_on = true;
    }
    cpu.cpuid_faulting = rdmsr_safe(MSR_PLATFORM_INFO, &v) && (v & PLATFORM_INFO_CPUID_FAULTING);
    if (cpu.cpuid_faulting && want_cpuid_faulting && rdmsr_safe(MSR_MISC_FEATURES_ENABLES, &v))
        cpu.cpuid_faulting_on = wrmsr_safe(MSR_MISC_FEATURES_ENABLES,
                                           v | MISC_FEATURES_CPUID_FAULTING);
}

void cpu_set_tsd(bool on)
{
    uint32_t cr4 = read_cr4();
    if (!!(cr4 & CR4_TSD) != on)
        write_cr4(on ? cr4 | CR4_TSD : cr4 & ~CR4_TSD);
}

void cpu_init(bool want_umip, bool want_cpuid_faulting)
{
    struct cpuid_regs r = cpuid(0, 0);
    uint32_t max_leaf = r.eax;
    memcpy(cpu.vendor + 0, &r.ebx, 4);
    memcpy(cpu.vendor + 4, &r.edx, 4);
    memcpy(cpu.vendor + 8, &r.ecx, 4);
    r = cpuid(1, 0);
    cpu.family = (r.eax >> 8) & 0xf;
    cpu.model = (r.eax >> 4) & 0xf;
    cpu.stepping = r.eax & 0xf;
    if (cpu.family == 0xf)
        cpu.family += (r.eax >> 20) & 0xff;
    if (cpu.family >= 6)
        cpu.model |= ((r.eax >> 16) & 0xf) << 4;
    cpu.tsc = r.edx & (1u << 4);
    cpu.pae = r.edx & (1u << 6);
    cpu.apic = r.edx & (1u << 9);
    cpu.pge = r.edx & (1u << 13);
    cpu.fxsr = r.edx & (1u << 24);
    cpu.sse = r.edx & (1u << 25);
    if (max_leaf >= 7) {
        r = cpuid(7, 0);
        cpu.smep = r.ebx & (1u << 7);
        cpu.smap = r.ebx & (1u << 20);
        cpu.umip = r.ecx & (1u << 2);
    }
    if (cpuid(0x80000000u, 0).eax >= 0x80000001u)
        cpu.nx = cpuid(0x80000001u, 0).edx & (1u << 20);
    if (cpu.nx)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    /*
     * sysenter and syscall enter ring 0 through MSRs the firmware may have
     * left set.  Make both fault in every guest: SYSENTER_CS 0 gives #GP,
     * and EFER.SCE clear makes syscall #UD.  Never trust the reset values.
     */
    if (cpuid(1, 0).edx & (1u << 11))                   /* SEP */
        wrmsr(MSR_SYSENTER_CS, 0);
    if (cpuid(0x80000000u, 0).eax >= 0x80000001u &&
        (cpuid(0x80000001u, 0).edx & ((1u << 11) | (1u << 20) | (1u << 29))))
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~(uint64_t)EFER_SCE);

    enable_trapping(want_umip, want_cpuid_faulting);

    hvlog("cpu: %s family %u model %u stepping %u\n", cpu.vendor, cpu.family, cpu.model, cpu.stepping);
    hvlog("cpu features: %spae %snx %spge %stsc %sumip %ssmep %ssmap %sfxsr %ssse %scpuid-faulting\n",
          yn(cpu.pae), yn(cpu.nx), yn(cpu.pge), yn(cpu.tsc), yn(cpu.umip),
          yn(cpu.smep), yn(cpu.smap), yn(cpu.fxsr), yn(cpu.sse), yn(cpu.cpuid_faulting));
    hvlog("cpu traps outside ring 0: sgdt sidt sldt smsw str %s; cpuid %s; rdpmc by CR4.PCE clear\n",
          cpu.umip_on ? "by UMIP" : cpu.umip ? "no (umip=off)" : "no (no UMIP)",
          cpu.cpuid_faulting_on ? "by CPUID faulting" :
          cpu.cpuid_faulting ? "no (cpuid-faulting=off)" : "no (no CPUID faulting)");
}
