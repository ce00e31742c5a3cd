"""MSRs as Xen's PV MSR policy gives them to a 32-bit guest.

pvguest/tests/msr walks Xen's list from ring 1: each rdmsr must give Xen's
value or #GP, each wrmsr be accepted (often dropped) or refused with #GP.
Under policy=reflect a refusal reaches the guest as #GP(0), as on Xen;
under the default policy, halt, the rows that must not fault give the same
answers, and one refused access halts the domain naming the MSR while the
other domain runs on.
"""

import re

import pytest

from harness import guest, side_by_side, NO_LEAK, MISMATCH


def succeeded(b):
    b.expect(r"^\(d0\) \d+ checks, 0 failed$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(MISMATCH)
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_every_msr_of_xens_pv_list_reads_and_writes_as_xen_does_under_policy_reflect(boot):
    b = boot(guest("msr", "dom.policy=reflect"))
    b.expect(r"^\(d0\) vendor Intel, EFER.NXE on, every row$")
    for rule in [r"rdmsr 0x000001d9 DEBUGCTL: got 0x0+ want 0x0+",
                 r"wrmsr 0x000001d9 DEBUGCTL 0x0: got accepted want accepted",
                 r"wrmsr 0x000001d9 DEBUGCTL 0x1: got #GP want #GP",
                 r"rdmsr 0x0000001b APIC_BASE: got 0x00000000fee00900 want 0x00000000fee00900",
                 r"rdmsr 0x00000277 PAT: got 0x0000050100070406 want 0x0000050100070406",
                 r"wrmsr 0x00000277 PAT 0x50100070406: got #GP want #GP",
                 r"rdmsr 0x000001a0 MISC_ENABLE: got 0x0000000000801801 want 0x0000000000801801",
                 r"wrmsr 0x000001a0 MISC_ENABLE 0x801800: got accepted want accepted",
                 r"rdmsr 0x000001a0 MISC_ENABLE after the dropped write: got 0x0000000000801801 want .*",
                 r"rdmsr 0x000000ce PLATFORM_INFO: got 0x0+ want 0x0+",
                 r"wrmsr 0x00000140 MISC_FEATURES_ENABLES 0x2: got #GP want #GP",
                 r"rdmsr 0xc0000080 EFER: got 0x0000000000000800 want 0x0000000000000800",
                 r"wrmsr 0xc0000080 EFER 0x801: got #GP want #GP",
                 r"rdmsr 0xc0010015 HWCR: got #GP want #GP",         # AMD only
                 r"rdmsr 0x00000033 TEST_CTRL: got #GP want #GP",
                 r"rdmsr 0x40000000 XEN_HYPERCALL_PAGE: got #GP want #GP",
                 r"rdmsr 0x12345678 \(no such MSR\): got #GP want #GP"]:
        b.expect(r"^\(d0\) check " + rule + "$")
    succeeded(b)


def test_the_msrs_that_must_not_fault_answer_the_same_under_policy_halt(boot):
    b = boot(guest("msr", "safe=1"))
    b.expect(r"^\(d0\) check rdmsr 0x00000277 PAT: got 0x0000050100070406 want 0x0000050100070406$")
    b.expect(r"^\(d0\) check wrmsr 0x000001d9 DEBUGCTL 0x0: got accepted want accepted$")
    b.forbid(r"^\(d0\) check .*: got #GP")
    succeeded(b)


REFUSED = [
    ("op=rdmsr msr=0x33", "MSR 0x00000033 is not offered"),
    ("op=rdmsr msr=0x12345678", "MSR 0x12345678 is not offered"),
    ("op=wrmsr msr=0x1d9 val=1", "MSR 0x000001d9 refuses 0x0000000000000001"),
    ("op=wrmsr msr=0x277 val=6", "MSR 0x00000277 refuses 0x0000000000000006"),
]


@pytest.mark.parametrize("args,why", REFUSED,
                         ids=["rdmsr-unknown", "rdmsr-nonexistent", "wrmsr-debugctl-1", "wrmsr-pat"])
def test_a_refused_msr_access_halts_the_domain_under_policy_halt_naming_the_msr(boot, args, why):
    b, d, hello = side_by_side(boot, "msr", [a for a, _ in REFUSED], "", args, True)
    said = b.expect(r"^\(d%d\) executing (\w+) of MSR (0x[0-9a-f]+) at (0x[0-9a-f]+)$" % d)
    halted = b.expect(r"^\(hv\) d%d halted: privileged instruction '(\w+)' at (0x[0-9a-f]+): (.*)$" % d)
    assert halted.group(1) == said.group(1)
    assert int(halted.group(2), 16) == int(said.group(3), 16)
    assert halted.group(3) == why
    b.forbid(r"^\(d%d\) still alive" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(NO_LEAK)
    b.expect_status(2)
