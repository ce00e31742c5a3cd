"""The attack suites' victim judges its longest time off the CPU (issue 14).

pvguest/tests/victim reads system time after every yield and every
hypercall of its own; the gap between two readings is the time it waited.
Given gap_us=B it prints every gap over B with the time it began, and
fails; with show_us=TICK_US it prints the gaps over a tick too (every
full turn of an attacker), the evidence that it measures and reports.
The hostile guests print "case N starts at T us" on the same clock
(system time, shared by every domain), so a gap is put on the cases that
were running while the victim waited: a test fails naming them.

The bound holds by design (docs/attacks.md): while the victim waits, each
other domain takes at most one turn, and a turn is its slice (sched.c:
10 ms * weight / 256), ended at the first tick after it runs out (a tick
is 1 ms), plus the latency bound: nothing holds the CPU past a due tick by
more than LATE_US (docs/architecture.md: one item of a long call, a
domain's death, the switch).  The attackers run with dom.weight=26, a
slice of about 1 ms, as tests/test_latency.py's do, so the bound is about
3 ms per other domain.  On QEMU the boot runs with --icount (one guest
instruction per ns), so the victim's clock counts instructions and a busy
host cannot stretch a gap; Bochs's clock counts instructions already
(tools/run: ips=50000000, clock sync=none).
"""

import math
import re

from harness import guest

SLICE_US = 10000        # hypervisor/event/sched.c: SLICE_NS at weight 256
TICK_US = 1000          # hypervisor/event/time.h: TIME_HZ 1000
LATE_US = 1000          # the latency bound: past a due tick by at most this
WEIGHT = 26             # the attackers' weight: a slice of 1.016 ms

GAP = re.compile(r"^\(d0\) victim: off the CPU for (\d+) us from (\d+) us$", re.M)
LONGEST = r"^\(d0\) victim: longest gap (\d+) us from (\d+) us$"
START = re.compile(r"^\(d(\d+)\) case (\d+) starts at (\d+) us$", re.M)


def bound_us(others):
    """The longest the victim may wait: one turn of each of the others."""
    return others * (SLICE_US * WEIGHT // 256 + TICK_US + LATE_US)


def victim(others, args=""):
    """The victim's module (it must be d0), judging gaps beside `others` domains."""
    return guest("victim", "-- gap_us=%d show_us=%d %s" % (bound_us(others), TICK_US, args))


def attacker(name, args=""):
    """A module of the attack suite, with the small slice the bound assumes."""
    return guest(name, "dom.weight=%d %s" % (WEIGHT, args))


def boot_beside(boot, *others, emulator="qemu", **kw):
    """The victim (d0) and the others, each with the small slice; QEMU with --icount."""
    extra = ["--icount"] if emulator == "qemu" else []
    b = boot(victim(len(others)), *[attacker(*o) for o in others], emulator=emulator,
             extra=extra, **kw)
    b.gap_bound = bound_us(len(others))
    return b


def running(b, t0, t1):
    """The cases running at some time in [t0, t1] us, as "dN case K": a case
    runs from its start to the next case's start in its domain, the last
    one to its domain's end (its teardown included)."""
    starts = {}
    for d, n, t in START.findall(b.output):
        starts.setdefault(int(d), []).append((int(t), int(n)))
    hits = []
    for d, cases in sorted(starts.items()):
        for i, (t, n) in enumerate(cases):
            end = cases[i + 1][0] if i + 1 < len(cases) else math.inf
            if t <= t1 and end >= t0:
                hits.append("d%d case %d" % (d, n))
    return ", ".join(hits) or "no case (before the first)"


def gaps(b):
    """(gap, from) in us of every gap the victim printed."""
    return [(int(g), int(t)) for g, t in GAP.findall(b.output)]


def expect_no_gap_over(b, bound):
    """No gap the victim printed is over bound us; a failure names the cases that ran meanwhile."""
    over = [(g, t) for g, t in gaps(b) if g > bound]
    assert not over, "the victim waited longer than the bound of %d us:\n  %s" % (bound, "\n  ".join(
        "%d us from %d us, while %s ran" % (g, t, running(b, t, t + g)) for g, t in over))


def expect_no_gap_over_the_bound(b):
    """No gap of the victim's over the bound boot_beside gave it, by its
    lines and its count; prints the longest gap and the cases it fell in."""
    bound = b.gap_bound
    expect_no_gap_over(b, bound)
    m = b.expect(LONGEST)
    g, t = int(m.group(1)), int(m.group(2))
    print("victim: longest gap %d us (bound %d us) while %s ran" % (g, bound, running(b, t, t + g)))
    b.expect(r"^\(d0\) victim: 0 gaps over the bound of %d us$" % bound)
