"""The VGA console's layout rules, built and run on the host.

tests/unit/test_screen.c includes hypervisor/console/screen.c with a fake
25-row screen in place of arch/x86/vga.c, and checks its corners: a word
longer than a row, a halt line that wraps, a guest line that forges a
prefix, 600 lines through the 256-row history, 128 domains on the status
line. tests/test_screen_keyboard.py checks the same rules on QEMU's screen.
"""
import unit_build

PROGRAMS = {"screen": (["tests/unit/test_screen.c"], [])}
unit = unit_build.fixture(PROGRAMS)


def test_screen_breaks_long_lines_between_words_and_indents_the_rest(unit):
    unit("screen", "wrap")


def test_screen_breaks_a_word_longer_than_a_row_where_the_row_ends(unit):
    unit("screen", "long_word")


def test_screen_colours_each_source_and_a_halt_white_on_red_and_a_guest_cannot_forge_one(unit):
    unit("screen", "colours")


def test_screen_pages_back_no_further_than_the_history_and_keeps_the_view_on_new_output(unit):
    unit("screen", "scrollback")


def test_screen_status_line_names_the_input_and_domains_and_stops_at_80_columns(unit):
    unit("screen", "status")


def test_every_screen_group_is_run():
    unit_build.every_group_is_run(PROGRAMS, "screen", __file__)
