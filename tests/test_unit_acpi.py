"""arch/x86/acpi.c, the firmware's CPU list (RSDP, RSDT, MADT), on crafted tables.

A malformed MADT cannot be made on QEMU, so tests/unit/test_acpi.c links
acpi.c alone (-DHOST_TEST) and gives it fake physical memory: the BIOS
area with an RSDP, and an RSDT and MADT high up, as SeaBIOS lays them out.
Each group below breaks one thing the firmware could get wrong, and the
parser must refuse the tables (the hypervisor then runs on the boot CPU
alone) rather than read past a table or loop. Built and run by
tests/unit_build.py natively and with -m32, under AddressSanitizer and UBSan
where the host has them, so a read one byte past a table fails.
"""
import unit_build

PROGRAMS = {"acpi": (["tests/unit/test_acpi.c", "arch/x86/acpi.c"], [])}
unit = unit_build.fixture(PROGRAMS)


def test_the_madt_of_a_four_cpu_machine_gives_its_four_apic_ids_in_order(unit):
    unit("acpi", "four_cpus_found")


def test_the_rsdp_is_looked_for_in_the_ebda_first_and_only_where_an_ebda_can_be(unit):
    unit("acpi", "rsdp_in_the_ebda_first")


def test_a_wrong_checksum_in_the_rsdp_rsdt_or_madt_refuses_the_tables(unit):
    unit("acpi", "bad_checksums")


def test_a_table_length_below_its_header_or_past_the_buffer_is_refused(unit):
    unit("acpi", "table_lengths_out_of_bounds")


def test_a_table_whose_signature_is_not_the_expected_one_is_not_used(unit):
    unit("acpi", "wrong_signatures")


def test_a_madt_entry_reaching_past_the_end_of_the_table_is_refused(unit):
    unit("acpi", "entries_past_the_end")


def test_zero_length_and_short_madt_entries_are_refused_not_looped_on(unit):
    unit("acpi", "zero_and_short_entries")


def test_disabled_cpus_are_skipped_duplicates_refused_and_only_eight_kept(unit):
    unit("acpi", "disabled_duplicate_and_too_many")


def test_random_madt_bodies_never_read_past_the_table(unit):
    unit("acpi", "random_madts")


def test_every_group_of_test_acpi_c_is_run_by_a_rule_above():
    unit_build.every_group_is_run(PROGRAMS, "acpi", __file__)
