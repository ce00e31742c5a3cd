/*
 * time_calc.c - the arithmetic behind the clock, with no hardware in sight.
 *
 * Three jobs, each easy to get subtly wrong and so tested on the host
 * (tests/unit/test_time.c):
 *  - the TSC-to-ns scale.  Guests are told (mul, shift) and compute time
 *    themselves from their own rdtsc, so this must be Xen's formula to the
 *    bit.  The hypervisor uses the same function for its own clock, so the
 *    two can never disagree by more than rounding;
 *  - the calibration ratio (the one 64-bit division, once, at boot);
 *  - the CMOS clock's registers to a date, and a date to Unix seconds.
 * It must never touch a port or the TSC: hypervisor/event/time.c does, and
 * hands the numbers here.
 */
#include "hypervisor/event/time_calc.h"
#include "hypervisor/lib.h"

/*
 * Xen's set_time_scale(): bring hz into (1e9, 2e9] by halving or doubling
 * (each step is one unit of shift); then mul = 1e9 / hz' as a 0.32 fraction
 * lies in [2^31, 2^32).  The division runs at boot, never per reading.
 */
struct time_scale time_calc_scale(uint64_t hz)
{
    struct time_scale s = { 0, 0 };
    BUG_ON(hz == 0);
    while (hz > 2 * NS_PER_SEC) {
        hz >>= 1;
        s.shift--;
    }
    while (hz <= NS_PER_SEC) {
        hz <<= 1;
        s.shift++;
    }
    s.mul = (uint32_t)((NS_PER_SEC << 32) / hz);
    return s;
}

/*
 * (t * mul) >> 32 for a 64-bit t: split t into 32-bit halves, so the
 * product is hi*mul + (lo*mul >> 32), exactly, from two 32x32->64 multiplies.
 */
uint64_t time_calc_ticks_to_ns(uint64_t ticks, struct time_scale s)
{
    if (s.shift < 0)
        ticks >>= -s.shift;
    else
        ticks <<= s.shift;
    uint64_t lo = (uint32_t)ticks, hi = ticks >> 32;
    return ((lo * s.mul) >> 32) + hi * s.mul;
}

uint64_t time_calc_hz(uint64_t ticks, uint32_t ref_ticks, uint32_t ref_hz)
{
    BUG_ON(ref_ticks == 0);
    return (ticks * ref_hz + ref_ticks / 2) / ref_ticks;
}

unsigned time_calc_bcd(uint8_t v)
{
    if ((v & 0x0f) > 9 || (v >> 4) > 9)
        return 0xff;
    return (v >> 4) * 10 + (v & 0x0f);
}

static bool leap(unsigned year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static unsigned days_in_month(unsigned year, unsigned mon)
{
    static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return days[mon - 1] + (mon == 2 && leap(year));
}

/*
 * The hour register in 12-hour mode holds 1-12 with bit 7 set after noon,
 * so 12 AM is midnight (0) and 12 PM is noon (12).  The register holds two
 * digits of the year; 70-99 are read as 19xx and 00-69 as 20xx, since the
 * century register's index is not standard.
 */
bool time_calc_rtc_date(const struct rtc_regs *r, struct time_date *out)
{
    bool bcd = !(r->status_b & RTC_B_BINARY), h24 = r->status_b & RTC_B_24H;
    bool pm = !h24 && (r->hour & 0x80);
    uint8_t raw[6] = { r->sec, r->min, h24 ? r->hour : r->hour & 0x7f, r->mday, r->mon, r->year };
    unsigned v[6];
    for (unsigned i = 0; i < 6; i++) {
        v[i] = bcd ? time_calc_bcd(raw[i]) : raw[i];
        if (v[i] > 99)
            return false;
    }
    if (!h24) {
        if (v[2] < 1 || v[2] > 12)
            return false;
        v[2] = v[2] % 12 + (pm ? 12 : 0);
    }
    *out = (struct time_date){ .sec = v[0], .min = v[1], .hour = v[2], .mday = v[3], .mon = v[4],
                               .year = v[5] + (v[5] < 70 ? 2000 : 1900) };
    return out->sec < 60 && out->min < 60 && out->hour < 24 && out->mon >= 1 &&
           out->mon <= 12 && out->mday >= 1 && out->mday <= days_in_month(out->year, out->mon);
}

/*
 * Days since 1970-01-01 by counting from 1 March, so the leap day is the
 * last of the year (H. Hinnant's days_from_civil); years from 1970 only.
 */
uint64_t time_calc_unix_seconds(const struct time_date *t)
{
    unsigned y = t->year - (t->mon <= 2);
    unsigned era = y / 400, yoe = y % 400;
    unsigned doy = (153 * (t->mon > 2 ? t->mon - 3 : t->mon + 9) + 2) / 5 + t->mday - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    uint64_t days = (uint64_t)era * 146097 + doe - 719468;
    return days * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}
