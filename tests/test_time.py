"""Time: the calibrated TSC, the wallclock, guest time in shared_info, set_timer_op.

The hypervisor times the TSC against the PIT and reads the CMOS clock at
boot, and says so on two (hv) time: lines. The clock guest
(pvguest/tests/clock) then checks from the inside what a Xen guest relies
on: its vcpu_time_info gives a system time that is plausible and never
runs backwards, the wallclock is a real date, and set_timer_op raises
VIRQ_TIMER once its deadline has passed - never before - or at once for a
deadline already past; 0 cancels. Emulators run at the host's whim, so the
only bounds on time here are lower bounds ("not before its deadline") and
generous liveness limits; how late an event came is printed, never judged.
"""

import calendar
import re
import time

import pytest

from harness import guest, passes, NO_LEAK

WALLCLOCK = r"^\(hv\) time: wallclock (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC$"


def hv_wallclock(b):
    """The (hv) wallclock line as Unix seconds."""
    m = b.expect(WALLCLOCK)
    return calendar.timegm(tuple(int(x) for x in m.groups()))


def skip_without_event_channels(b):
    if re.search(r"^\(d\d+\) skip: event channels not implemented", b.output, re.M):
        pytest.skip("event_channel_op is not implemented yet: VIRQ_TIMER cannot arrive")


# ---- hardware time at boot -----------------------------------------------

def test_boot_calibrates_the_tsc_against_the_pit_and_reads_the_wallclock_from_the_rtc(boot):
    b = boot(guest("hello"))
    mhz = int(b.expect(r"^\(hv\) time: TSC (\d+) MHz \(calibrated against the PIT\)$").group(1))
    assert mhz > 0, "a TSC of 0 MHz"
    b.expect_in_order([r"^\(hv\) time: TSC ", WALLCLOCK, r"^\(hv\) d0 "])
    # QEMU's RTC starts at the host's UTC time: a decoding slip (BCD, 12 h,
    # century) is off by hours or years, far beyond this bound.
    assert abs(hv_wallclock(b) - time.time()) < 3600, "the RTC's date is not today's"
    b.forbid(r"^\(hv\) time: warning")
    b.expect_status(0)


# ---- guest time: shared_info ---------------------------------------------

def test_a_guest_reads_a_plausible_monotonic_clock_and_the_wallclock_from_shared_info(boot):
    b = boot(guest("clock", "-- part=clock"))
    passes(b)
    b.expect(r"^\(d0\) check 100000 readings: steps backwards: got 0 want 0$")
    b.expect(r"^\(d0\) check system time advances by 5 ms: got 1 want 1$")
    wc = int(b.expect(r"^\(d0\) wallclock at system time 0: wc_sec (\d+) ").group(1))
    # wc_sec is the wallclock at system time 0, when the RTC was read.
    assert abs(wc - hv_wallclock(b)) <= 2, "shared_info's wallclock is not the RTC's"
    b.expect(NO_LEAK)
    b.expect_status(0)


# ---- set_timer_op --------------------------------------------------------

def test_set_timer_op_raises_virq_timer_not_before_its_deadline_and_0_cancels(boot):
    b = boot(guest("clock", "-- part=timer"))
    skip_without_event_channels(b)
    passes(b)
    b.expect_in_order([
        r"^\(d0\) check 20 ms timer: fired: got 1 want 1$",
        r"^\(d0\) check 20 ms timer: not before its deadline: got 1 want 1$",
        r"^\(d0\) check deadline 1 ms ago: fired: got 1 want 1$",
        r"^\(d0\) check deadline system time 1 ns: fired: got 1 want 1$",
        r"^\(d0\) check cancelled timer: events in the next 60 ms: got 0 want 0$",
        r"^\(d0\) check replaced timer: not before the second deadline: got 1 want 1$",
        r"^\(d0\) check replaced timer: one event: got 1 want 1$",
        r"^\(d0\) check deadline with bit 63: not before 100 ms: got 1 want 1$",
    ])
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_timers_of_blocked_domains_fire_while_other_domains_run(boot):
    b = boot(guest("clock", "-- part=timer"), guest("clock", "-- part=timer"),
             guest("spin-yield", "-- n=20"), timeout=60)
    skip_without_event_channels(b)
    for d in (0, 1):
        passes(b, d)
    b.expect(r"^\(d2\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_calibration_guest_time_and_timers_work_on_bochs_too(boot):
    b = boot(guest("clock", "-- part=timer"), emulator="bochs", timeout=120)
    skip_without_event_channels(b)
    passes(b)
    b.expect(r"^\(hv\) time: TSC \d+ MHz \(calibrated against the PIT\)$")
    b.expect_status(0)
