"""The PC's own console: a PS/2 keyboard for input, the VGA text screen for output.

A real PC often has no serial port. Keys typed on its keyboard
(arch/x86/kbd.c) feed the same routing as the serial line
(hypervisor/console/console_input.c): to the console owner, with Ctrl-A three
times moving input on. The screen (hypervisor/console/screen.c) colours each
line by its source, breaks long lines between words, keeps rows for
Shift+PgUp/PgDn, shows a status line and keeps the hardware cursor where the
next character goes.

These tests press keys with QEMU's `sendkey` and read the screen with `xp` on
the text buffer at 0xB8000 and the CRT controller's ports, through the QMP
socket of tools/run --qmp (tests/live.py). The screenshot is kept as
build/artifacts/vga-screen.png for a person to look at; the assertions never
need it to be read.
"""

import pytest

from harness import ROOT, guest
from live import LiveBoot, ROWS

READY = r"^\(d0\) ready: "
STATUS_ROW = ROWS - 1
PLAIN, HV, HALT, STATUS = 0x07, 0x0b, 0x4f, 0x70
ARTIFACTS = ROOT / "build" / "artifacts"


@pytest.fixture
def live(built):
    """live(*guests, timeout=, extra=): a LiveBoot, stopped at the end of the test."""
    started = []

    def start(*guests, **kw):
        started.append(LiveBoot(*guests, **kw))
        return started[-1]
    yield start
    for lb in started:
        if lb.proc.poll() is None:
            lb.proc.terminate()             # tools/run stops QEMU on SIGTERM
            lb.finish()


@pytest.mark.parametrize("how", ["kernel", "iso"])
def test_keys_typed_on_the_keyboard_reach_d0_with_shift_caps_lock_ctrl_and_arrows(live, how):
    # From the GRUB ISO too, as on a PC: GRUB has used the keyboard before us.
    m = live(guest("echo"), extra=("--iso",) if how == "iso" else ())
    m.wait_for(r"^\(hv\) keyboard: PS/2 \(i8042\), US layout$")
    m.wait_for(READY)
    m.screen_when(lambda s: s.text(STATUS_ROW).startswith(" input d0 | d0 d0 up |")
                  and s.find(r"^\(d0\) ready: ") is not None, "the screen in text mode")
    m.type("Hello, World! ")
    m.keys("caps_lock", "a", "b", "shift-c", "caps_lock", "d")      # Caps Lock, undone by Shift
    m.keys("spc", "x", "ctrl-a", "y", "up", "ret")                  # a lone Ctrl-A is input
    m.type("quit\n")
    b = m.finish()
    b.expect_in_order([r"^\(d0\) echo: Hello, World! ABcd x\?y\?\[A$",   # ESC [ A: the up arrow
                       r"^\(d0\) echo: quit$", r"^\(d0\) Test result: SUCCESS$"])
    b.expect_status(0)


def test_ctrl_a_three_times_on_the_keyboard_moves_input_to_d1_the_debug_keys_and_d0(live):
    m = live(guest("echo"), guest("echo"))
    m.wait_for(READY)
    m.wait_for(r"^\(d1\) ready: ")
    m.keys("ctrl-a", "ctrl-a", "ctrl-a")
    at, _ = m.wait_for(r"^\(hv\) console input: d1$")
    m.screen_when(lambda s: " input d1 |" in s.text(STATUS_ROW), "the status line to say d1")
    m.type("two\nquit\n")
    m.wait_for(r"^\(d1\) Test result: SUCCESS$", at)
    m.keys("ctrl-a", "ctrl-a", "ctrl-a")
    at, _ = m.wait_for(r"^\(hv\) console input: hypervisor ", at)
    m.screen_when(lambda s: " input hv keys |" in s.text(STATUS_ROW), "the status line to say hv")
    m.type("h")
    m.wait_for(r"^\(hv\)   h  this list$", at)
    m.keys("ctrl-a", "ctrl-a", "ctrl-a")
    m.wait_for(r"^\(hv\) console input: d0$", at)
    m.type("one\nquit\n")
    b = m.finish()
    b.expect_in_order([r"^\(d1\) echo: two$", r"^\(d1\) echo: quit$"])
    b.expect_in_order([r"^\(d0\) echo: one$", r"^\(d0\) echo: quit$", r"^\(d0\) Test result: SUCCESS$"])
    b.forbid(r"^\(d0\) echo: two$")
    b.expect_status(0)


def test_the_shell_demo_is_usable_from_the_keyboard_with_backspace_and_ctrl_c(live):
    m = live(guest("shell", "name=alice -- user=alice spin=0"))
    m.wait_for(r"^\(d0\) alice: shell ready; type help$")
    m.type("uptimx")
    m.keys("backspace")
    m.type("e\nxyz")
    m.keys("ctrl-c")                    # the shell drops the line typed so far
    m.type("ps\ncli\n")
    b = m.finish()
    b.expect_in_order([r"^\(d0\) alice> uptime$", r"^\(d0\) up 0:0\d:\d\d\.\d{3} ",
                       r"^\(d0\) alice> ps$", r"^\(d0\)   PID  STATE ",
                       r"^\(d0\) alice> cli$", r"^\(hv\) d0 halted: privileged instruction 'cli'"])
    b.expect_status(2)


LONG = " ".join("word%02d" % i for i in range(17))      # 118: the echo guest's lines hold 120


def test_screen_colours_lines_by_source_wraps_between_words_and_shows_status_and_cursor(live):
    m = live(guest("echo"), guest("priv-hlt"),
             extra=("--input", LONG + r"\n", "--input-after", READY))
    m.wait_for(r"^\(hv\) d1 halted: ")
    m.wait_for(r"^\(d0\) echo: word00 ")
    s = m.screen_when(lambda s: s.find(r"word16") is not None, "the long line on screen")
    m.screenshot(ARTIFACTS / "vga-screen.png")
    print(s)                                            # shown when the test fails
    colour = {"(hv) ": HV, "(d0) ": None, "(d1) ": None}
    for prefix in colour:
        rows = [r for r in range(STATUS_ROW) if s.text(r).startswith(prefix)
                and " halted: " not in s.text(r)]
        assert rows, "no %r line on the screen" % prefix
        colour[prefix] = s.attr(rows[0])
        assert all(s.attr(r) == colour[prefix] for r in rows), prefix
    assert colour["(hv) "] == HV
    assert len(set(colour.values())) == 3, "one colour per source: %s" % colour
    halt = s.find(r"^\(hv\) d1 halted: privileged instruction 'hlt'")
    assert halt is not None
    assert all(s.attr(halt, x) == HALT for x in range(80)), "the halt line is white on red"

    # The long line: broken only between words, continuation rows indented.
    first = s.find(r"^\(d0\) echo: word00 ")
    rows = [s.text(first)]
    while s.text(first + len(rows)).startswith(" " * 7 + "word"):    # indented past "(d0) "
        rows.append(s.text(first + len(rows)))
    assert len(rows) == 2, rows
    words = " ".join((r.split(None, 2)[2] if i == 0 else r).strip() for i, r in enumerate(rows))
    assert words == LONG, rows                          # every word whole, in order

    status = s.text(STATUS_ROW)
    assert s.attr(STATUS_ROW) == STATUS
    assert status.startswith(" input d0 | d0 d0 up | d1 d1 halted |"), status

    text_rows = [r for r in range(STATUS_ROW) if s.text(r).strip()]
    m.until(lambda: m.cursor() == (0, text_rows[-1] + 1), "the cursor to start the next line")
    assert m.cursor_shape() == (14, 15), "an underline cursor, shown"
    m.type("quit\n")
    b = m.finish()
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect_status(2)                                  # d1 halted


def test_screenshot_is_a_png_that_shows_the_halt_line_in_red(live):
    m = live(guest("echo"), guest("priv-hlt"))
    m.wait_for(r"^\(hv\) d1 halted: ")
    m.wait_for(READY)
    png = ARTIFACTS / "vga-halt.png"

    def still():
        """The halt line's row and a screenshot taken while the screen held
        still: a late line (d1's memory given back in the reaper's turns)
        may scroll it between reading the text and the dump."""
        before = m.screen()
        if before.find(r"^\(d0\) ready: ") is None:
            return None
        shot = m.screenshot(png)
        halt = before.find(r"^\(hv\) d1 halted: ")
        return (halt, shot) if m.screen().find(r"^\(hv\) d1 halted: ") == halt else None
    halt, (width, height, pixels) = m.until(still, "d0's line on a screen that holds still")
    assert (width, height) == (720, 400), "80x25 cells of 9x16 pixels"
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    row = pixels[3 * width * 16 * halt:3 * width * 16 * (halt + 1)]
    red = sum(row[i] >= 0x80 and row[i + 1] == row[i + 2] == 0 for i in range(0, len(row), 3))
    assert red > 720 * 16 // 2, "most of the halt row is red background: %d pixels" % red
    m.type("quit\n")
    m.finish().expect_status(2)


def test_shift_pgup_pages_back_through_earlier_rows_and_shift_pgdn_returns(live):
    lines = "".join(r"line%02d\n" % i for i in range(40))
    m = live(guest("echo"), extra=("--input", lines, "--input-after", READY))
    m.wait_for(r"^\(d0\) echo: line39$")
    now = m.screen_when(lambda s: s.find(r"line39") is not None, "the last line on screen")
    m.until(lambda: m.cursor() == (0, STATUS_ROW - 1), "the cursor on the last text row")
    m.keys("shift-pgup")
    back = m.screen_when(lambda s: s.text(STATUS_ROW).startswith(" back "), "Shift+PgUp")
    assert back.text(STATUS_ROW).startswith(" back 23 rows (Shift+PgDn) | input d0 |")
    assert m.cursor_shape()[0] & 0x20, "the cursor is hidden while looking back"
    assert back.text(STATUS_ROW - 1) == now.text(0), "one row of the old page stays"
    assert back.text(0) not in [now.text(r) for r in range(STATUS_ROW)]
    m.type("new\n")                     # output while scrolled back: the view stays put
    m.wait_for(r"^\(d0\) echo: new$")
    kept = m.screen_when(lambda s: " back 23 " not in s.text(STATUS_ROW), "the new row")
    assert [kept.text(r) for r in range(STATUS_ROW)] == [back.text(r) for r in range(STATUS_ROW)]
    assert kept.text(STATUS_ROW).startswith(" back 24 rows ")
    m.keys("shift-pgdn", "shift-pgdn")
    end = m.screen_when(lambda s: s.text(STATUS_ROW).startswith(" input d0 |"), "Shift+PgDn x2")
    assert end.text(STATUS_ROW - 2).startswith("(d0) echo: new ")
    assert m.cursor_shape() == (14, 15), "an underline cursor again"
    assert m.cursor() == (0, STATUS_ROW - 1)
    m.type("quit\n")
    m.finish().expect_status(0)
