/*
 * time.c - the clock: TSC and PIT in; system time, guest clocks and timers out.
 *
 * System time is nanoseconds since time_init(), computed from the TSC.  At
 * boot the TSC is timed against PIT channel 2, whose 1.193182 MHz clock is
 * the same on every PC, and its rate becomes Xen's (mul, shift) scale
 * (time_calc.c).  Reading the clock is then rdtsc, a subtraction, a shift
 * and two 32-bit multiplies: no division and no I/O.  This assumes a TSC
 * that ticks at a constant rate, as every CPU of the last fifteen years and
 * every emulator does.
 *
 * Guests get the same scale in their vcpu_info's time (in shared_info, or
 * where VCPUOP_register_vcpu_info moved it), with
 * a fresh (tsc_timestamp, system_time) pair each time they are scheduled,
 * and compute the time from their own rdtsc without a hypercall.  The CMOS
 * clock, read once, gives the wallclock at system time 0 (wc_sec/wc_nsec).
 *
 * The tick comes TIME_HZ times a second from the local APIC's timer in
 * periodic mode, its count measured against the now-calibrated TSC; or,
 * with no usable APIC or "tick=pit" on the command line, from PIT channel 0
 * on IRQ 0.  Either way it arrives in time_irq(), which fires the guest
 * timers that are due (set_timer_op: VIRQ_TIMER), ends the polls that
 * timed out, and tells the scheduler that time passed.  This file never
 * decides what runs next; sched.c does.
 */
#include "hypervisor/event/time.h"
#include "hypervisor/event/time_calc.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/event/event.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/apic.h"
#include "arch/x86/paging.h"
#include "arch/x86/pic.h"
#include "arch/x86/pit.h"
#include "arch/x86/rtc.h"
#include "arch/x86/x86.h"

#define CALIBRATE_MS 20                 /* long enough for 0.01% on real hardware */
#define FALLBACK_HZ  1000000000ull      /* if the PIT does not answer: a guess */
#define APIC_CALIBRATE_MS 10            /* the APIC timer against the TSC */

static struct time_scale tsc_scale;     /* TSC ticks -> ns; zero until time_init() */
static uint64_t tsc_at_zero;            /* the TSC at system time 0 */
uint64_t time_last_tick_tsc, time_tick_period_tsc = ~0ull;     /* time.h: time_tick_due() */
static uint64_t wc_sec;                 /* the wallclock at system time 0 */
static uint32_t wc_nsec;

static uint64_t calibrate_tsc(void)
{
    uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
    uint64_t cycles = pit_measure_tsc((uint16_t)count);
    if (!cycles) {
        hvlog("time: warning: PIT channel 2 never counted down; assuming a %llu MHz TSC\n",
              FALLBACK_HZ / 1000000);
        return FALLBACK_HZ;
    }
    uint64_t hz = time_calc_hz(cycles, count, PIT_HZ);
    hvlog("time: TSC %llu MHz (calibrated against the PIT)\n", (hz + 500000) / 1000000);
    return hz;
}

/* The RTC counts whole seconds, so the wallclock is good to a second. */
static void read_wallclock(void)
{
    struct rtc_regs r;
    struct time_date t;
    if (!rtc_read(&r)) {
        hvlog("time: warning: the CMOS clock never settled; wallclock starts at 1970\n");
        return;
    }
    if (!time_calc_rtc_date(&r, &t)) {
        hvlog("time: warning: the CMOS clock reads no date (%02x-%02x-%02x %02x:%02x:%02x, "
              "status B %02x); wallclock starts at 1970\n",
              r.year, r.mon, r.mday, r.hour, r.min, r.sec, r.status_b);
        return;
    }
    uint64_t at_zero = time_calc_unix_seconds(&t) * NS_PER_SEC - time_now_ns();
    wc_sec = at_zero / NS_PER_SEC;
    wc_nsec = (uint32_t)(at_zero % NS_PER_SEC);
    hvlog("time: wallclock %04u-%02u-%02u %02u:%02u:%02u UTC\n",
          t.year, t.mon, t.mday, t.hour, t.min, t.sec);
}

/*
 * The local APIC timer, if there is one and it counts: its count for one
 * tick is what it counted in APIC_CALIBRATE_MS of the TSC, scaled.  Its
 * interrupts arrive once a guest runs: IF is off in the hypervisor.
 */
static bool start_apic_tick(uint64_t tsc_hz)
{
    if (!apic_init())
        return false;
    uint32_t counted = apic_timer_measure(tsc_hz * APIC_CALIBRATE_MS / 1000);
    uint32_t count = (uint32_t)((uint64_t)counted * 1000 / (APIC_CALIBRATE_MS * TIME_HZ));
    if (!count) {
        hvlog("time: warning: the local APIC timer does not count\n");
        return false;
    }
    apic_timer_start_periodic(count);
    hvlog("time: tick from the local APIC timer at %u Hz (%u counts, divide by 16)\n",
          TIME_HZ, count);
    return true;
}

void time_init(void)
{
    uint64_t tsc_hz = calibrate_tsc();
    tsc_scale = time_calc_scale(tsc_hz);
    tsc_at_zero = time_last_tick_tsc = rdtsc();
    time_tick_period_tsc = tsc_hz / TIME_HZ;
    read_wallclock();
    if (!hv_opts.tick_pit && start_apic_tick(tsc_hz))
        return;                 /* IRQ 0 stays masked at the PIC (pic_init) */
    pit_start_periodic(TIME_HZ);
    pic_unmask(PIT_IRQ);        /* arrives once a guest runs: IF is off in the hypervisor */
    hvlog("time: tick from the PIT at %u Hz (%s)\n", TIME_HZ,
          hv_opts.tick_pit ? "tick=pit" : "no usable local APIC");
}

uint64_t time_now_ns(void)
{
    return time_calc_ticks_to_ns(rdtsc() - tsc_at_zero, tsc_scale);
}

/*
 * Xen's protocol for a record the guest reads while we may write it: make
 * the version odd, write, make it even again, with the compiler kept from
 * moving a write across.  A guest that sees an odd version, or a different
 * one after reading, reads again.  The guest can write these words too, so
 * "odd" is forced ((v + 1) | 1) rather than assumed.  The guest's view is
 * system_time + scale(tsc - tsc_timestamp), which rounding keeps within
 * 2 ns below time_now_ns() and never lets run backwards across a refresh.
 */
void time_update_guest(struct domain *d)
{
    BUG_ON(mfn_eq(d->shared_info, INVALID_MFN));
    struct xen_shared_info *si = domain_shared_info(d);
    struct xen_vcpu_time_info *t = &vcpu_info0(d)->time;
    uint64_t tsc = rdtsc();

    uint64_t now = time_calc_ticks_to_ns(tsc - tsc_at_zero, tsc_scale);
    bool virtual_tsc = d->tsc == TSC_EMULATE;     /* its rdtsc counts ns (emulate_untrappable.c) */

    t->version = (t->version + 1) | 1;
    barrier();
    t->tsc_timestamp = virtual_tsc ? now : tsc;
    t->system_time = now;
    t->tsc_to_system_mul = virtual_tsc ? 0x80000000u : tsc_scale.mul;   /* x 2^31 / 2^32 ... */
    t->tsc_shift = virtual_tsc ? 1 : tsc_scale.shift;                    /* ... x 2: exactly 1 */
    t->flags = 0;
    barrier();
    t->version++;

    si->wc_version = (si->wc_version + 1) | 1;
    barrier();
    si->wc_sec = (uint32_t)wc_sec;
    si->arch.wc_sec_hi = (uint32_t)(wc_sec >> 32);  /* 0 until 2106 */
    si->wc_nsec = wc_nsec;
    barrier();
    si->wc_version++;
}

static void timer_fire(struct domain *d)
{
    d->timer_deadline_ns = 0;
    event_send_virq(d, VIRQ_TIMER);       /* wakes d if it blocked */
}

/*
 * Xen's periodic timer runs only while its vCPU does: it is looked at on
 * each tick of the running domain and as the domain is scheduled, and
 * fires at most once however late, the next period counting from then.
 */
void time_periodic(struct domain *d, uint64_t now)
{
    if (d->periodic_ns && now - d->periodic_last_ns >= d->periodic_ns) {
        d->periodic_last_ns = now;
        event_send_virq(d, VIRQ_TIMER);
    }
}

void time_set_timer(struct domain *d, uint64_t deadline_ns)
{
    d->timer_deadline_ns = deadline_ns;
    if (deadline_ns && deadline_ns <= time_now_ns())
        timer_fire(d);
}

/* Is a timer or a poll timeout of v due? */
static bool vcpu_due(const struct vcpu *v, uint64_t now)
{
    return (v->timer_deadline_ns && v->timer_deadline_ns <= now) ||
           (v->poll_deadline_ns && v->poll_deadline_ns <= now);
}

/*
 * The tick.  Every vCPU of every live domain is looked at, running or not:
 * a blocked one is exactly the one waiting for its timer.  One that is due
 * is loaded for the work (vcpu_load.h), so its own VIRQ_TIMER port and
 * vcpu_info get the event.  A poll that timed out has its deadline cleared
 * before the wake, which is how the poll code (event.c) tells a timeout
 * from an event.
 */
void time_irq(void)
{
    time_last_tick_tsc = rdtsc();
    uint64_t now = time_now_ns();
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        if (d->state != DOMAIN_RUNNABLE)
            continue;
        if (d == current)
            time_periodic(d, now);          /* the running vCPU's: the loaded one */
        for (unsigned n = 0; n < d->nr_vcpus; n++) {
            if (!vcpu_due(vcpu_of(d, n), now))
                continue;
            unsigned was = vcpu_load(d, n);
            if (d->timer_deadline_ns && d->timer_deadline_ns <= now)
                timer_fire(d);
            if (d->poll_deadline_ns && d->poll_deadline_ns <= now) {
                d->poll_deadline_ns = 0;
                sched_wake(d);
            }
            vcpu_load(d, was);
        }
    }
    sched_tick();
}
