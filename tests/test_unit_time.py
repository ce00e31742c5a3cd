"""The clock's pure C arithmetic, built and run on the host.

tests/unit/test_time.c links hypervisor/event/time_calc.c: Xen's TSC-to-ns
scale (the very formula guests apply to their vcpu_time_info), the TSC
calibration ratio, and the CMOS clock's registers to a date and to Unix
seconds. It is built and run by tests/unit_build.py, as every host unit
program is (natively and with -m32, with the sanitizers where the host has
them); each test below runs one named group of checks and shows its FAIL
lines.
"""
import unit_build

PROGRAMS = {
    "time": (["tests/unit/test_time.c", "hypervisor/event/time_calc.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


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
    unit_build.every_group_is_run(PROGRAMS, "time", __file__)
