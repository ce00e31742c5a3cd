"""The virtual CPU's FPU and debug registers, booted.

pvguest/tests/fpu and pvguest/tests/debugreg do the work inside guests and
print one "check <what>: got X want Y" line per fact; here each test boots
them in the arrangement that makes a rule observable (two domains for
isolation, a guest with no handler for a halt) and reads the evidence.
Every boot must end without a mismatched check line and without a leak.
"""

import pathlib

import pytest

from harness import guest, NO_LEAK, MISMATCH

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"


def succeeded(b, *domains):
    for d in domains:
        b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)


# --- the FPU: lazy switching, isolation, the virtual CR0.TS ------------------

def test_two_domains_keep_their_own_x87_and_sse_registers_across_yields(boot):
    b = boot(guest("fpu", "-- seed=1 n=4"), guest("fpu", "-- seed=2 n=4"))
    for d in (0, 1):
        b.expect(r"^\(d%d\) seed %d, x87 and SSE, 4 yields$" % (d, d + 1))
        b.expect_in_order([
            r"^\(d%d\) check computed: XMM0-7 hold 2 \* our floats: got 0 want 0$" % d,
            r"^\(d%d\) check after yielding: ST0-7 hold 2 \* our integers: got 0 want 0$" % d,
            r"^\(d%d\) check after yielding: XMM0-7 hold 2 \* our floats: got 0 want 0$" % d,
            r"^\(d%d\) check state after yielding is byte for byte the state before: "
            r"got 0 want 0$" % d])
    succeeded(b, 0, 1)
    b.expect_status(0)


def test_a_domain_first_sees_reset_fpu_state_not_the_previous_owners(boot):
    # d0 fills every register; d1's first look must find none of it, whichever
    # ran first (the tick may preempt either before or after d0's computation).
    b = boot(guest("fpu", "-- seed=1"), guest("fpu", "-- seed=2"), share=True)
    b.expect(r"^\(d0\) check computed: FCW: got 0x0000077f want 0x0000077f$")
    b.expect_in_order([r"^\(d1\) check fresh FCW: got 0x0000037f want 0x0000037f$",
                       r"^\(d1\) check fresh MXCSR: got 0x00001f80 want 0x00001f80$",
                       r"^\(d1\) check fresh ST0-7 and XMM0-7 bytes that are not zero: "
                       r"got 0 want 0$"])
    succeeded(b, 0, 1)
    b.expect_status(0)


def test_fpu_taskswitch_returns_0_for_set_and_clear(boot):
    b = boot(guest("fpu", "-- nm=none"))
    b.expect_in_order([r"^\(d0\) check fpu_taskswitch\(1\): got 0 want 0$",
                       r"^\(d0\) check fpu_taskswitch\(0\): got 0 want 0$"])
    succeeded(b, 0)
    b.expect_status(0)


def test_virtual_ts_raises_nm_in_the_guest_once_and_is_cleared_as_it_is_delivered(boot):
    b = boot(guest("fpu", "-- seed=1"), guest("fpu", "-- seed=2"), share=True)
    for d in (0, 1):
        b.expect_in_order([
            r"^\(d%d\) check fpu_taskswitch\(1\): #NM delivered: got 1 want 1$" % d,
            r"^\(d%d\) check fpu_taskswitch\(1\): state unchanged: got 0 want 0$" % d,
            r"^\(d%d\) check fpu_taskswitch\(1\): then no #NM \(virtual TS clear\): got 0 want 0$" % d,
            r"^\(d%d\) check fpu_taskswitch\(1\) then yields: #NM delivered: got 1 want 1$" % d,
            r"^\(d%d\) check fpu_taskswitch\(1\) then \(0\): #NM delivered: got 0 want 0$" % d])
    succeeded(b, 0, 1)
    b.expect_status(0)


def test_an_emulated_clts_clears_the_virtual_ts(boot):
    b = boot(guest("fpu", "-- clts=1"))
    b.expect(r"^\(d0\) check fpu_taskswitch\(1\) then clts: #NM delivered: got 0 want 0$")
    succeeded(b, 0)
    b.expect_status(0)


def test_nm_with_no_handler_halts_the_domain_and_the_other_keeps_its_fpu_state(boot):
    # d0 dies owning the FPU; d1's registers, saved when d0 took them, come back intact.
    b = boot(guest("fpu", "-- seed=1 nm=unhandled"), guest("fpu", "-- seed=2 n=6"))
    b.expect_in_order([r"^\(d0\) using the FPU with TS set and no #NM handler$",
                       r"^\(hv\) d0 halted: #NM device not available"])
    b.forbid(r"^\(d0\) fail: no #NM")
    b.expect(r"^\(d1\) check state after yielding is byte for byte the state before: got 0 want 0$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(2)


# --- the debug registers -----------------------------------------------------

def test_set_and_get_debugreg_keep_xens_rules(boot):
    b = boot(guest("debugreg"), share=True)
    b.expect_in_order([r"^\(d0\) check new domain's DR6: got 0xffff0ff0 want 0xffff0ff0$",
                       r"^\(d0\) check new domain's DR7: got 0x00000400 want 0x00000400$"])
    b.expect(r"^\(d0\) check get DR3 after 0xf57ffffc: got 0xf57ffffc want 0xf57ffffc$")
    for value in ("f57ffffd", "f5800000", "fc100000", "ffffffff"):
        b.expect(r"^\(d0\) check set DR0 0x%s refused: got -1 want -1$" % value)   # -EPERM
    b.expect(r"^\(d0\) check set DR7 0x00002000 refused: got -1 want -1$")        # GD
    b.expect(r"^\(d0\) check set DR7 0x00020001 refused: got -1 want -1$")        # I/O
    b.expect(r"^\(d0\) check DR6 after writing DR4: got 0xffff0ff0 want 0xffff0ff0$")
    for reg in (8, -1, 100):
        b.expect(r"^\(d0\) check set DR%d: got -22 want -22$" % reg)             # -EINVAL
        b.expect(r"^\(d0\) check get DR%d: got -22 want -22$" % reg)
    succeeded(b, 0)
    b.expect_status(0)


def test_a_guest_write_watchpoint_raises_db_in_the_guest_with_dr6_b0(boot):
    b = boot(guest("debugreg"), share=True)
    b.expect_in_order([r"^\(d0\) check #DB from writing the watched variable: got 1 want 1$",
                       r"^\(d0\) check DR6 says breakpoint 0 hit: got 0x00000001 want 0x00000001$",
                       r"^\(d0\) check #DB from writing it again: got 1 want 1$",
                       r"^\(d0\) check #DB after DR7 = 0: got 0 want 0$"])
    succeeded(b, 0)
    b.expect_status(0)


def test_a_watchpoint_the_hypervisor_hits_copying_guest_memory_is_ignored(boot):
    b = boot(guest("debugreg", "-- hvread=1"))
    b.expect_in_order([r"^\(d0\) watch!$",
                       r"^\(d0\) check #DB from the hypervisor reading our watched buffer: "
                       r"got 0 want 0$"])
    succeeded(b, 0)
    b.expect_status(0)


def test_one_domains_breakpoints_never_fire_in_another(boot):
    # Both images are the same, so `target` has the same address in both domains.
    b = boot(guest("debugreg", "-- role=arm"), guest("debugreg", "-- role=write"))
    # The tick may switch domains at any point, so each domain's lines are
    # checked on their own; the guests' own checks span their yields.
    b.expect(r"^\(d1\) check #DB from writing the address the other domain watches: got 0 want 0$")
    b.expect(r"^\(d0\) check #DB from our write, after the other domain ran: got 1 want 1$")
    b.expect(r"^\(d1\) check #DB after the other domain wrote: got 0 want 0$")
    succeeded(b, 0, 1)
    b.expect_status(0)


# --- the guest's CR4: DE and TSD, and I/O breakpoints ------------------------

def test_a_guest_sets_cr4_de_and_tsd_as_xen_allows_and_other_cr4_bits_are_ignored(boot):
    b = boot(guest("iobp"), share=True)
    b.expect_in_order([r"^\(d0\) check CPUID leaf 1 shows DE: got 0x00000004 want 0x00000004$",
                       r"^\(d0\) check CR4 after setting DE, PGE and OSXSAVE: DE only: "
                       r"got (0x[0-9a-f]+) want \1$",
                       r"^\(d0\) check CR4.TSD reads back: got 0x00000004 want 0x00000004$",
                       r"^\(d0\) check rdtsc in ring 1 under the guest's TSD: got runs want runs$",
                       r"^\(d0\) check rdtsc in ring 3 under the guest's TSD: got #GP want #GP$",
                       r"^\(d0\) check rdtsc in ring 3 once TSD is clear: got runs want runs$"])
    succeeded(b, 0)
    b.expect_status(0)


def test_with_cr4_de_clear_an_io_breakpoint_is_refused_and_dr7_keeps_its_old_value(boot):
    b = boot(guest("iobp"), share=True)
    b.expect_in_order([r"^\(d0\) check an I/O breakpoint without CR4.DE: got -1 want -1$",   # -EPERM
                       r"^\(d0\) check DR7 keeps its old value: got 0x00010401 want 0x00010401$",
                       r"^\(d0\) check DR5 is DR7 without DE: got 0x00000400 want 0x00000400$"])
    succeeded(b, 0)
    b.expect_status(0)


def test_with_cr4_de_set_dr4_and_dr5_vanish_and_io_breakpoints_raise_db_with_dr6_bn(boot):
    b = boot(guest("iobp"), share=True)
    b.expect_in_order([
        r"^\(d0\) check get DR4 under CR4.DE: got -19 want -19$",                # -ENODEV
        r"^\(d0\) check mov %db4 under CR4.DE: got #UD want #UD$",
        r"^\(d0\) check DR7 reads back the I/O breakpoint: got 0x00060401 want 0x00060401$",
        r"^\(d0\) check #DB from out to port 0x80 comes after the instruction: got 1 want 1$",
        r"^\(d0\) check DR6 says breakpoint 0 hit: got 0x00000001 want 0x00000001$",
        r"^\(d0\) check #DB from inw from port 0x7f \(0x7f-0x80\): got 1 want 1$",
        r"^\(d0\) check #DB from out to port 0x82: got 0 want 0$",
        r"^\(d0\) check the #DB of a rep with elements left is at the rep itself: got (\S+) want \1$",
        r"^\(d0\) check ECX after the first element: got 4 want 4$",
        r"^\(d0\) check #DB from out to port 0x80 once CR4.DE is clear: got 0 want 0$"])
    succeeded(b, 0)
    b.expect_status(0)


# --- the same on a model of a real CPU -----------------------------------------

@pytest.mark.bochs
def test_fpu_and_breakpoint_isolation_hold_on_bochs_too(boot):
    # QEMU's TCG implements FXSAVE and the debug registers its own way; Bochs
    # models a Sandy Bridge, so the same rules are checked against it.
    b = boot(guest("fpu", "-- seed=1"), guest("fpu", "-- seed=2"),
             guest("debugreg", "-- role=arm"), guest("debugreg", "-- role=write"),
             emulator="bochs", timeout=120)
    b.expect(r"^\(d1\) check fresh ST0-7 and XMM0-7 bytes that are not zero: got 0 want 0$")
    b.expect(r"^\(d3\) check #DB from writing the address the other domain watches: got 0 want 0$")
    succeeded(b, 0, 1, 2, 3)
    b.expect_status(0)
