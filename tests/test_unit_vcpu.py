"""The virtual CPU's pure C rules, built and run on the host.

tests/unit/test_debugreg.c links hypervisor/debugreg_check.c, the module
that decides which debug-register values a guest may set. It is built and
run exactly as tests/test_unit_core.py builds its programs (the same flags,
natively and with -m32, with the sanitizers where the host has them); each
test below runs one named group of checks and shows its FAIL lines.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

import test_unit_core as core

PROGRAMS = {
    "debugreg": ["tests/unit/test_debugreg.c", "hypervisor/debugreg_check.c"],
}
_built = {}


def build(program, abi):
    """build/unit/test_<program>-<abi>, compiled once per session."""
    if (program, abi) not in _built:
        out = core.UNIT / ("test_%s-%s" % (program, abi))
        if abi != "host":
            probe = core._gcc([*core.ABIS[abi], "-x", "c", "/dev/null", "-c"],
                              core.UNIT / ("unit_vcpu_probe-%s.o" % abi))
            if probe.returncode != 0:
                pytest.skip("gcc cannot build %s programs here" % abi)
        flags = [*core.CFLAGS, *core.ABIS[abi], *core._sanitizer_flags(abi)]
        p = core._gcc([*flags, *PROGRAMS[program]], out)
        if p.returncode != 0:
            pytest.fail("building %s for %s failed:\n%s" % (program, abi, p.stdout),
                        pytrace=False)
        _built[(program, abi)] = out
    return _built[(program, abi)]


@pytest.fixture(params=sorted(core.ABIS))
def unit(request):
    """unit(program, group): run one group of checks; fail with its FAIL lines."""
    abi = request.param

    def run(program, group):
        exe = build(program, abi)
        env = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1")
        p = subprocess.run([str(exe), group], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           timeout=300, env=env, cwd=str(core.ROOT))
        summary = re.search(r"^(\d+) passed, (\d+) failed$", p.stdout, re.M)
        if p.returncode == 0 and summary and summary.group(2) == "0" \
                and int(summary.group(1)) > 0:
            return
        pytest.fail("build/unit/%s %s: exit status %d, %s\n%s"
                    % (exe.name, group, p.returncode,
                       summary.group(0) if summary else "no summary line",
                       p.stdout[-8000:]), pytrace=False)
    return run


# --- hypervisor/debugreg_check.c: set_debugreg and mov to DRn ---------------

def test_debugreg_knows_dr0_to_dr7_with_dr4_dr5_as_dr6_dr7_and_nothing_else(unit):
    unit("debugreg", "register_numbers")


def test_debugreg_accepts_only_addresses_whose_4_bytes_lie_below_the_hole(unit):
    unit("debugreg", "addresses")


def test_debugreg_dr6_gets_its_fixed_bits_and_is_never_refused(unit):
    unit("debugreg", "dr6_reserved_bits")


def test_debugreg_dr7_reserved_bits_are_forced_as_xen_does(unit):
    unit("debugreg", "dr7_reserved_bits")


def test_debugreg_dr7_refuses_general_detect_io_and_8_byte_breakpoints(unit):
    unit("debugreg", "dr7_refused_bits")


def test_debugreg_dr7_never_enables_a_breakpoint_on_a_hypervisor_address(unit):
    unit("debugreg", "dr7_checks_enabled_addresses")


def test_debugreg_no_sequence_of_writes_arms_a_breakpoint_on_the_hypervisor(unit):
    unit("debugreg", "random_writes")


def test_every_group_of_debugreg_checks_is_run_by_a_rule_above():
    listed = subprocess.run([str(build("debugreg", "host")), "--list"],
                            stdout=subprocess.PIPE, universal_newlines=True,
                            check=True).stdout.split()
    called = re.findall(r'unit\("debugreg", "(\w+)"\)', Path(__file__).read_text())
    assert sorted(listed) == sorted(called)
