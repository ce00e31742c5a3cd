"""tests/test_iso_menu.py: the menu of build/hypervisor.iso can be seen, waits, and every entry boots.

`make iso` writes the menu of tools/iso-menu into a GRUB image for a real
PC. A person must see the menu (on the screen and on COM1), have five
seconds to choose, and get the demo if they do nothing. `tools/run --iso
--entry N` boots an ISO with that same menu, with entry N as GRUB's
default: GRUB shows the menu and counts down, then boots N, which is what
choosing N by hand does. Each entry is booted here and judged by what it
prints. The grub.cfg of `make iso` and of `tools/run --iso --entry 1` are
compared, so what is booted here is what goes on the USB stick.
"""

import fcntl
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import time

import pytest

import harness
from harness import NO_LEAK, ROOT

MKISO = ROOT / "tools" / "mkiso"
MENU = ROOT / "tools" / "iso-menu"
TITLES = re.findall(r"^entry (.+)$", MENU.read_text(), re.M)


def grub_cfg(*args):
    p = subprocess.run([sys.executable, str(MKISO), "-o", "/dev/null", "--dry-run"] + list(args),
                       cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_the_menu_waits_5_seconds_with_the_demo_as_its_default(built):
    cfg = grub_cfg()
    assert "set timeout=5\n" in cfg
    assert "set default=0\n" in cfg
    first = re.search(r"^menuentry '([^']*)'", cfg, re.M).group(1)
    assert first.startswith("demo: two shells"), first
    assert re.findall(r"^menuentry '([^']*)'", cfg, re.M) == TITLES


def test_the_iso_tools_run_boots_has_the_menu_make_iso_writes(built):
    p = subprocess.run([sys.executable, str(harness.RUN), "--iso", "--entry", "1", "--dry-run"],
                       cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    assert p.returncode == 0, p.stderr
    listed = p.stdout.split("### grub.cfg\n")[1].split("### ")[0]
    assert re.sub(r"^# ?", "", listed, flags=re.M) == grub_cfg()


def menu_boot(boot, n, *typed, timeout=60):
    """Entry n (from 1) of the menu, chosen as GRUB's default; typed is
    (text, cue) pairs for --input."""
    extra = ["--entry", str(n)]
    for text, cue in typed:
        extra += ["--input", text, "--input-after", cue]
    b = boot(iso=True, timeout=timeout, extra=extra)
    # GRUB showed the menu with every title and counted down on COM1.
    for title in TITLES:
        assert title in b.output, "menu entry %r not shown" % title
    b.expect(r"executed automatically in 5s")
    b.expect(r"executed automatically in 1s")
    return b


def line(d, text):
    return r"^\(d%d\) %s$" % (d, text)


CTRL_A3 = r"\x01\x01\x01"            # as written to tools/run --input


def test_entry_1_the_demo_boots_two_shells_bob_on_a_console_ring_and_a_worker(boot):
    # alice (d0, the initial domain) keeps console_io; bob (d1) has a PV
    # console ring and his kernel moves his whole console onto it. Lines
    # for alice go into her queue, then Ctrl-A three times moves input to
    # bob (alice is d0, so the next domain is d1 whether or not she has
    # ended yet), and bob's commands reach him through his ring's in[] and
    # his answers come back from its out[] as (d1) lines. Both use the disk
    # of the one blkback (d3), each in its own slot: bob's sector 2 starts
    # empty whatever alice wrote to hers.
    alice = r"disk write 2 alice-on-console-io\ndisk read 2\nexit\n"
    bob = r"disk read 2\ndisk write 2 bob-on-a-ring\ndisk read 2\nexit\n"
    b = menu_boot(boot, 1, (alice + CTRL_A3 + bob, r"^\(d1\) bob: shell ready"), timeout=120)
    b.expect_in_order([r"^\(hv\) boot loader: GRUB ",
                       r"^\(hv\) console input: d0 \(type Ctrl-A three times to switch\)$"])
    port = b.expect(r"^\(hv\) d1 rings: store mfn 0x[0-9a-f]+ port \d+, "
                    r"console mfn 0x[0-9a-f]+ port (\d+)$").group(1)
    b.expect(r"^\(hv\) d0 rings: .*, console none \(console_io\)$")
    b.expect_in_order([line(1, r"kernel: console on the PV console ring, port %s" % port),
                       line(1, r"bob: shell ready; type help")])
    b.forbid(line(0, r"kernel: console on the PV console ring.*"))
    b.expect(line(0, r"alice: shell ready; type help"))
    b.expect_in_order([line(0, r"alice> disk write 2 alice-on-console-io"),
                       line(0, r"disk write 2: ok"), line(0, r"alice> disk read 2"),
                       line(0, r"disk read 2: alice-on-console-io"),
                       line(0, r"alice> exit"), line(0, r"bye")])
    b.expect_in_order([r"^\(hv\) console input: d1$",
                       line(1, r"bob> disk read 2"), line(1, r"disk read 2: "),
                       line(1, r"bob> disk write 2 bob-on-a-ring"), line(1, r"disk write 2: ok"),
                       line(1, r"bob> disk read 2"), line(1, r"disk read 2: bob-on-a-ring"),
                       line(1, r"bob> exit"), line(1, r"bye")])
    b.forbid(r"^\(hv\) console input: d0 has ended$")     # Ctrl-A moved it, nothing else
    b.forbid(line(1, r"\S+> .*alice.*"))                   # alice's lines never reached bob
    b.forbid(line(0, r"\S+> .*bob.*"))
    for d in (0, 1):
        b.expect(r"^\(d3\) blkback: d%d vbd 51712: connected: " % d)
    b.expect(line(2, r"worker: progress 20/20 at \d+ ms"))
    b.expect(r"^\(hv\)   d2 worker +shutdown: poweroff$")
    b.expect(NO_LEAK)
    b.expect_status(0)


def test_entry_2_four_domains_one_is_halted_and_the_others_run_on(boot):
    b = menu_boot(boot, 2)
    b.expect(r"^\(hv\) d2 halted: privileged instruction 'mov %eax,%cr3' at 0x[0-9a-f]{8}$")
    for d, name in ((0, "hello"), (1, "worker"), (3, "cpuid")):
        b.expect(line(d, r"Test result: SUCCESS"))
        b.expect(r"^\(hv\)   d%d %s +shutdown: poweroff$" % (d, name))
    b.expect(NO_LEAK)
    b.expect_status(2)


def test_entry_3_each_privileged_instruction_is_halted_naming_it(boot):
    b = menu_boot(boot, 3)
    for d, insn in ((0, "cli"), (1, "in $0x60,%al"), (2, "lgdtl (%eax)")):
        b.expect(r"^\(hv\) d%d halted: privileged instruction '%s' at 0x[0-9a-f]{8}$"
                 % (d, re.escape(insn)))
    b.expect(line(3, r"Test result: SUCCESS"))
    b.expect_status(2)


def test_entry_4_the_hypervisor_alone_says_no_domain_ran(boot):
    b = menu_boot(boot, 4)
    b.expect(r"^\(hv\) no domains to run: no modules were given")
    b.expect_status(7)


@pytest.mark.parametrize("n", range(1, len(TITLES) + 1))
def test_every_menu_entry_is_tested_here(n):
    """A new entry in tools/iso-menu needs its own boot test above."""
    assert "def test_entry_%d_" % n in open(__file__).read()


def test_the_readme_command_boots_build_hypervisor_iso_into_the_demo(built):
    """README's "Boot the ISO in QEMU" command, run literally on what
    `make iso` wrote (with -display none added: no window here): the menu
    counts down and the demo's two shells come up."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Boot the ISO in QEMU", 1)[1].split("\n### ", 1)[0]
    cmd = re.search(r"^    (qemu-system-i386 .*build/hypervisor\.iso.*)$", section, re.M).group(1)
    assert re.search(r"^    make iso$", section, re.M)
    with open(str(ROOT / "build" / ".make.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mk = subprocess.run(["make", "-s", "iso"], cwd=str(ROOT), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=harness.scaled(300))
    assert mk.returncode == 0, mk.stdout
    q = subprocess.Popen(shlex.split(cmd) + ["-display", "none"], cwd=str(ROOT),
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    seen, deadline = b"", time.monotonic() + harness.scaled(120)
    try:
        want = (b"(d0) alice: shell ready; type help", b"(d1) bob: shell ready; type help")
        while not all(w in seen for w in want) and time.monotonic() < deadline:
            ready, _, _ = select.select([q.stdout], [], [], 1)
            if ready:
                chunk = os.read(q.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
    finally:
        os.killpg(q.pid, signal.SIGKILL)
        q.wait()
    text = seen.decode("utf-8", "replace")
    assert "executed automatically in 5s" in text, text[-2000:]
    assert "(d0) alice: shell ready; type help" in text, text[-2000:]
    assert "(d1) bob: shell ready; type help" in text, text[-2000:]
