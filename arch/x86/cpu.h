/* cpu.h - what this CPU can do, found once at boot. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H
#include "hypervisor/types.h"

struct cpu_features {
    char vendor[13];
    uint32_t family, model, stepping;
    bool pae, nx, pge, tsc, umip, smep, smap, fxsr, sse, apic;
    bool cpuid_faulting;       /* MSR_PLATFORM_INFO[31]: cpuid can be made to #GP */
    /* Switched on at boot (cpu_init), so these instructions trap in rings 1 and 3: */
    bool umip_on;              /* CR4.UMIP: sgdt sidt sldt smsw str */
    bool cpuid_faulting_on;    /* MISC_FEATURES_ENABLES[0]: cpuid */
};
extern struct cpu_features cpu;

/*
 * Detect, print the banner lines, and switch on what we rely on: NX, and
 * the features that make sensitive instructions trap (UMIP, CPUID
 * faulting) unless umip=0 / cpuid-faulting=0 say not to.
 */
void cpu_init(bool want_umip, bool want_cpuid_faulting);

/* CR4.TSD on or off: whether rdtsc/rdtscp trap in rings 1 and 3 (cheap if unchanged). */
void cpu_set_tsd(bool on);
#endif
