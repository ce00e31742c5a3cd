/* sched.h - which domain runs next (cooperative round robin for now). */
#ifndef HV_SCHED_H
#define HV_SCHED_H
#include "hypervisor/domain/domain.h"

/* The frame entry.S builds for every trap from ring 1 or 3. */
struct cpu_regs *sched_guest_frame(void);

/* Start running domains; returns only by powering off. */
void sched_start(void) __noreturn;

/* Ask for a switch at the end of the current trap (sched_op yield). */
void sched_yield(void);

/* Called at the end of every guest trap: switch if asked or if current died. */
void sched_trap_exit(struct cpu_regs *frame);

/*
 * Whether sched_trap_exit() has anything to do: current died or blocked,
 * or a switch was asked for.  Inline, so that the common exit, with
 * nothing to do, costs three tests and no call (docs/performance.md).
 */
extern bool need_resched;
static inline bool sched_exit_due(void)
{
    return need_resched || current->state != DOMAIN_RUNNABLE || current->blocked;
}

/* d waits for an event (block/poll): it is not scheduled until woken. */
void sched_block(struct domain *d);
void sched_wake(struct domain *d);

/* The timer tick (time.c): preempt the running domain when its slice is over. */
void sched_tick(void);

/* current is dead: run another domain from a fresh stack, or power off. */
void sched_run_next(void) __noreturn;
#endif
