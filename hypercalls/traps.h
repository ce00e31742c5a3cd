/* traps.h - the rules of traps.c's setters, for VCPUOP_initialise to apply to a whole context. */
#ifndef HC_TRAPS_H
#define HC_TRAPS_H
#include "hypervisor/domain/domain.h"

/*
 * Each is exactly the check its hypercall makes, with its error: 0,
 * -EPERM or -EINVAL.  Selectors are judged against d's GDT and LDT.
 *   traps_check_entry:     one set_trap_table entry (handler cs:address);
 *   traps_check_stack:     stack_switch's ss:esp (ss RPL 0 becomes 1);
 *   traps_check_callbacks: set_callbacks' event and failsafe cs:eip.
 */
long traps_check_entry(const struct domain *d, uint32_t cs, uint32_t address);
long traps_check_stack(unsigned long *ss, unsigned long esp);
long traps_check_callbacks(const struct domain *d, uint32_t event_cs, uint32_t event_eip,
                           uint32_t failsafe_cs, uint32_t failsafe_eip);

/* Flags a guest may set through iret (and a new vCPU start with). */
#define EFLAGS_GUEST_MASK 0x00250dd5u
#endif
