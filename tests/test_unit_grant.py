"""The grant entry's flags, built and run on the host.

tests/unit/test_grant_flags.c links hypervisor/share/grant_flags.c, the
rules of Xen's _set_status_v1 and of its unmap's clear_flags: what a pin
checks in the grantor's entry (GTF_permit_access, the domid, GTF_readonly
for a writable pin, GTF_sub_page for a map), what it sets (GTF_reading,
GTF_writing) and what the last unpin clears.  Built and run by
tests/unit_build.py; each test below runs one named group of checks.
"""
import pytest

import unit_build

PROGRAMS = {
    "grant_flags": (["tests/unit/test_grant_flags.c", "hypervisor/share/grant_flags.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


def test_grant_a_first_pin_needs_permit_access_and_our_domid(unit):
    unit("grant_flags", "a_first_pin_needs_permit_access_for_us")


def test_grant_a_writable_pin_sets_writing_and_is_refused_on_a_readonly_grant(unit):
    unit("grant_flags", "a_writable_pin_sets_writing_and_refuses_a_readonly_grant")


def test_grant_a_map_refuses_the_sub_page_bit_that_a_copy_ignores(unit):
    unit("grant_flags", "a_map_refuses_the_sub_page_bit_a_copy_ignores")


def test_grant_the_last_pin_clears_reading_and_the_last_writable_one_writing(unit):
    unit("grant_flags", "the_last_pin_clears_reading_the_last_writable_writing")


def test_grant_a_pin_only_ever_adds_reading_and_writing(unit):
    unit("grant_flags", "random_headers_never_gain_bits_other_than_reading_and_writing")


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_every_group_of_grant_checks_is_run_by_a_rule_above(program):
    unit_build.every_group_is_run(PROGRAMS, program, __file__)
