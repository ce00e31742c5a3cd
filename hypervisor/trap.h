/* trap.h - the C entry point for every exception (see trap.c). */
#ifndef HV_TRAP_H
#define HV_TRAP_H
#include "arch/x86/regs.h"
void trap_dispatch(struct cpu_regs *r);
/* Traps from ring 1 or 3 go here; implemented by the domain code. */
void domain_trap(struct cpu_regs *r);
#endif
