"""hypervisor/desc_check.c, Xen's check_descriptor(), rule by rule on the host.

tests/unit/test_desc_check.c links desc_check.c alone (-DHOST_TEST) and runs
named groups of checks, each a table of descriptors with the verdict and
the fixed-up value Xen's x86_32 check_descriptor() gives, plus a property
check over a million random descriptors.  It is built the way
tests/test_unit_core.py builds its programs (whose helpers it reuses):
natively and with -m32, under AddressSanitizer and UBSan where the host
has them.  Each test below runs one group; a failure shows the FAIL lines.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

import test_unit_core as core

SOURCES = ["tests/unit/test_desc_check.c", "hypervisor/desc_check.c"]
_built = {}


def build(abi):
    """build/unit/test_desc_check-<abi>, compiled once per session."""
    if abi not in _built:
        out = core.UNIT / ("test_desc_check-%s" % abi)
        if abi != "host":
            probe = core._gcc([*core.ABIS[abi], "-x", "c", "/dev/null", "-c"],
                              core.UNIT / ("unit_desc_probe-%s.o" % abi))
            if probe.returncode != 0:
                pytest.skip("gcc cannot build %s programs here" % abi)
        flags = [*core.CFLAGS, *core.ABIS[abi], *core._sanitizer_flags(abi)]
        p = core._gcc([*flags, *SOURCES], out)
        if p.returncode != 0:
            pytest.fail("building test_desc_check for %s failed:\n%s" % (abi, p.stdout),
                        pytrace=False)
        _built[abi] = out
    return _built[abi]


@pytest.fixture(params=sorted(core.ABIS))
def check(request):
    """check(group): run one group of C checks; fail with its FAIL lines."""
    abi = request.param

    def run(group):
        exe = build(abi)
        env = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1")
        p = subprocess.run([str(exe), group], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           timeout=300, env=env, cwd=str(core.ROOT))
        summary = re.search(r"^(\d+) passed, (\d+) failed$", p.stdout, re.M)
        if p.returncode == 0 and summary and summary.group(2) == "0" \
                and int(summary.group(1)) > 0:
            return p.stdout
        pytest.fail("build/unit/%s %s: exit status %d, %s\n%s"
                    % (exe.name, group, p.returncode,
                       summary.group(0) if summary else "no summary line",
                       p.stdout[-8000:]), pytrace=False)
    return run


def test_a_not_present_descriptor_of_any_type_is_accepted_unchanged(check):
    check("not_present")


def test_dpl_0_code_and_data_are_raised_to_dpl_1_and_other_dpls_kept(check):
    check("dpl_fixup")


def test_of_the_system_types_only_the_32_bit_call_gate_is_accepted(check):
    check("system_types")


def test_a_call_gate_may_target_only_guest_gdt_ldt_or_flat_ring1_cs(check):
    check("call_gates")


def test_flat_4_gib_segments_are_truncated_to_end_at_0xf6800000(check):
    check("flat_segments")


def test_a_segment_may_end_exactly_at_the_top_but_not_one_byte_past(check):
    check("limits_at_the_top")


def test_expand_down_segments_are_truncated_to_wrap_below_their_base(check):
    check("expand_down")


def test_every_code_and_data_type_at_every_dpl_gets_xens_verdict(check):
    check("every_segment_type")


def test_no_accepted_random_descriptor_grants_ring_0_or_reaches_the_hypervisor(check):
    out = check("random_descriptors")
    assert re.search(r"\d+ present descriptors accepted", out), out


def test_every_group_of_desc_check_c_checks_is_run_by_a_rule_above():
    listed = subprocess.run([str(build("host")), "--list"], stdout=subprocess.PIPE,
                            universal_newlines=True, check=True).stdout.split()
    called = re.findall(r'check\("(\w+)"\)', Path(__file__).read_text())
    assert sorted(listed) == sorted(called), \
        "groups in tests/unit/test_desc_check.c and the rules here differ"
