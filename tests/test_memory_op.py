"""memory_op's questions, answered as Xen answers a PV domain, booted.

hypercalls/memory.c answers what a kernel built for Xen asks at boot:
current and maximum reservation, its highest pfn (maximum_gpfn), its
memory map (the one RAM entry Xen's toolstack sets for a PV domain) and
where the read-only M2P is (machphys_mapping). pvguest/tests/memop asks,
with good and hostile arguments, beside a victim domain it may not ask
about and must not disturb, and gives frames back, some still in use
(Xen's decrease_reservation semantics).
"""

from harness import guest, NO_LEAK, MISMATCH, passes


def memop(boot):
    """victim as d0, memop as d1: both pass, nothing halted or leaked."""
    b = boot(guest("victim"), guest("memop", "-- self=1 peer=0"))
    passes(b, 0)
    passes(b, 1)
    b.expect(r"^\(d0\) victim: 300 yields, memory unchanged: yes$")
    b.expect(NO_LEAK)
    b.expect_status(0)
    return b


def expect_checks(b, lines):
    for line in lines:
        b.expect(r"^\(d1\) check %s$" % line)


def test_a_domain_may_ask_about_its_own_memory_only_with_xens_errors_for_others(boot):
    b = memop(boot)
    expect_checks(b, [r"current_reservation of DOMID_SELF: got 4096 want 4096",
                      r"maximum_reservation of our id 1: got 4096 want 4096"])
    for q in ("current_reservation", "maximum_reservation", "maximum_gpfn"):
        expect_checks(b, [r"%s of the peer d0: got -1 want -1" % q,
                          r"%s of d7 \(no such domain\): got -3 want -3" % q,
                          r"%s of DOMID_IO: got -3 want -3" % q,
                          r"%s of DOMID_XEN: got -3 want -3" % q,
                          r"%s, domid in the hole: got -14 want -14" % q,
                          r"%s with a start extent: got -22 want -22" % q])


def test_maximum_gpfn_is_one_less_than_the_max_pfn_the_guest_wrote_in_shared_info(boot):
    b = memop(boot)
    b.expect_in_order([r"^\(d1\) check maximum_gpfn with max_pfn 0: got 0 want 0$",
                       r"^\(d1\) check maximum_gpfn with max_pfn 4096 \(nr_pages\): got 4095 want 4095$",
                       r"^\(d1\) check maximum_gpfn with max_pfn 0xffffffff: "
                       r"got 0xfffffffe want 0xfffffffe$"])


def test_the_memory_map_is_one_ram_entry_from_0_to_the_domains_maximum(boot):
    b = memop(boot)
    b.expect_in_order([r"^\(d1\) check memory_map, room for 4: got 0 want 0$",
                       r"^\(d1\) check \.\.\. one entry: got 1 want 1$",
                       r"^\(d1\) check \.\.\. as long as our maximum \(MiB\): got 0x00000010 want 0x00000010$",
                       r"^\(d1\) check \.\.\. of RAM: got 1 want 1$",
                       r"^\(d1\) check \.\.\. the second entry untouched: got 0xaaaaaaaa want 0xaaaaaaaa$"])
    expect_checks(b, [r"memory_map, room for 0 at 0xfffff000 \(never touched\): got 0 want 0",
                      r"memory_map, buffer in the M2P: got -14 want -14",
                      r"memory_map, buffer across the hole: got -14 want -14",
                      r"memory_map, buffer on our read-only L3: got -14 want -14",
                      r"memory_map, record in the hole: got -14 want -14",
                      r"memory_map, record read-only .*: got -14 want -14"])


def test_machphys_mapping_names_the_read_only_m2p_window_at_0xf5800000(boot):
    b = memop(boot)
    expect_checks(b, [r"\.\.\. v_start: got 0xf5800000 want 0xf5800000",
                      r"\.\.\. v_end: got 0xf6800000 want 0xf6800000",
                      r"\.\.\. max_mfn: the window's last entry: got 0x003fffff want 0x003fffff",
                      r"machphys_mapping, output in the M2P: got -14 want -14",
                      r"machphys_mapping, output on our read-only L3: got -14 want -14"])
    b.forbid(MISMATCH)


def test_decrease_reservation_takes_frames_in_use_as_xen_and_the_last_reference_frees_them(boot):
    """Xen's guest_remove_page: a pinned L1 is unpinned and freed, a frame
    still mapped leaves the domain's memory at once (the count is 2) but
    lives on, readable, taking no new reference, until it is unmapped;
    extent_order above 0 (our max order) is none done, as in Xen.  A pinned
    L2 given back is unpinned and let go in steps (its L1 is free after).  The
    leak check proves the mapped frame was freed."""
    b = memop(boot)
    expect_checks(b, [r"decrease_reservation of order 1: none done \(above max_order, as Xen\): got 0 want 0",
                      r"increase_reservation of order 1: likewise: got 0 want 0",
                      r"decrease_reservation of both: 2 done, as Xen: got 2 want 2",
                      r"\.\.\. two frames fewer: got 4094 want 4094",
                      r"\.\.\. the mapped one still holds what we wrote: got 0x5a5a5a5a want 0x5a5a5a5a",
                      r"\.\.\. the L1 was unpinned \(and freed\): got -22 want -22",
                      r"\.\.\. the mapped one takes no new mapping: got -16 want -16",
                      r"\.\.\. nor an M2P entry from us: got -22 want -22",
                      r"\.\.\. nor is it given back twice: got 0 want 0",
                      r"unmap it: its last reference, and it is freed: got 0 want 0",
                      r"decrease_reservation of the pinned L2: done, as Xen: got 1 want 1",
                      r"\.\.\. and no L2 holds it: it maps writable: got 0 want 0",
                      r"current_reservation as before: got 4096 want 4096"])
    b.forbid(MISMATCH)
