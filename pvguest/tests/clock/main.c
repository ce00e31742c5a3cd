/*
 * clock - guest time from shared_info, and the one-shot timer (set_timer_op).
 *
 * A PV guest reads the time without a hypercall: shared_info's
 * vcpu_info[0].time holds (tsc_timestamp, system_time, mul, shift) and
 *     ns = system_time + (((rdtsc - tsc_timestamp) << shift) * mul) >> 32
 * (a negative shift shifts right), read under a version that is odd while
 * the hypervisor writes: time_now_ns() in pvguest/lib/time.c reads it so.
 * wc_sec/wc_nsec is the wallclock at system time 0.
 *
 * "-- part=clock" checks the clock:
 *  - the record is consistent (even versions, mul >= 2^31 as Xen computes it);
 *  - system time is plausible (under 10 minutes since boot), never runs
 *    backwards over many readings, and does advance;
 *  - the wallclock is a date after 2020 (printed, so the test can compare it
 *    with the hypervisor's own "(hv) time: wallclock" line);
 *  - set_timer_op accepts a time and 0, and returns 0.
 * "-- part=timer" checks the timer, through VIRQ_TIMER on an event channel
 * (bound with EVTCHNOP_bind_virq) and SCHEDOP_block; without event channels
 * it reports SKIP:
 *  - a deadline 20 ms ahead fires once, and not before that time;
 *  - a deadline already past fires at once (the next block returns);
 *  - set_timer_op(0) cancels: nothing fires in the next 60 ms;
 *  - a second set_timer_op replaces the first: one event, at the later time;
 *  - a deadline absurdly far ahead (bit 63 set) fires after ~100 ms, as Xen's.
 * Only lower bounds on time are checked ("not before its deadline"): how
 * late an event comes depends on the host, so it is printed, never judged.
 * The cancel and the replacement are made right after the first set, and
 * an attempt that was not in time anyway (the CPU taken away for longer
 * than the first deadline between the two calls: on a busy host) proves
 * nothing, so it is made again.
 */
#include "pvguest/lib/pvguest.h"

#define MS NS_PER_MS
#define SEC NS_PER_SEC
#define BLOCKS_MAX 10000u              /* a runaway loop of spurious wake-ups */
#define TRIES      10u                 /* attempts at "the second call came in time" */

static void ms_line(const char *what, uint64_t ns)
{
    printf("%s: %lu.%03lu ms\n", what, (unsigned long)(ns / MS),
           (unsigned long)(ns % MS / 1000));
}

/* ---- part=clock ------------------------------------------------------- */

static void clock_record(void)
{
    volatile struct xen_vcpu_time_info *t = &shared_info->vcpu_info[0].time;

    printf("vcpu_time_info: version %u tsc_timestamp 0x%llx system_time %llu "
           "mul 0x%08x shift %d\n", t->version, (unsigned long long)t->tsc_timestamp,
           (unsigned long long)t->system_time, t->tsc_to_system_mul, t->tsc_shift);
    check_rc("vcpu_time_info version even (not being written)", t->version & 1, 0);
    check_rc("vcpu_time_info version written at least once", t->version >= 2, 1);
    check_rc("tsc_to_system_mul >= 2^31 (Xen's normal form)", t->tsc_to_system_mul >= 0x80000000u, 1);
    check_rc("tsc_shift within -31..31", t->tsc_shift >= -31 && t->tsc_shift <= 31, 1);
}

static void clock_runs(void)
{
    uint64_t first = time_now_ns(), prev = first, cur;
    unsigned backwards = 0;
    unsigned long spins = 0;

    ms_line("system time", first);
    check_rc("system time after boot and under 10 minutes", first > 0 && first < 600 * SEC, 1);
    for (unsigned i = 0; i < 100000; i++) {
        cur = time_now_ns();
        backwards += cur < prev;
        prev = cur;
    }
    check_rc("100000 readings: steps backwards", backwards, 0);
    /* Advances: 5 ms must pass, and will within far fewer spins than this. */
    do
        cur = time_now_ns();
    while (cur < first + 5 * MS && ++spins < 400000000ul);
    check_rc("system time advances by 5 ms", cur >= first + 5 * MS, 1);
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check_rc("still monotonic after a yield", time_now_ns() >= cur, 1);
}

static void wallclock(void)
{
    volatile xen_shared_info_t *s = shared_info;

    printf("wallclock at system time 0: wc_sec %u wc_nsec %u (wc_version %u)\n",
           s->wc_sec, s->wc_nsec, s->wc_version);
    check_rc("wc_version even", s->wc_version & 1, 0);
    check_rc("wc_sec after 2020-01-01 and before 2100", s->wc_sec > 1577836800u &&
             s->wc_sec < 4102444800u, 1);
    check_rc("wc_nsec under a second", s->wc_nsec < 1000000000u, 1);
}

static void timer_op_returns(void)
{
    check_rc("set_timer_op(now + 1 s)", HYPERVISOR_set_timer_op(time_now_ns() + SEC), 0);
    check_rc("set_timer_op(0) (cancel)", HYPERVISOR_set_timer_op(0), 0);
}

/* ---- part=timer ------------------------------------------------------- */

static uint32_t timer_port;
static volatile unsigned events;        /* VIRQ_TIMER events taken */
static volatile uint64_t event_ns;      /* when the last one was taken */

static bool test_and_clear(volatile xen_ulong_t *word, unsigned bit)
{
    bool was = *word & (1u << bit);
    __asm__ __volatile__("lock btrl %1, %0" : "+m"(*word) : "Ir"(bit) : "memory");
    return was;
}

/* The event callback: take the timer port's event, note when. */
static bool on_event(struct trap_frame *f)
{
    (void)f;
    shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
    test_and_clear(&shared_info->vcpu_info[0].evtchn_pending_sel, timer_port / 32);
    if (test_and_clear(&shared_info->evtchn_pending[timer_port / 32], timer_port % 32)) {
        event_ns = time_now_ns();
        events++;
    }
    return true;
}

/* Block (which unmasks events) until `want` events came; false if it never did. */
static bool wait_events(unsigned want)
{
    for (unsigned i = 0; events < want && i < BLOCKS_MAX; i++)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    set_event_mask(1);
    return events >= want;
}

static bool bind_timer(void)
{
    struct xen_evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);

    if (rc == -ENOSYS) {
        test_skip("event channels not implemented (event_channel_op -ENOSYS): "
                  "VIRQ_TIMER cannot be delivered");
        return false;
    }
    if (!check_rc("EVTCHNOP_bind_virq VIRQ_TIMER", rc, 0))
        return false;
    timer_port = b.port;
    printf("VIRQ_TIMER on port %u\n", timer_port);
    shared_info->evtchn_mask[timer_port / 32] &= ~(1u << (timer_port % 32));
    return true;
}

static void fires_after_deadline(void)
{
    uint64_t start = time_now_ns();

    events = 0;
    check_rc("set_timer_op(now + 20 ms)", HYPERVISOR_set_timer_op(start + 20 * MS), 0);
    check_rc("20 ms timer: fired", wait_events(1), 1);
    ms_line("20 ms timer fired after", event_ns - start);
    check_rc("20 ms timer: not before its deadline", event_ns >= start + 20 * MS, 1);
    check_rc("20 ms timer: one event", events, 1);
}

static void past_deadline_fires_at_once(void)
{
    static const char *const what[] = { "1 ms ago", "system time 1 ns" };

    for (unsigned i = 0; i < 2; i++) {
        uint64_t start = time_now_ns(), when = i ? 1 : start - MS;
        char name[80];

        events = 0;
        snprintf(name, sizeof(name), "set_timer_op(%s)", what[i]);
        check_rc(name, HYPERVISOR_set_timer_op(when), 0);
        snprintf(name, sizeof(name), "deadline %s: fired", what[i]);
        check_rc(name, wait_events(1), 1);
        ms_line("... after", event_ns - start);
    }
}

/* Cancel the timer and take any event it left pending: a fresh start. */
static void timer_reset(void)
{
    HYPERVISOR_set_timer_op(0);
    set_event_mask(0);
    HYPERVISOR_xen_version(XENVER_version, NULL);   /* delivers a pending event */
    set_event_mask(1);
    events = 0;
}

/*
 * set_timer_op(now + at_ms), then at once set_timer_op(now + then_ms), or
 * (0) to cancel; made again (see the top) while the second call returned
 * after the first deadline.  Checks both calls; returns the last "now".
 */
static uint64_t set_twice(unsigned at_ms, unsigned then_ms)
{
    uint64_t start;
    long rc[2];
    unsigned again = 0;
    char name[40];

    for (;; again++) {
        timer_reset();
        start = time_now_ns();
        rc[0] = HYPERVISOR_set_timer_op(start + at_ms * MS);
        rc[1] = HYPERVISOR_set_timer_op(then_ms ? start + then_ms * MS : 0);
        if (time_now_ns() < start + at_ms * MS || again + 1 == TRIES)
            break;
    }
    snprintf(name, sizeof(name), "set_timer_op(now + %u ms)", at_ms);
    check_rc(name, rc[0], 0);
    snprintf(name, sizeof(name), then_ms ? "set_timer_op(now + %u ms)" : "set_timer_op(0)",
             then_ms);
    check_rc(name, rc[1], 0);
    if (again)
        printf("... made again %u times: the second call came after the first deadline\n",
               again);
    return start;
}

static void zero_cancels(void)
{
    uint64_t start = set_twice(20, 0);

    set_event_mask(0);                  /* any event would be taken at the next tick */
    while (time_now_ns() < start + 60 * MS)
        ;
    set_event_mask(1);
    check_rc("cancelled timer: events in the next 60 ms", events, 0);
}

static void second_set_replaces_first(void)
{
    uint64_t start = set_twice(10, 40);

    check_rc("replaced timer: fired", wait_events(1), 1);
    ms_line("replaced timer fired after", event_ns - start);
    check_rc("replaced timer: not before the second deadline", event_ns >= start + 40 * MS, 1);
    check_rc("replaced timer: one event", events, 1);
}

static void absurd_deadline_fires_in_100ms(void)
{
    uint64_t start = time_now_ns();

    events = 0;
    check_rc("set_timer_op(1 << 63)", HYPERVISOR_set_timer_op(1ull << 63), 0);
    check_rc("deadline with bit 63: fired", wait_events(1), 1);
    ms_line("deadline with bit 63 fired after", event_ns - start);
    check_rc("deadline with bit 63: not before 100 ms", event_ns >= start + 100 * MS, 1);
}

static void timer(void)
{
    traps_init();
    trap_set_hook(TRAP_EVENT, on_event);
    if (!check_rc("set_callbacks", trap_set_callbacks(), 0) || !bind_timer())
        return;
    fires_after_deadline();
    past_deadline_fires_at_once();
    zero_cancels();
    second_set_replaces_first();
    absurd_deadline_fires_in_100ms();
}

void pvguest_main(const xen_start_info_t *si)
{
    char part[16] = "clock";

    (void)si;
    cmdline_get("part", part, sizeof(part));
    map_shared_info();
    if (!strcmp(part, "clock")) {
        clock_record();
        clock_runs();
        wallclock();
        timer_op_returns();
    } else if (!strcmp(part, "timer")) {
        timer();
    } else {
        test_error("unknown part=%s (clock or timer)", part);
    }
    test_pass();
    xtf_exit();
}
