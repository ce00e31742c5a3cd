"""The guest's own GDT: set_gdt and update_descriptor, booted.

pvguest/tests/gdt installs a GDT of its own by machine frame, reads its
descriptors back through the CPU (lsl, lar), loads and uses them, and tries
each thing Xen refuses.  As in Xen, a GDT frame is typed "segment
descriptors" while it is in use: set_gdt refuses a frame the guest still
maps writable, and no writable mapping of it can be made until the GDT is
replaced.  The hypervisor also keeps its own checked copy of that GDT and
names every refusal on the console as
"(hv) dN set_gdt refused: <what>: <why>" (or update_descriptor), so the
tests can match the rule that fired.  Two copies side by side, yielding
to each other with segments from their own GDTs loaded, show that each
domain sees only its own.  The rules themselves are tested one by one on
the host in tests/test_unit_desc.py.
"""

import pathlib
import re

import pytest

from harness import guest, NO_LEAK, MISMATCH

# Each refusal's line is evidence here, more than the rate limit's burst of 10.
EVERY_LINE = "guest_loglvl=all"

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"


def test_a_guest_gdt_is_checked_truncated_used_and_kept_with_xens_selectors(boot):
    b = boot(guest("gdt"), hv_args=EVERY_LINE, share=True)
    b.expect_in_order([
        r"^\(d0\) check set_gdt with our 9 entries: got 0 want 0$",
        r"^\(d0\) check lsl of our flat ring-1 code \(truncated\): got 0xf67fffff want 0xf67fffff$",
        r"^\(d0\) check lar of the DPL 0 data segment shows DPL 1: got 0x0000b200 want 0x0000b200$",
        r"^\(d0\) check %fs survives the hypercall: got 0x00000031 want 0x00000031$",
        r"^\(d0\) check our call gate enters our own ring-1 code: got 0x00000009 want 0x00000009$",
        r"^\(d0\) check lsl 0xe033 after set_gdt: got 0xf67fffff want 0xf67fffff$",
        r"^\(d0\) \d+ checks, 0 failed$",
        r"^\(d0\) Test result: SUCCESS$",
        r"^\(hv\) d0 shutdown: poweroff$",
        NO_LEAK])
    b.forbid(MISMATCH)
    b.forbid(r"halted")
    b.expect_status(0)


def test_a_gdt_frame_is_typed_refused_while_writable_and_never_writable_while_in_use(boot):
    b = boot(guest("gdt"), hv_args=EVERY_LINE, share=True)
    b.expect_in_order([
        r"^\(hv\) d0 set_gdt refused: frame 0 \(mfn 0x[0-9a-f]+\): mapped writable$",
        r"^\(d0\) check set_gdt of a frame we still map writable: got -22 want -22$",
        r"^\(d0\) check drop our writable mapping of the GDT frame: got 0 want 0$",
        r"^\(d0\) check set_gdt with our 9 entries: got 0 want 0$",
        r"^\(d0\) check mapping our GDT frame writable while in use: got -16 want -16$",
        r"^\(d0\) check a refused set_gdt leaves its frame untyped: it maps writable: got 0 want 0$",
        r"^\(d0\) check the full GDT's frames are untyped again: one maps writable: got 0 want 0$",
        r"^\(d0\) check a plain store into our GDT frame: #PF: got 14 want 14$",
        r"^\(d0\) check and the GDT entry is unchanged: got 0x0000007f want 0x0000007f$",
        r"^\(d0\) Test result: SUCCESS$",
        NO_LEAK])
    b.forbid(MISMATCH)
    b.expect_status(0)


@pytest.mark.parametrize("what,why", [
    ("a TSS", r"TSS \(tasks are not virtualised\)"),
    ("an interrupt gate", r"interrupt gate \(gates belong in the trap table\)"),
    ("a call gate to the hypervisor's code 0xe008", r"call gate to a reserved selector other than FLAT_RING1_CS"),
    ("a call gate to FLAT_RING3_CS 0xe02b", r"call gate to a reserved selector other than FLAT_RING1_CS"),
    ("a byte-granular segment past 0xF6800000", r"byte-granular segment reaching the hypervisor area"),
    ("a segment based in the hypervisor", r"segment base within a page of the hypervisor area"),
])
def test_a_forbidden_descriptor_is_refused_by_both_calls_and_the_old_gdt_stays(boot, what, why):
    b = boot(guest("gdt"), hv_args=EVERY_LINE, share=True)
    w = re.escape(what)
    b.expect_in_order([
        r"^\(hv\) d0 set_gdt refused: entry 8 \([0-9a-f]{8}:[0-9a-f]{8}\): %s$" % why,
        r"^\(d0\) check set_gdt with %s: got -22 want -22$" % w,
        r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{16}: %s$" % why,
        r"^\(d0\) check update_descriptor with %s: got -22 want -22$" % w,
        r"^\(d0\) check after %s, the old GDT is in force: got (0x[0-9a-f]+) want \1$" % w])
    b.expect_status(0)


def test_set_gdt_refuses_foreign_and_page_table_frames_and_too_many_entries(boot):
    b = boot(guest("gdt"), hv_args=EVERY_LINE, share=True)
    b.expect_in_order([
        r"^\(hv\) d0 set_gdt refused: frame 0 \(mfn 0x[0-9a-f]+\): not one of the domain's frames$",
        r"^\(d0\) check set_gdt with the shared_info frame \(not ours\): got -22 want -22$",
        r"^\(d0\) check set_gdt with machine frame 0: got -22 want -22$",
        r"^\(hv\) d0 set_gdt refused: frame 0 \(mfn 0x[0-9a-f]+\): a page-table frame$",
        r"^\(d0\) check set_gdt with 7169 entries: got -22 want -22$",
        r"^\(d0\) check set_gdt with a bad frame list pointer: got -14 want -14$",
        r"^\(d0\) check set_gdt with 7168 entries in 14 frames: got 0 want 0$",
        r"^\(d0\) check lsl 0xe019 with a full GDT: got 0xf67fffff want 0xf67fffff$",
        r"^\(d0\) check set_gdt with 0 entries: got 0 want 0$",
        r"^\(d0\) check %fs = 0xe033 with an empty GDT: got 0x0000e033 want 0x0000e033$",
    ])
    b.expect_status(0)


def test_update_descriptor_writes_the_fixed_up_value_only_into_the_domains_own_frames(boot):
    b = boot(guest("gdt"), hv_args=EVERY_LINE, share=True)
    b.expect_in_order([
        r"^\(d0\) check lsl sees the new limit: got 0x0000007f want 0x0000007f$",
        r"^\(d0\) check our frame reads back DPL 1 and the truncated limit: got (0x[0-9a-f]+) want \1$",
        r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{15}[4c]: not an aligned machine address$",
        r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{16}: not one of the domain's frames$",
        r"^\(hv\) d0 update_descriptor refused: ma 0x0000000000000000: not one of the domain's frames$",
        r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{16}: a page-table frame$",
        r"^\(d0\) check but not in the GDT: got 0x00000000 want 0x00000000$",
        r"^\(d0\) check update_descriptor in a frame that is no GDT \(mapped writable\): got 0 want 0$",
    ])
    b.expect_status(0)


def test_each_domain_keeps_its_own_gdt_across_switches(boot):
    b = boot(guest("gdt", "name=one -- tag=1 yields=5"), guest("spin-yield", "-- n=5"),
             guest("gdt", "name=two -- tag=2 yields=5"))
    for d, limit in ((0, 0x110), (2, 0x120)):
        lines = b.expect(r"^\(d%d\) check after a yield, lsl still sees our marker's limit: "
                         r"got 0x%08x want 0x%08x$" % (d, limit, limit))
        assert lines
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.forbid(MISMATCH)
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_on_bochs_too_the_guest_gdt_is_truncated_and_refusals_hold(boot):
    b = boot(guest("gdt"), emulator="bochs", timeout=120)
    b.expect(r"^\(d0\) check lsl of our flat ring-3 data \(truncated\): got 0xf67fffff want 0xf67fffff$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)
