/* rtc.h - the CMOS real-time clock: the date and time, as its registers hold them. */
#ifndef ARCH_X86_RTC_H
#define ARCH_X86_RTC_H
#include "hypervisor/types.h"

/* Status register B: how the other registers are encoded. */
#define RTC_B_24H    0x02     /* hours 0-23 (else 1-12 with bit 7 = PM) */
#define RTC_B_BINARY 0x04     /* binary (else BCD) */

/* One consistent reading, undecoded (hypervisor/event/time_calc.c decodes it). */
struct rtc_regs {
    uint8_t sec, min, hour, mday, mon, year;  /* year: two digits */
    uint8_t status_b;
};

/* Read the clock between two of its updates; false if it never settled. */
bool rtc_read(struct rtc_regs *r);
#endif
