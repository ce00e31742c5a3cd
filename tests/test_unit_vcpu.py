"""The virtual CPU's pure C rules, built and run on the host.

tests/unit/test_debugreg.c links hypervisor/vcpu/debugreg_check.c, the module
that decides which debug-register values a guest may set. It is built and
run by tests/unit_build.py, as every host unit program is (natively and
with -m32, with the sanitizers where the host has them); each test below
runs one named group of checks and shows its FAIL lines.
"""
import unit_build

PROGRAMS = {
    "debugreg": (["tests/unit/test_debugreg.c", "hypervisor/vcpu/debugreg_check.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


# --- hypervisor/vcpu/debugreg_check.c: set_debugreg and mov to DRn ---------------

def test_debugreg_knows_dr0_to_dr7_with_dr4_dr5_as_dr6_dr7_and_nothing_else(unit):
    unit("debugreg", "register_numbers")


def test_debugreg_dr4_and_dr5_do_not_exist_while_the_guests_cr4_de_is_set(unit):
    unit("debugreg", "dr4_dr5_vanish_under_de")


def test_debugreg_io_breakpoints_need_cr4_de_never_reach_the_cpu_and_match_by_port(unit):
    unit("debugreg", "io_breakpoints_need_de")


def test_debugreg_accepts_only_addresses_whose_4_bytes_lie_below_the_hole(unit):
    unit("debugreg", "addresses")


def test_debugreg_dr6_gets_its_fixed_bits_and_is_never_refused(unit):
    unit("debugreg", "dr6_reserved_bits")


def test_debugreg_dr7_reserved_bits_are_forced_as_xen_does(unit):
    unit("debugreg", "dr7_reserved_bits")


def test_debugreg_dr7_refuses_general_detect_io_without_de_and_8_byte_breakpoints(unit):
    unit("debugreg", "dr7_refused_bits")


def test_debugreg_dr7_never_enables_a_breakpoint_on_a_hypervisor_address(unit):
    unit("debugreg", "dr7_checks_enabled_addresses")


def test_debugreg_no_sequence_of_writes_arms_a_breakpoint_on_the_hypervisor(unit):
    unit("debugreg", "random_writes")


def test_every_group_of_debugreg_checks_is_run_by_a_rule_above():
    unit_build.every_group_is_run(PROGRAMS, "debugreg", __file__)
