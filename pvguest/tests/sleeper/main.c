/*
 * sleeper - sleep on the one-shot timer, n times, and say so each time.
 *
 * It binds VIRQ_TIMER to an event channel (EVTCHNOP_bind_virq) and sleeps
 * with the library's time_sleep_ns(): set_timer_op(now + ms), then
 * SCHEDOP_block, which gives the CPU up until the timer's event is
 * pending.  After each sleep it prints how long it slept by the
 * shared_info clock, how many times it blocked, and the timer events its
 * handler took so far.  Checked: the bind works; each sleep ends no
 * earlier than its deadline (the clock is the judge, so this is a lower
 * bound only: how late the wake-up is depends on the host and is printed,
 * never judged); and timer events came.  Not one per sleep: a sleep ends
 * when the clock says so, and if the hypervisor's tick has not yet fired
 * that deadline, the next set_timer_op replaces it - one event fewer,
 * and correct.  Events are unmasked between sleeps, so any that is
 * pending is taken at once.  "-- n=5 ms=50".  Ends SUCCESS.
 */
#include "pvguest/lib/pvguest.h"

static volatile unsigned timer_events;

static void on_timer(unsigned port, void *arg)
{
    (void)port, (void)arg;
    timer_events++;
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long n = cmdline_uint("n", 5), ms = cmdline_uint("ms", 50);
    unsigned late = 0;
    long port;

    (void)si;
    traps_init();
    if (evtchn_init() || (port = evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL)) < 0) {
        test_error("cannot bind VIRQ_TIMER");
        xtf_exit();
    }
    printf("sleeper: VIRQ_TIMER on port %ld; %lu sleeps of %lu ms\n", port, n, ms);
    set_event_mask(0);
    for (unsigned long i = 1; i <= n; i++) {
        uint64_t t0 = time_now_ns(), deadline = t0 + ms * NS_PER_MS;
        unsigned blocks = time_block_until(deadline);
        uint64_t t1 = time_now_ns();

        printf("sleeper: woke %lu/%lu after %llu us (%u blocks, %u timer events so far)\n",
               i, n, (t1 - t0) / 1000, blocks, timer_events);
        late += t1 < deadline;
    }
    check_rc("wake-ups before their deadline", late, 0);
    check_rc("timer events came", timer_events > 0, 1);
    test_pass();
    xtf_exit();
}
