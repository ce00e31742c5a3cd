"""tests/harness.py: boot the machine through tools/run and read its console as evidence.

A test here is a specification: it boots the hypervisor with some guests,
then states what the console must show (`expect`), in what order
(`expect_in_order`), what it must never show (`forbid`), and how the run must
end (`expect_status`). Every boot goes through tools/run, the same runner a
person uses, so a failing test can be replayed by hand with the command line
printed in its failure message. Every boot has a timeout, a guard against a
hang and never a measure of speed: it is stretched by RINGONE_TIMEOUT_SCALE
(see scaled() below), which `make test` sets. Every boot made by a
test is remembered so that conftest.py can save its console under
build/test-logs/ when the test fails. A hypervisor panic fails any test that
did not say `allow_panic=True`, even one whose other checks all pass.
"""

import importlib.machinery
import importlib.util
import math
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "tools" / "run"

# tools/run's exit statuses, as in docs/conventions.md, for readable failures.
STATUS = {0: "clean end", 1: "usage error in tools/run",
          2: "a domain halted, crashed or was not built", 3: "hypervisor panic",
          4: "timeout", 5: "the emulator ended without the power-off line",
          6: "the hypervisor refused to boot", 7: "no domain ran",
          8: "a guest's last Test result line says FAILURE or ERROR"}
PANIC = r"^\(hv\) PANIC"
# The leak check, applied to every boot: at power off every frame must be
# free again except the hypervisor's own (hypervisor/domain/domain.c).
LEAK = r"^\(hv\) frames: .* at power off, .*, (?!0 leaked$)-?\d+ leaked$"
CONTEXT = 40            # console lines shown with a failure

# The boots of the test now running; conftest.py gives each test a fresh list.
current_boots = []


def _timeout_scale():
    text = os.environ.get("RINGONE_TIMEOUT_SCALE", "1")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise ValueError("RINGONE_TIMEOUT_SCALE=%r: want a number greater than 0" % text)
    return value


# RINGONE_TIMEOUT_SCALE (a number, default 1): how many times slower than an
# idle machine this one may be. Every timeout in the tests is a guard against
# a hang, written for an idle machine; a busy one (other builds, a second
# emulator per core) runs the emulators several times slower, so each guard
# is multiplied by this. `make test` sets 3 (docs/conventions.md). Raising it
# only makes a real hang take longer to be reported; no verdict depends on it.
TIMEOUT_SCALE = _timeout_scale()


# RINGONE_HV_ARGS (hypervisor options, default none): appended to the
# command line of every boot of build/hypervisor.elf (not of another hv=,
# nor of an ISO menu entry, whose options are the menu's), e.g. "preempt-every=1" to run tests with
# every long hypercall continuing after each item (docs/conventions.md).
# A test's own options come first, so these win where both set one.
EXTRA_HV_ARGS = os.environ.get("RINGONE_HV_ARGS", "").strip()


def hv_args_echoed(hv_args):
    """A regex for hv_args as the hypervisor echoes them ("(hv) command
    line: ..."): followed by RINGONE_HV_ARGS when that is set."""
    return re.escape(" ".join(a for a in (hv_args, EXTRA_HV_ARGS) if a))


def scaled(seconds):
    """A hang guard of `seconds` on an idle machine, as long as it is here."""
    return seconds * TIMEOUT_SCALE


class Boot:
    """What one run of tools/run left behind: status, console, stderr."""

    def __init__(self, argv, status, output, stderr, seconds):
        self.argv, self.status, self.output = argv, status, output
        self.stderr, self.seconds = stderr, seconds
        self.lines = output.splitlines()

    @property
    def timeout(self):
        """The --timeout tools/run was given, in seconds (already scaled)."""
        return float(self.argv[self.argv.index("--timeout") + 1])

    @property
    def command(self):
        """The command line to replay this boot by hand, from the tree top."""
        return " ".join(shlex.quote(a) for a in ["tools/run"] + self.argv[2:])

    # -- assertions: each returns its evidence, or fails with the console --

    def expect(self, regex, start=0):
        """The first match of regex (multi-line: ^ and $ are per line)."""
        m = re.compile(regex, re.M).search(self.output, start)
        if not m:
            self._fail("expected /%s/ on the console" % regex,
                       self._nearest(regex, start))
        return m

    def expect_in_order(self, regexes):
        """Each regex must match after the previous one's match; the matches."""
        pos, found = 0, []
        for n, regex in enumerate(regexes):
            m = re.compile(regex, re.M).search(self.output, pos)
            if not m:
                after = " after /%s/" % regexes[n - 1] if n else ""
                self._fail("expected /%s/ (pattern %d of %d)%s"
                           % (regex, n + 1, len(regexes), after),
                           self._nearest(regex, pos))
            found.append(m)
            pos = m.end()
        return found

    def forbid(self, regex):
        """Fail if regex matches anywhere on the console."""
        m = re.compile(regex, re.M).search(self.output)
        if m:
            self._fail("forbidden /%s/ appeared on the console" % regex,
                       self._line_of(m.start()))

    def expect_status(self, *allowed):
        """tools/run's exit status must be one of allowed."""
        if self.status not in allowed:
            want = " or ".join("%d (%s)" % (s, STATUS.get(s, "?")) for s in allowed)
            self._fail("expected status %s, got %d (%s)"
                       % (want, self.status, STATUS.get(self.status, "?")), None)

    # -- failure reports --

    def _line_of(self, offset):
        return self.output.count("\n", 0, offset)

    def _nearest(self, regex, start):
        """Where the match got furthest: the longest prefix of regex that
        still matches (from start), if it is a fair part of the pattern."""
        for k in range(len(regex), max(len(regex) // 3, 6) - 1, -1):
            try:
                m = re.compile(regex[:k], re.M).search(self.output, start)
            except re.error:
                continue
            if m:
                return self._line_of(m.start()), regex[:k]
        return None

    def _fail(self, what, focus):
        """Fail the test with the console around the focus line (or its end)."""
        prefix = None
        if isinstance(focus, tuple):
            focus, prefix = focus
        if focus is None:
            lo, hi = max(0, len(self.lines) - CONTEXT), len(self.lines)
        else:
            lo = max(0, focus - CONTEXT // 2)
            hi = min(len(self.lines), lo + CONTEXT)
        shown = ["%s%5d  %s" % (">" if i == focus else " ", i + 1, self.lines[i])
                 for i in range(lo, hi)]
        msg = [what, "boot: %s" % self.command,
               "status %d (%s) after %.1f s" % (self.status,
                                                STATUS.get(self.status, "?"),
                                                self.seconds)]
        if prefix:
            msg.append("longest matching prefix: /%s/ (marked >)" % prefix)
        if self.stderr.strip():
            msg.append("stderr:\n" + self.stderr.rstrip())
        msg.append("console lines %d-%d of %d:" % (lo + 1, hi, len(self.lines)))
        pytest.fail("\n".join(msg + shown), pytrace=False)

    def log_text(self):
        """The record saved in build/test-logs/ for a failing test."""
        return ("$ %s\n# status %d (%s) after %.1f s\n# stderr:\n%s\n# console:\n%s"
                % (self.command, self.status, STATUS.get(self.status, "?"),
                   self.seconds, self.stderr, self.output))


# The boots made with share=True, by their arguments (see boot()).
_shared = {}


def boot(*guests, hv_args="", mem=128, emulator="qemu", iso=False, timeout=30,
         forbid=(), allow_panic=False, hv=None, extra=(), share=False):
    """Boot the hypervisor (or hv) with guests ("path args" words) through
    tools/run and return a Boot. Relative paths are from the tree top.
    timeout is in seconds on an idle machine, scaled here (b.timeout is
    what tools/run got). The forbidden patterns, and a panic unless
    allow_panic, are checked here, for each caller.

    share=True: one boot read by several tests. The first test that asks
    for these exact arguments (guests, hv_args, mem, emulator, iso,
    timeout, hv, extra) boots; a later one in the same pytest process
    reads the same console, recorded for it too so its failure still saves
    the log. Only for tests that read a run and never act on it (no input,
    no live machine); a test run alone (-k) boots for itself."""
    key = (tuple(map(str, guests)), hv_args, mem, emulator, iso, timeout, str(hv), tuple(extra))
    b = _shared.get(key) if share else None
    if b is None:
        b = _run(guests, hv_args, mem, emulator, iso, timeout, hv, extra)
        if share:
            _shared[key] = b
    current_boots.append(b)
    for regex in tuple(forbid) + (LEAK,) + (() if allow_panic else (PANIC,)):
        b.forbid(regex)
    return b


def _run(guests, hv_args, mem, emulator, iso, timeout, hv, extra):
    """One run of tools/run, as boot() describes."""
    entry = "--entry" in extra  # a menu entry brings its own options (test_iso_menu)
    if hv is None and not entry:    # our hypervisor's options: not a stub's (test_runner)
        hv_args = " ".join(a for a in (hv_args, EXTRA_HV_ARGS) if a)
    argv = [sys.executable, str(RUN), "--emulator", emulator,
            "--timeout", "%g" % scaled(timeout), "--mem", str(mem)]
    argv += [] if entry else ["--hv-args=" + hv_args]
    argv += ["--iso"] if iso else []
    argv += ["--hv", str(hv)] if hv else []
    argv += list(extra) + ["--"] + [str(g) for g in guests]
    began = time.monotonic()
    try:
        # tools/run enforces the timeout itself; this margin only catches a
        # runner that hangs (ISO building, a stuck emulator that ignores TERM).
        p = subprocess.run(argv, cwd=str(ROOT), stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=scaled(timeout + 60))
        status, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        status, out = 4, e.stdout or b""
        err = (e.stderr or b"") + b"\n(harness) tools/run itself hung; killed\n"
    return Boot(argv, status, out.decode("utf-8", "replace"),
                err.decode("utf-8", "replace"), time.monotonic() - began)


# -- shared by the tests that boot pvguest images --

PVGUEST = ROOT / "build" / "pvguest"
# The leak check every boot that ends domains must pass (hypervisor/domain/domain.c).
NO_LEAK = (r"^\(hv\) frames: \d+ free of \d+ at power off, "
           r"\d+ kept for the M2P and frame table, 0 leaked$")
# A guest "check" line whose got and want differ.
MISMATCH = r"^\(d\d+\) check .*got (?!(.*) want \1$)"


def guest(name, args=""):
    """The GUEST word for build/pvguest/<name>.elf with a module command line."""
    return ("%s %s" % (PVGUEST / (name + ".elf"), args)).strip()


def side_by_side(boot, name, words, prefix, word, hello):
    """(boot, word's domain, hello's domain or None): for parametrized tests
    that each boot one guest with a different word. One domain of guest
    name per word (its args: prefix + word), in the order of words, then
    hello if asked, booted once for every test that asks the same
    (share=True) instead of once per word; each domain does only its own
    word, as it would alone, and each test reads only its own dN lines."""
    guests = [guest(name, prefix + w) for w in words] + ([guest("hello")] if hello else [])
    b = boot(*guests, mem=64 + 16 * len(guests), share=True)
    return b, words.index(word), len(words) if hello else None


def passes(b, d=0):
    """Domain d ran every check and all matched; nothing was halted."""
    b.forbid(MISMATCH)
    b.forbid(r"^\(d%d\) fail: " % d)
    b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(r"halted")


def tool_module(name):
    """tools/<name>, a Python script with no .py suffix, imported as a module."""
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), str(ROOT / "tools" / name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module
