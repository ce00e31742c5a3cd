"""The CPU-state and event attacks of pvguest/tests/hostile-cpu, beside a victim.

Every case is a row of docs/attacks.md (`## CPU state and events`) with the
rule it tests and the class of Xen's advisories it is modelled on; the first
test keeps the rows and the guest's cases[] list equal.  The cases that
leave the domain alive run in one boot (`case=0`), each ending in
"case N <title>: ok (K checks)"; the cases that must end their domain boot
together, one domain each, and each must be halted with its own reason
while the victim (d0) and the other attackers go on.  Bochs, which enforces
segment limits as hardware does, runs them all once more.  A mismatch in
any check line, a hypervisor panic or a leaked frame fails the boot.

The victim (d0) also records its longest time off the CPU, and every boot
fails if it waited longer than one turn of each attacker allows, naming the
cases that ran meanwhile (tests/victim_gaps.py: the attackers run with a
slice of about 1 ms, QEMU with --icount; docs/attacks.md has the bound).
"""

import re

import pytest

from attacks_doc import assert_rows_match
from harness import MISMATCH, NO_LEAK, ROOT
from victim_gaps import boot_beside, expect_no_gap_over, expect_no_gap_over_the_bound, gaps, TICK_US

DOC = ROOT / "docs" / "attacks.md"
MAIN = ROOT / "pvguest" / "tests" / "hostile-cpu" / "main.c"

# The reason each halting case's domain must be halted with: (hv) dN halted: <reason>.
HALTS = {
    "iret to ring 0": r"iret to ring 0 \(cs 0xe008 eip 0x[0-9a-f]+\) at esp 0x[0-9a-f]+",
    "iret to ring 3 with a forged frame": r"return to the guest faulted \(cs e02b eip 0x[0-9a-f]+ ss e02b ",
    "iret to the hypervisor hole": r"iret to 0xfc100000 in the hypervisor hole",
    "iret with an unreadable frame": r"iret: cannot read the frame at esp 0x[0-9a-f]+ff4",
    "a bounce with the kernel stack unmapped (XSA-44, XSA-339 class)":
        r"#UD invalid opcode at 0x[0-9a-f]+ could not be delivered: cannot write the 12-byte frame ",
    "the fast trap onto an unmapped stack":
        r"#PF page fault at 0x[0-9a-f]+ could not be delivered: cannot write the 24-byte frame ",
    "int $0x80 with no trap table (XSA-259)":
        r"#GP general protection \(error 0x402\) on 'int \$0x80' at 0x[0-9a-f]+ with no handler",
    "an upcall with the kernel stack unmapped":
        r"event upcall at 0x[0-9a-f]+ could not be delivered: cannot write the 12-byte frame ",
    "a trap handler at our own data selector": r"return to the guest faulted \(cs 0011 ",
    "the failsafe callback with the kernel stack unmapped (XSA-215)":
        r"failsafe callback for the return to 0x[0-9a-f]+ could not be delivered: cannot write the 12-byte frame ",
    "a bounce frame aimed at our read-only GDT page":
        r"#BP breakpoint at 0x[0-9a-f]+ could not be delivered: cannot write the 12-byte frame ",
}


def cases():
    """(title, halts) of the guest's cases[], in order: case N is the Nth."""
    body = MAIN.read_text().split("} cases[] = {", 1)[1].split("\n};", 1)[0]
    return [(t, h == "true") for t, h in
            re.findall(r'^\s*\{ "((?:[^"\\]|\\.)*)", case_\w+, (true|false) \},$', body, re.M)]


def rows():
    """case number -> title, from the table under ## CPU state and events."""
    section = DOC.read_text().split("\n## CPU state and events\n", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].isdigit():
            assert cells[0] == "hostile-cpu", line
            n = int(cells[1])
            assert n not in table, "two rows for case %d" % n
            assert all(cells[2:]), "case %d: an empty column" % n
            table[n] = cells[2]
    return table


def alive():
    return [(n, t) for n, (t, h) in enumerate(cases(), 1) if not h]


def halting():
    return [(n, t) for n, (t, h) in enumerate(cases(), 1) if h]


def test_every_case_has_its_row_with_its_title_and_every_row_a_case():
    titles = [t for t, _ in cases()]
    table = rows()
    assert len(titles) >= 50
    assert_rows_match("hostile-cpu", titles, table)
    assert sorted(t for _, t in halting()) == sorted(HALTS), "HALTS must name every halting case"


def victim_untouched(b):
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([r"^\(d0\) victim: \d+ yields, memory unchanged: yes$",
                       r"^\(d0\) \d+ checks, 0 failed$", r"^\(d0\) Test result: SUCCESS$"])


def each_case_ok(b, d=1):
    """Every case that leaves the domain alive said ok; a failure names its case."""
    failed = [n for n, t in alive()
              if not re.search(r"^\(d%d\) case %d %s: ok \(\d+ checks\)$" % (d, n, re.escape(t)),
                               b.output, re.M)]
    if failed:
        b.expect(r"^\(d%d\) case %d %s: ok " % (d, failed[0], re.escape(dict(alive())[failed[0]])))
    b.expect(r"^\(d%d\) hostile-cpu: still alive after %d cases$" % (d, len(alive())))
    b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)


def alive_boot(boot):
    return boot_beside(boot, ("hostile-cpu", "-- case=0"), timeout=60, share=True)


def test_every_cpu_state_attack_is_refused_with_xens_error_and_the_victim_is_untouched(boot):
    b = alive_boot(boot)
    each_case_ok(b)
    victim_untouched(b)
    b.forbid(MISMATCH)
    b.forbid(r"RING3 HYPERCALL RAN")         # case 17: int $0x82 from ring 3 ran nothing
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_victim_reports_each_attackers_turn_and_a_bound_below_it_fails_naming_the_case(boot):
    """The gap check can fail.  Every full turn of the attacker (a slice of
    about 1 ms, ended at the next tick) keeps the victim off the CPU for
    more than a tick, so the victim printed it (show_us); judged against a
    bound of one tick, the boot fails, naming a case that ran meanwhile."""
    b = alive_boot(boot)
    assert gaps(b), "the victim printed no gap over a tick"
    with pytest.raises(AssertionError, match=r"while d1 case \d+"):
        expect_no_gap_over(b, TICK_US)


def halting_boot(boot, emulator, timeout):
    return boot_beside(boot, *[("hostile-cpu", "mem=4M name=cpu%d -- case=%d" % (n, n))
                               for n, _ in halting()], emulator=emulator, timeout=timeout)


def each_halted_with_its_reason(b, first=1):
    for d, (n, t) in enumerate(halting(), first):
        b.expect_in_order([r"^\(d%d\) case %d: %s$" % (d, n, re.escape(t)),
                           r"^\(hv\) d%d halted: %s" % (d, HALTS[t])])
    b.forbid(r"still alive: the hypervisor let the domain go on")
    b.forbid(r"^\(d\d+\) Test result: (FAILURE|ERROR)$")


def test_each_attack_that_must_end_its_domain_ends_only_that_domain(boot):
    b = halting_boot(boot, "qemu", 60)
    each_halted_with_its_reason(b)
    victim_untouched(b)
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(2)


@pytest.mark.bochs
def test_every_cpu_state_attack_holds_on_bochs_where_segment_limits_are_enforced(boot):
    b = boot_beside(boot, ("hostile-cpu", "-- case=0"),
                    *[("hostile-cpu", "mem=4M name=cpu%d -- case=%d" % (n, n)) for n, _ in halting()],
                    emulator="bochs", timeout=240)
    each_case_ok(b)
    each_halted_with_its_reason(b, first=2)
    victim_untouched(b)
    b.forbid(MISMATCH)
    b.forbid(r"RING3 HYPERCALL RAN")
    b.expect(NO_LEAK)
    b.expect_status(2)
