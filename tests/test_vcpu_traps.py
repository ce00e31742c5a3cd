"""The virtual CPU's trap core: trap table, bounce frames, soft ints, iret, events.

Each guest under pvguest/tests/ checks its own part of Xen's 32-bit PV trap
ABI from the inside and prints one "check <what>: got X want Y" line per
fact, then one "Test result:" line. A test here boots it and reads the
verdict; where the hypervisor must halt the domain instead, the guest first
prints what it is about to do (the ESP, the EIP) and the test matches the
hypervisor's halt line against those very numbers. A second domain (hello)
runs after every halting one, to show that a guest's mistake ends that guest
only. Bochs boots (slow) are kept few: the trap paths once more on a
second CPU model, the isolation guest, whose segment-limit faults only
Bochs can show, and the hostile guest's hole case, whose evidence is the
hypervisor's own refusals and so must hold on QEMU and Bochs alike.
"""

import pathlib
import re

import pytest

from harness import guest, side_by_side, passes, NO_LEAK, MISMATCH
from victim_gaps import boot_beside, expect_no_gap_over_the_bound

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"


# ---- exceptions: traps -------------------------------------------------

def test_every_exception_reaches_the_guest_handler_with_xens_frame_from_ring_1_and_3(boot):
    b = boot(guest("traps"))
    passes(b)
    for ring in (1, 3):
        b.expect(r"^\(d0\) ring %d #DE divl by 0: #DE error 0x0 at %s:" % (ring, "e019" if ring == 1 else "e02b"))
        b.expect(r"^\(d0\) ring %d #GP mov to ds of LDT selector 0x1234 \(no LDT\): #GP error 0x1234 " % ring)
    b.expect(r"^\(d0\) ring 3 #PF write of a kernel page \(our L3\): #PF error 0x7 .* cr2 0x[0-9a-f]{8}$")
    # The hypervisor's peek for the forced-emulation prefix faults on the
    # hole after this ud2; the #UD is delivered all the same, at the ud2.
    b.expect(r"^\(d0\) ud2 at (0x[0-9a-f]{8}) before the hole at 0x[0-9a-f]{8}: #UD at \1$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_under_policy_reflect_a_privileged_instruction_is_a_gp_for_the_guest(boot):
    b = boot(guest("traps", "policy=reflect -- reflect=1"))
    passes(b)
    b.expect(r"^\(d0\) ring 1 #GP wrmsr 0x12345678 \(policy=reflect\): #GP error 0x0 at e019:")
    b.expect(r"^\(d0\) ring 3 #GP wrmsr \(policy=reflect\): #GP error 0x0 at e02b:")
    b.expect_status(0)


@pytest.mark.bochs
def test_every_exception_reaches_the_guest_handler_on_bochs_too(boot):
    b = boot(guest("traps"), emulator="bochs", timeout=90)
    passes(b)
    b.expect_status(0)


# ---- int $n: softint ----------------------------------------------------

def test_int_n_obeys_the_virtual_idt_dpl_and_int_0x80_is_a_fast_trap(boot):
    b = boot(guest("softint"))
    passes(b)
    b.expect(r"^\(d0\) ring 3 int \$0x40, DPL 1: #GP \(vector 13\) error 0x202 ")
    b.expect(r"^\(d0\) ring 3 int \$0x80, DPL 3 \(the fast trap\): int \$n \(vector 128\) error 0x0 at e02b:")
    b.expect(r"^\(d0\) check set_trap_table, cs 0xe008 \(ring 0\): got -1 want -1$")
    b.expect_status(0)


# ---- the iret hypercall ---------------------------------------------------

def test_iret_sets_the_virtual_if_and_goes_to_ring_3_and_back(boot):
    b = boot(guest("iret"))
    passes(b)
    b.expect(r"^\(d0\) check ring 3: cs there, and fn\(41\) returned 42: got 0xe02b002a want 0xe02b002a$")
    b.expect_status(0)


IRET_CASES = [
    ("ring0", r"iret to cs 0xe008 eip (0x[0-9a-f]{8})$",
     r"iret to ring 0 \(cs 0xe008 eip {0}\) at esp 0x[0-9a-f]{{8}}$"),
    ("badss", r"iret to cs 0xe02b eip (0x[0-9a-f]{8}) with ss 0xe021$",
     r"return to the guest faulted \(cs e02b eip {0} ss e021 esp 0x[0-9a-f]{{8}}\)$"),
    ("unreadable", r"iret with its frame at esp (0x[0-9a-f]{8}), only 4 bytes mapped$",
     r"iret: cannot read the frame at esp {0}$"),
]


@pytest.mark.parametrize("case,said,halted", IRET_CASES)
def test_an_iret_the_hypervisor_must_refuse_halts_that_domain_only(boot, case, said, halted):
    b, d, hello = side_by_side(boot, "iret", [c for c, _, _ in IRET_CASES], "-- case=", case, True)
    value = b.expect(r"^\(d%d\) " % d + said).group(1)
    b.expect(r"^\(hv\) d%d halted: " % d + halted.format(value))
    b.forbid(r"^\(d%d\) (fail|Test result)" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(NO_LEAK)
    b.expect_status(2)


# ---- events: upcall -------------------------------------------------------

def test_a_pending_event_enters_the_callback_only_when_unmasked(boot):
    b = boot(guest("upcall"))
    passes(b)
    b.expect(r"^\(d0\) check pending while masked: no callback: got 0 want 0$")
    b.expect(r"^\(d0\) check callback: entered with events masked: got 1 want 1$")
    b.expect(r"^\(d0\) check register nmi: got -22 want -22$")
    b.expect_status(0)


# ---- a frame that cannot be written: bounce-fault -------------------------

BOUNCE_CASES = [
    ("hole", "#BP breakpoint", 12),
    ("readonly", "#BP breakpoint", 12),
    ("unmapped", "#BP breakpoint", 12),
    ("pf-hole", "#PF page fault", 16),
    ("ring3", "#BP breakpoint", 20),
    # The CPU's own push through the fast-trap gate faults; the #PF cannot go there either.
    ("fast-trap", "#PF page fault", 24),
]


@pytest.mark.parametrize("case,exc,size", BOUNCE_CASES)
def test_an_exception_whose_frame_cannot_be_written_halts_the_domain(boot, case, exc, size):
    b, d, hello = side_by_side(boot, "bounce-fault", [c for c, _, _ in BOUNCE_CASES], "-- case=",
                               case, True)
    esp = int(b.expect(r"^\(d%d\) .* (?:with esp|the kernel stack at) (0x[0-9a-f]{8})$"
                       % d).group(1), 16)
    b.expect(r"^\(hv\) d%d halted: %s at 0x[0-9a-f]{8} could not be delivered: "
             r"cannot write the %d-byte frame at ss:esp e021:%08x$" % (d, re.escape(exc), size, esp - size))
    b.forbid(r"^\(d%d\) (fail|Test result)" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(NO_LEAK)
    b.expect_status(2)


# ---- a selector gone bad: failsafe ----------------------------------------

def test_a_data_selector_that_cannot_be_reloaded_enters_the_failsafe_callback(boot):
    b = boot(guest("failsafe"))
    passes(b)
    b.expect(r"^\(d0\) set_callbacks: 1 call\(s\), vector 257, ds e021 es e021 fs 0009 gs [0-9a-f]{4}, ")
    b.expect_status(0)


def test_without_a_failsafe_callback_the_bad_selector_halts_the_domain(boot):
    b = boot(guest("failsafe", "-- case=none"), guest("hello"))
    b.expect(r"^\(d0\) fs 0x0009; its descriptor goes, no failsafe callback$")
    b.expect(r"^\(hv\) d0 halted: bad segment register \(ds e021 es e021 fs 0009 gs [0-9a-f]{4}\) "
             r"on return to 0x[0-9a-f]{8} and no failsafe callback$")
    b.forbid(r"^\(d0\) (fail|Test result)")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(2)


# ---- isolation ------------------------------------------------------------

OUTCOMES = [("read", "fc100000"), ("write", "fc100000"), ("read", "f6800000")]


def test_isolation_checks_that_hold_on_qemu_and_what_qemu_lets_through(boot):
    # QEMU's TCG ignores data-segment limits: the hypervisor image is readable
    # and writable from ring 1 there. Only the Bochs run below proves isolation.
    b = boot(guest("isolation"))
    passes(b)
    b.expect(r"^\(d0\) outcome read 0xfc100000: succeeded \(0x[0-9a-f]{8}\)$")
    b.expect(r"^\(d0\) outcome write 0xfc100000: succeeded$")
    b.expect_status(0)


# What the hypervisor itself refuses, so that no guest-named address lets the
# CPU or the hypervisor write into the hole, on QEMU (which ignores data-segment
# limits) as on Bochs: the evidence is the refusal, not a #GP only Bochs raises.
HOLE_REFUSALS = [
    r"check stack_switch to 0xf5800004 \(its frame reaches the hole\): got -22 want -22",
    r"check stack_switch to 0xfc101000 \(its frame reaches the hole\): got -22 want -22",
    r"check stack_switch to 0x00000010 \(its frame reaches the hole\): got -22 want -22",
    r"check stack_switch to 0xf57ff000 \(below the hole: allowed\): got 0 want 0",
    r"check ring 3 int \$0x80 after the refused ones: delivered: got 128 want 128",
    r"check \.\.\. its frame at the top of our stack: got (0x[0-9a-f]+) want \1",
    r"check set_trap_table: int \$0x80 -> 0xfc100000: got -22 want -22",
    r"check set_trap_table: #PF -> 0xf5800000: got -22 want -22",
    r"check set_callbacks: event -> 0xfc100000: got -22 want -22",
    r"check set_callbacks: failsafe -> 0xfffff000: got -22 want -22",
    r"check callback_op: event -> 0xfc100000: got -22 want -22",
]


@pytest.mark.parametrize("emulator", ["qemu", pytest.param("bochs", marks=pytest.mark.bochs)])
def test_no_stack_handler_or_callback_may_point_into_the_hypervisor_on_any_emulator(boot, emulator):
    b = boot_beside(boot, ("hostile", "-- case=20"), emulator=emulator,
                    timeout=30 if emulator == "qemu" else 120)
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([r"^\(d1\) " + e + "$" for e in HOLE_REFUSALS] +
                      [r"^\(d1\) Test result: SUCCESS$"])
    b.expect(r"^\(d0\) victim: 300 yields, memory unchanged: yes$")
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_ring_1_cannot_read_or_write_the_hypervisor_past_its_segment_limit(boot):
    b = boot(guest("isolation"), emulator="bochs", timeout=90)
    passes(b)
    for access, addr in OUTCOMES:
        b.expect(r"^\(d0\) outcome %s 0x%s: #GP error 0x0$" % (access, addr))
    b.expect_status(0)
