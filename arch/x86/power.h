/* power.h - leaving the machine. */
#ifndef ARCH_X86_POWER_H
#define ARCH_X86_POWER_H
#include "hypervisor/types.h"
void arch_power_off(unsigned status) __noreturn;
#endif
