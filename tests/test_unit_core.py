"""The hypervisor's pure C modules, rule by rule, built and run on the host.

tests/unit/test_{format,memmap,frame,cmdline}.c link one module each and
run named groups of checks, built and run by tests/unit_build.py (natively
and with -m32, under AddressSanitizer and UBSan where the host has them).
Each test below runs one group and, when it fails, shows its FAIL lines.
"""
import pytest

import unit_build

PROGRAMS = {
    # our formatter is renamed so that the host's printf family stays intact to compare with
    "format": (["tests/unit/test_format.c", "hypervisor/console/format.c"],
               ["-U_FORTIFY_SOURCE", "-Dvsnprintf=hv_vsnprintf", "-Dsnprintf=hv_snprintf"]),
    "memmap": (["tests/unit/test_memmap.c", "hypervisor/mm/memmap.c"], []),
    "frame": (["tests/unit/test_frame.c", "hypervisor/mm/frame.c"], []),
    "cmdline": (["tests/unit/test_cmdline.c", "hypervisor/cmdline.c"], []),
    "ratelimit": (["tests/unit/test_ratelimit.c", "hypervisor/console/ratelimit.c"], []),
    "guest_access": (["tests/unit/test_guest_access.c", "hypervisor/mm/guest_access.c"], []),
    "builder_opts": (["tests/unit/test_builder_opts.c", "hypervisor/domain/builder_opts.c",
                      "hypervisor/cmdline.c"], []),
}
unit = unit_build.fixture(PROGRAMS)


# --- hypervisor/console/format.c: our vsnprintf against the host's --------------------

def test_formatter_prints_integers_like_c(unit):
    unit("format", "integers")


def test_formatter_honours_l_ll_and_z_down_to_llong_min(unit):
    unit("format", "length_modifiers")


def test_formatter_converts_hh_and_h_arguments_to_char_and_short(unit):
    unit("format", "short_lengths")


def test_formatter_applies_minus_zero_plus_and_space_flags_like_c(unit):
    unit("format", "flags")


def test_formatter_alt_flag_prefixes_hex_with_0x_and_octal_with_0(unit):
    unit("format", "alt_flag")


def test_formatter_ignores_plus_and_space_on_unsigned_conversions(unit):
    unit("format", "sign_flags_on_unsigned")


def test_formatter_applies_width_precision_and_star_like_c(unit):
    unit("format", "width_precision")


def test_formatter_prints_strings_chars_and_null_like_c(unit):
    unit("format", "strings_and_chars")


def test_formatter_pads_chars_to_the_field_width(unit):
    unit("format", "char_width")


def test_formatter_prints_pointers_as_0x_hex(unit):
    unit("format", "pointers")


def test_formatter_formats_the_hypervisors_own_log_lines(unit):
    unit("format", "log_lines")


def test_formatter_survives_a_trailing_percent_and_unknown_conversions(unit):
    unit("format", "odd_formats")


def test_formatter_truncates_at_every_size_without_writing_past_it(unit):
    unit("format", "truncation")


def test_formatter_matches_host_printf_on_random_formats(unit):
    unit("format", "random_formats")


# --- hypervisor/mm/memmap.c: the multiboot memory map -------------------------

def test_memmap_keeps_the_usable_whole_pages_of_a_qemu_map(unit):
    unit("memmap", "qemu_map")


def test_memmap_result_does_not_depend_on_entry_order(unit):
    unit("memmap", "unsorted")


def test_memmap_merges_overlapping_and_touching_usable_ranges(unit):
    unit("memmap", "overlapping_usable")


def test_memmap_reserved_wins_over_usable_with_a_warning(unit):
    unit("memmap", "reserved_wins")


def test_memmap_reserved_wins_however_many_reserved_entries_there_are(unit):
    unit("memmap", "many_reserved")


def test_memmap_ignores_zero_length_entries(unit):
    unit("memmap", "zero_length")


def test_memmap_trims_unaligned_ranges_inward_to_whole_pages(unit):
    unit("memmap", "unaligned")


def test_memmap_ignores_ram_above_8_gib_with_a_warning(unit):
    unit("memmap", "above_limit")


def test_memmap_clips_a_wrapping_entry_with_a_warning(unit):
    unit("memmap", "wrap")


def test_memmap_ignores_a_truncated_final_entry_with_a_warning(unit):
    unit("memmap", "truncated")


def test_memmap_stops_at_an_entry_with_a_bad_size_field(unit):
    unit("memmap", "bad_size")


def test_memmap_keeps_at_most_64_usable_ranges_with_a_warning(unit):
    unit("memmap", "too_many_ranges")


def test_memmap_of_an_empty_map_has_no_ram(unit):
    unit("memmap", "empty")


def test_memmap_from_mem_lower_and_mem_upper_gives_two_ranges(unit):
    unit("memmap", "basic")


def test_memmap_find_overlap_does_not_count_touching_regions(unit):
    unit("memmap", "find_overlap")


def test_memmap_contains_only_ranges_wholly_inside_usable_ram(unit):
    unit("memmap", "contains")


def test_memmap_matches_a_page_by_page_reference_on_random_maps(unit):
    unit("memmap", "random_maps")


# --- hypervisor/mm/frame.c: the frame allocator -------------------------------

def test_frame_allocator_counts_added_and_reserved_frames_exactly(unit):
    unit("frame", "counts")


def test_frame_allocator_never_hands_out_reserved_frames(unit):
    unit("frame", "never_reserved")


def test_frame_alloc_prefers_high_frames_and_falls_back_to_low_ones(unit):
    unit("frame", "prefers_high")


def test_frame_alloc_low_only_returns_frames_below_the_low_limit(unit):
    unit("frame", "alloc_low")


def test_frame_allocator_returns_invalid_mfn_when_exhausted(unit):
    unit("frame", "exhaustion")


def test_frame_allocator_hands_a_freed_frame_out_again(unit):
    unit("frame", "free_realloc")


def test_frame_free_of_a_free_frame_stops_the_machine(unit):
    unit("frame", "double_free")


def test_frame_allocator_manages_frames_up_to_the_8_gib_limit(unit):
    unit("frame", "limits")


def test_frame_reserve_to_the_top_of_memory_reserves_every_frame_above_start(unit):
    unit("frame", "reserve_to_top")


def test_frame_alloc_low_range_returns_contiguous_free_low_frames(unit):
    unit("frame", "low_range")


def test_frame_allocator_agrees_with_a_reference_model_under_random_use(unit):
    unit("frame", "random_ops")


# --- hypervisor/cmdline.c: the hypervisor's options ---------------------------

def test_cmdline_parse_skips_the_image_path(unit):
    unit("cmdline", "parse_skips_image")


def test_cmdline_parse_sets_mem_test_panic_and_ignore_mmap(unit):
    unit("cmdline", "parse_options")


def test_cmdline_policy_sets_every_domains_default_policy(unit):
    unit("cmdline", "parse_policy")


def test_cmdline_umip_and_cpuid_faulting_take_on_or_off(unit):
    unit("cmdline", "parse_trapping")


def test_cmdline_argo_is_off_unless_argo_1_and_mac_permissive_is_separate(unit):
    unit("cmdline", "parse_argo")


def test_cmdline_trace_takes_a_count_capped_on_or_off(unit):
    unit("cmdline", "parse_trace")


def test_cmdline_maxcpus_takes_a_count_of_one_or_more_and_nosmp_is_a_flag(unit):
    unit("cmdline", "parse_smp")


def test_cmdline_parse_warns_about_unknown_options(unit):
    unit("cmdline", "parse_unknown")


def test_cmdline_parse_rejects_bad_values_with_a_warning(unit):
    unit("cmdline", "parse_bad_values")


def test_cmdline_parse_does_not_apply_an_option_it_reports_as_ignored(unit):
    unit("cmdline", "flag_with_value")


def test_cmdline_parse_reports_words_too_long_for_its_buffer(unit):
    unit("cmdline", "parse_long_words")


# --- hypervisor/domain/builder_opts.c: a module line, as Xen passes it -----------------

def test_module_words_reach_the_guest_as_xen_passes_them(unit):
    unit("builder_opts", "xen_words_reach_the_guest")


def test_dom_dot_words_are_the_domains_options(unit):
    unit("builder_opts", "dom_options_are_applied")


def test_before_an_explicit_double_dash_bare_words_are_options(unit):
    unit("builder_opts", "explicit_separator")


def test_a_misspelt_domain_option_is_refused_never_passed_on(unit):
    unit("builder_opts", "misspelt_options_are_refused")


def test_a_guest_line_too_long_for_start_info_is_refused(unit):
    unit("builder_opts", "long_lines")

# --- and nothing is left out --------------------------------------------------

# --- hypervisor/console/ratelimit.c: guest-caused log lines, Xen's printk_ratelimit -----

def test_a_fresh_bucket_lets_a_burst_of_10_through_and_counts_the_rest(unit):
    unit("ratelimit", "burst_then_refuse")


def test_one_line_comes_back_per_interval_and_reports_what_was_dropped(unit):
    unit("ratelimit", "one_line_per_interval")


def test_a_long_quiet_time_earns_one_burst_only(unit):
    unit("ratelimit", "credit_is_capped_at_the_burst")


def test_a_clock_going_back_earns_no_credit(unit):
    unit("ratelimit", "time_going_back_gives_nothing")


def test_the_dropped_count_saturates_rather_than_wrapping(unit):
    unit("ratelimit", "missed_count_saturates")


# --- hypervisor/mm/guest_access.c: the hole checks that lean on no segment limit -------

def test_a_guest_range_must_end_below_the_hole_without_wrapping(unit):
    unit("guest_access", "ranges_stop_below_the_hole")


def test_a_handler_or_callback_must_start_below_the_hole(unit):
    unit("guest_access", "handlers_lie_below_the_hole")


def test_a_kernel_stack_must_leave_room_for_a_frame_below_the_hole(unit):
    unit("guest_access", "stacks_leave_room_for_a_frame")


def test_a_refused_copy_never_reaches_memory(unit):
    unit("guest_access", "refused_copies_never_touch_memory")


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_every_group_of_c_checks_is_run_by_a_rule_above(program):
    unit_build.every_group_is_run(PROGRAMS, program, __file__)

