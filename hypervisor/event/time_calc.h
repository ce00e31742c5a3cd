/* time_calc.h - the arithmetic of time: TSC scaling, calibration, RTC dates (pure). */
#ifndef HV_TIME_CALC_H
#define HV_TIME_CALC_H
#include "hypervisor/types.h"
#include "arch/x86/rtc.h"     /* struct rtc_regs only: a plain record, no I/O */

#define NS_PER_SEC 1000000000ull

/*
 * Xen's conversion from counter ticks to ns, exactly as a guest applies it
 * from vcpu_time_info: ns = ((ticks << shift) * mul) >> 32, where a
 * negative shift shifts right and mul is a 0.32 fixed-point fraction.
 */
struct time_scale {
    uint32_t mul;
    int8_t shift;
};

/* The scale for a counter of hz ticks a second (hz > 0); mul is then >= 2^31. */
struct time_scale time_calc_scale(uint64_t hz);
/* ticks -> ns with s; no division (a 64x32-bit product, bits 32-95). */
uint64_t time_calc_ticks_to_ns(uint64_t ticks, struct time_scale s);
/* The rate of a counter that advanced ticks while a ref_hz clock counted ref_ticks. */
uint64_t time_calc_hz(uint64_t ticks, uint32_t ref_ticks, uint32_t ref_hz);

/* A calendar date and time of day (UTC): year 1970-2069, mon 1-12, mday 1-31. */
struct time_date {
    unsigned year, mon, mday, hour, min, sec;
};

/* One BCD byte (0x00-0x99) as a number; 0xff for a byte that is not BCD. */
unsigned time_calc_bcd(uint8_t v);
/* Decode the RTC's registers (BCD or binary, 12 or 24 h); false if they make no date. */
bool time_calc_rtc_date(const struct rtc_regs *r, struct time_date *out);
/* Seconds since 1970-01-01 00:00:00 UTC of a valid date. */
uint64_t time_calc_unix_seconds(const struct time_date *t);
#endif
