"""The load-time scan's pure C rules (hypervisor/domain/scan.c, hypervisor/domain/elf_symbols.c), on the host.

tests/unit/test_scan.c feeds the scan crafted byte buffers and ELF images,
built and run by tests/unit_build.py (natively and with -m32, under
AddressSanitizer and UBSan where the host has them), so a read one byte
outside a buffer fails the rule even when the answer looks right. Each test
below runs one named group of checks and shows its FAIL lines.
"""
import pytest

import unit_build

PROGRAMS = {
    "scan": (["tests/unit/test_scan.c", "hypervisor/domain/scan.c", "hypervisor/vcpu/decode.c",
              "hypervisor/vcpu/decode_format.c", "hypervisor/domain/elf_symbols.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


# --- what is reported: one classification, two worlds ---------------------------

def test_sgdt_sidt_sldt_smsw_str_are_reported_without_umip_and_cpuid_without_faulting(unit):
    unit("scan", "reported_kinds_by_world")


def test_instructions_that_always_trap_or_are_harmless_by_design_are_never_reported(unit):
    unit("scan", "other_sensitive_instructions_are_not_reported")


def test_a_cpuid_behind_xens_forced_emulation_prefix_is_not_reported(unit):
    unit("scan", "forced_emulation_cpuid_is_not_reported")


# --- how the code is found: descent, then the sweep -------------------------------

def test_descent_follows_calls_branches_and_jumps_past_bytes_a_sweep_misreads(unit):
    unit("scan", "descent_follows_calls_branches_and_jumps")


def test_descent_follows_a_jump_into_the_middle_of_what_a_sweep_reads_as_one_instruction(unit):
    unit("scan", "descent_follows_a_jump_into_an_instruction")


def test_the_sweep_skips_an_undecodable_byte_and_resynchronises_at_the_next(unit):
    unit("scan", "sweep_resynchronises_after_junk")


def test_functions_and_code_labels_seed_descent_but_data_labels_and_objects_do_not(unit):
    unit("scan", "symbols_seed_descent")


def test_only_the_lowest_addressed_findings_are_kept_and_all_are_counted(unit):
    unit("scan", "findings_keep_the_lowest_addresses")


# --- bad input: it never reads outside what it was given --------------------------

def test_code_running_off_the_end_of_its_segment_is_counted_undecodable(unit):
    unit("scan", "code_running_off_the_end_is_undecodable")


def test_random_bytes_and_random_seeds_never_read_outside_the_buffer(unit):
    unit("scan", "random_bytes_stay_inside_the_buffer")


def test_a_symbol_table_outside_the_image_is_refused_whole(unit):
    unit("scan", "hostile_symbol_tables_are_refused")


def test_work_memory_smaller_than_scan_work_size_is_refused(unit):
    unit("scan", "too_little_work_memory_is_refused")


# --- and nothing is left out --------------------------------------------------

@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_every_group_of_c_checks_is_run_by_a_rule_above(program):
    unit_build.every_group_is_run(PROGRAMS, program, __file__)
