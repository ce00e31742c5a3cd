/* trap.h - the C entry point for every exception (see trap.c). */
#ifndef HV_TRAP_H
#define HV_TRAP_H
#include "arch/x86/regs.h"
void trap_dispatch(struct cpu_regs *r);
/* The hypercall gate's entry: a hypercall from ring 1 without the sorting.
 * entry.S passes the frame in EAX: no argument to push and pop. */
#define __frame_in_eax __attribute__((regparm(1)))
void __frame_in_eax hypercall_entry(struct cpu_regs *r);
#include "hypervisor/domain/domain.h"

#define HYPERCALL_VECTOR 0x82     /* int $0x82, a DPL 1 gate (Xen's x86_32 ABI) */

/* Deliver vector to the guest's handler; false if it has none. */
bool trap_bounce(struct domain *d, struct cpu_regs *r, unsigned vector, uint32_t error);
/* Before resuming d: deliver its event upcall if pending and unmasked. */
void trap_deliver_upcall(struct domain *d, struct cpu_regs *r);

/* entry.S's two fault paths on the way back into a guest (see trap.c). */
void trap_failsafe(void);
void trap_bad_iret(void) __noreturn;

/* The guest faulted: bounce it, or halt the domain (insn: its text, or ""). */
void trap_guest_exception(struct domain *d, struct cpu_regs *r, const char *insn);
#endif
