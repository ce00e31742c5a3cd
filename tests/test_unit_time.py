"""The clock's pure C arithmetic, built and run on the host.

tests/unit/test_time.c links hypervisor/time_calc.c: Xen's TSC-to-ns
scale (the very formula guests apply to their vcpu_time_info), the TSC
calibration ratio, and the CMOS clock's registers to a date and to Unix
seconds. It is built and run exactly as tests/test_unit_core.py builds its
programs (the same flags, natively and with -m32, with the sanitizers where
the host has them); each test below runs one named group of checks and
shows its FAIL lines.
"""
import os
import re
import subprocess
from pathlib import Path

import pytest

import test_unit_core as core

PROGRAMS = {
    "time": ["tests/unit/test_time.c", "hypervisor/time_calc.c"],
}
_built = {}


def build(program, abi):
    """build/unit/test_<program>-<abi>, compiled once per session."""
    if (program, abi) not in _built:
        out = core.UNIT / ("test_%s-%s" % (program, abi))
        if abi != "host":
            probe = core._gcc([*core.ABIS[abi], "-x", "c", "/dev/null", "-c"],
                              core.UNIT / ("unit_time_probe-%s.o" % abi))
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


# --- the TSC scale: what guests are told and what the hypervisor uses -------

def test_time_scale_has_xens_normal_form_mul_at_least_2_pow_31(unit):
    unit("time", "scale_is_xens_normal_form")


def test_time_scale_of_1_2_and_4_ghz_is_exact(unit):
    unit("time", "scale_of_round_rates")


def test_time_a_second_of_ticks_scales_to_a_second_within_1_ns_per_second(unit):
    unit("time", "one_second_of_ticks_is_a_second")


def test_time_ticks_to_ns_is_exactly_the_guest_formula_without_division(unit):
    unit("time", "ticks_to_ns_is_the_guest_formula")


def test_time_system_time_never_runs_backwards(unit):
    unit("time", "ns_never_run_backwards")


def test_time_the_guest_view_is_within_2_ns_and_never_steps_back_on_refresh(unit):
    unit("time", "guest_view_matches_and_never_steps_back")


def test_time_calibration_turns_cycles_per_pit_count_into_hz(unit):
    unit("time", "calibration_ratio")


# --- the CMOS clock: registers to a date, a date to Unix seconds --------------

def test_time_bcd_bytes_decode_and_non_bcd_is_refused(unit):
    unit("time", "bcd_bytes")


def test_time_rtc_registers_decode_bcd_binary_12_and_24_hours_and_refuse_bad_dates(unit):
    unit("time", "rtc_registers_decode")


def test_time_dates_become_unix_seconds(unit):
    unit("time", "unix_seconds")


def test_time_every_day_the_rtc_can_name_is_86400_s_after_the_one_before(unit):
    unit("time", "every_rtc_day_is_one_day_later")


def test_every_group_of_time_checks_is_run_by_a_rule_above():
    listed = subprocess.run([str(build("time", "host")), "--list"],
                            stdout=subprocess.PIPE, universal_newlines=True,
                            check=True).stdout.split()
    called = re.findall(r'unit\("time", "(\w+)"\)', Path(__file__).read_text())
    assert sorted(listed) == sorted(called)
