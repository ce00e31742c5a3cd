"""The BSD_SYMTAB area (hypervisor/domain/elf_symtab.c), byte for byte.

A kernel whose BSD_SYMTAB note says "yes" gets its symbol and string tables
loaded after its image, as Xen's libelf lays them out (elf_parse_bsdsyms,
elf_load_bsdsyms): a size word, an ELF header in a 64-byte slot, three
section headers (null, symtab, strtab), zeroes up to byte 260, the symbols,
then the names 4-aligned.  These tests link small images with binutils, let
the host driver lay the area out as the builder does (elf_host --symtab),
and compare it with the layout worked out here independently from the
image's own headers; readelf then reads the area as an ELF file of its own.
The hostile cases patch the section headers.  Booting a guest that checks
the area from inside is tests/test_bsd_symtab.py.
"""
import random
import re
import struct
import subprocess

import pytest

import harness

from test_elf_parser import (E2BIG, EINVAL, ENOEXEC, ENOMEM, UNIT, _compile,
                             mutants, parse, refused)

SHT_SYMTAB, SHT_STRTAB = 2, 3
GUEST_S = r"""
        .macro xennote type, desc:vararg
        .pushsection .note.Xen, "a", @note
        .balign 4
        .long 4, 2f - 1f, \type
        .asciz "Xen"
1:      \desc
2:      .balign 4
        .popsection
        .endm
        xennote 6, .asciz "symtab-test"
        xennote 8, .asciz "generic"
        xennote 5, .asciz "xen-3.0"
        xennote 9, .asciz "yes"
        xennote 3, .long virt_base
        xennote 4, .long 0
        xennote 1, .long _start
        xennote 10, .asciz "!writable_page_tables|pae_pgdir_above_4gb"
        xennote 11, .asciz "%(symtab)s"
        .text
        .globl _start, marker_function
_start: jmp .
marker_function: ret
local_function: ret
        .data
        .globl marker_object
marker_object: .long 0x5eb0105
        .bss
        .fill %(bss)d, 1, 0
"""
LDS = """OUTPUT_FORMAT("elf32-i386") ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); note PT_NOTE FLAGS(4); data PT_LOAD FLAGS(6); }
SECTIONS { virt_base = %(base)#x; . = %(base)#x + 0x100000;
           .text : AT(ADDR(.text) - virt_base) { *(.text) } :text
           .note : { *(.note*) } :text :note  . = ALIGN(4096);
           .data : AT(ADDR(.data) - virt_base) { *(.data) } :data
           .bss : { *(.bss) } :data }"""


@pytest.fixture(scope="module")
def driver():
    return _compile(UNIT / "elf_host_symtab")       # its own: xdist runs files at once


def link(tmp_path, name="g", symtab="yes", bss=0x1234, base=0xC0000000):
    """Assemble and link one guest with i686 binutils; its path."""
    d = tmp_path / name
    d.mkdir()
    (d / "g.s").write_text(GUEST_S % {"symtab": symtab, "bss": bss})
    (d / "g.lds").write_text(LDS % {"base": base})
    try:
        subprocess.run(["i686-linux-gnu-as", "--32", "g.s", "-o", "g.o"], cwd=d,
                       check=True, capture_output=True)
        subprocess.run(["i686-linux-gnu-ld", "-m", "elf_i386", "-T", "g.lds", "g.o",
                        "-o", "g.elf"], cwd=d, check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as e:
        pytest.skip(f"no i686 binutils: {e}")
    return d / "g.elf"


def sections(data):
    ehdr = data[:52]
    shoff, = struct.unpack_from("<I", data, 32)
    shnum, = struct.unpack_from("<H", data, 48)
    return ehdr, shoff, [struct.unpack_from("<10I", data, shoff + 40 * i)
                         for i in range(shnum)]


def expected_area(data, virt_kend):
    """libelf's layout, worked out here from the image's own headers."""
    ehdr, _, shdrs = sections(data)
    i = next(n for n, s in enumerate(shdrs) if n and s[1] == SHT_SYMTAB)
    sym, strs = list(shdrs[i]), list(shdrs[shdrs[i][6]])
    symtab = data[sym[4]:sym[4] + sym[5]]
    strtab = data[strs[4]:strs[4] + strs[5]]
    str_at = (260 + len(symtab) + 3) & ~3
    eh = bytearray(ehdr)
    struct.pack_into("<I", eh, 20, 1)                         # e_version
    struct.pack_into("<II", eh, 28, 0, 64)                    # e_phoff, e_shoff
    struct.pack_into("<HHHHHH", eh, 40, 52, 0, 0, 40, 3, 0)   # ehsize..shstrndx
    sym[4], sym[6] = 256, 2                                   # sh_offset, sh_link
    strs[4] = str_at - 4
    head = struct.pack("<I", str_at - 4 + len(strtab)) + bytes(eh) + bytes(12)
    head += bytes(40) + struct.pack("<10I", *sym) + struct.pack("<10I", *strs)
    head += bytes(260 - len(head))
    area = head + symtab + bytes(str_at - 260 - len(symtab)) + strtab
    va = (virt_kend + 3) & ~3
    return va, area


def with_area(driver, tmp_path, image):
    out = tmp_path / (image.parent.name + ".area")
    r = subprocess.run([str(driver), "--symtab", str(out), str(image)],
                       capture_output=True, text=True, timeout=harness.scaled(30))
    return r, out


def test_the_area_is_libelfs_layout_byte_for_byte(driver, tmp_path):
    image = link(tmp_path)
    r, out = with_area(driver, tmp_path, image)
    assert r.returncode == 0, r.stdout
    fields = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    kend = int(fields["virt_kend"], 16)
    va, want = expected_area(image.read_bytes(), kend)
    got = out.read_bytes()
    assert fields["symtab_area"].startswith("0x%x-0x%x " % (va, va + len(want)))
    assert int(fields["load_end"], 16) == va + len(want)   # the p2m starts after
    assert got == want
    size, = struct.unpack_from("<I", got, 0)
    assert size == len(want) - 4                           # ELF header to last name
    assert got[56:68] == bytes(12) and got[68:108] == bytes(40)   # padding, shdr 0
    assert got[188:260] == bytes(72)                       # libelf's unused slots
    assert fields["symtab"].startswith("symbol table at 0x%08x-0x%08x (" % (va, va + len(want)))


def test_readelf_reads_the_area_as_an_elf_file_with_the_images_symbols(driver, tmp_path):
    image = link(tmp_path)
    r, out = with_area(driver, tmp_path, image)
    assert r.returncode == 0, r.stdout
    elf = tmp_path / "area.elf"
    elf.write_bytes(out.read_bytes()[4:])                  # from the ELF header on

    def symbols(path):                 # name: value, for entries 1 and on
        text = subprocess.run(["i686-linux-gnu-readelf", "-Ws", str(path)],
                              capture_output=True, text=True).stdout
        rows = [re.match(r"\s*(\d+): ([0-9a-f]{8}) .* (\S+)$", line)
                for line in text.splitlines()]
        return {m[3]: m[2] for m in rows if m and m[1] != "0"}
    mine, theirs = symbols(elf), symbols(image)   # (section numbers are the image's)
    assert mine == theirs and {"_start", "marker_function", "local_function",
                               "marker_object"} <= set(mine)
    assert mine["_start"] == "c0100000"


def test_without_the_note_nothing_is_loaded(driver, tmp_path):
    image = link(tmp_path, symtab="no")
    r = parse(driver, image)
    assert r.status == 0 and r["bsd_symtab"] == "0", r.out
    assert r["load_end"] == r["virt_kend"]


@pytest.mark.parametrize("value", ["no", "Yes", "yes please", ""])
def test_the_note_must_say_exactly_yes(driver, tmp_path, value):
    r = parse(driver, link(tmp_path, symtab=value))
    assert r.status == 0 and r["bsd_symtab"] == "0", r.out


def test_a_stripped_image_gets_none_and_boots_as_before(driver, tmp_path):
    image = link(tmp_path)
    subprocess.run(["i686-linux-gnu-strip", str(image)], check=True)
    r = parse(driver, image)
    assert r.status == 0, r.out
    assert r["symtab"] == "none loaded: the image has no SHT_SYMTAB section"
    assert r["load_end"] == r["virt_kend"]


def patched_shdr(tmp_path, image, field, value, section=SHT_SYMTAB):
    """The image with one field of its first section of that type changed."""
    data = bytearray(image.read_bytes())
    _, shoff, shdrs = sections(data)
    i = next(n for n, s in enumerate(shdrs) if n and s[1] == section)
    struct.pack_into("<I", data, shoff + 40 * i + 4 * field, value)
    path = tmp_path / f"patched-{field}-{value:x}.elf"
    path.write_bytes(bytes(data))
    return path, i, len(shdrs)


@pytest.mark.parametrize("link_to", ["zero", "past the table"])
def test_a_symtab_linked_to_no_section_gets_none_as_on_xen(driver, tmp_path, link_to):
    image = link(tmp_path)
    n = len(sections(image.read_bytes())[2])
    value = 0 if link_to == "zero" else n
    path, i, _ = patched_shdr(tmp_path, image, 6, value)          # sh_link
    r = parse(driver, path)
    assert r.status == 0, r.out
    assert r["symtab"] == "none loaded: SHT_SYMTAB %d links to section %d, " \
        "which is not there" % (i, value)


def test_a_symtab_linked_to_a_section_that_is_no_strtab_gets_none(driver, tmp_path):
    path, i, _ = patched_shdr(tmp_path, link(tmp_path), 6, 1)     # .text
    r = parse(driver, path)
    assert r.status == 0 and r["symtab"] == \
        "none loaded: SHT_SYMTAB %d links to section 1, not a SHT_STRTAB" % i, r.out


@pytest.mark.parametrize("section,what", [(SHT_SYMTAB, "SHT_SYMTAB"),
                                          (SHT_STRTAB, "SHT_STRTAB")])
def test_a_table_past_the_end_of_the_file_is_refused(driver, tmp_path, section, what):
    image = link(tmp_path)
    data = image.read_bytes()
    _, _, shdrs = sections(data)
    sym_i = next(n for n, s in enumerate(shdrs) if n and s[1] == SHT_SYMTAB)
    target = shdrs[sym_i] if section == SHT_SYMTAB else shdrs[shdrs[sym_i][6]]
    path = tmp_path / "long.elf"
    patch = bytearray(data)
    _, shoff, _ = sections(data)
    index = sym_i if section == SHT_SYMTAB else shdrs[sym_i][6]
    struct.pack_into("<I", patch, shoff + 40 * index + 20, 0xFFFFFFF0)   # sh_size
    path.write_bytes(bytes(patch))
    assert refused(driver, path, EINVAL) == \
        "truncated: %s section ends at 0x%x past end 0x%x" % (
            what, target[4] + 0xFFFFFFF0, len(data))


def test_a_section_header_table_past_the_end_of_the_file_is_refused(driver, tmp_path):
    image = link(tmp_path)
    data = bytearray(image.read_bytes())
    struct.pack_into("<I", data, 32, len(data) - 40)                   # e_shoff
    path = tmp_path / "shoff.elf"
    path.write_bytes(bytes(data))
    _, _, shdrs = sections(image.read_bytes())
    assert refused(driver, path, EINVAL) == \
        "truncated: section header table ends at 0x%x past end 0x%x" % (
            len(data) - 40 + 40 * len(shdrs), len(data))


def test_section_headers_of_another_size_are_refused(driver, tmp_path):
    data = bytearray(link(tmp_path).read_bytes())
    struct.pack_into("<H", data, 46, 64)                               # e_shentsize
    path = tmp_path / "shentsize.elf"
    path.write_bytes(bytes(data))
    assert refused(driver, path, EINVAL) == "section headers are 64 bytes (want 40)"


def test_an_area_reaching_the_hypervisor_hole_is_refused(driver, tmp_path):
    """Linked so the bss ends 16 bytes below 0xF5800000: the tables cannot fit."""
    base = 0xF5800000 - 0x100000 - 0x2000
    image = link(tmp_path, base=base, bss=0x1000 - 4 - 16)   # after the .long
    error = refused(driver, image, EINVAL)
    assert error.startswith("symbol table of 0x") and \
        error.endswith("bytes at 0xf57ffff0 reaches into the hypervisor hole at 0xf5800000")


def test_the_planner_survives_truncated_and_corrupted_images(tmp_path):
    """Every truncation and thousands of corruptions of an image with a
    symbol table, under AddressSanitizer where the host has it."""
    try:
        asan = _compile(UNIT / "elf_host_symtab_asan",
                        ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"])
        if subprocess.run([str(asan), "--batch"], input=b"",
                          capture_output=True, timeout=harness.scaled(30)).returncode:
            raise OSError("cannot run")
    except (subprocess.CalledProcessError, OSError):
        asan = _compile(UNIT / "elf_host_symtab_plain")
    seed = link(tmp_path).read_bytes()
    cases = list(mutants([seed], random.Random(11)))
    sh = sections(seed)[1]
    rng = random.Random(12)
    for _ in range(1500):                         # aim at the section headers
        data = bytearray(seed)
        at = sh + rng.randrange(0, len(seed) - sh - 4)
        struct.pack_into("<I", data, at, rng.choice([0, 1, 2, 3, 0xFFFF, 0xFFFFFFF0,
                                                     rng.getrandbits(32)]))
        cases.append(bytes(data))
    records = b"".join(struct.pack("<I", len(c)) + c for c in cases)
    proc = subprocess.run([str(asan), "--batch"], input=records,
                          capture_output=True, timeout=harness.scaled(600))
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert len(lines) == len(cases)
    assert {-int(line.split()[1]) for line in lines} <= {0, ENOEXEC, EINVAL, ENOMEM, E2BIG}
