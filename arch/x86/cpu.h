/* cpu.h - what this CPU can do, found once at boot. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H
#include "hypervisor/types.h"

struct cpu_features {
    char vendor[13];
    uint32_t family, model, stepping;
    bool pae, nx, pge, tsc, umip, smep, smap, fxsr, sse, apic;
};
extern struct cpu_features cpu;

/* Detect, print the banner line, and switch on what we rely on (NX). */
void cpu_init(void);
#endif
