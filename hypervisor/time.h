/* time.h - hardware time, guest time, and one-shot guest timers (time.c). */
#ifndef HV_TIME_H
#define HV_TIME_H
#include "hypervisor/domain.h"

/* Calibrate the TSC, read the RTC, start the periodic tick (IRQ 0). */
void time_init(void);
/* Nanoseconds since boot (system time), from the TSC. */
uint64_t time_now_ns(void);
/* The tick interrupt: fire due guest timers (VIRQ_TIMER), tell the scheduler. */
void time_irq(void);
/* Refresh d's vcpu_time_info and wallclock in its shared_info. */
void time_update_guest(struct domain *d);
/* The earliest pending deadline (guest timers and polls), 0 if none. */
uint64_t time_next_deadline_ns(void);
#endif
