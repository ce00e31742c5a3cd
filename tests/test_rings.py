"""Rings: each domain's console ring and store page, and the service domains.

The builder gives every domain but the initial one a console ring (Xen's
struct xencons_interface) whose backend is the hypervisor, and, when a
xenstored service domain is booted (`dom.service=xenstore`), a store page
and port; the hypervisor then plays Xen's toolstack and introduces each
domain to xenstored over xenstored's own store ring (docs/sharing.md).
The guests: pvguest/tests/ringcon prints its start_info fields and writes
through its console ring (input=1: reads typed lines from it too);
pvguest/tests/xs-standin is a stand-in xenstored that prints every request
the toolstack sends it and answers OK (or EACCES for the type fail=N);
pvguest/tests/wants-services asks tools/run for the services with a note.
"""
import re

from harness import NO_LEAK, guest

CTRL_A3 = r"\x01\x01\x01"
STANDIN = ("--xenstored", "build/pvguest/xs-standin.elf")
RINGS = r"^\(hv\) d%d rings: store (none|mfn 0x([0-9a-f]+) port (\d+)), console (none \(console_io\)|mfn 0x([0-9a-f]+) port (\d+))$"


def rings_of(b, d):
    """(store mfn, store port, console mfn, console port) from the hypervisor's
    line for dN; None where it has none."""
    m = b.expect(RINGS % d)
    num = lambda s, base: int(s, base) if s else None
    return num(m.group(2), 16), num(m.group(3), 10), num(m.group(5), 16), num(m.group(6), 10)


def test_a_domU_writes_its_console_ring_and_reads_typed_input_from_it(boot):
    b = boot(guest("ringcon"), guest("ringcon", "input=1"),
             extra=("--input-after", r"^\(d1\) ringcon: ready for input$",
                    "--input", CTRL_A3 + r"hello ring\nquit\n"))
    # The initial domain keeps console_io: no ring, and start_info says so.
    assert rings_of(b, 0) == (None, None, None, None)
    b.expect(r"^\(d0\) ringcon: start_info store_mfn 0x0 store_evtchn 0 console mfn 0x0 "
             r"evtchn 0 \(initial domain\)$")
    # d1's start_info names the ring page and port the hypervisor reports.
    _, _, mfn, port = rings_of(b, 1)
    assert mfn and port, "d1 has a console ring"
    b.expect(r"^\(d1\) ringcon: start_info store_mfn 0x0 store_evtchn 0 console mfn 0x%x "
             r"evtchn %d$" % (mfn, port))
    # More than a ring's worth of output, every line whole and in order.
    b.expect_in_order([r"^\(d1\) ringcon: ring line %d of 40, padded to wrap the ring \.+$" % i
                       for i in range(1, 41)] +
                      [r"^\(hv\) console input: d1$",
                       r"^\(d1\) ringcon: got hello ring$", r"^\(d1\) ringcon: got quit$"])
    b.forbid(r"^\(d0\) .*hello ring")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_toolstack_introduces_each_domain_to_xenstored_and_releases_it(boot):
    # d0 ends at once (so it is released while d1 runs); d1 waits for "quit",
    # which is typed once the stand-in has shown d0's release.
    b = boot(guest("ringcon"), guest("ringcon", "input=1"),
             extra=STANDIN + ("--services",
                              "--input-after", r"^\(d2\) xs-standin: req 0x\w+ XS_RELEASE 0\|$",
                              "--input", CTRL_A3 + r"quit\n"))
    b.expect(r"^\(hv\) d2: xenstored \(service\)$")
    s0, p0, c0, _ = rings_of(b, 0)
    s1, p1, c1, cp1 = rings_of(b, 1)
    s2, p2, _, _ = rings_of(b, 2)
    assert None not in (s0, p0, s1, p1, c1, cp1, s2, p2) and c0 is None
    b.expect(r"^\(d0\) ringcon: start_info store_mfn 0x%x store_evtchn %d " % (s0, p0))
    b.expect(r"^\(d1\) ringcon: start_info store_mfn 0x%x store_evtchn %d " % (s1, p1))
    b.expect(r"^\(d2\) xs-standin: serving the toolstack on port %d$" % p2)
    req = r"^\(d2\) xs-standin: req 0x\w+ "
    d0 = ["XS_MKDIR /local/domain/0\\|", "XS_SET_PERMS /local/domain/0\\|n0\\|",
          "XS_WRITE /local/domain/0/name\\|d0", "XS_WRITE /local/domain/0/domid\\|0",
          "XS_WRITE /local/domain/0/memory/target\\|16384",
          "XS_INTRODUCE 0\\|%d\\|%d\\|" % (s0, p0)]
    d1 = ["XS_MKDIR /local/domain/1\\|", "XS_SET_PERMS /local/domain/1\\|n1\\|",
          "XS_WRITE /local/domain/1/name\\|d1", "XS_WRITE /local/domain/1/domid\\|1",
          "XS_WRITE /local/domain/1/memory/target\\|16384",
          "XS_WRITE /local/domain/1/console/ring-ref\\|%d" % c1,
          "XS_WRITE /local/domain/1/console/port\\|%d" % cp1,
          "XS_WRITE /local/domain/1/console/type\\|xenconsoled",
          "XS_INTRODUCE 1\\|%d\\|%d\\|" % (s1, p1)]
    b.expect_in_order([req + r + "$" for r in d0])
    b.expect_in_order([req + r + "$" for r in d1])
    b.forbid(r"^\(d2\) xs-standin: req 0x\w+ XS_WRITE /local/domain/0/console")
    b.forbid(r"^\(hv\) xenstored: ")            # every answer was OK
    b.expect_in_order([r"^\(hv\) d0 shutdown: poweroff$",
                       r"^\(d2\) xs-standin: req 0x\w+ XS_RELEASE 0\|$",
                       r"^\(hv\) d1 shutdown: poweroff$",
                       r"^\(hv\) d2 stopped: service, no guest left$",
                       r"^\(hv\)   d2 xenstored +stopped: service, no guest left$"])
    b.forbid(r"XS_RELEASE 1")               # d1 was the last guest: the run ended with it
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_an_error_answer_from_xenstored_is_reported_with_its_request(boot):
    # The guest only has to outlive the toolstack's first requests: hello
    # could power off before the stand-in had run at all (then nothing is
    # sent); sleeper blocks on its timer, so the service gets its turns.
    b = boot(guest("sleeper", "-- n=4 ms=100"), "build/pvguest/xs-standin.elf dom.service=xenstore fail=14")
    b.expect(r"^\(d1\) xs-standin: req 0x\w+ XS_SET_PERMS /local/domain/0\|n0\|$")
    b.expect(r"^\(hv\) xenstored: XS_SET_PERMS /local/domain/0: EACCES$")
    b.expect(r"^\(hv\) d1: xenstored \(service\)$")
    b.expect(r"^\(hv\) d1 stopped: service, no guest left$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_a_console_ring_claiming_more_than_it_holds_is_left_alone(boot):
    b = boot(guest("ringcon"), guest("ringcon", "hostile=1"))
    b.expect(r"^\(d1\) check notify with out_prod a ring too far: got 0 want 0$")
    b.expect(r"^\(d1\) check the backend left out_cons alone: got (\d+) want \1$")
    b.forbid(r"EVIL")
    b.expect(r"^\(d1\) ringcon: ring line 40 of 40, ")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_xenstored_answering_past_its_ring_loses_the_toolstack_connection(boot):
    # sleeper, not hello: see test_an_error_answer_from_xenstored_...
    b = boot(guest("sleeper", "-- n=4 ms=100"), "build/pvguest/xs-standin.elf dom.service=xenstore bad=1")
    b.expect_in_order([r"^\(d1\) xs-standin: req 0x1 XS_MKDIR /local/domain/0\|$",
                       r"^\(hv\) xenstored: rsp_prod out of range; toolstack connection closed$",
                       r"^\(hv\) d1 stopped: service, no guest left$"])
    b.expect(r"^\(hv\) d0 shutdown: poweroff$")
    b.forbid(r"XS_RELEASE")                     # nothing more was sent
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_initial_domain_is_the_first_guest_built_not_a_service(boot):
    b = boot("build/pvguest/xs-standin.elf dom.service=xenstore", guest("ringcon"))
    b.expect(r"^\(hv\) d1 \(d1\): .*, initial domain$")
    b.forbid(r"^\(hv\) d0 \(d0\): .*, initial domain$")
    s1, p1, c1, _ = rings_of(b, 1)
    assert c1 is None and s1 is not None, "an initial domain: a store page, no console ring"
    b.expect(r"^\(d1\) ringcon: start_info store_mfn 0x%x store_evtchn %d console mfn 0x0 "
             r"evtchn 0 \(initial domain\)$" % (s1, p1))
    # d1 may end before the toolstack has sent all of its introduction (the
    # sequence itself is the test above); what was sent must be d1's own.
    for intro in re.findall(r"XS_INTRODUCE 1\|(\d+)\|(\d+)\|", b.output):
        assert intro == (str(s1), str(p1)), intro
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(0)


def test_a_run_of_services_alone_ends_at_once(boot):
    b = boot("build/pvguest/xs-standin.elf dom.service=xenstore")
    b.expect(r"^\(hv\) d0: xenstored \(service\)$")
    b.expect(r"^\(hv\) d0 stopped: service, no guest left$")
    b.forbid(r"^\(d0\) xs-standin: serving")     # no guest: nothing ran
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_services_start_when_a_guest_asks_and_not_for_our_own_guests(boot):
    b = boot(guest("wants-services"), extra=STANDIN)
    assert "services: d1 is xenstored" in b.stderr, b.stderr
    b.expect(r"^\(hv\) d1: xenstored \(service\)$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect_status(0)
    b = boot(guest("hello"), extra=STANDIN)
    b.forbid(r"\(service\)")
    b.expect(r"^\(hv\) d0 rings: store none, console none \(console_io\)$")
    b.expect_status(0)
    b = boot(guest("wants-services"), extra=STANDIN + ("--no-services",))
    b.forbid(r"\(service\)")
    b.expect(r"^\(d0\) check store_mfn is set: got 0 want 1$")


def test_debug_key_d_shows_each_domains_rings(boot):
    text = CTRL_A3 + CTRL_A3 + "d" + CTRL_A3 + r"quit\n" + CTRL_A3 + r"quit\n"
    b = boot(guest("echo"), guest("ringcon", "input=1"),
             extra=("--input-after", r"^\(d1\) ringcon: ready for input$", "--input", text))
    _, _, mfn, port = rings_of(b, 1)
    b.expect_in_order([r"^\(hv\) domains:$",
                       r"^\(hv\) d0 rings: store none, console none \(console_io\)$",
                       r"^\(hv\) d1 rings: store none, console mfn 0x%x port %d$" % (mfn, port),
                       r"^\(hv\) VIRQ_DEBUG raised"])
    b.expect(r"^\(d1\) ringcon: got quit$")
    b.expect(NO_LEAK)
    b.expect_status(0)
