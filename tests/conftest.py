"""tests/conftest.py: build once, hand tests a `boot` fixture, keep failing consoles.

pytest reads this before any test. It builds the tree once per session
(`make -s all`, only when some test asks for the `boot` fixture, so tests of
the tools themselves run without a hypervisor), and stops the whole session
with make's output if the build fails: hundreds of identical "no such file"
failures would only bury the real error. It gives every test a fresh list of
the boots it makes (harness.current_boots), and when a test fails it writes
their consoles to build/test-logs/<test id>.log, the first place to look.
When tests were skipped because this host cannot run what they need (32-bit
programs, see unit_build.CANNOT_RUN), it says why once at the end, even
without -rs (which `make test` gives, and which already lists it).
"""

import fcntl
import re
import subprocess

import pytest

import harness
import unit_build

LOG_DIR = harness.ROOT / "build" / "test-logs"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bochs: boots Bochs (slower; the lane that enforces segment"
                   " limits). Deselect with -m 'not bochs'.")


def pytest_sessionstart(session):
    """Logs describe the last run only: clear the previous run's."""
    if LOG_DIR.is_dir():
        for old in LOG_DIR.glob("*.log"):
            old.unlink()


@pytest.fixture(scope="session")
def built():
    """The tree, built once for the whole session.  Each xdist worker is a
    session of its own, so the make runs under a lock: two makes at once in
    one tree would link the same image twice, and one would read it half
    written."""
    (harness.ROOT / "build").mkdir(exist_ok=True)
    with open(str(harness.ROOT / "build" / ".make.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.run(["make", "-s", "all"], cwd=str(harness.ROOT),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
    if p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-60:])
        pytest.exit("`make -s all` failed (status %d); no test can boot:\n%s"
                    % (p.returncode, tail), returncode=1)


@pytest.fixture
def boot(built):
    """boot(*guests, hv_args=, mem=, emulator=, iso=, timeout=, forbid=,
    allow_panic=) -> harness.Boot; see tests/harness.py."""
    return harness.boot


@pytest.fixture(autouse=True)
def _record_boots(request):
    harness.current_boots = request.node._boots = []
    yield


def log_name(nodeid):
    """tests/test_x.py::test_y[qemu] -> tests_test_x.py__test_y_qemu_"""
    return re.sub(r"[^A-Za-z0-9._-]", "_", nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    boots = getattr(item, "_boots", None)
    if report.failed and boots:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        path = LOG_DIR / (log_name(item.nodeid) + ".log")
        path.write_text("\n".join("### boot %d of %d\n%s" % (n, len(boots),
                                                              b.log_text())
                                  for n, b in enumerate(boots, 1)))
        report.sections.append(("console logs", "saved to %s" % path))


def pytest_terminal_summary(terminalreporter, config):
    """One line per host limit that skipped tests, unless -rs listed them."""
    if any(c in (config.option.reportchars or "") for c in "saA"):
        return
    reasons = [r.longrepr[2] for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple)]
    for why in unit_build.CANNOT_RUN.values():
        n = sum(why in r for r in reasons)
        if n:
            terminalreporter.write_line("%d skipped: %s" % (n, why))
