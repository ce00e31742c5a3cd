/* apic.h - the local APIC: its timer as the tick, LINT0 for the 8259, EOI. */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H
#include "hypervisor/types.h"

#define APIC_TIMER_VECTOR    0x40   /* the periodic tick, when the APIC drives it */
#define APIC_SPURIOUS_VECTOR 0xff   /* low four bits must be set on old CPUs */

/*
 * Find the local APIC (CPUID and the IA32_APIC_BASE MSR), map its page
 * uncached, and switch it on with every local interrupt masked except
 * LINT0, which stays the 8259's way in (ExtINT).  False, touching
 * nothing, if there is no enabled APIC.
 */
bool apic_init(void);

/*
 * Let the timer count down once from its maximum, masked, for tsc_cycles
 * of the TSC, and return how many timer counts that took (0 if none).
 */
uint32_t apic_timer_measure(uint64_t tsc_cycles);

/* Interrupt on APIC_TIMER_VECTOR every `count` timer counts, for ever. */
void apic_timer_start_periodic(uint32_t count);

/* This CPU's local APIC id. */
uint32_t apic_id(void);

/* Interrupt-command words for apic_ipi (Intel SDM vol. 3, 10.6.1). */
#define APIC_IPI_INIT    0x4500u     /* INIT, level assert: the target resets and waits */
#define APIC_IPI_STARTUP 0x4600u     /* | page >> 12: start in real mode at that page */

/* Send the IPI `icr` to the local APIC `dest` and wait until it is accepted. */
void apic_ipi(uint32_t dest, uint32_t icr);

/* End of interrupt for the vector in service (never for the spurious one). */
void apic_eoi(void);
#endif
