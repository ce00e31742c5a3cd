"""tests/test_hcfuzz.py: the hypercall fuzzer guest, a short seed (make fuzz runs it long).

pvguest/tests/hcfuzz calls every hypercall with random, hostile and
structure-aware arguments.  Beside it runs the victim, whose memory, page
tables and P2M must stay as it wrote them.  The hypervisor must not panic
or hang, each fuzzer must get through all its calls (it never harms
itself, so an early end is a finding), and the leak check must read 0 once
every domain has ended.
"""
import harness
from harness import NO_LEAK, guest, passes

CALLS = 3000


def test_two_seeds_beside_a_victim():
    b = harness.boot(guest("victim"), guest("hcfuzz", "seed=11 calls=%d" % CALLS),
                     guest("hcfuzz", "seed=12 calls=%d" % CALLS), timeout=240)
    passes(b, 0)
    for d, seed in ((1, 11), (2, 12)):
        b.forbid(r"^\(d%d\) hcfuzz: our own fault" % d)
        b.expect(r"^\(d%d\) hcfuzz: seed %d: %d calls, \d+ returned 0, \d+ calls/s" % (d, seed, CALLS))
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_the_calls_reach_past_the_ABI_and_some_succeed():
    """Not a fuzzer that only meets -ENOSYS: a fair share of calls return 0."""
    b = harness.boot(guest("hcfuzz", "seed=5 calls=%d" % CALLS), timeout=180)
    zero = int(b.expect(r"^\(d0\) hcfuzz: seed 5: %d calls, (\d+) returned 0" % CALLS).group(1))
    assert CALLS // 100 < zero < CALLS, zero
    b.expect(NO_LEAK)
