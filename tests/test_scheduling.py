"""Time, events and scheduling, as the guests see them.

The hypervisor's tick preempts a domain whose slice is over whatever it is
doing; a domain that blocks (SCHEDOP_block) sleeps until an event - here
its one-shot timer, set_timer_op raising VIRQ_TIMER - wakes it.  The guests:

  worker       counts and never yields, printing progress every N iterations
  sleeper      sleeps on its timer n times, printing after each wake-up
  masked-spin  spins with events masked, reading only shared_info, until it
               has seen itself scheduled in again N times (its vcpu_time_info
               rewritten: a jump in the clock alone may be the emulator
               stalling on a busy host)
  shell        the pvguest kernel with three ring-3 tasks: the shell on the
               console, a sleeper and a spinner that its own 10 ms tick
               preempts (see pvguest/tests/shell/main.c)

Only liveness is asserted, with wide margins: who makes progress while whom
runs, never how long anything took.  The times the guests print are for
people.  A domain needs 4 MiB at least (the builder maps up to a 4 MiB
boundary, 512 KiB past its boot stack), so the 64-domain boot uses mem=4M.
"""

import re

import pytest

from harness import guest, MISMATCH, NO_LEAK, ROOT


def line(d, text):
    return r"^\(d%d\) %s$" % (d, text)


def progress(d, r, n):
    return line(d, r"worker: progress %s/%d at \d+ ms" % (r, n))


def woke(d, i, n):
    return line(d, r"sleeper: woke %s/%d after \d+ us \(\d+ blocks?, \d+ timer events so far\)"
                % (i, n))


def test_two_cpu_bound_domains_both_progress_while_a_third_blocks_and_wakes_on_its_timer(boot):
    # The workers report every 40 ms of guest time (800 ms in all), so the
    # sleeper's 250 ms of sleeps end before them whatever the host's speed.
    b = boot(guest("worker", "-- ms=40 reports=20"),
             guest("worker", "-- ms=40 reports=20"),
             guest("sleeper", "-- n=5 ms=50"), timeout=60)
    # Neither worker ever yields, so only the tick can hand the CPU over:
    # each one's first report comes before the other's last.
    b.expect_in_order([progress(1, 1, 20), progress(0, 20, 20)])
    b.expect_in_order([progress(0, 1, 20), progress(1, 20, 20)])
    # The sleeper blocks and is woken by its timer five times, never early,
    # and is done long before the workers: it did not wait for them to end.
    b.expect_in_order([woke(2, i, 5) for i in range(1, 6)] +
                      [line(2, r"check wake-ups before their deadline: got 0 want 0"),
                       line(2, r"Test result: SUCCESS"), progress(0, 20, 20)])
    b.expect_in_order([line(2, r"Test result: SUCCESS"), progress(1, 20, 20)])
    for d in (0, 1):
        b.expect(line(d, r"Test result: SUCCESS"))
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_a_domain_spinning_with_events_masked_is_preempted_and_starves_no_one(boot):
    # It stops once it has been descheduled 10 times - or, should the others
    # all end first and leave it alone, after max iterations: so no exact count.
    # Each time it is descheduled another domain ran: the worker for a whole
    # 10 ms slice (it never yields), reporting every 10 ms of guest time, so
    # its reports fall inside d0's spin by design, not because a count of
    # iterations happened to be faster than ten slices on this host; and
    # ten rounds of slices outlast the sleeper's first 20 ms sleep.
    b = boot(guest("masked-spin", "-- preemptions=10"),
             guest("worker", "-- ms=10 reports=20"),
             guest("sleeper", "-- n=5 ms=20"), timeout=60)
    start = line(0, r"masked-spin: spinning with events masked until descheduled 10 times")
    end = line(0, r"masked-spin: \d+ iterations in \d+ ms, descheduled \d+ times, "
                  r"longest gap \d+ ms")
    # While d0 spun with its virtual IF clear, the others ran: a worker
    # report and a sleeper wake-up fall between its first and last line.
    b.expect_in_order([start, progress(1, r"\d+", 20), end])
    b.expect_in_order([start, woke(2, r"\d", 5), end])
    b.expect(line(0, r"check events masked throughout: got 1 want 1"))
    b.expect(line(0, r"check descheduled while spinning masked: got 1 want 1"))
    for d in (0, 1, 2):
        b.expect(line(d, r"Test result: SUCCESS"))
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_64_domains_boot_run_and_shut_down_with_no_frame_leaked(boot):
    guests = []
    for _ in range(32):
        guests += [guest("worker", "mem=4M -- every=1000000 reports=3"),
                   guest("sleeper", "mem=4M -- n=3 ms=10")]
    b = boot(*guests, mem=512, timeout=120)
    b.expect(r"^\(hv\) d63 \(d63\): 4 MiB, ")
    for d in range(64):
        b.expect(line(d, r"Test result: SUCCESS"))
    b.expect(r"^\(hv\) summary: 64 domains$")
    assert len(re.findall(r"^\(hv\)   d\d+ d\d+ +shutdown: poweroff$", b.output, re.M)) == 64
    b.forbid(MISMATCH)
    b.expect(NO_LEAK)
    b.expect_status(0)


# ---- the shell --------------------------------------------------------------

# The shell's forbidden commands and what each executes, from its one table.
SHELL_H = ROOT / "pvguest" / "tests" / "shell" / "shell.h"
FORBIDDEN = re.findall(r'X\((\w+), "([^"]+)", "([^"]+)"', SHELL_H.read_text())


def executing(b, insn):
    """The kernel's line before the forbidden instruction: its address."""
    return b.expect(line(0, r"kernel: executing '%s' in ring 1 at 0x([0-9a-f]{8}); "
                            r"the hypervisor should halt this domain" % re.escape(insn))).group(1)


def test_the_shell_answers_help_uptime_and_ps_then_cli_halts_it_naming_the_instruction(boot):
    b = boot(guest("shell", "name=alice -- user=alice"),
             extra=["--input", r"help\nuptime\nps\ncli\n"])
    b.expect_in_order([
        line(0, r"alice: shell ready; type help"),
        line(0, r"alice> help"),
        line(0, r"commands: help, ps, uptime, ping <domain>, disk \[read <sector> \| write <sector> <text>\], exit"),
        line(0, r"  cli sti hlt lgdt .* int3-without-handler"),
        line(0, r"alice> uptime"),
        line(0, r"up 0:0\d:\d\d\.\d{3} \(system time from shared_info\), "
                r"wall clock \d\d:\d\d:\d\d UTC"),
        line(0, r"alice> ps"),
        line(0, r"  PID  STATE      CPU ms  STOLEN ms    RUNS  PREEMPTED  NAME"),
        line(0, r"    1  running  +\d+ +\d+ +\d+ +\d+  shell"),
        line(0, r"    2  (sleeping|runnable) +\d+ +\d+ +\d+ +\d+  clock"),
        line(0, r"    3  runnable +\d+ +\d+ +\d+ +\d+  spin"),
        line(0, r"domain \(Xen's runstate\): running \d+ ms, runnable \d+ ms "
                r"\(stolen by other domains\), blocked \d+ ms"),
        line(0, r"alice> cli")])
    at = executing(b, "cli")
    b.expect_in_order([line(0, r"alice> cli"),
                       r"^\(hv\) d0 halted: privileged instruction 'cli' at 0x%s$" % at])
    b.forbid(r"still running after")
    b.expect(NO_LEAK)
    b.expect_status(2)


@pytest.mark.parametrize("cmd,insn", [(c, i) for _, c, i in FORBIDDEN] +
                         [("int3-without-handler", "int3")])
def test_each_forbidden_shell_command_halts_the_domain_naming_it(boot, cmd, insn):
    b = boot(guest("shell", "-- spin=0"), extra=["--input", cmd + r"\n"])
    at = executing(b, insn)
    if insn == "int3":      # a trap: the CPU reports the next address; the halt says so
        b.expect(r"^\(hv\) d0 halted: #BP breakpoint from 'int3' at 0x%s with no handler "
                 r"\(a trap: the CPU reports 0x%08x, the next instruction\)$"
                 % (at, int(at, 16) + 1))
        b.forbid(r"halted: .*error 0x")     # #BP pushes no error code
    else:
        b.expect(r"^\(hv\) d0 halted: privileged instruction '%s' at 0x%s(?:: MSR .*)?$"
                 % (re.escape(insn), at))
    b.forbid(r"still running after")
    b.expect(NO_LEAK)
    b.expect_status(2)


def two_shells(boot, d0, d1, *typed):
    """Shells d0 and d1 ("name=... -- user=... peer=..."), and each (text,
    cue) of typed sent once its cue line appears."""
    extra = []
    for text, cue in typed:
        extra += ["--input", text, "--input-after", cue]
    return boot(guest("shell", d0), guest("shell", d1), extra=extra)


def test_two_shells_ping_each_other_over_an_interdomain_event_channel(boot):
    # Each shell's first alloc_unbound, for its peer, is port 1; "ping 1"
    # binds (d1, 1), and d1 answers every event there with one back. Alice
    # is typed to once bob's port is made: before that, binding it is
    # rightly -EINVAL (which a busy host once showed).
    b = two_shells(boot, "name=alice -- user=alice peer=1", "name=bob -- user=bob peer=0",
                   (r"ping 1\nping 2\nexit\n", r"^\(d1\) kernel: port 1 waits for pings from d0$"),
                   (r"exit\n", r"^\(hv\) d0 shutdown: poweroff$"))
    for d, peer in ((0, 1), (1, 0)):
        b.expect(line(d, r"kernel: port 1 waits for pings from d%d" % peer))
    b.expect_in_order([line(0, r"alice> ping 1")] +
                      [line(0, r"pong from d1: seq %d time \d+ us" % i) for i in range(1, 5)] +
                      [line(0, r"alice> ping 2"),
                       line(0, r"ping d2: no such domain: it has ended \(halted or "
                               r"powered off\) or never existed \(ESRCH\)"),
                       line(0, r"kernel: task 1 \(shell\) exited with code 0"),
                       line(0, r"kernel: task 2 \(clock\) killed: its leader shell exited"),
                       line(0, r"Test result: SUCCESS")])
    b.expect(line(1, r"kernel: \d+ task switches, .*, 4 pings answered"))
    b.expect(line(1, r"Test result: SUCCESS"))
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_ping_to_a_halted_peer_says_in_words_that_the_domain_has_ended(boot):
    # d0 (bob) halts on cli; input then moves on to d1 (alice), whose ping
    # to d0 is refused with -ESRCH, named, not shown as a bare number.
    b = two_shells(boot, "name=bob -- user=bob peer=1 spin=0",
                   "name=alice -- user=alice peer=0 spin=0",
                   (r"cli\n", r"^\(d1\) kernel: port 1 waits for pings from d0$"),
                   (r"ping 0\nexit\n", r"^\(hv\) d0 halted: "))
    b.expect_in_order([r"^\(hv\) d0 halted: privileged instruction 'cli'",
                       r"^\(hv\) console input: d0 has ended$",
                       r"^\(hv\) console input: d1$",
                       line(1, r"alice> ping 0"),
                       line(1, r"ping d0: no such domain: it has ended \(halted or powered off\) "
                               r"or never existed \(ESRCH\)$")])
    b.forbid(r"error \d+")
    b.expect_status(2)


def test_ps_shows_running_time_and_time_stolen_by_other_domains_from_the_runstate(boot):
    # A CPU-bound worker beside the shell: while the spinner is current, the
    # worker takes turns on the CPU, which the spinner's clock cannot tell
    # from its own running but Xen's runstate can: it is counted as stolen.
    b = boot(guest("shell", "name=alice -- user=alice"),
             guest("worker", "name=worker -- every=200000000 reports=3"),
             extra=["--input", r"ps\nexit\n",
                    "--input-after", r"^\(d1\) worker: progress 1/3"])
    rows = {m.group(4): (int(m.group(2)), int(m.group(3))) for m in re.finditer(
        r"^\(d0\) +(\d+)  \w+ +(\d+) +(\d+) +\d+ +\d+  (\w+)$", b.output, re.M)}
    dom = b.expect(line(0, r"domain \(Xen's runstate\): running (\d+) ms, runnable (\d+) ms "
                           r"\(stolen by other domains\), blocked (\d+) ms"))
    assert set(rows) == {"shell", "clock", "spin"}, rows
    running, runnable = int(dom.group(1)), int(dom.group(2))
    # Each task's CPU time is part of the domain's running time (each
    # rounds down to whole ms, hence the slack of one per task).
    assert sum(cpu for cpu, _ in rows.values()) <= running + len(rows), (rows, running)
    assert sum(st for _, st in rows.values()) <= runnable + len(rows), (rows, runnable)
    # The spinner never yields and the worker never yields: the worker ran
    # while the spinner was current, and that is stolen, not the spinner's.
    assert rows["spin"][1] > 0, rows
    assert runnable > 0, dom.group(0)
    b.expect_status(0)


def test_the_spinner_rests_after_its_burst_so_an_idle_demo_is_idle(boot):
    # Both ps commands are typed at once, after the rest: the first finds
    # the spinner asleep, and its end wakes it for a new 5 s burst, inside
    # which the second runs at once - no wait on the host between them.
    b = boot(guest("shell", "name=alice -- user=alice"),
             extra=["--input", r"ps\nps\nexit\n",
                    "--input-after", r"^\(d0\) kernel: spin ran 5 s; it sleeps now"])
    b.expect_in_order([line(0, r"kernel: spin ran 5 s; it sleeps now until the next "
                               r"command, so an idle demo leaves the CPU idle"),
                       line(0, r"alice> ps"),
                       line(0, r"    3  sleeping +\d+ +\d+ +\d+ +\d+  spin"),
                       line(0, r"alice> ps"),
                       line(0, r"    3  runnable +\d+ +\d+ +\d+ +\d+  spin")])
    b.expect_status(0)
