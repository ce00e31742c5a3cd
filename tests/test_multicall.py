"""An iret inside a multicall: Xen's rule since XSA-213, booted.

Xen runs a multicall's iret entry like the iret hypercall, on the frame at
the guest's ESP, and ends the batch there: the guest resumes where the
frame says (perhaps in ring 3) and never sees the multicall return, and no
later entry runs (hypercalls/multicall.c). pvguest/tests/mc-iret shows it
from the inside, and with case=NAME makes one iret entry whose frame the
iret hypercall would refuse: that domain is halted for it, with the iret's
own reason, while a victim domain beside it runs on untouched.
"""

import pytest

from harness import guest, NO_LEAK, MISMATCH, passes


def mc_iret(boot):
    """mc-iret alone: every check matched, nothing halted, nothing leaked."""
    b = boot(guest("mc-iret"))
    passes(b)
    b.expect(NO_LEAK)
    b.expect_status(0)
    return b


def test_an_iret_entry_ends_the_batch_and_the_guest_resumes_where_its_frame_says(boot):
    b = mc_iret(boot)
    b.expect_in_order([
        r"^\(d0\) check multicall \[iret, xen_version\]: EAX from the frame: "
        r"got 0x0000dead want 0x0000dead$",
        r"^\(d0\) check \.\.\. resumed where the frame says, not after the int: got 1 want 1$",
        r"^\(d0\) check \.\.\. entry 1, xen_version, never ran: got 0xdeadbeef want 0xdeadbeef$",
        r"^\(d0\) check \.\.\. frame IF=0: events masked: got 1 want 1$",
        r"^\(d0\) check \.\.\. entry 2 never ran: got 0xdeadbeef want 0xdeadbeef$",
        r"^\(d0\) check \.\.\. frame IF=1: events unmasked: got 0 want 0$"])


def test_an_iret_entry_to_ring_3_runs_no_later_entry_in_ring_3(boot):
    b = mc_iret(boot)
    b.expect_in_order([
        r"^\(d0\) check multicall \[xen_version, iret to ring 3, xen_version\]: EAX reached ring 3: "
        r"got 0x33330003 want 0x33330003$",
        r"^\(d0\) check \.\.\. from cs: got 0x0000e02b want 0x0000e02b$",
        r"^\(d0\) check \.\.\. entry 2 never ran \(in ring 3 or at all\): "
        r"got 0xdeadbeef want 0xdeadbeef$"])


def test_the_iret_entrys_result_is_a_courtesy_a_read_only_list_still_lands(boot):
    b = mc_iret(boot)
    b.expect_in_order([
        r"^\(d0\) check multicall \[iret\] on a read-only page: EAX from the frame: "
        r"got 0x0bad1157 want 0x0bad1157$",
        r"^\(d0\) check \.\.\. the result could not be written: still: "
        r"got 0xdeadbeef want 0xdeadbeef$",
        r"^\(d0\) check multicall \[xen_version\] on the read-only page: got -14 want -14$"])


def test_an_iret_inside_a_nested_multicall_never_runs(boot):
    b = mc_iret(boot)
    b.expect_in_order([
        r"^\(d0\) check \.\.\. an ordinary return: nothing landed: got 0 want 0$",
        r"^\(d0\) check \.\.\. entry 0, the nested multicall: got -22 want -22$",
        r"^\(d0\) check \.\.\. its iret never ran: got 0xdeadbeef want 0xdeadbeef$"])


# Each frame the iret hypercall refuses, and the reason the domain is halted for.
REFUSED = {
    "ring0": r"iret to ring 0 \(cs 0xe008 eip 0x[0-9a-f]{8}\) at esp 0x[0-9a-f]{8}",
    "badss": r"return to the guest faulted \(cs e02b eip 0x[0-9a-f]{8} ss e021 esp 0x[0-9a-f]{8}\)",
    "unreadable": r"iret: cannot read the frame at esp 0x[0-9a-f]{8}",
    "m2p": r"iret: cannot read the frame at esp 0xf5800000",
    "hole": r"iret: cannot read the frame at esp 0xf57ffff8",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_iret_entry_with_a_frame_iret_refuses_halts_only_its_domain(boot, case):
    b = boot(guest("victim"), guest("mc-iret", "-- case=%s" % case))
    b.expect_in_order([r"^\(d1\) multicall \[iret\] ",
                       r"^\(hv\) d1 halted: %s$" % REFUSED[case]])
    b.expect_in_order([r"^\(d0\) victim: 300 yields, memory unchanged: yes$",
                       r"^\(d0\) Test result: SUCCESS$", NO_LEAK])
    b.forbid(r"^\(d1\) (fail|Test result)")
    b.forbid(MISMATCH)
    b.expect_status(2)
