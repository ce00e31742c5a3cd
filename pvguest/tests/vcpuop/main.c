/*
 * vcpuop - vcpu_op for vCPU 0 as Xen answers it, and its hostile arguments.
 *
 * Checked, in order:
 *  - vCPU numbers: 0 is up; 1, 255 and 0xffffffff are -ENOENT (a one-vCPU
 *    domain on Xen), whatever the command; an unknown command is -ENOSYS;
 *    get_physid is -EINVAL (Xen gives it to a pinned hardware domain only);
 *  - get_runstate_info: -EFAULT for NULL, the hole, a record across the
 *    hole and a read-only page; else "running", with times that add up to
 *    at most the clock and grow in the blocked state across a 20 ms sleep
 *    (and, with "peer=1" and another domain that spins - this image with
 *    "spin_ms=N" does only that - in the runnable state across a yield);
 *  - register_runstate_memory_area: -EFAULT for an unreadable argument and
 *    for an area in or across the hole; an area below the hole that is not
 *    mapped, or read-only, is accepted (Xen ignores failed copies); a good
 *    area says "running" at once and is rewritten each time we are
 *    scheduled; after registering 0 it is left alone;
 *  - set_periodic_timer: -EFAULT, -EINVAL below 1 ms and above 2^62 - 1;
 *    a 1 ms period sends VIRQ_TIMER at once and then again and again, never
 *    more often than its period, while we run; none after
 *    stop_periodic_timer;
 *  - set_singleshot_timer: -EFAULT; a past deadline is -ETIME with
 *    VCPU_SSHOTTMR_future and fires at once without it; a future one fires
 *    at its time; stop_singleshot_timer cancels.
 */
#include "pvguest/lib/pvguest.h"

#define HOLE 0xf5800000u
#define RS_SIZE sizeof(struct xen_vcpu_runstate_info)

static volatile unsigned timer_events;
static void on_timer(unsigned port, void *arg) { (void)port, (void)arg; timer_events++; }

static long op(int cmd, unsigned vcpu, void *arg) { return HYPERVISOR_vcpu_op(cmd, vcpu, arg); }

/* Run (no yield, events unmasked) for ms milliseconds: the tick still comes. */
static void spin_ms(unsigned ms)
{
    uint64_t end = time_now_ns() + ms * NS_PER_MS;
    while (time_now_ns() < end)
        ;
}

static uint64_t sum(const struct xen_vcpu_runstate_info *rs)
{
    return rs->time[0] + rs->time[1] + rs->time[2] + rs->time[3];
}

static void vcpu_numbers(void)
{
    static const unsigned bad[] = { 1, 255, 0xffffffffu };
    struct xen_vcpu_runstate_info rs;
    check_rc("is_up vCPU 0", op(VCPUOP_is_up, 0, NULL), 1);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        check(op(VCPUOP_is_up, bad[i], NULL), -ENOENT, "is_up vCPU %u", bad[i]);
        check(op(VCPUOP_get_runstate_info, bad[i], &rs), -ENOENT, "get_runstate_info vCPU %u", bad[i]);
        check(op(99, bad[i], NULL), -ENOENT, "command 99 for vCPU %u", bad[i]);
    }
    check_rc("command 99 for vCPU 0", op(99, 0, NULL), -ENOSYS);
    struct xen_vcpu_get_physid id;
    check_rc("get_physid", op(VCPUOP_get_physid, 0, &id), -EINVAL);
    check_rc("get_physid with a NULL pointer", op(VCPUOP_get_physid, 0, NULL), -EINVAL);
}

static void runstate_info(const xen_start_info_t *si, bool peer)
{
    struct xen_vcpu_runstate_info a, b;
    check_rc("get_runstate_info to NULL", op(VCPUOP_get_runstate_info, 0, NULL), -EFAULT);
    check_rc("get_runstate_info into the hole", op(VCPUOP_get_runstate_info, 0, (void *)HOLE), -EFAULT);
    check_rc("get_runstate_info across the hole",
             op(VCPUOP_get_runstate_info, 0, (void *)(HOLE - RS_SIZE + 4)), -EFAULT);
    check_rc("get_runstate_info to our read-only page table",
             op(VCPUOP_get_runstate_info, 0, (void *)si->pt_base), -EFAULT);
    check_rc("get_runstate_info", op(VCPUOP_get_runstate_info, 0, &a), 0);
    uint64_t now = time_now_ns();
    printf("runstate: state %d since %llu ns; running %llu runnable %llu blocked %llu offline %llu\n",
           a.state, (unsigned long long)a.state_entry_time, (unsigned long long)a.time[0],
           (unsigned long long)a.time[1], (unsigned long long)a.time[2], (unsigned long long)a.time[3]);
    check_rc("runstate state", a.state, RUNSTATE_running);
    check_rc("state_entry_time <= now", a.state_entry_time <= now, 1);
    check_rc("time running > 0", a.time[RUNSTATE_running] > 0, 1);
    check_rc("the times add up to no more than the clock", sum(&a) <= now, 1);
    check_rc("never offline", a.time[RUNSTATE_offline], 0);
    time_sleep_ns(20 * NS_PER_MS);
    op(VCPUOP_get_runstate_info, 0, &b);
    printf("after a 20 ms sleep: blocked %llu ns more\n",
           (unsigned long long)(b.time[RUNSTATE_blocked] - a.time[RUNSTATE_blocked]));
    check_rc("a 20 ms sleep adds at least 5 ms blocked (the rest may go to a busy host)",
             b.time[RUNSTATE_blocked] - a.time[RUNSTATE_blocked] >= 5 * NS_PER_MS, 1);
    check_rc("the times keep adding up to no more than the clock", sum(&b) <= time_now_ns(), 1);
    if (peer) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        op(VCPUOP_get_runstate_info, 0, &a);
        check_rc("a yield to a spinning domain adds runnable time",
                 a.time[RUNSTATE_runnable] > b.time[RUNSTATE_runnable], 1);
    }
}

static struct xen_vcpu_runstate_info area;

static long register_area(uint32_t addr)
{
    struct xen_vcpu_register_runstate_memory_area r = { .addr.p = addr };
    return op(VCPUOP_register_runstate_memory_area, 0, &r);
}

static void runstate_area(const xen_start_info_t *si)
{
    check_rc("register_runstate_memory_area with a NULL argument",
             op(VCPUOP_register_runstate_memory_area, 0, NULL), -EFAULT);
    check_rc("register_runstate_memory_area with its argument in the hole",
             op(VCPUOP_register_runstate_memory_area, 0, (void *)HOLE), -EFAULT);
    check_rc("an area in the hole", register_area(HOLE), -EFAULT);
    check_rc("an area across the hole", register_area(HOLE - 20), -EFAULT);
    check_rc("an area at 0xffffffc0", register_area(0xffffffc0u), -EFAULT);
    check_rc("an unmapped area below the hole", register_area(mm_va_slot()), 0);
    spin_ms(2);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check_rc("a read-only area (our page table)", register_area(si->pt_base), 0);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check_rc("still running after the hypervisor failed to write both", 1, 1);
    memset(&area, 0xff, sizeof(area));
    check_rc("a good area", register_area((uint32_t)(uintptr_t)&area), 0);
    check_rc("the area says running at once", area.state, RUNSTATE_running);
    uint64_t entry = area.state_entry_time, blocked = area.time[RUNSTATE_blocked];
    check_rc("with a state_entry_time", entry > 0 && entry <= time_now_ns(), 1);
    for (unsigned i = 0; i < 20 && area.time[RUNSTATE_blocked] == blocked; i++)
        time_sleep_ns(10 * NS_PER_MS);               /* until a real block ends in a reschedule */
    printf("area after a 10 ms sleep: state %d since %llu ns, blocked %llu ns more\n", area.state,
           (unsigned long long)area.state_entry_time,
           (unsigned long long)(area.time[RUNSTATE_blocked] - blocked));
    check_rc("the area was rewritten when we were scheduled again", area.state_entry_time > entry, 1);
    check_rc("the area still says running", area.state, RUNSTATE_running);
    check_rc("and counts the sleep as blocked", area.time[RUNSTATE_blocked] > blocked, 1);
    check_rc("register 0", register_area(0), 0);
    memset(&area, 0x5a, sizeof(area));
    time_sleep_ns(5 * NS_PER_MS);
    check_rc("after registering 0 the old area is left alone", area.state, 0x5a5a5a5a);
}

static void periodic(void)
{
    struct xen_vcpu_set_periodic_timer p = { .period_ns = 999999 };
    check_rc("set_periodic_timer with a NULL argument", op(VCPUOP_set_periodic_timer, 0, NULL), -EFAULT);
    check_rc("set_periodic_timer 999999 ns", op(VCPUOP_set_periodic_timer, 0, &p), -EINVAL);
    p.period_ns = 1ull << 62;
    check_rc("set_periodic_timer 2^62 ns", op(VCPUOP_set_periodic_timer, 0, &p), -EINVAL);
    p.period_ns = ~0ull;
    check_rc("set_periodic_timer 2^64 - 1 ns", op(VCPUOP_set_periodic_timer, 0, &p), -EINVAL);
    p.period_ns = NS_PER_MS;
    unsigned before = timer_events;
    uint64_t t0 = time_now_ns();
    check_rc("set_periodic_timer 1 ms", op(VCPUOP_set_periodic_timer, 0, &p), 0);
    while (timer_events - before < 11 && time_now_ns() < t0 + NS_PER_SEC)
        ;
    uint64_t took = time_now_ns() - t0;
    printf("periodic 1 ms: %u timer events in %llu us of running\n", timer_events - before,
           (unsigned long long)took / 1000);
    check_rc("a 1 ms period fires again and again (11 events within a second)",
             timer_events - before >= 11, 1);
    check_rc("the first at once, then no more often than the period (10 take 10 ms or more)",
             took >= 10 * NS_PER_MS, 1);
    check_rc("stop_periodic_timer", op(VCPUOP_stop_periodic_timer, 0, NULL), 0);
    spin_ms(2);
    before = timer_events;
    spin_ms(20);
    check_rc("no timer events after stop_periodic_timer", timer_events - before, 0);
    p.period_ns = (1ull << 62) - 1;
    check_rc("set_periodic_timer 2^62 - 1 ns", op(VCPUOP_set_periodic_timer, 0, &p), 0);
    op(VCPUOP_stop_periodic_timer, 0, NULL);
}

static long singleshot(uint64_t deadline, uint32_t flags)
{
    struct xen_vcpu_set_singleshot_timer s = { .timeout_abs_ns = deadline, .flags = flags };
    return op(VCPUOP_set_singleshot_timer, 0, &s);
}

/* Wait up to ms for a timer event; true if one came. */
static bool event_within(unsigned ms, unsigned before)
{
    uint64_t end = time_now_ns() + ms * NS_PER_MS;
    while (timer_events == before && time_now_ns() < end)
        ;
    return timer_events != before;
}

static void single_shot(void)
{
    uint64_t now = time_now_ns();
    unsigned before;
    check_rc("set_singleshot_timer with a NULL argument", op(VCPUOP_set_singleshot_timer, 0, NULL), -EFAULT);
    check_rc("a past deadline with VCPU_SSHOTTMR_future", singleshot(now - NS_PER_MS, VCPU_SSHOTTMR_future), -ETIME);
    check_rc("deadline 0 with VCPU_SSHOTTMR_future", singleshot(0, VCPU_SSHOTTMR_future), -ETIME);
    before = timer_events;
    check_rc("a past deadline without the flag", singleshot(now - NS_PER_MS, 0), 0);
    check_rc("fires at once", event_within(1, before), 1);
    before = timer_events;
    check_rc("deadline 2^64 - 1 with VCPU_SSHOTTMR_future (Xen: not in the past)",
             singleshot(~0ull, VCPU_SSHOTTMR_future), 0);
    check_rc("fires at once (Xen: negative as a signed time)", event_within(1, before), 1);
    before = timer_events;
    now = time_now_ns();                             /* far enough ahead for a busy host */
    check_rc("a deadline 50 ms ahead", singleshot(now + 50 * NS_PER_MS, VCPU_SSHOTTMR_future), 0);
    check_rc("fires within 500 ms", event_within(500, before), 1);
    check_rc("and not before its time", time_now_ns() >= now + 50 * NS_PER_MS, 1);
    before = timer_events;                           /* far enough ahead for a busy host */
    check_rc("a deadline 200 ms ahead", singleshot(time_now_ns() + 200 * NS_PER_MS, 0), 0);
    check_rc("stop_singleshot_timer", op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
    check_rc("a stopped timer never fires", event_within(300, before), 0);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned long spin = cmdline_uint("spin_ms", 0);
    if (spin) {                              /* the peer of "peer=1": it only spins */
        spin_ms(spin);
        test_pass();
        xtf_exit();
    }
    traps_init();
    if (evtchn_init() || evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL) < 0) {
        test_error("cannot bind VIRQ_TIMER");
        xtf_exit();
    }
    set_event_mask(0);
    vcpu_numbers();
    runstate_info(si, cmdline_uint("peer", 0));
    runstate_area(si);
    periodic();
    single_shot();
    test_pass();
    xtf_exit();
}
