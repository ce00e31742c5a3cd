"""The tick: the local APIC timer where there is one, the PIT otherwise.

At boot the hypervisor picks the source of its TIME_HZ (1000 Hz) tick and
names it on one line: the local APIC timer in periodic mode, its count
measured against the TSC, when CPUID and the APIC base MSR show an enabled
APIC (QEMU's qemu32 and Bochs' Sandy Bridge both have one); PIT channel 0
on IRQ 0 otherwise, or when `tick=pit` is on its command line. Whichever
it is, the same things must hold: a CPU-bound domain that never yields is
preempted, so two of them both progress while a third sleeps on its timer
and wakes; and the 8259's interrupts still arrive, so typed input reaches
d0 (with the APIC on, the 8259 reaches the CPU through LINT0 as ExtINT).
"""

import pytest

from harness import guest, MISMATCH, NO_LEAK

APIC_TICK = r"^\(hv\) time: tick from the local APIC timer at 1000 Hz\b"
PIT_TICK = r"^\(hv\) time: tick from the PIT at 1000 Hz\b"
MODES = [pytest.param("", APIC_TICK, PIT_TICK, id="apic"),
         pytest.param("tick=pit", PIT_TICK, APIC_TICK, id="pit")]
# Reports every 100 ms of guest time: the sleeper's five 50 ms sleeps,
# each late by at most a few slices, end well inside the workers' 500 ms
# on any host (an iteration count raced them, and lost on a fast one).
WORKER = "-- ms=100 reports=5"


def line(d, text):
    return r"^\(d%d\) %s$" % (d, text)


def progress(d, r):
    return line(d, r"worker: progress %s/5 at \d+ ms" % r)


def preempts_two_workers_while_a_sleeper_wakes(b):
    """Neither worker yields, so only the tick hands the CPU over: each
    one's first report comes before the other's last, and the sleeper is
    done before either worker."""
    b.expect_in_order([progress(1, 1), progress(0, 5)])
    b.expect_in_order([progress(0, 1), progress(1, 5)])
    b.expect_in_order([line(2, r"sleeper: woke 1/\d+ after \d+ us .*"),
                       line(2, r"Test result: SUCCESS"), progress(0, 5)])
    b.expect_in_order([line(2, r"Test result: SUCCESS"), progress(1, 5)])
    for d in (0, 1):
        b.expect(line(d, r"Test result: SUCCESS"))
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_qemu_ticks_from_the_local_apic_timer_and_tick_pit_forces_the_pit(boot):
    b = boot(guest("hello"))
    b.expect_in_order([r"^\(hv\) time: TSC ", APIC_TICK, r"^\(hv\) d0 "])
    b.forbid(PIT_TICK)
    b.forbid(r"^\(hv\) time: warning")
    b.expect_status(0)
    b = boot(guest("hello"), hv_args="tick=pit")
    b.expect(r"^\(hv\) time: tick from the PIT at 1000 Hz \(tick=pit\)$")
    b.forbid(APIC_TICK)
    b.forbid(r"^\(hv\) warning: ")           # the option is known and its value good
    b.expect_status(0)


@pytest.mark.parametrize("hv_args, tick, other", MODES)
def test_the_tick_preempts_cpu_bound_domains_while_a_sleeper_wakes(boot, hv_args, tick, other):
    b = boot(guest("worker", WORKER), guest("worker", WORKER), guest("sleeper"),
             hv_args=hv_args, timeout=60)
    b.expect(tick)
    b.forbid(other)
    preempts_two_workers_while_a_sleeper_wakes(b)


@pytest.mark.parametrize("hv_args, tick, other", MODES)
def test_console_input_still_arrives_through_the_8259_whatever_the_tick(boot, hv_args, tick, other):
    b = boot(guest("echo"), hv_args=hv_args, extra=("--input", r"hello tick\nquit\n"))
    b.expect(tick)
    b.expect_in_order([line(0, r"echo: hello tick"), line(0, r"echo: quit"),
                       line(0, r"Test result: SUCCESS")])
    b.expect_status(0)


def test_a_bad_tick_value_is_reported_and_the_default_kept(boot):
    b = boot(guest("hello"), hv_args="tick=hpet")
    b.expect(r"^\(hv\) warning: bad value 'hpet' for option 'tick' ")
    b.expect(APIC_TICK)
    b.expect_status(0)


@pytest.mark.bochs
def test_bochs_ticks_from_its_local_apic_timer_and_preempts(boot):
    b = boot(guest("worker", "-- every=2000000 reports=5"),
             guest("worker", "-- every=2000000 reports=5"),
             guest("sleeper", "-- n=3 ms=20"), emulator="bochs", timeout=180)
    b.expect(APIC_TICK)
    preempts_two_workers_while_a_sleeper_wakes(b)
