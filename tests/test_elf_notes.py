"""How the image parser walks ELF notes: exactly as Xen's libelf does.

libelf (elf_xen_parse_notes, elf_note_next, elf_strval) walks a note area
like this: a note starts anywhere before the area's end; it is Xen's when the
NUL-terminated string after its 12-byte header is "Xen", whatever namesz
says; its descriptor follows the name rounded up to 4 (namesz), the next note
follows the descriptor rounded up to 4 (descsz); a string value is read up to
its NUL and a number is 1, 2, 4 or 8 bytes, both from the file, not from the
area.  So namesz and descsz are steps, and may claim more than the area
holds: GRUB's Xen image (grub-mkimage -O i386-xen) ends its notes with a
PAE_MODE whose descsz says 12 ("yes,bimodal") but which carries "yes\\0" and
then the end of the file.  Where libelf reads past a problem (it marks the
image "broken", or reads a number as 0) the parser refuses, with a reason.

Each test appends a hand-made note area to a mkimage image, at the very end
of the file as GRUB's is, and points the PT_NOTE program header at it.
"""
import struct
import subprocess
from pathlib import Path

import pytest

from test_elf_parser import (EINVAL, ENOEXEC, PHDR0, ROOT, UNIT, _compile,
                             make, parse, refused)

GRUB_XEN = ROOT / "build" / "grub-i386-xen.elf"
GRUB_XEN_DIR = Path("/usr/lib/grub/i386-xen")
ENTRY, HYPERCALL_PAGE, VIRT_BASE, PADDR_OFFSET = 1, 2, 3, 4
XEN_VERSION, GUEST_OS, LOADER, PAE_MODE, FEATURES = 5, 6, 8, 9, 10


@pytest.fixture(scope="module")
def driver():
    return _compile(UNIT / "elf_host_notes")        # its own: xdist runs files at once


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def note(ntype, desc, name=b"Xen\0", namesz=None, descsz=None):
    """One note with every header field under the test's control."""
    namesz = len(name) if namesz is None else namesz
    descsz = len(desc) if descsz is None else descsz
    return struct.pack("<III", namesz, descsz, ntype) + pad4(name) + pad4(desc)


def num(v):
    return struct.pack("<I", v)


def good_notes(guest_os=b"hand-made\0"):
    """mkimage's layout's notes, PAE_MODE left for each test to add last."""
    return (note(GUEST_OS, guest_os) + note(LOADER, b"generic\0") +
            note(XEN_VERSION, b"xen-3.0\0") + note(VIRT_BASE, num(0xC0000000)) +
            note(PADDR_OFFSET, num(0)) + note(ENTRY, num(0xC0100000)) +
            note(HYPERCALL_PAGE, num(0xC0101000)) +
            note(FEATURES, b"!writable_page_tables|pae_pgdir_above_4gb\0"))


def at_end(tmp_path, area, area_len=None, name="notes.elf"):
    """A mkimage image with `area` appended as its last bytes and the
    PT_NOTE program header (the third) pointing at it, `area_len` long."""
    data = bytearray(make(tmp_path, name="base-" + name).read_bytes())
    struct.pack_into("<I", data, PHDR0 + 64 + 4, len(data))            # p_offset
    struct.pack_into("<I", data, PHDR0 + 64 + 16,
                     len(area) if area_len is None else area_len)      # p_filesz
    path = tmp_path / name
    path.write_bytes(bytes(data) + area)
    return path, len(data)


# ---- what libelf accepts, we accept ------------------------------------------

def test_a_string_descriptor_may_claim_more_than_its_area_and_the_file(driver, tmp_path):
    """GRUB's last note: descsz 12, "yes\\0", end of area, end of file."""
    path, _ = at_end(tmp_path, good_notes() + note(PAE_MODE, b"yes\0", descsz=12))
    r = parse(driver, path)
    assert r.status == 0, r.out
    assert r["pae_mode"] == '"yes"' and r["pae_yes"] == "1"
    assert r["guest_os"] == '"hand-made"' and r["entry"] == "0xc0100000"


def test_a_string_is_read_to_its_nul_whatever_descsz_says(driver, tmp_path):
    """descsz 1 steps to the next note as usual, but the value is "yes"."""
    path, _ = at_end(tmp_path, good_notes() + note(PAE_MODE, b"yes\0", descsz=1))
    r = parse(driver, path)
    assert r.status == 0 and r["pae_mode"] == '"yes"', r.out


@pytest.mark.parametrize("name,namesz", [(b"Xen\0\0\0\0\0", 8), (b"Xen", 3)])
def test_the_owner_is_the_string_after_the_header_not_namesz(driver, tmp_path,
                                                            name, namesz):
    """libelf compares the NUL-terminated name with "Xen"; namesz only says
    where the descriptor starts (rounded up to 4)."""
    area = good_notes() + note(PAE_MODE, b"bimodal\0", name=name, namesz=namesz)
    path, _ = at_end(tmp_path, area)
    r = parse(driver, path)
    assert r.status == 0 and r["pae_mode"] == '"bimodal"', r.out


def test_a_name_that_only_starts_with_xen_is_not_xens(driver, tmp_path):
    area = good_notes() + note(PAE_MODE, b"no\0", name=b"Xenon\0") + \
        note(PAE_MODE, b"yes\0")
    r = parse(driver, at_end(tmp_path, area)[0])
    assert r.status == 0 and r["pae_mode"] == '"yes"', r.out


def test_a_note_that_starts_inside_its_area_is_read_whole_from_the_file(driver, tmp_path):
    """The area ends 4 bytes into the last note's header: libelf reads it."""
    area = good_notes() + note(PAE_MODE, b"bimodal\0")
    path, _ = at_end(tmp_path, area, area_len=len(good_notes()) + 4)
    r = parse(driver, path)
    assert r.status == 0 and r["pae_mode"] == '"bimodal"', r.out


@pytest.mark.parametrize("width,fmt", [(1, "<B"), (2, "<H"), (8, "<Q")])
def test_numbers_may_be_one_two_or_eight_bytes(driver, tmp_path, width, fmt):
    area = good_notes() + note(PADDR_OFFSET, struct.pack(fmt, 0)) + \
        note(PAE_MODE, b"yes\0")
    r = parse(driver, at_end(tmp_path, area)[0])
    assert r.status == 0 and r["paddr_offset"] == "0x0", r.out


def test_a_huge_namesz_ends_the_walk_as_in_libelf(driver, tmp_path):
    """The next note would start past the area, so the walk stops: the Xen
    notes after it are never seen, and the parser falls back to the note
    section (mkimage's own notes), as libelf does."""
    hostile = note(3, bytes(8), name=b"GNU\0", namesz=0xFFFFFFF0)
    path, _ = at_end(tmp_path, hostile + good_notes() + note(PAE_MODE, b"yes\0"))
    r = parse(driver, path)
    assert r.status == 0 and r["guest_os"] == '"mkimage"', r.out
    assert r["notes"] == "SHT_NOTE"


def test_a_huge_descsz_ends_the_walk_after_its_own_note(driver, tmp_path):
    """GUEST_OS is read, then the walk stops: no LOADER was seen."""
    hostile = note(GUEST_OS, b"x\0", descsz=0xFFFFFFF0)
    path, _ = at_end(tmp_path, hostile + good_notes() + note(PAE_MODE, b"yes\0"))
    assert refused(driver, path, ENOEXEC) == 'missing LOADER note (want "generic")'


# ---- where libelf reads past a problem, we refuse ------------------------------

def test_a_note_header_past_the_end_of_the_file_is_refused(driver, tmp_path):
    area = good_notes() + note(PAE_MODE, b"yes\0")
    path, start = at_end(tmp_path, area + b"\4\0\0\0\4\0", area_len=len(area) + 6)
    assert refused(driver, path, EINVAL) == \
        "malformed note at 0x%x: its header or name runs past the end of the file" \
        % (start + len(area))


def test_a_name_without_a_nul_before_the_end_of_the_file_is_refused(driver, tmp_path):
    area = good_notes() + note(PAE_MODE, b"yes\0")
    tail = struct.pack("<III", 4, 0, 9) + b"Xen!"      # the file ends in the name
    path, start = at_end(tmp_path, area + tail)
    assert refused(driver, path, EINVAL) == \
        "malformed note at 0x%x: its header or name runs past the end of the file" \
        % (start + len(area))


def test_a_string_without_a_nul_before_the_end_of_the_file_is_refused(driver, tmp_path):
    area = good_notes() + struct.pack("<III", 4, 8, PAE_MODE) + b"Xen\0yes,bimo"
    path, start = at_end(tmp_path, area)
    assert refused(driver, path, EINVAL) == \
        "malformed note at 0x%x: its string does not end inside the file" \
        % (start + len(good_notes()))


def test_a_number_past_the_end_of_the_file_is_refused(driver, tmp_path):
    area = good_notes() + note(PAE_MODE, b"yes\0") + \
        struct.pack("<III", 4, 8, ENTRY) + b"Xen\0" + num(0xC0100000)
    path, start = at_end(tmp_path, area)
    assert refused(driver, path, EINVAL) == \
        "malformed note at 0x%x: its ENTRY value runs past the end of the file" \
        % (start + len(area) - 20)


def test_a_number_of_another_width_is_refused_where_libelf_reads_zero(driver, tmp_path):
    area = good_notes() + note(ENTRY, b"\0\0\x10") + note(PAE_MODE, b"yes\0")
    assert refused(driver, at_end(tmp_path, area)[0], EINVAL) == \
        "ENTRY note has a 3-byte value (want 4 or 8)"


# ---- GRUB's own image ------------------------------------------------------------

@pytest.fixture(scope="module")
def grub_image():
    if not (GRUB_XEN_DIR / "kernel.img").exists():
        pytest.skip("grub-xen-bin is not installed (tools/install-deps installs it)")
    subprocess.run(["make", "-s", str(GRUB_XEN.relative_to(ROOT))], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return GRUB_XEN


def test_grubs_xen_image_parses(driver, grub_image):
    """Its PAE_MODE note says 12 bytes and the file ends 4 bytes on."""
    out = subprocess.run(["i686-linux-gnu-readelf", "-n", str(grub_image)],
                         capture_output=True, text=True)
    assert "type: 0x9, namesize: 0x4, descsize: 0xc" in out.stderr, out.stderr
    r = parse(driver, grub_image)
    assert r.status == 0, r.out
    assert (r["guest_os"], r["loader"], r["xen_version"], r["pae_mode"]) == \
        ('"GRUB"', '"generic"', '"xen-3.0"', '"yes"')
    assert (r["entry"], r["virt_base"], r["hypercall_page"]) == ("0x0", "0x0", "none")
