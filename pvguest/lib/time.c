/*
 * time.c - the guest's clock, read from shared_info, and its one timer.
 *
 * A PV guest reads time without a hypercall.  The hypervisor publishes,
 * in vcpu_info.time, the system time (ns since it booted) at one moment
 * and the TSC at that same moment, with the TSC's rate as a scale (mul,
 * shift); the guest reads its own TSC and extrapolates:
 *
 *   ns = system_time + (((tsc - tsc_timestamp) << shift) * mul) >> 32
 *
 * (a negative shift shifts right).  The hypervisor makes the version odd
 * while it rewrites the record and even again after, so a reader that saw
 * an odd version, or a different one at the end, read a torn record and
 * reads again.  The wall clock is the same idea: wc_sec/wc_nsec is the
 * date at system time 0, under wc_version.
 *
 * The timer is set_timer_op: one single-shot deadline in system time,
 * which raises VIRQ_TIMER when it passes (a new deadline replaces the old;
 * 0 cancels).  A guest that wants to wait for it binds VIRQ_TIMER
 * (evtchn_bind_virq) and blocks: SCHEDOP_block unmasks events and gives
 * up the CPU until an event is pending.  This file never binds a port
 * itself: which handler owns the timer is the caller's choice.
 */
#include "pvguest/lib/pvguest.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* (delta << shift) * mul >> 32, exactly, from two 32x32->64 multiplies. */
static uint64_t scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return (((delta & 0xffffffffu) * mul) >> 32) + (delta >> 32) * mul;
}

uint64_t time_tsc_to_ns(uint64_t delta)
{
    xen_vcpu_time_info_t t;

    time_record(&t);
    return scale(delta, t.tsc_to_system_mul, t.tsc_shift);
}

void time_record(xen_vcpu_time_info_t *out)
{
    volatile xen_vcpu_time_info_t *t = &map_shared_info()->vcpu_info[0].time;
    uint32_t version;

    do {
        version = t->version;
        barrier();
        memcpy(out, (const void *)t, sizeof(*out));
        barrier();
    } while ((version & 1) || version != t->version);
}

uint64_t time_now_ns(void)
{
    volatile xen_vcpu_time_info_t *t = &vcpu_info0()->time;
    uint32_t version, mul;
    uint64_t stamp, system, tsc;
    int8_t shift;

    do {
        version = t->version;
        barrier();
        stamp = t->tsc_timestamp;
        system = t->system_time;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        tsc = rdtsc();
        barrier();
    } while ((version & 1) || version != t->version);
    return system + (tsc > stamp ? scale(tsc - stamp, mul, shift) : 0);
}

bool time_ticking(void)
{
    return vcpu_info0()->time.tsc_to_system_mul != 0;
}

uint64_t time_wallclock_ns(void)
{
    volatile xen_shared_info_t *s = map_shared_info();
    uint32_t version, sec, sec_hi, nsec;

    do {
        version = s->wc_version;
        barrier();
        sec = s->wc_sec;
        sec_hi = s->arch.wc_sec_hi;
        nsec = s->wc_nsec;
        barrier();
    } while ((version & 1) || version != s->wc_version);
    return (((uint64_t)sec_hi << 32) | sec) * NS_PER_SEC + nsec + time_now_ns();
}

long time_set_timer(uint64_t deadline_ns)
{
    return HYPERVISOR_set_timer_op(deadline_ns);
}

/*
 * The event mask is set around the test of the deadline, and SCHEDOP_block
 * clears it as it blocks: an event that comes between the test and the
 * block is then still pending when block looks, and block returns at once.
 * Returns how many times we blocked; the mask is as it was on entry.
 */
unsigned time_block_until(uint64_t deadline_ns)
{
    uint8_t old = event_mask();
    unsigned blocks = 0;
    long rc;

    for (;;) {
        set_event_mask(1);
        if (time_now_ns() >= deadline_ns)
            break;
        if ((rc = time_set_timer(deadline_ns)) ||
            (rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL))) {
            test_error("time_block_until: set_timer_op or SCHEDOP_block failed: %ld", rc);
            xtf_exit();
        }
        blocks++;                   /* the upcall ran on the way back */
    }
    set_event_mask(old);
    if (!old && vcpu_info0()->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, NULL);   /* deliver it now */
    return blocks;
}

unsigned time_sleep_ns(uint64_t ns)
{
    return time_block_until(time_now_ns() + ns);
}
