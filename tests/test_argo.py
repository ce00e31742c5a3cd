"""Argo (argo_op, hypercall 39): rings of a domain's own pages, messages the hypervisor copies in.

One guest, pvguest/tests/argo, checks Argo from the inside with Xen's error
codes (hypercalls/argo.c checks each record, hypervisor/share/argo_ring.c keeps
the rings):

- solo (with pvguest/tests/victim beside it, whose memory must not change):
  register_ring's rules, a message to itself read back from its own ring,
  wrapping and page-crossing messages, the size limits, a full ring,
  notify and VIRQ_ARGO, unregistering, duplicates and overlaps, the
  128-ring limit, and a ring page it unmaps and tries to give back;
- a and b: two domains with rings for each other, and what the death of
  one does to the other's rings;
- expect=off: booted without argo=1, Argo is not there (-EOPNOTSUPP).

Every line asserted is the guest's own "check <what>: got <rc> want <rc>",
and every boot ends with the leak check "0 leaked": ring references and the
hypervisor's ring records all go back when the rings (or domains) go.
"""

import re

import pytest

import harness
from harness import guest, NO_LEAK, MISMATCH

EPERM, ENOENT, ESRCH, EAGAIN, EFAULT, EBUSY = -1, -2, -3, -11, -14, -16
EEXIST, EINVAL, ENOSPC, EMSGSIZE, EOPNOTSUPP, ECONNREFUSED = -17, -22, -28, -90, -95, -111
EXISTS, SHARED, EMPTY, SUFFICIENT, TOO_BIG = 1, 2, 4, 8, 16


def check(d, what, value):
    """The guest's line for one check that came out as `value`."""
    return r"^\(d%d\) check %s: got %s want %s$" % (d, re.escape(what), value, value)


def passes(b, d, n=None):
    """Domain d ran every check (n of them, if given) and all matched; nothing halted."""
    b.forbid(MISMATCH)
    b.forbid(r"^\(d%d\) (fail|error): " % d)
    b.expect(r"^\(d%d\) %s checks, 0 failed$" % (d, n if n is not None else r"\d+"))
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(r"halted")


@pytest.fixture(scope="module")
def solo_boot(built):
    """One boot for the single-domain rules: victim d0, the argo guest d1."""
    return harness.boot(guest("victim"), guest("argo"), hv_args="argo=1", timeout=150)


@pytest.fixture
def solo(solo_boot):
    harness.current_boots.append(solo_boot)       # saved with the test if it fails
    return solo_boot


def expect_checks(b, d, *pairs):
    b.expect_in_order([check(d, what, value) for what, value in pairs])


# ---- off by default ------------------------------------------------------------

def test_argo_is_off_by_default_and_every_command_is_eopnotsupp(boot):
    b = boot(guest("argo", "-- expect=off"))
    b.expect(r"^\(hv\) command line: '[^']*'$")
    expect_checks(b, 0, ("argo off: register_ring", EOPNOTSUPP),
                  ("argo off: unregister_ring", EOPNOTSUPP), ("argo off: sendv", EOPNOTSUPP),
                  ("argo off: notify", EOPNOTSUPP), ("argo off: command 99", EOPNOTSUPP))
    passes(b, 0, 5)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_a_bad_argo_option_is_reported_and_leaves_argo_off(boot):
    b = boot(guest("argo", "-- expect=off"), hv_args="argo=1,bogus")
    b.expect(r"^\(hv\) warning: bad value '1,bogus' for option 'argo' \(argo=0\|1"
             r"\[,mac-permissive=0\|1\]: .*\); ignored$")
    expect_checks(b, 0, ("argo off: sendv", EOPNOTSUPP))
    passes(b, 0, 5)


# ---- one domain ----------------------------------------------------------------

def test_a_domain_sends_to_its_own_ring_and_reads_the_header_and_message_back(solo):
    expect_checks(solo, 1,
                  ("bind VIRQ_ARGO", 1),
                  ("register our ring: port 10, partner ourselves", 0),
                  ("sendv two iovs to ourselves: 11 bytes sent", 11),
                  ("... VIRQ_ARGO arrived", 1),
                  ("... tx_ptr moved to the next slot (16 + 11, rounded)", 32),
                  ("read it back", 11),
                  ("... header len (header + payload)", 27),
                  ("... source domain: us (ANY became our id)", 1),
                  ("... source port", 5))
    solo.expect(r"^\(d1\) check \.\.\. message type: got 0x00001234 want 0x00001234$")
    expect_checks(solo, 1, ("... the payload, both iovs in order", 1),
                  ("a message with no iov: 0 bytes", 0), ("... header only", 1))


def test_register_ring_refuses_bad_flags_lengths_page_counts_and_pad_as_xen(solo):
    expect_checks(solo, 1,
                  ("command 0", EOPNOTSUPP),
                  ("unregister_ring with arg2 set", EINVAL),
                  ("notify with arg3 set", EINVAL),
                  ("register, flags 2 (undefined)", EINVAL),
                  ("register, record in the hole", EFAULT),
                  ("register, frame list in the hole", EFAULT),
                  ("register, pad 1", EINVAL),
                  ("ring too small: len 32 (< header + 2 slots)", EINVAL),
                  ("len 100: not a multiple of the 16-byte slot", EINVAL),
                  ("ring too large: len 16 MiB + 16", EINVAL),
                  ("len 16 MiB in 4096 pages (it needs 4097)", EINVAL),
                  ("4097 pages", EINVAL),
                  ("len 4032 in 2 pages (it needs 1)", EINVAL),
                  ("len 4048 in 1 page (it needs 2)", EINVAL),
                  ("the smallest ring: len 48", 0))


def test_a_ring_partner_must_be_a_live_domain_and_any_needs_mac_permissive(solo):
    expect_checks(solo, 1,
                  ("partner: no such domain", ESRCH),
                  ("partner: DOMID_SELF (not a domain to argo)", ESRCH),
                  ("partner ANY without mac-permissive", EPERM))


def test_ring_pages_must_be_the_registering_domains_own_ram_and_not_page_tables(solo):
    solo.expect(r"^\(d0\) victim: \d+ pages patterned")
    expect_checks(solo, 1,
                  ("ring on the hypervisor image (mfn 0x100)", EINVAL),
                  ("ring on the M2P's page table (a hypervisor frame)", EINVAL),
                  ("ring on a hole: mfn 0xfffff, beyond RAM", EINVAL),
                  ("ring on gfn 1 << 32", EINVAL),
                  ("ring on our L3, a page table", EINVAL),
                  ("ring on another domain's frame", EINVAL),
                  ("two frames, the second not ours", EINVAL),
                  ("... the first kept no reference: it can still become an L1", 0))


def test_sendv_limits_the_sender_the_iov_count_the_total_and_the_ring_size(solo):
    expect_checks(solo, 1,
                  ("source: our own id", 4),
                  ("source: another domain's id", EPERM),
                  ("source pad 1", EINVAL),
                  ("destination pad 1", EINVAL),
                  ("to no such domain", ESRCH),
                  ("to a port with no ring", ECONNREFUSED),
                  ("addresses in the hole", EFAULT),
                  ("iov array in the hole", EFAULT),
                  ("9 iovs (XEN_ARGO_MAXIOV is 8)", EINVAL),
                  ("0xffffffff iovs", EINVAL),
                  ("iov pad 1", EINVAL),
                  ("one iov of 16 MiB (over the largest message)", EINVAL),
                  ("two iovs of 8 MiB: total over the largest message", EMSGSIZE),
                  ("4001 bytes: more than this ring ever takes", EMSGSIZE),
                  ("4000 bytes: the most it takes", 4000),
                  ("... read back", 1),
                  ("payload in the hole", EFAULT))
    solo.expect(r"^\(d1\) check \.\.\. tx_ptr unmoved: nothing was sent: got (\d+) want \1$")


def test_messages_wrap_at_the_end_of_a_ring_and_cross_its_pages_intact(solo):
    expect_checks(solo, 1,
                  ("register a 256-byte ring: port 12", 0),
                  ("40 messages of 1-200 bytes read back intact", 40),
                  ("... many of them wrapped at the end of the ring", 1),
                  ("register a two-page ring: port 13", 0),
                  ("5000 bytes across its page boundary", 5000),
                  ("... read back intact", 1))
    solo.expect(r"^\(d1\) (\d+) of them wrapped at the end of the ring$")


BIG_MESSAGE = (("register a 16-page ring: port 14", 0),
               ("one message of 60000 bytes", 60000),
               ("... all of it in the ring after its header", 1),
               ("registered anew", 0),
               ("a multicall of two sends of 30000 bytes", 0),
               ("... both sent", 1),
               ("... each whole, in order", 1),
               ("port 14 unregistered", 0))


def test_a_message_of_many_pages_arrives_whole(solo):
    expect_checks(solo, 1, *BIG_MESSAGE)


def test_every_send_continued_after_each_page_still_delivers_each_message_whole(boot):
    """sendv copies a page at a time and continues when the tick is due
    (issue 14): with preempt-every=1 it continues after every page, alone
    and inside a multicall, and the whole solo suite must pass that way."""
    b = boot(guest("victim"), guest("argo"), hv_args="argo=1 preempt-every=1", timeout=150)
    passes(b, 1)
    expect_checks(b, 1, *BIG_MESSAGE)
    b.expect(NO_LEAK)


def test_a_full_ring_is_eagain_notify_reports_it_and_virq_argo_comes_when_the_reader_makes_room(solo):
    expect_checks(solo, 1,
                  ("100 bytes into the empty 256-byte ring", 100),
                  ("100 more: no space now", EAGAIN),
                  ("notify, 100 wanted: exists, not sufficient", EXISTS),
                  ("... max_message_size 224", 224),
                  ("notify, 225 wanted: never fits", EXISTS | TOO_BIG),
                  ("notify about a port with no ring: no flags", 0),
                  ("... max_message_size left alone", 0xdead),
                  ("notify about no such domain: no flags", 0),
                  ("the reader takes the message (rx_ptr moves)", 100),
                  ("... and calls notify", 0))
    solo.expect(r"^\(d1\) check VIRQ_ARGO: the waiting sender is told there is room: got (\d+) want \1$")
    expect_checks(solo, 1,
                  ("... once", 1),
                  ("notify: exists, sufficient, empty", EXISTS | SUFFICIENT | EMPTY),
                  ("notify, 257 entries", -13),
                  ("notify, ring data in the hole", EFAULT))


def test_unregister_ring_finds_only_the_exact_ring(solo):
    expect_checks(solo, 1,
                  ("unregister, pad 1", EINVAL),
                  ("unregister, record in the hole", EFAULT),
                  ("unregister a port with no ring", ENOENT),
                  ("unregister port 10 for another partner", ENOENT),
                  ("unregister port 10", 0),
                  ("... again", ENOENT),
                  ("send to it", ECONNREFUSED))


def test_duplicate_rings_are_eexist_overlaps_are_allowed_as_in_xen_and_128_is_the_limit(solo):
    expect_checks(solo, 1,
                  ("port 20 again, FAIL_EXIST", EEXIST),
                  ("port 20 again, another length", EEXIST),
                  ("port 20 again, same length: re-registered (as Xen)", 0),
                  ("... keeps a valid tx_ptr", 32),
                  ("... and the message", 10),
                  ("register with tx_ptr 0x13 (misaligned), rx_ptr 0x25", 0))
    solo.expect(r"^\(d1\) check \.\.\. tx_ptr restarts at rx_ptr rounded to a slot: "
                r"got 0x00000030 want 0x00000030$")
    expect_checks(solo, 1,
                  ("port 21 on the same page (overlap: Xen allows it)", 0),
                  ("rings up to 128 in all, all on one page", 126),
                  ("the 129th", ENOSPC),
                  ("... even re-registering one (as Xen counts)", ENOSPC),
                  ("all 126 unregistered", 0))


def test_a_ring_page_is_never_retyped_and_given_back_lives_until_the_ring_goes(solo):
    """Xen holds a writable type reference on each ring page; so do we.  The
    frame stays the ring's after the guest unmaps it: it cannot become a
    page table, and decrease_reservation takes it out of the domain as Xen
    does while messages still land in it; unregistering frees it."""
    expect_checks(solo, 1,
                  ("register port 30 on it", 0),
                  ("unmap it: only the ring refers to it now", 0),
                  ("... pin it as an L1: refused, it is the ring's writable page", EINVAL),
                  ("send to the ring", 10),
                  ("... the message is in it", 1),
                  ("decrease_reservation: out of our memory, as Xen", 1),
                  ("... one page fewer", 4095),
                  ("... but the ring's reference keeps it: send", 10),
                  ("... not ours to map again", EBUSY),
                  ("unregister port 30: its last reference, and it is freed", 0),
                  ("... nothing left to give back", 0))


def test_the_hostile_argo_guest_leaves_its_victim_untouched_and_its_death_frees_every_ring(solo):
    expect_checks(solo, 1, ("port 50 left registered for our death to clean up", 0))
    passes(solo, 1)
    solo.expect_in_order([r"^\(d0\) victim: 300 yields, memory unchanged: yes$",
                          r"^\(d0\) 4 checks, 0 failed$", r"^\(d0\) Test result: SUCCESS$"])
    solo.expect_in_order([r"^\(hv\) d1 shutdown: poweroff$", NO_LEAK])
    solo.expect_status(0)


# ---- wildcard rings ---------------------------------------------------------------

def test_with_mac_permissive_a_ring_for_any_domain_works_and_an_exact_partner_wins(boot):
    b = boot(guest("victim"), guest("argo", "-- wildcard=1"), hv_args="argo=1,mac-permissive=1",
             timeout=150)
    expect_checks(b, 1,
                  ("register port 40 for ANY (mac-permissive)", 0),
                  ("send to port 40: the ANY ring takes it", 8),
                  ("notify: shared", SHARED),
                  ("register port 40 for us as well", 0),
                  ("send to port 40 again", 8),
                  ("... the ring for us alone took it", 1),
                  ("both unregistered", 0))
    b.forbid(r"partner ANY without mac-permissive")
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)


# ---- two domains ------------------------------------------------------------------

def test_two_domains_exchange_messages_wait_for_room_and_a_dead_partners_rings_go(boot):
    b = boot(guest("argo", "-- role=a peer=1"), guest("argo", "-- role=b peer=0"),
             hv_args="argo=1", timeout=150)
    expect_checks(b, 0,
                  ("a: ring port 7 for b", 0),
                  ("a: b's ring is there: ping 0 sent", 6),
                  ("a: 10 pongs from b, each header naming b", 10),
                  ("a: b's port 9 is for b alone", ECONNREFUSED),
                  ("a: 100 bytes to b, who is not reading", 100),
                  ("a: 100 more: b's ring is full", EAGAIN),
                  ("a: notify: not sufficient", EXISTS),
                  ("a: tell b on its port 8", 4),
                  ("a: VIRQ_ARGO: b has read and made room", 1),
                  ("a: notify: sufficient, empty", EXISTS | SUFFICIENT | EMPTY),
                  ("a: bye; a powers off with its rings registered", 4))
    expect_checks(b, 1,
                  ("b: 10 pings from a, each header naming a", 10),
                  ("b: a says port 7 is full", 1),
                  ("b: take the 100 bytes waiting there", 100),
                  ("b: a says bye", 1),
                  ("b: a is gone", ESRCH),
                  ("b: our port 7 for a went with a (as Xen)", ENOENT),
                  ("b: and port 8", ENOENT),
                  ("b: port 9, for ourselves, is still ours", 0))
    b.expect_in_order([r"^\(hv\) d0 shutdown: poweroff$", check(1, "b: a is gone", ESRCH)])
    passes(b, 0)
    passes(b, 1)
    b.expect(NO_LEAK)
    b.expect_status(0)
