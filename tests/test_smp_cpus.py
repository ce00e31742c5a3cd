"""Physical CPUs: the APs are found, started and parked (docs/smp.md).

tools/run --cpus N gives QEMU (or Bochs) N CPUs. The hypervisor finds them
in the firmware's ACPI MADT, starts each application processor (AP) with
INIT-SIPI-SIPI, and the AP says `(hv) cpuN up (apic id X)` from its own
stack, GDT and TSS before it halts for good with interrupts off: no guest
runs on it until the locks of docs/smp.md exist. One line then says how
many CPUs were found and how many run. maxcpus=N caps that count and
nosmp reads no firmware table at all. Guests are untouched by all this:
they run and pass on CPU 0, and leak nothing, with the APs parked. The
MADT parser's refusal of malformed tables is tested on the host
(tests/test_unit_acpi.py): QEMU's firmware cannot be made to lie.
"""

import pytest

from harness import guest, passes, MISMATCH, NO_LEAK


def cpus(n):
    return ("--cpus", str(n))


def ap_up(n):
    return (r"^\(hv\) cpu%d up \(apic id %d\), parked: guests run on cpu0 "
            r"until the locks of docs/smp.md exist$" % (n, n))


def summary(found, running, rest=""):
    return (r"^\(hv\) smp: %d CPUs? found \(ACPI MADT\), %d running%s"
            % (found, running, rest))


ANY_AP = r"^\(hv\) cpu\d+ up "
NOT_STARTED = r"did not start|the APs are not started"


@pytest.mark.parametrize("n", [2, 4])
def test_every_ap_reports_up_in_order_before_the_line_that_counts_them(boot, n):
    b = boot(guest("hello"), extra=cpus(n), forbid=[NOT_STARTED])
    b.expect_in_order([r"^\(hv\) time: tick from "] + [ap_up(i) for i in range(1, n)] +
                      [summary(n, n, r"; guests run on cpu0, the APs are parked$"),
                       r"^\(hv\) d0 "])
    b.forbid(ap_up(n))
    passes(b)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_one_cpu_is_found_and_runs_alone_when_the_machine_has_one(boot):
    b = boot(guest("hello"), share=True)
    b.expect(summary(1, 1, r", the boot CPU$"))
    b.forbid(ANY_AP)
    b.expect_status(0)


def test_maxcpus_caps_the_cpus_started_and_maxcpus_1_starts_none(boot):
    b = boot(guest("hello"), hv_args="maxcpus=2", extra=cpus(4))
    b.expect_in_order([ap_up(1), summary(4, 2, r" \(maxcpus=2\); guests run on cpu0")])
    b.forbid(ap_up(2))
    b.expect_status(0)
    b = boot(guest("hello"), hv_args="maxcpus=1", extra=cpus(4))
    b.expect(summary(4, 1, r" \(maxcpus=1\), the boot CPU$"))
    b.forbid(ANY_AP)
    passes(b)
    b.expect_status(0)


def test_nosmp_starts_no_ap_and_reads_no_firmware_table(boot):
    b = boot(guest("hello"), hv_args="nosmp", extra=cpus(4))
    b.expect(r"^\(hv\) smp: nosmp: 1 CPU running, the boot CPU; no firmware table read$")
    b.forbid(ANY_AP)
    b.forbid(r"found \(ACPI MADT\)")
    passes(b)
    b.expect_status(0)


@pytest.mark.parametrize("word", ["maxcpus=0", "maxcpus=two", "maxcpus", "nosmp=1"])
def test_a_bad_smp_option_is_reported_and_every_cpu_still_started(boot, word):
    key = word.split("=")[0]
    b = boot(guest("hello"), hv_args=word, extra=cpus(2))
    b.expect(r"^\(hv\) warning: bad value '[^']*' for option '%s' " % key)
    b.expect_in_order([ap_up(1), summary(2, 2)])
    b.expect_status(0)


def test_guests_run_and_pass_on_cpu0_with_three_aps_parked(boot):
    # A 2-vCPU domain (both vCPUs on cpu0), two CPU-bound workers and a
    # sleeper: scheduling, IPIs between vCPUs and timers are as on one CPU.
    b = boot(guest("smp", "dom.vcpus=2"), guest("worker", "-- ms=100 reports=5"),
             guest("sleeper"), extra=cpus(4), timeout=90, forbid=[NOT_STARTED])
    b.expect_in_order([ap_up(3), summary(4, 4)])
    b.expect(r"^\(d0\) check vCPU 1's IPI reached vCPU 0: got 1 want 1$")
    passes(b)
    for d in (1, 2):
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_pit_tick_still_preempts_when_smp_turned_the_local_apic_on(boot):
    # tick=pit leaves the APIC to smp.c, whose LINT0 must pass IRQ 0 on.
    b = boot(guest("worker", "-- ms=100 reports=5"), guest("worker", "-- ms=100 reports=5"),
             hv_args="tick=pit", extra=cpus(2), timeout=60)
    b.expect_in_order([r"^\(hv\) time: tick from the PIT at 1000 Hz \(tick=pit\)$",
                       ap_up(1), summary(2, 2)])
    progress = r"^\(d%d\) worker: progress %d/5 at \d+ ms$"
    b.expect_in_order([progress % (1, 1), progress % (0, 5)])
    b.expect_in_order([progress % (0, 1), progress % (1, 5)])
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_bochs_starts_its_second_cpu_too(boot):
    b = boot(guest("hello"), emulator="bochs", extra=cpus(2), timeout=300,
             forbid=[NOT_STARTED])
    b.expect_in_order([ap_up(1), summary(2, 2)])
    passes(b)
    b.expect(NO_LEAK)
    b.expect_status(0)
