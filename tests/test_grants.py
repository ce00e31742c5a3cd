"""Grant tables (grant_table_op, hypercall 20): a domain lets another use its pages.

Xen's v1 ABI, with Xen's status codes (hypercalls/grant_table.c reads the
records, hypervisor/share/grant.c keeps the tables and the references).
Three guests give the evidence:

  grant role=grantor  sets up its table, answers the table questions, grants
                      pages and watches its entries' flags while they are
                      mapped (GTF_reading/GTF_writing), and checks that a
                      frame mapped writable elsewhere cannot become a page
                      table;
  grant role=mapper   maps, reads, writes, copies and unmaps them, and is
                      refused what Xen refuses, each with Xen's GNTST_*;
  grant-hostile       one attack per run (case=N) on the grant rules, the
                      classes of XSA-224, XSA-234 and XSA-255, and grantors
                      that die while mapped, beside a `victim` whose memory
                      must not change, nor its time off the CPU pass one
                      turn of each other domain (tests/victim_gaps.py),
                      and a `grant role=lender` that grants.

Every boot must end with "0 leaked": references, grant frames, records and
the frames a dead grantor leaves mapped all go back.
"""

import re

import pytest

import harness
from harness import guest, NO_LEAK, MISMATCH
from victim_gaps import boot_beside, expect_no_gap_over_the_bound

GNTST = {"okay": 0, "general_error": -1, "bad_domain": -2, "bad_gntref": -3, "bad_handle": -4,
         "permission_denied": -8, "bad_page": -9, "bad_copy_arg": -10}
EPERM, ESRCH, EBUSY, EINVAL, EFAULT, ENOSYS = -1, -3, -16, -22, -14, -38
CTRL_A3 = r"\x01\x01\x01"            # as written to tools/run --input
EMULATORS = [pytest.param("qemu", id="qemu"),
             pytest.param("bochs", id="bochs", marks=pytest.mark.bochs)]


def check(d, what, value):
    """Domain d's line for one check that came out as `value`."""
    return r"^\(d%d\) check %s: got %s want %s$" % (d, re.escape(what), value, value)


def passes(b, d):
    """Domain d ran every check and all matched."""
    b.forbid(MISMATCH)
    b.forbid(r"^\(d%d\) (fail|error): " % d)
    b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)


def pair(*grantor_args):
    """The grantor d0 and the mapper d1, whose table may have 4 frames (dom.max_grant_frames)."""
    return (guest("grant", "-- role=grantor peer=1 " + " ".join(grantor_args)),
            guest("grant", "dom.max_grant_frames=4 -- role=mapper peer=0 max=4"))


@pytest.mark.parametrize("emulator", EMULATORS)
def test_one_domain_maps_reads_writes_copies_and_unmaps_anothers_grants(boot, emulator):
    b = boot(*pair(), emulator=emulator, timeout=120 if emulator == "bochs" else 60)
    b.expect_in_order([
        check(1, "query_size: our maximum (dom.max_grant_frames)", 4),
        check(1, "map ref 8 writable", 0),
        r"^\(d1\) check \.\.\. dev_bus_addr is the granted frame: got (0x[0-9a-f]+) want \1$",
        check(1, "map ref 9 read-only", 0),
        check(1, "... reads the grantor's page", (37 + 77 * 7 + 1) & 0xff),
        check(1, "... a write to it: #PF", 1),
        check(1, "map ref 13 writable", 0),
        check(1, "unmap ref 9", 0),
        check(1, "unmap ref 9 again", GNTST["bad_handle"]),
        check(1, "... its address is empty: #PF", 1),
        check(1, "map a granted page table writable", GNTST["general_error"]),
        check(1, "map it read-only", 0),
        check(1, "copy our frame into ref 10 at 100", 0),
        check(1, "copy read-only ref 9 into ref 10 at 200", 0),
        check(1, "copy ref 10 into our frame", 0),
        check(1, "... bytes read back wrong", 0),
        check(1, "unmap_and_replace", 0),
        check(1, "... the old address now shows our page", 2 * 37 + 5 * 7 + 1),
        check(1, "... the new address is empty: #PF", 1),
        check(1, "... the handle is gone", GNTST["bad_handle"]),
        check(1, "unmap ref 8 (with its bus address)", 0),
        check(1, "copy the last word into ref 10", 0)])
    b.expect_in_order([
        check(0, "entry 8 while mapped writable", "0x00000019"),      # permit | reading | writing
        check(0, "entry 9 while mapped read-only", "0x0000000d"),     # permit | readonly | reading
        check(0, "revoke entry 9 while mapped: refused, it is being read", "0x0000000d"),
        check(0, "the peer's write through its mapping", "0xfeedf00d"),
        check(0, "pin frame 13 as an L1 while the peer maps it writable", EINVAL),
        check(0, "entry 9 after its unmap", "0x00000005"),
        check(0, "entry 13 after its unmap", "0x00000001"),
        check(0, "pin frame 13 as an L1 once unmapped", 0),
        check(0, "bytes the peer copied into ref 10 that are wrong", 0),
        check(0, "entry 8 after the last unmap", "0x00000001"),
        check(0, "grants still in use when revoked", 0)])
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


# What a mapping domain is refused, each with Xen's status (the mapper's lines).
REFUSED = [
    ("map a grant for another domain", "general_error"),
    ("map ref 5000 (past the table)", "bad_gntref"),
    ("map the empty entry 0", "general_error"),
    ("map a read-only grant writable", "general_error"),
    ("map from no domain", "bad_domain"),
    ("map from DOMID_SELF", "bad_domain"),
    ("map with no GNTMAP_host_map", "bad_gntref"),
    ("map with GNTMAP_device_map (not offered)", "general_error"),
    ("map at the hypervisor hole", "general_error"),
    ("map where there is no L1", "general_error"),
    ("... the first, a bad ref", "bad_gntref"),
    ("unmap handle 99999", "bad_handle"),
    ("unmap ref 8's handle at another address", "general_error"),
    ("unmap with the wrong bus address", "general_error"),
    ("unmap with host_addr 0 (Xen: nothing done)", "okay"),
    ("copy past the end of the destination page", "bad_copy_arg"),
    ("copy past the end of the source page", "bad_copy_arg"),
    ("copy from ref 5000", "bad_gntref"),
    ("copy from a grant for another domain", "general_error"),
    ("copy from a grant of no domain", "bad_domain"),
    ("copy from the peer's frame named as ours", "bad_page"),
    ("copy from the peer's frame by number", "permission_denied"),
    ("copy into a read-only grant", "general_error"),
    ("copy into a granted page table", "general_error"),
]
# The questions about a table, and the calls left out (errnos, the grantor's lines).
QUESTIONS = [
    (0, "get_version", 0), (0, "... the version", 1),
    (0, "set_version 2 (version 1 only, as max-ver:1)", ENOSYS),
    (0, "... the version in force comes back", 1), (0, "set_version 3", EINVAL),
    (0, "query_size", 0), (0, "... frames", 1), (0, "... maximum", 64),
    (0, "get_version of the peer's table", EPERM), (0, "get_version of no domain", ESRCH),
    (0, "entry 0 (console), no services", "0x00000000"),
    (0, "entry 1 (xenstore), no services", "0x00000000"),
    (0, "... status", GNTST["permission_denied"]), (0, "... status", GNTST["bad_domain"]),
    (0, "... status", GNTST["general_error"]),
    (0, "setup_table with count 2", EINVAL), (0, "setup_table into the hypervisor hole", EFAULT),
    (0, "setup_table: grow to two frames", 0), (0, "query_size: frames now", 2),
    (1, "sub-op 3 (not offered)", ENOSYS), (1, "sub-op 4 (not offered)", ENOSYS),
    (1, "sub-op 9 (not offered)", ENOSYS), (1, "sub-op 11 (not offered)", ENOSYS),
    (1, "sub-op 12 (not offered)", ENOSYS), (1, "sub-op 13 (not offered)", ENOSYS),
    (1, "a continuation argument on query_size", EINVAL),
    (1, "copy with a negative count", EINVAL),
    (1, "map records in the hypervisor hole", EFAULT),
    (1, "4097 unmaps in one call", EINVAL),
]


@pytest.fixture(scope="module")
def pair_boot_once(built):
    """One boot of the pair, read by the tests below."""
    return harness.boot(*pair(), timeout=60)


@pytest.fixture
def pair_boot(pair_boot_once):
    harness.current_boots.append(pair_boot_once)       # saved with the test if it fails
    return pair_boot_once


def test_each_refusal_is_xens_status_code(pair_boot):
    pair_boot.expect_in_order([check(1, what, GNTST[code]) for what, code in REFUSED])
    pair_boot.forbid(MISMATCH)


def test_table_questions_versions_and_absent_sub_ops_answer_as_xen(pair_boot):
    for d in (0, 1):
        pair_boot.expect_in_order([check(d, what, value) for dd, what, value in QUESTIONS if dd == d])
    pair_boot.forbid(MISMATCH)


def test_the_g_debug_key_counts_grant_frames_and_mappings_both_ways(boot):
    text = CTRL_A3 * 2 + "g" + CTRL_A3 + r"go\n"
    b = boot(*pair("keys=1"), timeout=60,
             extra=("--input", text, "--input-after", r"^\(d0\) grantor: waiting for go"))
    b.expect_in_order([
        r"^\(hv\) grant tables \(v1; mapped: by other domains of its grants, by it of theirs\):$",
        r"^\(hv\)   id +name +frames +mapped-by-others +mapping-of-others$",
        r"^\(hv\)   d0 +d0 +2 +3 +0$",
        r"^\(hv\)   d1 +d1 +1 +0 +3$",
        check(0, "grantor: go read from the console", 1)])
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_max_grant_frames_outside_xens_limits_refuses_the_domain(boot):
    b = boot(guest("hello", "dom.max_grant_frames=65"), guest("hello"))
    b.expect(r"^\(hv\) error: module 0 \(.*\): bad max_grant_frames='65' "
             r"\(want 1\.\.64 grant-table frames; 64 is Xen's default\); d0 not built$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")


# --- hostile mappers, beside a victim and a lender ------------------------------------------

HOSTILE = {
    1: ("XSA-224 class: unmap keeps reference counts exact",
        [check(2, "unmap the same handle again", GNTST["bad_handle"]),
         check(2, "unmap handle 0xffffffff", GNTST["bad_handle"]),
         check(2, "clear its PTE with update_va_mapping (behind the grant's back)", 0),
         check(2, "... put the frame back with update_va_mapping", EBUSY),
         check(2, "... put the frame back with mmu_update", EBUSY),
         check(2, "unmap the handle whose PTE is gone", GNTST["general_error"]),
         check(2, "unmap_and_replace with no replacement", 0),
         check(2, "... the handle is gone", GNTST["bad_handle"])],
        [check(1, "lender: pin ref 10's frame while mapped writable", EINVAL)]),
    2: ("XSA-234 class: unmap checks the PTE is present and exactly as writable",
        [check(2, "unmap the read-only handle at B (writable)", GNTST["general_error"]),
         check(2, "unmap the writable handle at A (read-only)", GNTST["general_error"]),
         check(2, "make A writable with update_va_mapping", EBUSY),
         check(2, "make A writable with mmu_update", EBUSY),
         check(2, "unmap the read-only handle at A", 0),
         check(2, "unmap the writable handle at B", 0),
         check(2, "unmap it at C, where nothing is mapped", GNTST["general_error"])],
        [check(1, "lender: pin ref 10's frame while mapped writable", EINVAL),
         check(1, "lender: pin ref 10's frame with no writable mapping", 0)]),
    3: ("XSA-255 class: grant-table frames are never tables, never given back",
        [check(2, "pin our table's frame 1 as an L1", EINVAL),
         check(2, "pin our table's frame 0 as an L1", EINVAL),
         check(2, "give our table's frame 1 back (decrease_reservation)", 0),
         check(2, "set_version 2", ENOSYS),
         check(2, "... our entry 20 is intact", "0x00005678"),
         check(2, "map our table's frame 1 through our own grant", 0),
         check(2, "... pin it as an L1 now", EINVAL)],
        []),
}


def hostile_boot(boot, case, die="", emulator="qemu", mem=128):
    return boot_beside(boot, ("grant", "-- role=lender peer=2 " + die),
                       ("grant-hostile", "-- case=%d lender=1" % case),
                       emulator=emulator, mem=mem, timeout=150 if emulator == "bochs" else 60)


def victim_and_lender_intact(b, lender_lives=True):
    expect_no_gap_over_the_bound(b)
    b.expect_in_order([r"^\(d0\) victim: 300 yields, memory unchanged: yes$",
                       r"^\(d0\) \d+ checks, 0 failed$", r"^\(d0\) Test result: SUCCESS$"])
    if lender_lives:
        b.expect_in_order([r"^\(d1\) lender: d2 has ended$",
                           check(1, "lender: flags left in its entry", "0x00000000"),
                           check(1, "lender: bytes of the read-only page changed", 0),
                           check(1, "lender: ref 10's frame can be a page table again", 0)])
        passes(b, 1)
    b.expect(NO_LEAK)


@pytest.mark.parametrize("case", sorted(HOSTILE), ids=["case%d" % c for c in sorted(HOSTILE)])
def test_a_hostile_mapper_gets_xens_answer_and_nothing_else_changes(boot, case):
    rule, mine, lenders = HOSTILE[case]
    b = hostile_boot(boot, case)
    b.expect_in_order([r"^\(d2\) case %d:$" % case] + mine +
                      [r"^\(d2\) grant-hostile: still alive after case %d$" % case])
    b.expect_in_order(lenders)
    passes(b, 2)
    victim_and_lender_intact(b)
    b.expect_status(0)


GRANTOR_DIES = [
    check(2, "bytes of its read-only page changed after its death", 0),
    check(2, "... the same page through ref 12", 1 * 37 + 9 * 7 + 1),
    check(2, "its mailbox, still ours to write", "0xabcd1234"),
    check(2, "its table frame: entry 8 still says mapped", "0x00000019"),
    check(2, "new frames that are the dead lender's mapped ones", 0),
    check(2, "new frames from the dead lender's freed memory (it is reused)", 1),
    check(2, "map from the dead lender", GNTST["bad_domain"]),
    check(2, "copy from the dead lender's grant", GNTST["bad_domain"]),
]


@pytest.mark.parametrize("die,status", [("shutdown", 0), ("halt", 2)])
def test_a_grantor_that_dies_while_mapped_leaves_its_pages_to_the_mapper_until_unmapped(boot, die,
                                                                                       status):
    # 52 MiB: so little is free that the allocator hands out the dead lender's memory again.
    b = hostile_boot(boot, 4, die="die=" + die, mem=52)
    b.expect(check(2, "map ref 12, the same frame, read-only", 0))       # two grants, one frame
    b.expect_in_order([r"^\(d1\) lender: ending \(%s\) with our grants mapped$" % die,
                       r"^\(d2\) grant-hostile: the lender has ended$"] + GRANTOR_DIES +
                      [check(2, "unmap ref 9", 0), check(2, "unmap ref 11", 0),
                       check(2, "... ref 9's page still mapped through ref 12", 1 * 37 + 9 * 7 + 1),
                       check(2, "unmap ref 12", 0),
                       check(2, "... its page is gone from us: #PF", 1),
                       check(2, "unmap the dead lender's mailbox", 0)])
    if die == "halt":
        b.expect(r"^\(hv\) d1 halted: privileged instruction 'hlt' at 0x[0-9a-f]+$")
    passes(b, 2)
    victim_and_lender_intact(b, lender_lives=False)
    b.expect_status(status)


def test_a_mapper_that_ends_with_a_dead_grantors_pages_mapped_gives_every_frame_back(boot):
    b = hostile_boot(boot, 5, die="die=shutdown", mem=52)
    b.expect_in_order([r"^\(d2\) grant-hostile: the lender has ended$"] + GRANTOR_DIES +
                      [r"^\(d2\) grant-hostile: still alive after case 5$"])
    passes(b, 2)
    victim_and_lender_intact(b, lender_lives=False)
    b.expect_status(0)


@pytest.mark.bochs
def test_the_grant_rules_hold_on_bochs_beside_a_victim(boot):
    """Bochs enforces segment limits: the isolation lane.  One hostile case
    per class of mistake in unmapping, and a grantor's death."""
    for case, die, status in ((2, "", 0), (4, "die=shutdown", 0)):
        b = hostile_boot(boot, case, die=die, emulator="bochs", mem=52 if case == 4 else 128)
        b.expect(r"^\(d2\) grant-hostile: still alive after case %d$" % case)
        passes(b, 2)
        victim_and_lender_intact(b, lender_lives=not die)
        b.expect_status(status)
