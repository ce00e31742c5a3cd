/*
 * rtc.c - read the date and time from the CMOS real-time clock.
 *
 * The clock sits behind an index port (0x70) and a data port (0x71).  Once a
 * second it updates its registers, and a reading taken during the update
 * can mix two seconds (59 seconds of the new minute...).  So we wait until
 * status A says no update is in progress, read everything, and read again
 * until two readings agree.  The bytes are returned as they are; their
 * encoding (BCD or binary, 12 or 24 hours) is decoded by time_calc.c.
 * Bit 7 of the index stays clear: that bit would mask NMIs.
 */
#include "arch/x86/rtc.h"
#include "arch/x86/x86.h"
#include "hypervisor/lib.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define RTC_SEC 0x00
#define RTC_MIN 0x02
#define RTC_HOUR 0x04
#define RTC_MDAY 0x07
#define RTC_MON 0x08
#define RTC_YEAR 0x09
#define RTC_A 0x0a
#define RTC_B 0x0b
#define RTC_A_UIP 0x80            /* update in progress */

/* An update lasts under 2 ms; this many polls is far longer on any machine. */
#define MAX_POLLS 1000000u
#define MAX_TRIES 16u

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

static bool read_once(struct rtc_regs *r)
{
    uint32_t polls = 0;
    while (cmos_read(RTC_A) & RTC_A_UIP)
        if (++polls == MAX_POLLS)
            return false;
    r->sec = cmos_read(RTC_SEC);
    r->min = cmos_read(RTC_MIN);
    r->hour = cmos_read(RTC_HOUR);
    r->mday = cmos_read(RTC_MDAY);
    r->mon = cmos_read(RTC_MON);
    r->year = cmos_read(RTC_YEAR);
    r->status_b = cmos_read(RTC_B);
    return true;
}

bool rtc_read(struct rtc_regs *r)
{
    struct rtc_regs again;
    if (!read_once(r))
        return false;
    for (unsigned i = 0; i < MAX_TRIES; i++) {
        if (!read_once(&again))
            return false;
        if (!memcmp(r, &again, sizeof(again)))
            return true;
        *r = again;
    }
    return false;
}
