"""Multi-vCPU domains on one physical CPU (docs/smp.md).

pvguest/tests/smp runs with dom.vcpus=2: vCPU 0 checks vcpu_op's hostile
arguments, binds event channels to vCPU 1, brings vCPU 1 up with
VCPUOP_initialise and VCPUOP_up, and the two count, exchange IPIs
(EVTCHNOP_bind_ipi) both ways and take their own timers, until vCPU 0
takes vCPU 1 down again.  Each fact is one "check" line; the tests read
the rules they state.  With "spin=N" both vCPUs count without yielding
beside 1-vCPU workers, which must progress all the while: the domain's
share is its weight's, however many vCPUs it has.
"""

import pytest

from harness import guest, passes, MISMATCH, NO_LEAK


def check(rule, d=0):
    return r"^\(d%d\) check %s$" % (d, rule)


def smp(args=""):
    return guest("smp", ("dom.vcpus=2 " + args).strip())


def test_a_second_vcpu_comes_up_counts_exchanges_ipis_takes_its_own_timer_and_goes_down(boot):
    b = boot(smp())
    b.expect_in_order([check(r"initialise vCPU 1: got 0 want 0"),
                       check(r"initialise vCPU 1 again: got -17 want -17"),          # -EEXIST
                       check(r"is_up vCPU 1 after initialise \(no VGCF_online\): got 0 want 0"),
                       check(r"up vCPU 1: got 0 want 0"),
                       check(r"is_up vCPU 1: got 1 want 1"),
                       r"^\(d0\) vCPU 1 is up and sent its IPI: counts \d+ and \d+$",
                       check(r"vCPU 1's IPI reached vCPU 0: got 1 want 1"),
                       check(r"vCPU 0 took its own VIRQ_TIMER: got 1 want 1"),
                       check(r"vCPU 1 took its single-shot timer: got 1 want 1"),
                       check(r"vCPU 1 took vCPU 0's IPI in its own callback: got 1 want 1"),
                       check(r"both vCPUs counted: got 1 want 1"),
                       check(r"set_periodic_timer for vCPU 1: got 0 want 0"),
                       check(r"vCPU 1 is runnable while vCPU 0 runs: got 1 want 1"),   # RUNSTATE_runnable
                       check(r"down vCPU 1: got 0 want 0"),
                       check(r"vCPU 1 is offline: got 3 want 3"),                     # RUNSTATE_offline
                       check(r"a down vCPU does not run: its counter stands still: got \d+ want \d+"),
                       check(r"up vCPU 1 again: got 0 want 0"),
                       check(r"down vCPU 1 again: got 0 want 0"),
                       check(r"none of vCPU 1's events reached vCPU 0's handlers: got 0 want 0"),
                       check(r"register_vcpu_info for vCPU 1 while it is down: got 0 want 0"),
                       check(r"the moved vcpu_info is vCPU 1's \(events unmasked by it\): got 0 want 0"),
                       check(r"register_vcpu_info for vCPU 1 again: got -16 want -16"),      # -EBUSY
                       check(r"vCPU 0's vcpu_info has not moved: got 1 want 1")])
    for rule in [r"set_singleshot_timer for another vCPU: got -22 want -22",         # Xen: v != current
                 r"register_vcpu_info for another vCPU that is up: got -22 want -22"]:
        b.expect(check(rule))
    passes(b)
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_two_vcpus_run_on_bochs_too_where_segment_limits_hold(boot):
    # vCPU 1's own stack, callback and iret path under the CPU that enforces limits.
    b = boot(smp(), emulator="bochs", timeout=300)
    b.expect(check(r"vCPU 1 took vCPU 0's IPI in its own callback: got 1 want 1"))
    b.expect(check(r"a down vCPU does not run: its counter stands still: got \d+ want \d+"))
    passes(b)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_initialise_refuses_each_bad_context_field_as_the_hypercall_that_sets_it_does(boot):
    b = boot(smp())
    for rule in [r"initialise vCPU 2: got -2 want -2",                      # -ENOENT
                 r"initialise vCPU 4294967295: got -2 want -2",
                 r"up vCPU 8: got -2 want -2",
                 r"up vCPU 1 before initialise: got -22 want -22",           # -EINVAL
                 r"initialise vCPU 0 \(built, so initialised\): got -17 want -17",
                 r"initialise from NULL: got -14 want -14",                  # -EFAULT
                 r"initialise from the hole: got -14 want -14",
                 # set_trap_table's rules
                 r"initialise with a ring-0 trap handler: got -1 want -1",   # -EPERM
                 r"initialise with a trap handler in the hole: got -22 want -22",
                 r"initialise with a trap handler with a null selector: got -22 want -22",
                 # set_callbacks'
                 r"initialise with a ring-0 event callback: got -1 want -1",
                 r"initialise with a failsafe callback in the hole: got -22 want -22",
                 # stack_switch's
                 r"initialise with a ring-0 kernel stack selector: got -1 want -1",
                 r"initialise with a kernel stack in the hole: got -22 want -22",
                 r"initialise with a ring-0 start selector: got -22 want -22",
                 r"initialise with a start address in the hole: got -22 want -22",
                 # set_debugreg's
                 r"set_debugreg of DR0 in the hole \(the rule a context's DR0 meets\): got -1 want -1",
                 r"initialise with DR0 in the hole: got -1 want -1",
                 r"initialise with DR7 with general detect: got -1 want -1",
                 # Xen's arch_set_info_guest: LDT, GDT (set_gdt's), cr3
                 r"initialise with an LDT base not page-aligned: got -22 want -22",
                 r"initialise with 8193 LDT entries: got -22 want -22",
                 r"initialise with an LDT reaching the hole: got -22 want -22",
                 r"initialise with 7169 GDT entries: got -22 want -22",
                 r"initialise with a GDT frame that is a writable page: got -22 want -22",
                 r"initialise with cr3 a writable data page: got -22 want -22",
                 r"initialise with cr3 a frame that is not ours: got -22 want -22",
                 # and none of them left vCPU 1 initialised
                 r"no refused context initialised vCPU 1: up: got -22 want -22"]:
        b.expect(check(rule))
    b.expect(r"^\(hv\) d0 vcpu_op initialise refused: frame 0 \(mfn 0x[0-9a-f]+\): mapped writable$")
    passes(b)
    b.expect(NO_LEAK)                  # the refused GDT and cr3 references were all let go
    b.expect_status(0)


def test_event_channels_bind_to_a_vcpu_and_a_tlb_flush_reads_its_vcpu_mask(boot):
    b = boot(smp())
    for rule in [r"vCPU 1's IPI port is in word 1: got 1 want 1",
                 r"bind_ipi to vCPU 2 of 2: got -2 want -2",
                 r"bind_virq VIRQ_TIMER on vCPU 2 of 2: got -2 want -2",
                 r"bind_virq VIRQ_TIMER on vCPU 1 again: got -17 want -17",
                 r"bind_virq of a global VIRQ on vCPU 1: got -22 want -22",
                 r"bind_vcpu of an IPI port: got -22 want -22",
                 r"bind_vcpu of a per-vCPU VIRQ: got -22 want -22",
                 r"bind_vcpu to vCPU 2 of 2: got -2 want -2",
                 r"bind_vcpu of an unbound port to vCPU 1: got 0 want 0",
                 r"status says vCPU 1: got 1 want 1",
                 r"the IPI port's status says vCPU 1: got 1 want 1",
                 r"TLB_FLUSH_MULTI for vCPUs 0 and 1: got 0 want 0",
                 r"TLB_FLUSH_MULTI with its mask in the hole: got -22 want -22",
                 r"INVLPG_MULTI: got 0 want 0",
                 r"INVLPG_MULTI with a NULL mask: got -22 want -22"]:
        b.expect(check(rule))
    passes(b)
    b.expect_status(0)


def test_a_spinning_two_vcpu_domain_shares_the_cpu_with_one_vcpu_domains(boot):
    # The worker reports every 10 ms of guest time for 2 s: it is still
    # running when d0 starts to spin, a few rounds in, and a report falls
    # in any two of its 10 ms slices.  vCPU 0 cannot count to 20 million
    # in one of its turns, and the worker has a slice after each: a report
    # between, whatever the host's speed (an iteration count raced d0's
    # setup, rounds of yields, and a fast host could finish it first).
    b = boot(smp("spin=40000000"), guest("worker", "-- ms=10 reports=200"),
             guest("sleeper", "-- n=5 ms=50"), timeout=120)
    start = r"^\(d0\) smp: both vCPUs spin to 40000000$"
    end = r"^\(d0\) smp: both vCPUs spun to 40000000$"
    # Neither of d0's vCPUs yields while it spins, nor does the worker: only
    # the tick hands the CPU over.  Both of d0's vCPUs make progress, and the
    # worker and the sleeper progress while d0 spins.
    b.expect_in_order([start, r"^\(d0\) smp: vCPU 0 at 10000000, vCPU 1 at [1-9]\d*$", end])
    b.expect_in_order([start, r"^\(d1\) worker: progress \d+/200 at \d+ ms$",
                       r"^\(d0\) smp: vCPU 0 at 20000000, vCPU 1 at [1-9]\d*$"])
    b.expect_in_order([r"^\(d1\) worker: progress 1/200 at \d+ ms$", end])
    b.expect(r"^\(d2\) sleeper: woke 5/5 after \d+ us")
    for d in (0, 1, 2):
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(MISMATCH)
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.parametrize("value", ["0", "9", "two"])
def test_dom_vcpus_outside_1_to_8_refuses_the_domain_with_the_reason(boot, value):
    b = boot(guest("hello", "dom.vcpus=" + value), guest("hello"))
    b.expect(r"^\(hv\) error: module 0 \(.*\): bad vcpus='%s' \(want 1\.\.8 vCPUs\); d0 not built$"
             % value)
    b.expect(r"^\(d1\) Test result: SUCCESS$")


def test_a_guest_that_never_starts_its_other_vcpus_runs_as_before(boot):
    # Two FPU users switching on one CPU: their images stay apart with 8 vCPUs each, 7 of them down.
    b = boot(guest("fpu", "dom.vcpus=8 seed=1 n=4"), guest("fpu", "dom.vcpus=8 seed=2 n=4"))
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)
