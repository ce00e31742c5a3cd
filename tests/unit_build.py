"""tests/unit_build.py: build the host C unit programs and run their groups of checks.

tests/unit/test_*.c are small C programs that link one hypervisor module
each (compiled with -DHOST_TEST, so lib.h maps to the host libc) and run
named groups of checks: `test_frame never_reserved` runs one group and ends
with "N passed, M failed"; each failed check prints a line
"FAIL file:line: [group] what: evidence"; `--list` names every group.

Every program is built twice where the host can: natively, and with -m32,
which is the hypervisor's own ABI (32-bit long, size_t and pointers).  Both
use AddressSanitizer and UBSan when the host supports them, so a read or
write one byte outside a buffer fails the test even when the result looks
right.  A 64-bit kernel may refuse to run 32-bit programs (ia32 emulation
off: exec gives ENOEXEC).  Then every m32 variant is skipped, for the one
reason in CANNOT_RUN, raised from one place (require_abi) so that pytest's
-rs summary lists them on one line; the native variant still runs every
group of checks on the same code.

A tests/test_unit_*.py module names its programs and takes a fixture:

    PROGRAMS = {"time": (["tests/unit/test_time.c", "hypervisor/event/time_calc.c"], [])}
    unit = unit_build.fixture(PROGRAMS)

    def test_...(unit):
        unit("time", "bcd_bytes")       # one group, once per ABI; fails with its FAIL lines

and checks that its rules call every group with every_group_is_run().
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

import harness

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "build" / "unit"
CFLAGS = ["-std=gnu11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-DHOST_TEST", "-I."]
SANITIZERS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
              "-fno-omit-frame-pointer"]
ABIS = {"host": [], "m32": ["-m32"]}
# Why an ABI's programs do not run here, when gcc builds them but exec fails.
CANNOT_RUN = {"m32": "this host cannot run 32-bit programs (ia32 emulation off)"}

_unusable = {}      # abi -> None if its programs build and run here, else why not
_sanitizers = {}    # abi -> the sanitizer flags that build and run here ([] if none)
_built = {}         # (program, abi) -> path of the executable


def gcc(args, out):
    """gcc args -o out, through a temporary name and a rename, so that another
    pytest process (an xdist worker, a second session) never runs half a file."""
    UNIT.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp%d" % os.getpid())
    p = subprocess.run(["gcc", *args, "-o", str(tmp)], cwd=str(ROOT),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    if p.returncode == 0:
        os.replace(str(tmp), str(out))
    return p


def _probe(flags, name):
    """A trivial program built with flags: "build" if gcc cannot build it,
    "run" if this host cannot run it, else "ok"."""
    src, tmp = UNIT / "unit_probe.c", UNIT / ("unit_probe.c.tmp%d" % os.getpid())
    UNIT.mkdir(parents=True, exist_ok=True)
    tmp.write_text("int main(void) { return 0; }\n")
    os.replace(str(tmp), str(src))      # another worker may be compiling it
    exe = UNIT / ("unit_probe-" + name)
    if gcc([*flags, str(src)], exe).returncode != 0:
        return "build"
    try:
        ran = subprocess.run([str(exe)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, timeout=harness.scaled(60))
    except (OSError, subprocess.SubprocessError):     # ENOEXEC: no ia32 emulation
        return "run"
    return "ok" if ran.returncode == 0 else "run"


def unusable(abi):
    """None if gcc builds programs for abi and this host runs them, else the
    reason it cannot; found once per session (per xdist worker)."""
    if abi not in _unusable:
        probe = "ok" if abi == "host" else _probe(ABIS[abi], abi)
        _unusable[abi] = {"ok": None,
                          "build": "gcc cannot build %s programs here" % abi,
                          "run": CANNOT_RUN.get(abi, "this host cannot run %s programs" % abi),
                          }[probe]
    return _unusable[abi]


def require_abi(abi):
    """Skip the calling test unless programs for abi build and run here.  The
    one place such a skip is raised, so pytest groups them under one reason."""
    why = unusable(abi)
    if why:
        pytest.skip(why)


def _sanitizer_flags(abi):
    """The sanitizers, if a trivial program builds and runs with them for this ABI."""
    if abi not in _sanitizers:
        ok = _probe([*ABIS[abi], *SANITIZERS], abi + "-san") == "ok"
        _sanitizers[abi] = SANITIZERS if ok else []
    return _sanitizers[abi]


def build(program, sources, extra, abi):
    """build/unit/test_<program>-<abi> from sources (and extra flags), compiled once
    per session; skips the test if programs for abi cannot be built or run here."""
    key = (program, abi)
    if key not in _built:
        require_abi(abi)
        out = UNIT / ("test_%s-%s" % (program, abi))
        flags = [*CFLAGS, *ABIS[abi], *_sanitizer_flags(abi), *extra]
        p = gcc([*flags, *sources], out)
        if p.returncode != 0:
            pytest.fail("building %s for %s failed:\n%s" % (program, abi, p.stdout),
                        pytrace=False)
        _built[key] = out
    return _built[key]


def run_group(exe, group):
    """Run one group of checks: its output if all passed, else fail with its FAIL lines."""
    env = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1")
    p = subprocess.run([str(exe), group], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True,
                       timeout=harness.scaled(300), env=env, cwd=str(ROOT))
    summary = re.search(r"^(\d+) passed, (\d+) failed$", p.stdout, re.M)
    if p.returncode == 0 and summary and summary.group(2) == "0" \
            and int(summary.group(1)) > 0:
        return p.stdout
    status = ("killed by signal %d" % -p.returncode if p.returncode < 0
              else "exit status %d" % p.returncode)
    pytest.fail("build/unit/%s %s: %s, %s\n%s"
                % (exe.name, group, status,
                   summary.group(0) if summary else "no summary line",
                   p.stdout[-8000:]), pytrace=False)


def fixture(programs):
    """The `unit` fixture for programs {name: (sources, extra gcc flags)}, once per
    ABI: unit(program, group) runs one group of checks and returns its output."""
    @pytest.fixture(params=sorted(ABIS), name="unit")
    def unit(request):
        def run(program, group):
            return run_group(build(program, *programs[program], request.param), group)
        return run
    return unit


def every_group_is_run(programs, program, test_file, call=None):
    """Assert that the rules in test_file call (by default `unit("<program>", "<group>")`)
    every group the program lists, and no other."""
    exe = build(program, *programs[program], "host")
    listed = subprocess.run([str(exe), "--list"], stdout=subprocess.PIPE,
                            universal_newlines=True, check=True).stdout.split()
    call = call or r'unit\("%s", "(\w+)"\)' % program
    called = re.findall(call, Path(test_file).read_text())
    assert sorted(listed) == sorted(called), \
        "groups in %s and the rules in %s differ" % (programs[program][0][0],
                                                    Path(test_file).name)
