/* pit.h - the 8254 programmable interval timer: the periodic tick and a stopwatch. */
#ifndef ARCH_X86_PIT_H
#define ARCH_X86_PIT_H
#include "hypervisor/types.h"

#define PIT_HZ  1193182u      /* the input clock of every channel */
#define PIT_IRQ 0             /* channel 0 raises IRQ 0 */

/* Channel 0: interrupt hz times a second (IRQ 0), for ever. */
void pit_start_periodic(unsigned hz);

/*
 * Channel 2 as a stopwatch: let it count `count` input clocks and return
 * how far the TSC advanced meanwhile; 0 if it never finished (no PIT).
 */
uint64_t pit_measure_tsc(uint16_t count);
#endif
