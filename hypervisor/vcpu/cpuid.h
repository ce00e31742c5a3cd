/* cpuid.h - the CPUID a guest sees (forced emulation only, for now). */
#ifndef HV_CPUID_H
#define HV_CPUID_H
#include "hypervisor/domain/domain.h"
#include "arch/x86/x86.h"
struct cpuid_regs cpuid_guest(const struct domain *d, uint32_t leaf, uint32_t subleaf);
#endif
