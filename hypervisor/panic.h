/* panic.h - stop the machine because the hypervisor itself is broken. */
#ifndef HV_PANIC_H
#define HV_PANIC_H
#include "arch/x86/regs.h"
/* panic() itself is declared in lib.h, next to BUG_ON. */
void panic_regs(const struct cpu_regs *r, const char *what) __noreturn;
/* The #DF task's body (reached through the task gate, never called). */
void double_fault_task(void) __noreturn;
#endif
