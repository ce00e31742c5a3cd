"""Validated direct paging, booted: guests build their own page tables, and cannot cheat.

The rules are hypervisor/mm/page_type.c's: a guest maps only its own
frames; a frame is never a page table and writable at once; the
hypervisor's L2 entries (428-511 of the L2 in L3 slot 3) are not the
guest's; tables are validated when they become tables.  Three guests
(pvguest/tests/) give the evidence:

  aspace   builds 200 user-task address spaces (L3, four L2s, an L1, data
           pages) with one mmuext_op and one mmu_update each, pins them,
           switches to them and back, takes a demand-zero fault, unpins,
           and finally gives every frame it used back to the hypervisor;
  hostile  every attack in one boot (case=0: all but case 19, which ends
           its domain and boots alone), each expecting Xen's error code
           and ending "case N <title>: ok (K checks)"; docs/attacks.md
           lists them (tests/test_attacks_memory.py keeps the two equal);
  victim   patterns its memory, holds known register values across its
           yields, counts them, outlives every domain booted after it,
           checks; beside the hostile guest it also judges its longest
           time off the CPU against one turn of each other domain, and a
           gap over it fails the boot naming the case that ran
           (tests/victim_gaps.py; those boots run with --icount).

Every boot must end with "0 leaked" and no hypervisor panic (the harness
forbids "(hv) PANIC" on every boot).
"""

import re

import pytest

import harness
from harness import guest, NO_LEAK, MISMATCH
from victim_gaps import boot_beside, expect_no_gap_over_the_bound
from test_attacks_memory import hostile_titles

EPERM, EINVAL, EBUSY = -1, -22, -16

# The rule each hostile case tests, and the lines of evidence for it, in
# order (the guest prints "check <what>: got <rc> want <rc>" for every
# step; all of them must match; these name the rule).  Other domains' lines
# may come between them: the scheduler may switch at any time.
CASES = {
    1: ("a guest cannot map the hypervisor's frames",
        r"check hypervisor image \(mfn 0x100\): map writable: got -16 want -16"),
    2: ("a guest cannot map, pin, copy or clear another domain's frames",
        r"check other domain's mfn 0x[0-9a-f]+: copy_page from it: got -22 want -22"),
    3: ("a page table can be mapped read-only but never writable",
        r"check our L3: map writable: got -16 want -16"),
    4: ("a frame mapped writable cannot become a page table",
        r"check a writable-mapped frame: pin as L1: got -22 want -22"),
    5: ("a table with one bad entry is refused whole, at every level",
        r"check pin L3 without slot 3 \(the hypervisor's\): got -22 want -22"),
    6: ("recursive and linear page tables are refused by their type",
        r"check our L3 slot 0 -> our L3: got -22 want -22"),
    7: ("the hypervisor's L2 entries 428-511 are not the guest's to change",
        r"check slot-3 L2 entry 428 \(the M2P\), rewritten as it is: got -1 want -1"),
    8: ("an L3 given back in CR3 is unpinned, stays valid until left, then is freed (Xen)",
        r"check switch back: its last reference goes, and the frame with it: got 0 want 0"),
    9: ("a frame given back while in use takes no new reference and its last frees it (Xen)",
        r"check \.\.\. nor to map again: got -16 want -16"),
    10: ("only a guest's own frames' M2P entries are its to set",
         r"check MMU_MACHPHYS_UPDATE of the hypervisor image: got -22 want -22"),
    11: ("huge counts are refused, not walked",
         r"check mmu_update count 0x7fffffff: got -22 want -22"),
    12: ("a misaligned entry pointer is refused; repeats apply in order",
         r"check \.\.\. the second one wins: got (\d+) want \1"),
    13: ("a batch stops at its first bad entry and says how many were done",
         r"check a batch of 6 whose entry 3 maps the hypervisor: got -16 want -16",
         r"check \.\.\. done: got 3 want 3"),
    14: ("a multicall inside a multicall is refused, and the batch goes on",
         r"check \.\.\. entry 1, the nested multicall: got -22 want -22"),
    15: ("iret inside a multicall ends the batch where its frame says (XSA-213)",
         r"check \.\.\. resumed where the frame says: got 1 want 1",
         r"check \.\.\. entry 2 never ran: got 0xdeadbeef want 0xdeadbeef"),
    16: ("a stale writable TLB entry does not survive a frame becoming a table",
         r"check a write through the stale TLB entry faults .*: got 1 want 1"),
    17: ("shared_info, which the hypervisor writes, can never be a page table",
         r"check shared_info, mapped nowhere writable: pin as L1 .*: got -22 want -22"),
    18: ("frame-number bits the hypervisor would drop are refused",
         r"check an L3 entry \(in CR3\) with address bit 44 set: got -22 want -22"),
    20: ("a stack, handler or callback in the hypervisor hole is refused, whatever the emulator",
         r"check stack_switch to 0xfc101000 \(its frame reaches the hole\): got -22 want -22",
         r"check ring 3 int \$0x80 after the refused ones: delivered: got 128 want 128",
         r"check \.\.\. its frame at the top of our stack: got (0x[0-9a-f]+) want \1",
         r"check set_trap_table: int \$0x80 -> 0xfc100000: got -22 want -22",
         r"check set_callbacks: event -> 0xfc100000: got -22 want -22",
         r"check callback_op: failsafe -> 0xfc100000: got -22 want -22"),
    21: ("thousands of refused calls are all refused, and logged at a limited rate",
         r"check set_gdt of mfn 0, refused with -EINVAL: got 5000 want 5000"),
    22: ("a domain may name only itself as page owner, with Xen's errors for the rest",
         r"check mmu_update for the victim \(d0\): got -1 want -1",
         r"check mmu_update for our own id, spelt out: got -3 want -3",
         r"check mmuext_op for DOMID_IO \(no I/O memory here\): got -1 want -1",
         r"check increase_reservation of d250: got -3 want -3"),
}


def test_a_guest_builds_pins_switches_to_and_frees_200_address_spaces_and_nothing_leaks(boot):
    b = boot(guest("aspace"))
    b.expect_in_order([
        r"^\(d0\) check decrease_reservation of an unmapped spare frame: got 1 want 1$",
        r"^\(d0\) check M2P of the new frame: got (0x[0-9a-f]+) want \1$",
        r"^\(d0\) check demand-zero faults in the new space: got 1 want 1$",
        r"^\(d0\) check cr3 \(emulated mov\) names the new L3: got (0x[0-9a-f]+) want \1$",
        r"^\(d0\) one mmu_update built the space: \d+ entries$",
        r"^\(d0\) check the task's pages are not in the boot space: #PF: got 14 want 14$",
        r"^\(d0\) check address spaces built, used and torn down: got 200 want 200$",
        r"^\(d0\) check mismatches inside the loop: got 0 want 0$",
        r"^\(d0\) check current_reservation after the loop: got 4096 want 4096$",
        r"^\(d0\) check decrease_reservation of the loop's frames, all at once: got 16 want 16$",
        r"^\(d0\) \d+ checks, 0 failed$",
        r"^\(d0\) Test result: SUCCESS$",
        NO_LEAK])
    b.forbid(MISMATCH)
    b.expect_status(0)


# The newer cases' evidence is their "case N <title>: ok" line: every check
# of the case matched.  These add the lines that show the rule for some.
CASES.update({
    25: ("PAE L3 and L2 entries follow Xen's masks for a 32-bit guest",
         r"check our L3's slot 0 \(in CR3\) with PWT: got -22 want -22",
         r"check an L2 entry with PCD: got -22 want -22"),
    26: ("a refused L2 leaves no type behind (XSA-299)",
         r"check \.\.\. the good L1s hold no type: each maps writable: got 6 want 6"),
    31: ("every MMUEXT command gets Xen's answer",
         r"check MARK_SUPER: got -95 want -95",
         r"check FLUSH_CACHE \(no cache-flush permission\): got -13 want -13"),
    37: ("an extent list reaching the hole is not walked (XSA-212 class)",
         r"check increase_reservation, extents straddling the hole: got 0 want 0"),
})
HOSTILE_TITLES = hostile_titles()
ALL_BUT_19 = [n for n in range(1, len(HOSTILE_TITLES) + 1) if n != 19]


@pytest.fixture(scope="module")
def all_cases_boot(built):
    """One boot: the victim (d0), then every hostile case but 19 (d1)."""
    return boot_beside(harness.boot, ("hostile", "-- case=0"), timeout=120)


@pytest.fixture
def all_cases(all_cases_boot):
    harness.current_boots.append(all_cases_boot)      # saved with the test if it fails
    return all_cases_boot


def case_lines(b, case):
    """d1's lines from "case N: <title>" to its verdict line (inclusive)."""
    d1 = [l[5:] for l in b.lines if l.startswith("(d1) ")]
    start = "case %d: %s" % (case, HOSTILE_TITLES[case - 1])
    assert start in d1, "case %d never started: %r missing" % (case, start)
    i = d1.index(start)
    end = next((j for j in range(i, len(d1)) if d1[j].startswith("case %d %s: " % (case, HOSTILE_TITLES[case - 1]))), None)
    assert end is not None, "case %d (%s) never finished" % (case, HOSTILE_TITLES[case - 1])
    return d1[i:end + 1]


@pytest.mark.parametrize("case", ALL_BUT_19, ids=["case%d" % c for c in ALL_BUT_19])
def test_a_hostile_case_gets_xens_answer_for_its_rule_and_changes_nothing(all_cases, case):
    lines = case_lines(all_cases, case)
    bad = [l for l in lines if re.match(r"check .*got (?!(.*) want \1$)", l)]
    assert not bad, "case %d (%s): checks that failed:\n  %s" % (case, HOSTILE_TITLES[case - 1], "\n  ".join(bad))
    assert re.match(r"case %d .*: ok \(\d+ checks\)$" % case, lines[-1]), "case %d: %s" % (case, lines[-1])
    at = 0
    for regex in CASES.get(case, ("",))[1:]:
        hits = [k for k in range(at, len(lines)) if re.fullmatch(regex, lines[k])]
        assert hits, "case %d: no line matching %r after line %d of the case" % (case, regex, at)
        at = hits[0] + 1


def test_every_hostile_case_runs_in_one_boot_and_the_victim_is_untouched(all_cases):
    b = all_cases
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([r"^\(d1\) case %d .*: ok \(\d+ checks\)$" % n for n in ALL_BUT_19] +
                      [r"^\(d1\) hostile: still alive after case 0$",
                       r"^\(d1\) \d+ checks, 0 failed$",
                       r"^\(d1\) Test result: SUCCESS$"])
    b.expect_in_order([r"^\(d0\) victim: registers kept across (30\d|3[1-9]\d|[4-9]\d\d|\d{4,}) yields: yes$",
                       r"^\(d0\) victim: CPU time: running [1-9]\d* us, runnable \d+ us$",
                       r"^\(d0\) victim: 300 yields, memory unchanged: yes$",
                       r"^\(d0\) 5 checks, 0 failed$",
                       r"^\(d0\) Test result: SUCCESS$", NO_LEAK])
    b.forbid(MISMATCH)
    b.forbid(r"ESCAPE|BUG: the|FAILED|^\(d0\) fail: ")
    b.expect_status(0)


def test_a_storm_of_refusals_shows_a_burst_and_a_count_of_the_rest_and_nothing_is_lost(boot):
    """Xen's printk_ratelimit, per domain: a burst of 10, then one line per
    5 s; each line let through after a gap, and the domain's end, say how
    many were dropped.  However slow the run, the lines shown and the
    counts of those dropped add up to every refusal."""
    b = boot_beside(boot, ("hostile", "-- case=21"))
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([r"^\(d1\) check set_gdt of mfn 0, refused with -EINVAL: got 5000 want 5000$",
                       r"^\(hv\) d1: \d+ messages suppressed$",
                       r"^\(hv\) d1 shutdown: poweroff$",
                       r"^\(d0\) Test result: SUCCESS$", NO_LEAK])
    shown = [l for l in b.lines if l == "(hv) d1 set_gdt refused: frame 0 (mfn 0x0): not one of the domain's frames"]
    dropped = [int(l.split()[2]) for l in b.lines if l.startswith("(hv) d1: ") and l.endswith(" messages suppressed")]
    assert len(shown) >= 10, "the burst: %d lines" % len(shown)
    assert len(shown) + sum(dropped) == 5000, (len(shown), dropped)
    assert len(shown) < 100, "%d lines: the limit did not hold" % len(shown)
    b.expect_status(0)


def test_every_refusal_is_printed_with_guest_loglvl_all(boot):
    b = boot(guest("hostile", "-- case=21"), hv_args="guest_loglvl=all", timeout=120)
    b.expect(r"^\(d0\) check set_gdt of mfn 0, refused with -EINVAL: got 5000 want 5000$")
    assert b.output.count("(hv) d0 set_gdt refused: frame 0 (mfn 0x0)") == 5000
    b.forbid(r"messages suppressed")


def test_a_guest_that_switches_to_tables_without_its_kernel_is_halted_and_only_it(boot):
    b = boot_beside(boot, ("hostile", "-- case=19"))
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([
        r"^\(d1\) check pin an L3 that maps nothing of ours: got 0 want 0$",
        r"^\(hv\) d1 halted: #PF page fault at 0x[0-9a-f]+ could not be delivered",
        r"^\(d0\) Test result: SUCCESS$",
        NO_LEAK])
    b.forbid(r"still running after new_baseptr")
    b.expect_status(2)


def test_no_frame_leaks_across_a_hundred_domain_lifetimes(boot):
    """100 domains of 4 MiB: victims, address-space builders, every hostile
    case (including the one that is halted) and privileged-instruction
    guests that are halted, all ending at once, frames returned."""
    privs = ["hlt", "mov-to-cr3", "wrmsr", "lgdt", "cli"]
    mods = []
    for i in range(100):
        k, n = i % 5, i // 5
        if k == 0:
            mods.append(guest("victim", "mem=4M name=victim -- yields=20"))
        elif k == 1:
            mods.append(guest("aspace", "mem=4M name=aspace -- loops=10"))
        elif k == 3:
            mods.append(guest("priv-" + privs[n % 5], "dom.mem=4M dom.name=priv"))
        else:
            case = (n + (0 if k == 2 else 9)) % 19 + 1
            mods.append(guest("hostile", "mem=4M name=hostile%d -- case=%d" % (case, case)))
    b = boot(*mods, mem=512, timeout=90)
    b.expect(r"^\(hv\) summary: 100 domains$")
    results = b.output.count("Test result: SUCCESS")
    assert results == 100 - 20 - 2, "SUCCESS lines: %d" % results   # 20 priv, 2 case=19 halted
    assert len([l for l in b.lines if " halted: privileged instruction " in l
                and l.startswith("(hv)   d")]) == 20
    b.forbid(r"Test result: (FAILURE|ERROR)")
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(2)


@pytest.mark.bochs
def test_the_paging_rules_hold_on_bochs_where_a_pdpt_entry_is_checked_by_the_cpu(boot):
    """Bochs loads the four PDPT entries at every CR3 write and raises #GP
    for a reserved bit, as hardware does (QEMU's TCG checks them only on a
    walk): an L3 entry with an address bit the hypervisor's 32-bit frame
    numbers drop once panicked the hypervisor here."""
    b = boot_beside(boot, ("hostile", "-- case=0"), ("aspace", "-- loops=20"),
                    emulator="bochs", timeout=120)
    expect_no_gap_over_the_bound(b)
    b.expect(r"^\(d1\) check an L3 entry \(in CR3\) with address bit 44 set: got -22 want -22$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(r"^\(d2\) Test result: SUCCESS$")
    b.expect(r"^\(d0\) victim: 300 yields, memory unchanged: yes$")
    b.expect(NO_LEAK)
    b.forbid(MISMATCH)
    b.expect_status(0)
