"""tests/test_make.py: the Makefile's promises to a person at a terminal.

`make help` lists every target; `make run` hands tools/run's verdict on
(make exits 0 only when tools/run did, and the line before says tools/run's
own status, which make cannot pass through: it exits 2 for any failed
recipe); `make debug` prints the gdb command that attaches to QEMU's stub
with the hypervisor's symbols. RUN_FLAGS=--dry-run makes run and debug
print their commands and stop, which is how debug is tested here without a
waiting CPU.
"""

import fcntl
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import harness
from harness import ROOT


def make(*args, timeout=300):
    """make, under the lock conftest's `built` takes, so that two test
    workers never link the same image at once."""
    with open(str(ROOT / "build" / ".make.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.run(["make", "--no-print-directory"] + list(args), cwd=str(ROOT),
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=harness.scaled(timeout))


def phony_targets():
    names = set()
    for mk in (ROOT / "Makefile", ROOT / "pvguest" / "pvguest.mk"):
        for line in re.findall(r"^\.PHONY:(.*)$", mk.read_text(), re.M):
            names.update(line.split())
    return names


def test_make_help_lists_every_target(built):
    r = make("help")
    assert r.returncode == 0, r.stderr
    listed = set(re.findall(r"^make (\S+)", r.stdout, re.M))
    targets = phony_targets()
    assert {"all", "run", "debug", "test", "iso", "help"} <= targets
    assert targets <= listed, "make help misses %s" % sorted(targets - listed)


def test_make_run_passes_a_failure_on_and_names_tools_runs_status(built):
    bad = make("run", "DEMO=build/pvguest/priv-cli.elf")
    assert bad.returncode != 0, "make run hid a halted domain"
    assert "tools/run exit status 2 " in bad.stdout, bad.stdout
    good = make("run", "DEMO=build/pvguest/hello.elf")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "tools/run exit status 0 " in good.stdout


def test_make_debug_prints_a_gdb_command_with_the_hypervisors_symbols(built):
    r = make("debug", "RUN_FLAGS=--dry-run", "DEMO=build/pvguest/hello.elf", "GDB_PORT=4321")
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"^\(run\)   gdb\S* -q (\S+) -ex 'set architecture i386' "
                  r"-ex 'target remote localhost:4321'$", r.stderr, re.M)
    assert m, r.stderr
    assert Path(m.group(1)) == ROOT / "build" / "hypervisor.elf"
    assert Path(m.group(1)).is_file()
    cmd = r.stdout.strip().splitlines()[-2]   # before make's status line
    assert cmd.startswith("qemu-system-i386 ") and " -S " in cmd, cmd
    assert "-gdb tcp:localhost:4321" in cmd


@pytest.mark.skipif(not shutil.which("gdb"), reason="gdb is not installed (tools/install-deps)")
def test_the_printed_gdb_command_attaches_and_stops_at_start_hypervisor(built):
    """What make debug prints, followed literally: gdb attaches, a hardware
    breakpoint stops in start_hypervisor by its symbol, and after
    `continue` the boot ends as it would have without gdb."""
    with socket.socket() as s:              # a free port, so parallel tests never clash
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    guest = harness.guest("hello")
    run = subprocess.Popen([sys.executable, str(harness.RUN), "--gdb", str(port), "--timeout",
                            "%g" % harness.scaled(60), guest], cwd=str(ROOT),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
    try:
        printed = ""
        while "target remote" not in printed:
            printed += run.stderr.readline()
        gdb = shlex.split(re.search(r"^\(run\)   (gdb.*)$", printed, re.M).group(1))
        gdb[1:1] = ["-batch"]
        gdb += ["-ex", "hbreak start_hypervisor", "-ex", "continue",
                "-ex", "info symbol $pc", "-ex", "delete", "-ex", "continue"]
        # Until QEMU listens: a guard of scaled seconds, not a count of
        # tries, which a loaded host's slow QEMU start could outlast.
        deadline = time.monotonic() + harness.scaled(30)
        while True:
            g = subprocess.run(gdb, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, timeout=harness.scaled(60))
            if "Connection refused" not in g.stdout or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        out, err = run.communicate(timeout=harness.scaled(90))
    finally:
        run.kill()
    assert "start_hypervisor in section .text" in g.stdout, g.stdout
    assert "(hv) power off: status 0" in out, out + err
    assert run.returncode == 0
