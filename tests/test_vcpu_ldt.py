"""The guest's own LDT: mmuext_op MMUEXT_SET_LDT, booted.

pvguest/tests/ldt names an LDT by linear address and entry count, as a Xen
PV kernel does; the hypervisor finds the frames behind it in the guest's
page tables, types each one "segment descriptors" (so it must not be
mapped writable, and cannot become writable while in use), checks every
descriptor with the GDT's rules and loads its own checked copy. The guest
uses it from ring 1 and ring 3, through a call gate and as a trap handler's
code segment, and tries what Xen refuses; every refusal is named on the
console as "(hv) dN set_ldt refused: <what>: <why>". Unlike Xen, which maps
LDT pages lazily and turns a bad page into a fault at first use, ringone
walks the page tables at SET_LDT and refuses the call there.
"""

import re

import pytest

from harness import guest, passes, NO_LEAK

# Each refusal's line is evidence here, more than the rate limit's burst of 10.
EVERY_LINE = "guest_loglvl=all"


def test_a_guest_ldt_is_typed_checked_and_used_from_ring_1_and_ring_3(boot):
    b = boot(guest("ldt"), hv_args=EVERY_LINE, share=True)
    passes(b)
    b.expect_in_order([
        r"^\(d0\) check loading LDT selector 0x05 before SET_LDT: #GP: got 13 want 13$",
        r"^\(hv\) d0 set_ldt refused: frame 0 \(mfn 0x[0-9a-f]+\): mapped writable$",
        r"^\(d0\) check SET_LDT of a page we still map writable: got -22 want -22$",
        r"^\(d0\) check SET_LDT with our 6 entries: got 0 want 0$",
        r"^\(d0\) check mapping our LDT page writable while in use: got -16 want -16$",
        r"^\(d0\) check lar of the DPL 0 data segment 0x1d shows DPL 1: got 0x0000b200 want 0x0000b200$",
        r"^\(d0\) check loading LDT selector 0x31, past our 6 entries: error code the selector: "
        r"got 0x00000034 want 0x00000034$",
        r"^\(d0\) check %fs survives the hypercall: got 0x00000005 want 0x00000005$",
        r"^\(d0\) check ring 3: %fs = LDT 0x17 reads the marker: got 0x1d70c0de want 0x1d70c0de$",
        r"^\(d0\) check our LDT call gate 0x25 enters our LDT ring-1 code 0x2d: got 0x0000002d want 0x0000002d$",
        r"^\(d0\) check which ran with cs 0x2d: got 0x0000002d want 0x0000002d$",
        NO_LEAK])
    b.expect_status(0)


@pytest.mark.parametrize("what,why", [
    ("a TSS", r"TSS \(tasks are not virtualised\)"),
    ("an LDT descriptor", r"LDT descriptor \(the hypervisor makes the LDT's own\)"),
    ("an interrupt gate", r"interrupt gate \(gates belong in the trap table\)"),
    ("a call gate to the hypervisor's code 0xe008", r"call gate to a reserved selector other than FLAT_RING1_CS"),
    ("a segment based in the hypervisor", r"segment base within a page of the hypervisor area"),
])
def test_a_forbidden_descriptor_is_refused_in_the_ldt_and_the_old_ldt_stays(boot, what, why):
    b = boot(guest("ldt"), hv_args=EVERY_LINE, share=True)
    w = re.escape(what)
    b.expect_in_order([
        r"^\(hv\) d0 set_ldt refused: entry 1 \([0-9a-f]{8}:[0-9a-f]{8}\): %s$" % why,
        r"^\(d0\) check SET_LDT with %s: got -22 want -22$" % w,
        r"^\(hv\) d0 update_descriptor refused: ma 0x[0-9a-f]{16}: %s$" % why,
        r"^\(d0\) check update_descriptor into our LDT with %s: got -22 want -22$" % w,
        r"^\(d0\) check after %s, the old LDT is in force: got 0x00000100 want 0x00000100$" % w])
    b.expect(r"^\(d0\) check a refused SET_LDT leaves its page untyped: it maps writable: got 0 want 0$")
    b.expect_status(0)


def test_set_ldt_refuses_bad_addresses_counts_and_frames_as_xen_does(boot):
    b = boot(guest("ldt"), hv_args=EVERY_LINE, share=True)
    b.expect_in_order([
        r"^\(hv\) d0 set_ldt refused: frame 0 \(mfn 0x[0-9a-f]+\): mapped writable$",
        r"^\(d0\) check SET_LDT of a page mapped writable: got -22 want -22$",
        r"^\(hv\) d0 set_ldt refused: linear_addr 0x[0-9a-f]{5}008, 1 entries: linear_addr not page-aligned$",
        r"^\(d0\) check SET_LDT with 8193 entries: got -22 want -22$",
        r"^\(hv\) d0 set_ldt refused: linear_addr 0xf5800000, 1 entries: reaches the hypervisor area$",
        r"^\(hv\) d0 set_ldt refused: linear_addr 0xf57f8000, 8192 entries: reaches the hypervisor area$",
        r"^\(hv\) d0 set_ldt refused: linear_addr 0x[0-9a-f]{8}, 1 entries: page 0 at 0x[0-9a-f]{8} not mapped",
        r"^\(d0\) check SET_LDT of an unmapped page: got -22 want -22$",
        r"^\(hv\) d0 set_ldt refused: frame 0 \(mfn 0x[0-9a-f]+\): not one of the domain's frames$",
        r"^\(d0\) check SET_LDT of our shared_info mapping \(not our frame\): got -22 want -22$",
        r"^\(hv\) d0 set_ldt refused: frame 0 \(mfn 0x[0-9a-f]+\): a page-table frame$",
        r"^\(d0\) check after all that, the old LDT is in force: got 0x00000100 want 0x00000100$",
    ])
    b.expect_status(0)


def test_update_descriptor_reaches_the_ldt_and_the_largest_ldt_has_16_pages(boot):
    b = boot(guest("ldt"), hv_args=EVERY_LINE, share=True)
    passes(b)
    b.expect_in_order([
        r"^\(d0\) check lsl sees the new limit: got 0x0000007f want 0x0000007f$",
        r"^\(d0\) check lar of it shows DPL 1 code: got 0x0000ba00 want 0x0000ba00$",
        r"^\(d0\) check but not in the LDT: got 0x00000000 want 0x00000000$",
        r"^\(d0\) check a plain store into our LDT page: #PF: got 14 want 14$",
        r"^\(d0\) check SET_LDT with 8192 entries in 16 pages: got 0 want 0$",
        r"^\(d0\) check lsl of entry 8191 \(0xffff\): got 0xf67fffff want 0xf67fffff$",
        r"^\(d0\) check lsl of entry 4611 sees it: got 0x00000042 want 0x00000042$",
        r"^\(d0\) check the largest LDT's pages are untyped again: one maps writable: got 0 want 0$",
    ])
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_set_ldt_with_no_entries_removes_the_ldt_and_every_ldt_selector_faults(boot):
    b = boot(guest("ldt"), hv_args=EVERY_LINE, share=True)
    passes(b)
    b.expect_in_order([
        r"^\(d0\) check SET_LDT with 0 entries \(the address is ignored\): got 0 want 0$",
        r"^\(d0\) check lsl of LDT selector 0x05 with no LDT: got 0x00000000 want 0x00000000$",
        r"^\(d0\) check loading LDT selector 0x05 with no LDT: error code the selector: "
        r"got 0x00000004 want 0x00000004$",
        r"^\(d0\) check our LDT page is untyped again: it maps writable: got 0 want 0$",
        r"^\(d0\) check set_trap_table: an LDT handler with no LDT: got -22 want -22$",
    ])
    b.expect_status(0)


def test_each_domain_sees_only_its_own_ldt_across_switches(boot):
    b = boot(guest("ldt", "name=one -- tag=1 yields=20"), guest("ldt", "name=peek -- peek=1 yields=3"),
             guest("ldt", "name=two -- tag=2 yields=5"))
    for d, limit in ((0, 0x110), (2, 0x120)):
        b.expect(r"^\(d%d\) check after a yield, lsl still sees our marker's limit: "
                 r"got 0x%08x want 0x%08x$" % (d, limit, limit))
        passes(b, d)
    b.expect(r"^\(d1\) check lsl of LDT selector 0x05 in a domain without an LDT: "
             r"got 0x00000000 want 0x00000000$")
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_on_bochs_too_the_guest_ldt_is_loaded_checked_and_cleared(boot):
    b = boot(guest("ldt"), emulator="bochs", timeout=120)
    passes(b)
    b.expect(r"^\(d0\) check ring 3: %fs = LDT 0x17 reads the marker: got 0x1d70c0de want 0x1d70c0de$")
    b.expect(NO_LEAK)
    b.expect_status(0)
