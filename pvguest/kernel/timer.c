/*
 * timer.c - the kernel's one timer: the preemption tick and sleeping tasks.
 *
 * A PV vCPU has one single-shot timer (set_timer_op: "raise VIRQ_TIMER at
 * system time T"), so the kernel multiplexes it: the timer is always set
 * for the earlier of
 *   - the next tick, every tick_ns while some task can run: the tick sets
 *     need_resched, and the event upcall then preempts a task it finds in
 *     ring 3 (irqflags.c), so a task that never yields still shares the
 *     CPU with its siblings;
 *   - the earliest deadline of a sleeping task (task_sleep_until).
 * The handler re-arms it each time it fires, which makes the tick
 * periodic.  While nothing can run there is no tick at all: the scheduler
 * blocks the domain (SCHEDOP_block) until a sleeper's deadline or some
 * other event.  Everything here runs with events masked: in the upcall,
 * or inside the scheduler's critical sections.
 */
#include "pvguest/kernel/kernel.h"

struct timer_stats timer_stats;
bool need_resched;
static uint64_t tick_ns;                    /* 0: no preemption tick */
static uint64_t next_tick;
static uint64_t armed;                      /* what set_timer_op holds; 0: nothing */

void timer_arm(void)
{
    uint64_t now = time_now_ns(), want = task_next_wake();
    long rc;

    irq_assert_masked("timer_arm");
    if (tick_ns && task_can_run()) {
        if (next_tick <= now)
            next_tick = now + tick_ns;
        if (!want || next_tick < want)
            want = next_tick;
    }
    if (want == armed)
        return;
    if ((rc = time_set_timer(want)))
        kernel_panic("set_timer_op", rc);
    timer_stats.armed++;
    armed = want;
}

/* VIRQ_TIMER: the one-shot fired.  Wake sleepers, count a tick, re-arm. */
static void on_timer(unsigned port, void *arg)
{
    uint64_t now = time_now_ns();

    (void)port, (void)arg;
    timer_stats.events++;
    armed = 0;                              /* fired: nothing is set any more */
    timer_stats.wakeups += task_wake_due(now);
    if (tick_ns && next_tick && now >= next_tick) {
        timer_stats.ticks++;
        need_resched = true;
        next_tick = now + tick_ns;
    }
    timer_arm();
}

void timer_init(uint64_t tick)
{
    long port = evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL);
    unsigned long flags;

    if (port < 0)
        kernel_panic("EVTCHNOP_bind_virq(VIRQ_TIMER)", port);
    if (!time_ticking())
        kernel_panic("the clock (vcpu_time_info has no scale)", -ENOSYS);
    tick_ns = tick;
    timer_stats.port = (unsigned)port;
    flags = local_irq_save();
    timer_arm();
    local_irq_restore(flags);
}
