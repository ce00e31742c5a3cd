"""hypervisor/vcpu/desc_check.c, Xen's check_descriptor(), rule by rule on the host.

tests/unit/test_desc_check.c links desc_check.c alone (-DHOST_TEST) and runs
named groups of checks, each a table of descriptors with the verdict and
the fixed-up value Xen's x86_32 check_descriptor() gives, plus a property
check over a million random descriptors.  It is built and run by
tests/unit_build.py, as every host unit program is: natively and with -m32,
under AddressSanitizer and UBSan where the host has them.  Each test below
runs one group; a failure shows the FAIL lines.
"""
import re

import pytest

import unit_build

PROGRAMS = {
    "desc_check": (["tests/unit/test_desc_check.c", "hypervisor/vcpu/desc_check.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


@pytest.fixture
def check(unit):
    """check(group): run one group of C checks; fail with its FAIL lines."""
    return lambda group: unit("desc_check", group)


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
    unit_build.every_group_is_run(PROGRAMS, "desc_check", __file__, call=r'check\("(\w+)"\)')
