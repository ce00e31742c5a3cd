"""tests/live.py: a boot that a test acts on while it runs, through QEMU's monitor.

harness.boot() runs a machine to its end and then reads the console. A test of
the keyboard or the screen has to act in the middle: wait until a guest is
ready, press keys, read the screen, and only then let the machine finish.
LiveBoot starts tools/run with --qmp SOCKET, follows its console line by line,
and speaks QMP (QEMU's JSON monitor) on that socket: `send-key` presses keys
on the emulated PS/2 keyboard, `xp` reads the VGA text buffer at 0xB8000, `i`
and `o` reach the CRT controller's ports, `screendump` saves the screen as a
PPM picture. finish() returns a harness.Boot, so the usual assertions and the
failure logs work as for any other boot. Each wait is a hang guard scaled by
RINGONE_TIMEOUT_SCALE, never a measure of speed.
"""

import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

import pytest

from harness import RUN, ROOT, Boot, current_boots, scaled

COLS, ROWS = 80, 25

# QEMU key names (qcodes) for the characters a test types; letters and
# digits are their own names, and "shift-" gives the upper row.
KEYS = {" ": "spc", "\n": "ret", "-": "minus", "=": "equal", ".": "dot",
        ",": "comma", "/": "slash", ";": "semicolon", "'": "apostrophe"}
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7",
           "*": "8", "(": "9", ")": "0", "_": "minus", "+": "equal", ":": "semicolon",
           "?": "slash", "<": "comma", ">": "dot", '"': "apostrophe"}


def key_for(ch):
    """The send-key name that types ch on a US keyboard."""
    if ch.isupper():
        return "shift-" + ch.lower()
    if ch in SHIFTED:
        return "shift-" + SHIFTED[ch]
    return KEYS.get(ch, ch)


class Screen:
    """The VGA text buffer: 25 rows of 80 (character, attribute) cells."""

    def __init__(self, cells):
        self.cells = cells

    def text(self, row):
        return "".join(chr(c & 0xff) if 32 <= c & 0xff < 127 else " "
                       for c in self.cells[row * COLS:(row + 1) * COLS])

    def attr(self, row, col=0):
        return self.cells[row * COLS + col] >> 8

    def find(self, regex):
        """The first row whose text matches regex, or None."""
        for row in range(ROWS):
            if re.search(regex, self.text(row)):
                return row
        return None

    def __str__(self):
        return "\n".join("%02x |%s|" % (self.attr(r), self.text(r)) for r in range(ROWS))


class LiveBoot:
    def __init__(self, *guests, timeout=60, extra=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="live-")
        self.sock_path = os.path.join(self.tmp.name, "qmp.sock")
        self.guard = scaled(timeout)
        self.argv = [sys.executable, str(RUN), "--timeout", "%g" % self.guard,
                     "--qmp", self.sock_path] + list(extra) + ["--"] + list(guests)
        self.began = time.monotonic()
        self.proc = subprocess.Popen(self.argv, cwd=str(ROOT), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out, self.err = [], []
        self.seen = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(f, into), daemon=True)
                        for f, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()
        self.qmp = None

    def _read(self, f, into):
        for raw in f:
            with self.seen:
                into.append(raw.decode("utf-8", "replace"))
                self.seen.notify_all()
        with self.seen:
            self.seen.notify_all()

    def wait_for(self, regex, after=0):
        """The first console line from index `after` on that matches regex:
        (its index, the match). Fails the test if the run ends or hangs first."""
        pattern = re.compile(regex)
        deadline = time.monotonic() + self.guard
        with self.seen:
            while True:
                for i in range(after, len(self.out)):
                    m = pattern.search(self.out[i])
                    if m:
                        return i, m
                after = len(self.out)
                ended = self.proc.poll() is not None and not any(t.is_alive() for t in self.readers[:1])
                if ended or time.monotonic() > deadline:
                    break
                self.seen.wait(1)
        if not ended:
            self.proc.terminate()                   # tools/run stops QEMU on SIGTERM
        self.finish()._fail("waited for /%s/ on the console; the run %s"
                            % (regex, "ended" if ended else "hung"), None)

    # -- QMP --

    def command(self, name, **arguments):
        """Run one QMP command; its "return" value."""
        if self.qmp is None:
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.sock_path)      # QEMU made it before the first console line
            self.qmp = s.makefile("rw")
            json.loads(self.qmp.readline())                     # the greeting
            self.qmp_capabilities = self.command("qmp_capabilities")
        self.qmp.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        self.qmp.flush()
        while True:
            reply = json.loads(self.qmp.readline())
            if "error" in reply:
                pytest.fail("QMP %s: %s" % (name, reply["error"]), pytrace=False)
            if "return" in reply:                               # not an event
                return reply["return"]

    def hmp(self, line):
        """A human monitor command (as typed at `(qemu)`); its output text."""
        return self.command("human-monitor-command", **{"command-line": line})

    def keys(self, *names):
        """Press and release each key, e.g. "ctrl-a", "shift-pgup", "ret"."""
        for name in names:
            self.hmp("sendkey " + name)

    def type(self, text):
        self.keys(*(key_for(ch) for ch in text))

    def screen(self):
        """The VGA text buffer, read from guest-physical 0xB8000."""
        cells = []
        for line in self.hmp("xp /%dhx 0xb8000" % (COLS * ROWS)).splitlines():
            cells += [int(x, 16) for x in line.split(":", 1)[1].split()]
        assert len(cells) == COLS * ROWS, "xp gave %d cells" % len(cells)
        return Screen(cells)

    def until(self, probe, what):
        """Call probe() (which reads through QMP) until it returns something
        true, and return that. Output reaches the screen a moment after the
        serial line, and a key arrives a moment after send-key returns; the
        guard is for a hang, never a measure of speed."""
        deadline = time.monotonic() + self.guard
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail("waited for %s; the screen:\n%s" % (what, self.screen()),
                            pytrace=False)
            time.sleep(0.2)

    def screen_when(self, check, what):
        """The screen, once check(screen) holds."""
        return self.until(lambda: (lambda s: check(s) and s)(self.screen()), what)

    def crtc(self, reg):
        """A CRT controller register, through its index and data ports
        0x3D4/0x3D5. Selecting it moves the CRTC's index register, so read
        it only while the screen is quiet."""
        self.hmp("o /b 0x3d4 0x%02x" % reg)
        return int(self.hmp("i /b 0x3d5").split("=")[1], 16)

    def cursor(self):
        """The hardware cursor, (column, row), from registers 0x0E/0x0F."""
        pos = self.crtc(0x0e) << 8 | self.crtc(0x0f)
        return pos % COLS, pos // COLS

    def cursor_shape(self):
        """(first, last) scan line of the cursor, registers 0x0A/0x0B; bit 5
        of the first hides it."""
        return self.crtc(0x0a), self.crtc(0x0b)

    def screenshot(self, png):
        """Save the screen as a PNG file (QEMU writes PPM; we convert it)."""
        ppm = os.path.join(self.tmp.name, "screen.ppm")
        self.command("screendump", filename=ppm)
        with open(ppm, "rb") as f:
            width, height, pixels = read_ppm(f.read())
        png.parent.mkdir(parents=True, exist_ok=True)
        png.write_bytes(png_bytes(width, height, pixels))
        return width, height, pixels

    def finish(self):
        """Wait for the run to end (tools/run's own timeout bounds it); the Boot."""
        try:
            status = self.proc.wait(self.guard + scaled(60))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            status = 4
        for t in self.readers:
            t.join()
        if self.qmp:
            self.qmp.close()
        self.tmp.cleanup()
        b = Boot(self.argv, status, "".join(self.out), "".join(self.err),
                 time.monotonic() - self.began)
        current_boots.append(b)
        return b


def read_ppm(data):
    """A binary PPM (P6, maxval 255): (width, height, RGB bytes)."""
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert m, "not a P6 PPM with maxval 255: %r" % data[:20]
    w, h = int(m.group(1)), int(m.group(2))
    pixels = data[m.end():m.end() + 3 * w * h]
    assert len(pixels) == 3 * w * h, "short PPM"
    return w, h, pixels


def png_bytes(width, height, rgb):
    """A PNG (8-bit RGB, no filtering) from raw RGB rows: standard library only."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff))
    stride = 3 * width
    raw = b"".join(b"\0" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
