"""The trace: trace=N records, the dump comes out, tools/trace draws it.

With the hypervisor option trace=N, hypervisor/trace.c keeps the last N
hypercalls, traps, bounces, event sends, upcalls and scheduling decisions
in a ring buffer and prints it at power off (and on debug key T).
tools/trace turns a console log holding that dump into an SVG timeline;
`tools/run --trace out.svg` does both. The pictures are checked against
real boots: two pingpong domains (pvguest/tests/pingpong) signalling each
other over an event channel, so both lanes have hypercalls, events and
upcalls, and the scheduler switches between them.
"""

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from harness import ROOT, guest

SVG = "{http://www.w3.org/2000/svg}"
ENTRY = re.compile(r"^\(hv\) T (\d+) (d\d+|hv) (\w+) (\d+) (\d+) ?(.*)$", re.M)


def pingpong(boot, hv_args="", extra=(), rounds=3):
    return boot(guest("pingpong", "-- role=server peer=1 rounds=%d" % rounds),
                guest("pingpong", "-- role=client peer=0 rounds=%d" % rounds),
                hv_args=hv_args, extra=extra)


def entries(b):
    return [m.groups() for m in ENTRY.finditer(b.output)]


def test_run_trace_draws_a_lane_per_domain_with_the_hypercalls_seen(boot, tmp_path):
    svg = tmp_path / "pingpong.svg"
    b = pingpong(boot, extra=("--trace", str(svg)))
    b.expect_status(0)
    kept, recorded = map(int, b.expect(r"^\(hv\) trace: (\d+) entries of (\d+) recorded, "
                                       r"[1-9]\d* TSC ticks per ms$").groups())
    b.expect_in_order([r"^\(hv\) trace: \d+ entries", r"^\(hv\) trace: end$",
                       r"^\(hv\) power off: "])
    seen = entries(b)
    assert len(seen) == kept == recorded, "trace=1 keeps 1024, more than this boot makes"
    stamps = [int(e[0]) for e in seen]
    assert stamps == sorted(stamps), "the dump is in time order, oldest first"
    kinds = {(who, kind) for _, who, kind, _, _, _ in seen}
    for d in ("d0", "d1"):
        for kind in ("run", "hc", "event", "upcall"):
            assert (d, kind) in kinds, "%s has a %s entry" % (d, kind)
    for who, peer in (("d0", "1"), ("d1", "0")):     # each ping or pong comes from the peer
        senders = {b for _, w, kind, _, b, _ in seen if w == who and kind == "event"}
        assert peer in senders and senders <= {peer, "65535"}, (who, senders)
    hypercalls = {name for _, _, kind, _, _, name in seen if kind == "hc"}
    assert {"event_channel_op", "console_io", "sched_op"} <= hypercalls

    root = ET.parse(str(svg)).getroot()              # parses as XML at all
    assert root.tag == SVG + "svg"
    lanes = {g.get("id") for g in root.iter(SVG + "g") if g.get("class") == "lane"}
    assert lanes == {"lane-hv", "lane-d0", "lane-d1"}
    text = " ".join(t.text or "" for t in root.iter() if t.tag in (SVG + "text", SVG + "title"))
    for name in hypercalls:
        assert name in text, "hypercall %s appears in the picture" % name
    titles = [t.text for t in root.iter(SVG + "title")]
    assert sum("hypercall" in t for t in titles) == sum(e[2] == "hc" for e in seen)
    assert sum(t.startswith(("d0 run", "d1 run")) for t in titles) >= 2, "scheduling spans"
    assert (tmp_path / "pingpong.log").is_file(), "the console is kept beside the picture"


def test_a_small_buffer_keeps_only_the_last_entries(boot):
    b = pingpong(boot, hv_args="trace=6")
    kept, recorded = map(int, b.expect(r"^\(hv\) trace: (\d+) entries of (\d+) recorded").groups())
    assert kept == 6 and recorded > 6
    seen = entries(b)
    assert len(seen) == 6
    # The last thing either domain does is SCHEDOP_shutdown (sched_op, 29):
    # the newest entries are kept, not the oldest.
    assert seen[-1][2:4] == ("hc", "29"), seen[-1]


def test_without_trace_nothing_is_recorded_and_tools_trace_says_so(boot, tmp_path):
    b = pingpong(boot, rounds=1)
    b.expect_status(0)
    b.forbid(r"^\(hv\) (T |trace: )")
    log = tmp_path / "console.log"
    log.write_text(b.output)
    p = subprocess.run([sys.executable, str(ROOT / "tools" / "trace"), str(log)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert p.returncode == 1 and "no complete trace dump" in p.stderr, p.stderr


def test_debug_key_T_dumps_the_buffer_while_the_domain_runs(boot):
    keys = r"\x01\x01\x01T\x01\x01\x01quit\n"
    ready = r"^\(d0\) ready: "                 # the echo guest listens (test_console_input.py)
    b = boot(guest("echo"), hv_args="trace=1", extra=("--input", keys, "--input-after", ready))
    b.expect_status(0)
    first = b.expect_in_order([r"^\(hv\) console input: hypervisor", r"^\(hv\) trace: \d+ entries",
                               r"^\(hv\) trace: end$", r"^\(hv\) console input: d0$",
                               r"^\(d0\) echo: quit$", r"^\(hv\) trace: \d+ entries",
                               r"^\(hv\) power off: "])
    mid = b.output[first[1].start():first[2].end()]
    assert re.search(r"^\(hv\) T \d+ d0 hc 18 \d+ console_io$", mid, re.M), "d0's writes so far"


def test_debug_key_T_without_trace_says_how_to_turn_it_on(boot):
    keys = r"\x01\x01\x01T\x01\x01\x01quit\n"
    b = boot(guest("echo"), extra=("--input", keys, "--input-after", r"^\(d0\) ready: "))
    b.expect_in_order([r"^\(hv\) trace: off \(boot with trace=N to record the last N events\)$",
                       r"^\(d0\) echo: quit$"])
    b.forbid(r"^\(hv\) T ")


def test_traps_and_bounces_are_drawn_with_the_exception_named(boot, tmp_path):
    # pvguest/tests/traps raises exceptions on purpose and handles each one.
    svg = tmp_path / "traps.svg"
    b = boot(guest("traps"), extra=("--trace", str(svg)))
    b.expect_status(0)
    seen = entries(b)
    assert ("d0", "trap", "14") in {(w, k, a) for _, w, k, a, _, _ in seen}
    pf = [e for e in seen if e[2] == "bounce" and e[3] == "14"]
    assert pf and pf[0][5] == "#PF page fault", "the guest's #PF handler got the page faults"
    titles = [t.text for t in ET.parse(str(svg)).getroot().iter(SVG + "title")]
    assert any(t.startswith("d0: trap vector 14 #PF page fault error 0x") for t in titles), titles[:20]
    assert any(t.startswith("d0: bounce vector 14 #PF page fault at") for t in titles)


def test_a_timer_event_is_sent_by_the_hypervisor_and_it_idles_meanwhile(boot, tmp_path):
    # pvguest/tests/sleeper blocks until its one-shot timer's VIRQ_TIMER.
    svg = tmp_path / "sleeper.svg"
    b = boot(guest("sleeper"), extra=("--trace", str(svg)))
    b.expect_status(0)
    seen = entries(b)
    events = [e for e in seen if e[2] == "event"]
    assert events and all(e[1] == "d0" and e[4] == "65535" for e in events), events
    assert any(e[1:3] == ("hv", "idle") for e in seen), "nothing ran while d0 slept"
    titles = [t.text for t in ET.parse(str(svg)).getroot().iter(SVG + "title")]
    assert any(re.match(r"d0: event: port \d+ of d0 set pending by hv at", t) for t in titles)
    assert any(t.startswith("hv idle ") for t in titles), "the idle spans are drawn"
