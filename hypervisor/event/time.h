/* time.h - hardware time, guest time, and one-shot guest timers (time.c). */
#ifndef HV_TIME_H
#define HV_TIME_H
#include "hypervisor/domain/domain.h"
#include "arch/x86/x86.h"

/* The periodic tick (local APIC timer, or PIT channel 0 on IRQ 0): time_irq() runs this often. */
#define TIME_HZ 1000

/* Calibrate the TSC, read the RTC, start the periodic tick (APIC timer or PIT). */
void time_init(void);
/* Nanoseconds since boot (system time), from the TSC. */
uint64_t time_now_ns(void);
/*
 * A period has passed since the last tick ran (TSC ticks), so the next one
 * is waiting (IF is clear in the hypervisor).  Long hypercalls ask this
 * between items and continue (hypercall.c), which bounds how late a tick
 * can be taken; inline, and it converts nothing: it is asked once per item.
 */
extern uint64_t time_last_tick_tsc, time_tick_period_tsc;
static inline bool time_tick_due(void) { return rdtsc() - time_last_tick_tsc >= time_tick_period_tsc; }
/* The tick interrupt: fire due guest timers (VIRQ_TIMER), tell the scheduler. */
void time_irq(void);
/* Refresh d's vcpu_time_info and wallclock in its shared_info. */
void time_update_guest(struct domain *d);
/*
 * d's one-shot timer (set_timer_op): raise VIRQ_TIMER at system time
 * deadline_ns, replacing any earlier setting; 0 cancels; a deadline already
 * past fires now.
 */
void time_set_timer(struct domain *d, uint64_t deadline_ns);
/* d's periodic timer (VCPUOP_set_periodic_timer): raise VIRQ_TIMER if a period has passed by now. */
void time_periodic(struct domain *d, uint64_t now);
#endif
