"""Console input: typed text goes to one domain at a time, or to the debug keys.

What is typed on the serial line (tools/run --input, QEMU only) reaches the
"console owner": d0 first. Ctrl-A three times moves input on to the next
live domain and, after the last one, to the hypervisor itself, whose debug
keys print its tables; each move is announced as `(hv) console input: ...`.
The guest here is pvguest/tests/echo, which reads with CONSOLEIO_read,
sleeps on VIRQ_CONSOLE between reads, says each line back as
`echo: <line>` and ends with SUCCESS on the line `quit`.
"""

import re
import subprocess
import sys

from harness import RUN, guest, scaled

CTRL_A3 = r"\x01\x01\x01"            # as written to tools/run --input
READY = r"^\(d0\) ready: "           # the echo guest has bound its VIRQs


def test_typed_lines_reach_the_console_owner_d0_and_one_ctrl_a_is_passed_on(boot):
    b = boot(guest("echo"), extra=("--input", r"hello world\na\x01b\nquit\n"))
    b.expect_in_order([r"^\(hv\) console input: d0 \(type Ctrl-A three times to switch\)$",
                       r"^\(d0\) echo: hello world$",
                       r"^\(d0\) echo: a\?b$",          # a lone Ctrl-A is input, shown as ?
                       r"^\(d0\) echo: quit$",
                       r"^\(d0\) Test result: SUCCESS$"])
    b.expect_status(0)


def test_when_d0_fails_to_build_input_goes_to_the_first_domain_that_runs(boot):
    # d0's misspelt option means it is never built; typed lines must reach
    # d1, the first domain that runs, and not the hypervisor's debug keys.
    b = boot(guest("echo", "dom.colour=blue"), guest("echo"),
             extra=("--input", r"hello\nquit\n"))
    b.expect_in_order([r"^\(hv\) error: module 0 .*; d0 not built$",
                       r"^\(hv\) frames: \d+ free of \d+ after building 1 domain "
                       r"\(1 module not built\)$",
                       r"^\(hv\) console input: d1 \(type Ctrl-A three times to switch\)$",
                       r"^\(d1\) echo: hello$", r"^\(d1\) Test result: SUCCESS$"])
    b.forbid(r"^\(hv\) (debug key|console input: hypervisor)")
    b.expect_status(2)                      # d0 was not built


def test_ctrl_a_three_times_moves_input_to_d1_then_the_hypervisor_then_d0(boot):
    text = "one\\n" + CTRL_A3 + "two\\nquit\\n" + CTRL_A3 + CTRL_A3 + "three\\nquit\\n"
    b = boot(guest("echo"), guest("echo"), extra=("--input", text))
    b.expect_in_order([r"^\(hv\) console input: d1$",
                       r"^\(hv\) console input: hypervisor \(debug keys; type h for help\)$",
                       r"^\(hv\) console input: d0$"])
    b.expect_in_order([r"^\(d0\) echo: one$", r"^\(d0\) echo: three$", r"^\(d0\) echo: quit$"])
    b.expect_in_order([r"^\(d1\) echo: two$", r"^\(d1\) echo: quit$"])
    b.forbid(r"^\(d1\) echo: (one|three)$")
    b.forbid(r"^\(d0\) echo: two$")
    b.forbid(r"^\(hv\) debug key")          # nothing typed while the hypervisor had input
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect_status(0)


def test_debug_keys_print_help_domains_run_queue_time_and_memory(boot):
    text = CTRL_A3 + "hdrtmx" + CTRL_A3 + "quit\\n"
    b = boot(guest("echo", "dom.weight=512"), extra=("--input", text, "--input-after", READY))
    b.expect_in_order([r"^\(hv\) console input: hypervisor \(debug keys; type h for help\)$",
                       r"^\(hv\) debug keys \(Ctrl-A three times gives input to the next domain\):$",
                       r"^\(hv\)   h  this list$", r"^\(hv\)   d  domains: ",
                       r"^\(hv\)   r  run queue", r"^\(hv\)   t  time", r"^\(hv\)   m  free",
                       r"^\(hv\) domains:$"])
    header = b.expect(r"^\(hv\)   id +name +state +pages +cpu ms +ports +weight$").group()
    row = b.expect(r"^\(hv\)   d0 +d0 +(running|runnable|blocked) +\d+ +\d+ +(\d+) +512$")
    assert len(row.group()) == len(header), "the columns line up:\n%s\n%s" % (header, row.group())
    b.expect_in_order([r"^\(hv\) run queue \(round robin, in the order they will run\):$",
                       r"^\(hv\)   running  (d0|none \(idle\))$",
                       r"^\(hv\)   next     (d0|none)$",
                       r"^\(hv\)   blocked  (d0|none)$",
                       r"^\(hv\) time: \d+\.\d{9} s since boot \(system time\)$",
                       r"^\(hv\) memory \(4 KiB frames\):$",
                       r"^\(hv\)   free +\d+ frames +\d+ MiB$",
                       r"^\(hv\)   in domains +4096 frames +16 MiB$",
                       r"^\(hv\)   total +\d+ frames +\d+ MiB$",
                       r"^\(hv\) debug key 'x' is not one; type h for help$",
                       r"^\(hv\) console input: d0$",
                       r"^\(d0\) echo: quit$"])
    if re.search(r"^\(d0\) ready: blocking on VIRQ_CONSOLE", b.output, re.M):
        # With event channels, d0 bound VIRQ_CONSOLE and VIRQ_DEBUG, and 'd' raised the latter.
        assert row.group(2) == "2", row.group()
        b.expect(r"^\(d0\) echo: VIRQ_DEBUG$")
    b.forbid(r"^\(d0\) echo: .*[hdrtm]{5}")     # the keys were not input for d0
    b.expect_status(0)


def test_input_for_a_domain_that_halted_moves_on_instead_of_crashing(boot):
    # d0 halts on its first instruction while it still has the console input.
    b = boot(guest("priv-mov-to-cr3"), guest("echo"),
             extra=("--input", r"late\nquit\n", "--input-after", r"^\(hv\) d0 halted: "))
    b.expect_in_order([r"^\(hv\) console input: d0 \(type",
                       r"^\(hv\) d0 halted: ",
                       r"^\(hv\) console input: d0 has ended$",
                       r"^\(hv\) console input: d1$",
                       r"^\(d1\) echo: late$",
                       r"^\(d1\) Test result: SUCCESS$"])
    b.expect_status(2)


def run(*args):
    return subprocess.run([sys.executable, str(RUN)] + list(args), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=scaled(60))


def test_tools_run_refuses_input_it_cannot_type():
    for args, why in [(["--emulator", "bochs", "--input", "x"], "QEMU only"),
                      (["--input", r"\q"], "bad escape"),
                      (["--input", "x", "--input-after", "("], "bad regular expression"),
                      (["--input-after", "x"], "1 --input-after for 0 --input")]:
        r = run("--dry-run", *args)
        assert r.returncode == 1 and why in r.stderr, (args, r.stderr)
