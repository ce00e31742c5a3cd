/*
 * test_time.c - hypervisor/event/time_calc.c: the arithmetic of the clock.
 *
 * The rules that matter:
 *  - the (mul, shift) scale turns one second of ticks into one second of
 *    ns, for counters from the PIT's 1.19 MHz to tens of GHz, with mul in
 *    [2^31, 2^32) as Xen's guests expect;
 *  - ticks -> ns is exactly ((ticks << shift) * mul) >> 32, the formula a
 *    guest applies, checked against a slow shift-and-add product;
 *  - a guest's view (system_time + scale(tsc - tsc_timestamp)) stays within
 *    2 ns below the hypervisor's and never runs backwards across a refresh;
 *  - the CMOS clock's BCD/binary, 12/24-hour registers decode to the right
 *    date, impossible dates are refused, and dates become Unix seconds.
 *
 *   test_time [GROUP | --list]
 */
#include "hypervisor/event/time_calc.h"
#include "hypervisor/lib.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

static const uint64_t rates[] = {
    1193182, 1000000, 14318180, 50000000, 999999999, 1000000000, 1000000001,
    1999999999, 2000000000, 2000000001, 2300000000ull, 2999999999ull, 3500000000ull,
    4000000000ull, 4294967296ull, 10000000000ull, 57000000000ull,
};

/* A tiny deterministic generator, so a failure replays. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t diff(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

static void scale_is_xens_normal_form(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(rates); i++) {
        struct time_scale s = time_calc_scale(rates[i]);
        CHECKF(s.mul >= 0x80000000u, "%llu Hz: mul 0x%08x", (unsigned long long)rates[i], s.mul);
        CHECKF(s.shift >= -31 && s.shift <= 31, "%llu Hz: shift %d",
               (unsigned long long)rates[i], s.shift);
    }
}

/* The exact values for round rates: 1 GHz is ns = ticks, 2 GHz ticks/2, 4 GHz ticks/4. */
static void scale_of_round_rates(void)
{
    struct time_scale s1 = time_calc_scale(1000000000), s2 = time_calc_scale(2000000000);
    struct time_scale s4 = time_calc_scale(4000000000ull);
    CHECKF(s1.mul == 0x80000000u && s1.shift == 1, "1 GHz: mul 0x%08x shift %d", s1.mul, s1.shift);
    CHECKF(s2.mul == 0x80000000u && s2.shift == 0, "2 GHz: mul 0x%08x shift %d", s2.mul, s2.shift);
    CHECKF(s4.mul == 0x80000000u && s4.shift == -1, "4 GHz: mul 0x%08x shift %d", s4.mul, s4.shift);
    for (unsigned i = 0; i < 1000; i++) {
        uint64_t t = next_random() >> 2;
        CHECKF(time_calc_ticks_to_ns(t, s1) == t, "1 GHz, %llu ticks", (unsigned long long)t);
        CHECKF(time_calc_ticks_to_ns(t, s2) == t / 2, "2 GHz, %llu ticks", (unsigned long long)t);
        CHECKF(time_calc_ticks_to_ns(t, s4) == t / 4, "4 GHz, %llu ticks", (unsigned long long)t);
    }
}

/* hz ticks are a second, within 1 ns per second plus 2 ns of rounding. */
static void one_second_of_ticks_is_a_second(void)
{
    static const uint64_t seconds[] = { 1, 60, 3600, 86400, 30 * 86400 };
    for (unsigned i = 0; i < ARRAY_SIZE(rates); i++) {
        struct time_scale s = time_calc_scale(rates[i]);
        for (unsigned j = 0; j < ARRAY_SIZE(seconds); j++) {
            uint64_t ns = time_calc_ticks_to_ns(rates[i] * seconds[j], s);
            uint64_t want = seconds[j] * NS_PER_SEC;
            CHECKF(diff(ns, want) <= seconds[j] + 2, "%llu Hz, %llu s: %llu ns",
                   (unsigned long long)rates[i], (unsigned long long)seconds[j],
                   (unsigned long long)ns);
        }
    }
}

/* ((t << shift) * mul) >> 32 by shift-and-add into 128 bits: slow, obviously right. */
static uint64_t reference(uint64_t t, struct time_scale s)
{
    t = s.shift < 0 ? t >> -s.shift : t << s.shift;
    uint64_t lo = 0, hi = 0;                  /* the 128-bit product */
    for (unsigned bit = 0; bit < 32; bit++) {
        if (!(s.mul >> bit & 1))
            continue;
        uint64_t add_lo = t << bit, add_hi = bit ? t >> (64 - bit) : 0;
        lo += add_lo;
        hi += add_hi + (lo < add_lo);
    }
    return (lo >> 32) | (hi << 32);
}

static void ticks_to_ns_is_the_guest_formula(void)
{
    for (unsigned i = 0; i < 20000; i++) {
        struct time_scale s = time_calc_scale(rates[i % ARRAY_SIZE(rates)]);
        uint64_t t = next_random() >> (i % 40);
        if (s.shift > 0)
            t >>= s.shift;                    /* keep t << shift inside 64 bits */
        uint64_t got = time_calc_ticks_to_ns(t, s), want = reference(t, s);
        CHECKF(got == want, "%llu ticks, mul 0x%08x shift %d: %llu, want %llu",
               (unsigned long long)t, s.mul, s.shift, (unsigned long long)got,
               (unsigned long long)want);
    }
}

static void ns_never_run_backwards(void)
{
    for (unsigned i = 0; i < 20000; i++) {
        struct time_scale s = time_calc_scale(rates[i % ARRAY_SIZE(rates)]);
        uint64_t t = next_random() >> 20;
        CHECKF(time_calc_ticks_to_ns(t, s) <= time_calc_ticks_to_ns(t + 1, s),
               "%llu ticks at %llu Hz", (unsigned long long)t,
               (unsigned long long)rates[i % ARRAY_SIZE(rates)]);
    }
}

/*
 * The guest reads system_time + scale(tsc - tsc_timestamp), with
 * system_time = scale(tsc_timestamp - tsc_at_zero) from the last refresh.
 * That is at most 2 ns below the hypervisor's scale(tsc - tsc_at_zero), and
 * a later refresh never gives a smaller reading for a later TSC.
 */
static void guest_view_matches_and_never_steps_back(void)
{
    for (unsigned i = 0; i < 20000; i++) {
        struct time_scale s = time_calc_scale(rates[i % ARRAY_SIZE(rates)]);
        uint64_t stamp1 = next_random() >> 12, gap = next_random() >> 30;
        uint64_t stamp2 = stamp1 + gap, t1 = stamp1 + (next_random() % (gap + 1));
        uint64_t t2 = stamp2 + (next_random() >> 40);
        uint64_t hv1 = time_calc_ticks_to_ns(t1, s);
        uint64_t guest1 = time_calc_ticks_to_ns(stamp1, s) + time_calc_ticks_to_ns(t1 - stamp1, s);
        uint64_t guest2 = time_calc_ticks_to_ns(stamp2, s) + time_calc_ticks_to_ns(t2 - stamp2, s);
        CHECKF(guest1 <= hv1 && hv1 - guest1 <= 2, "guest %llu, hypervisor %llu",
               (unsigned long long)guest1, (unsigned long long)hv1);
        CHECKF(guest2 >= guest1, "after a refresh: %llu, before: %llu",
               (unsigned long long)guest2, (unsigned long long)guest1);
    }
}

static void calibration_ratio(void)
{
    /* 20 ms of the PIT is 23863 of its ticks; a 2.3 GHz TSC does 46 M cycles meanwhile. */
    uint64_t hz = time_calc_hz(46000000, 23863, 1193182);
    CHECKF(diff(hz, 2300000000ull) < 300000, "%llu Hz", (unsigned long long)hz);
    CHECKF(time_calc_hz(1193182, 1193182, 1193182) == 1193182, "the PIT against itself");
    CHECKF(time_calc_hz(3, 2, 1) == 2, "rounds to nearest: 1.5 -> 2");
    CHECKF(time_calc_hz(0, 23863, 1193182) == 0, "a TSC that does not move");
}

static void bcd_bytes(void)
{
    for (unsigned v = 0; v < 256; v++) {
        unsigned hi = v >> 4, lo = v & 15, got = time_calc_bcd((uint8_t)v);
        if (hi <= 9 && lo <= 9)
            CHECKF(got == hi * 10 + lo, "0x%02x -> %u", v, got);
        else
            CHECKF(got == 0xff, "0x%02x is no BCD, -> %u", v, got);
    }
}

struct rtc_case {
    const char *what;
    struct rtc_regs regs;           /* sec min hour mday mon year status_b */
    bool ok;
    struct time_date want;          /* year mon mday hour min sec */
};

static const struct rtc_case rtc_cases[] = {
    { "BCD, 24 h", { 0x13, 0x47, 0x02, 0x25, 0x11, 0x26, RTC_B_24H }, true, { 2026, 11, 25, 2, 47, 13 } },
    { "binary, 24 h", { 13, 47, 23, 25, 11, 26, RTC_B_24H | RTC_B_BINARY }, true, { 2026, 11, 25, 23, 47, 13 } },
    { "BCD, 12 h, 1 PM", { 0x00, 0x00, 0x81, 0x01, 0x01, 0x21, 0 }, true, { 2021, 1, 1, 13, 0, 0 } },
    { "BCD, 12 h, 12 AM is midnight", { 0x00, 0x00, 0x12, 0x01, 0x01, 0x21, 0 }, true, { 2021, 1, 1, 0, 0, 0 } },
    { "BCD, 12 h, 12 PM is noon", { 0x00, 0x00, 0x92, 0x01, 0x01, 0x21, 0 }, true, { 2021, 1, 1, 12, 0, 0 } },
    { "binary, 12 h, 11 PM", { 59, 59, 0x80 | 11, 31, 12, 99, RTC_B_BINARY }, true, { 1999, 12, 31, 23, 59, 59 } },
    { "year 69 is 2069", { 0, 0, 0, 1, 1, 0x69, RTC_B_24H }, true, { 2069, 1, 1, 0, 0, 0 } },
    { "year 70 is 1970", { 0, 0, 0, 1, 1, 0x70, RTC_B_24H }, true, { 1970, 1, 1, 0, 0, 0 } },
    { "29 February 2024", { 0, 0, 0, 0x29, 0x02, 0x24, RTC_B_24H }, true, { 2024, 2, 29, 0, 0, 0 } },
    { "29 February 2000 (leap: divisible by 400)", { 0, 0, 0, 0x29, 0x02, 0x00, RTC_B_24H }, true, { 2000, 2, 29, 0, 0, 0 } },
    { "29 February 2023", { 0, 0, 0, 0x29, 0x02, 0x23, RTC_B_24H }, false, { 0 } },
    { "31 April", { 0, 0, 0, 0x31, 0x04, 0x23, RTC_B_24H }, false, { 0 } },
    { "month 0", { 0, 0, 0, 0x01, 0x00, 0x23, RTC_B_24H }, false, { 0 } },
    { "month 13", { 0, 0, 0, 0x01, 0x13, 0x23, RTC_B_24H }, false, { 0 } },
    { "day 0", { 0, 0, 0, 0x00, 0x01, 0x23, RTC_B_24H }, false, { 0 } },
    { "hour 24", { 0, 0, 0x24, 0x01, 0x01, 0x23, RTC_B_24H }, false, { 0 } },
    { "12 h, hour 0", { 0, 0, 0x00, 0x01, 0x01, 0x23, 0 }, false, { 0 } },
    { "12 h, hour 13", { 0, 0, 0x13, 0x01, 0x01, 0x23, 0 }, false, { 0 } },
    { "second 60", { 0x60, 0, 0, 0x01, 0x01, 0x23, RTC_B_24H }, false, { 0 } },
    { "minute 0x5a: no BCD", { 0, 0x5a, 0, 0x01, 0x01, 0x23, RTC_B_24H }, false, { 0 } },
    { "a missing clock reads 0xff", { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, false, { 0 } },
    { "binary 100 is no year", { 0, 0, 0, 1, 1, 100, RTC_B_24H | RTC_B_BINARY }, false, { 0 } },
};

static void rtc_registers_decode(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(rtc_cases); i++) {
        const struct rtc_case *c = &rtc_cases[i];
        struct time_date t = { 0 };
        bool ok = time_calc_rtc_date(&c->regs, &t);
        CHECKF(ok == c->ok, "%s: %s, want %s", c->what, ok ? "accepted" : "refused",
               c->ok ? "accepted" : "refused");
        if (ok && c->ok)
            CHECKF(!memcmp(&t, &c->want, sizeof(t)), "%s: %u-%02u-%02u %02u:%02u:%02u", c->what,
                   t.year, t.mon, t.mday, t.hour, t.min, t.sec);
    }
}

static void unix_seconds(void)
{
    static const struct { struct time_date t; uint64_t want; } cases[] = {
        { { 1970, 1, 1, 0, 0, 0 }, 0 },
        { { 1999, 12, 31, 23, 59, 59 }, 946684799 },
        { { 2000, 3, 1, 0, 0, 0 }, 951868800 },
        { { 2024, 2, 29, 12, 0, 0 }, 1709208000 },
        { { 2026, 11, 25, 2, 47, 13 }, 1795574833 },
        { { 2038, 1, 19, 3, 14, 7 }, 2147483647 },
        { { 2069, 12, 31, 23, 59, 59 }, 3155759999ull },
        { { 2070, 1, 1, 0, 0, 0 }, 3155760000ull },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t got = time_calc_unix_seconds(&cases[i].t);
        CHECKF(got == cases[i].want, "%u-%02u-%02u: %llu, want %llu", cases[i].t.year,
               cases[i].t.mon, cases[i].t.mday, (unsigned long long)got,
               (unsigned long long)cases[i].want);
    }
}

/* Walk every day the RTC can name: each valid day is 86400 s after the one before. */
static void every_rtc_day_is_one_day_later(void)
{
    uint64_t prev = 0;
    unsigned days = 0;
    for (unsigned y = 70; y < 170; y++)
        for (unsigned m = 1; m <= 12; m++)
            for (unsigned d = 1; d <= 31; d++) {
                struct rtc_regs r = { 0, 0, 0, (uint8_t)d, (uint8_t)m, (uint8_t)(y % 100),
                                      RTC_B_24H | RTC_B_BINARY };
                struct time_date t;
                if (!time_calc_rtc_date(&r, &t))
                    continue;
                uint64_t s = time_calc_unix_seconds(&t);
                if (days++)
                    CHECKF(s == prev + 86400, "%u-%02u-%02u: %llu after %llu", t.year, t.mon,
                           t.mday, (unsigned long long)s, (unsigned long long)prev);
                prev = s;
            }
    CHECKF(days == 36525, "%u days from 1970 to 2069 (100 years, 25 of them leap)", days);
}

static const struct group groups[] = {
    { "scale_is_xens_normal_form", scale_is_xens_normal_form },
    { "scale_of_round_rates", scale_of_round_rates },
    { "one_second_of_ticks_is_a_second", one_second_of_ticks_is_a_second },
    { "ticks_to_ns_is_the_guest_formula", ticks_to_ns_is_the_guest_formula },
    { "ns_never_run_backwards", ns_never_run_backwards },
    { "guest_view_matches_and_never_steps_back", guest_view_matches_and_never_steps_back },
    { "calibration_ratio", calibration_ratio },
    { "bcd_bytes", bcd_bytes },
    { "rtc_registers_decode", rtc_registers_decode },
    { "unix_seconds", unix_seconds },
    { "every_rtc_day_is_one_day_later", every_rtc_day_is_one_day_later },
};
CHECK_MAIN(groups)
