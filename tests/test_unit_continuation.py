"""How a preempted hypercall's arguments say where to resume, on the host.

tests/unit/test_continuation.c links hypervisor/continuation.c, the pure
encodings of Xen's hypercall continuations: mmu_update and mmuext_op flag
a resumed call with MMU_UPDATE_PREEMPTED in the count (so *done is read
back and added to) and advance the list; memory_op carries the start
extent in cmd above MEMOP_EXTENT_SHIFT; a console_io write asks for the
rest of its bytes. The booted side is tests/test_latency.py.
"""
import unit_build

PROGRAMS = {
    "continuation": (["tests/unit/test_continuation.c", "hypervisor/continuation.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


def test_a_batch_count_with_the_top_bit_is_a_resumed_call_for_the_rest(unit):
    unit("continuation", "batch_count_flag")


def test_a_preempted_batch_resumes_at_the_first_request_not_run_with_the_count_flagged(unit):
    unit("continuation", "batch_advances_list_and_flags_count")


def test_memory_op_resumes_at_the_extent_carried_in_cmd_above_memop_extent_shift(unit):
    unit("continuation", "memop_start_extent")


def test_a_console_write_resumes_with_the_bytes_not_yet_written(unit):
    unit("continuation", "bytes_rest")


def test_a_list_of_requests_resumes_at_the_first_not_run_with_the_count_of_the_rest(unit):
    unit("continuation", "list_rest")


def test_every_group_of_continuation_checks_is_run_by_a_rule_above():
    unit_build.every_group_is_run(PROGRAMS, "continuation", __file__)
