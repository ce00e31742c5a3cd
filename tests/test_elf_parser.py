"""The guest image parser (hypervisor/domain/elf.c), rule by rule.

Each test builds an image with tools/mkimage (or patches one byte-wise),
runs the host driver tests/unit/elf_host on it, and reads the evidence from
its output: the parsed fields, or the one "error: <reason>" line and an exit
status equal to the Xen errno (ENOEXEC 8, EINVAL 22, ENOMEM 12).  The last
tests throw thousands of truncated and corrupted images at the parser, built
with AddressSanitizer where the host has it, and require that it never
crashes.
"""
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

import harness
import unit_build

ROOT = Path(__file__).resolve().parents[1]
MKIMAGE = ROOT / "tools" / "mkimage"
UNIT = ROOT / "build" / "unit"
SOURCES = ["tests/unit/elf_host.c", "hypervisor/domain/elf.c", "hypervisor/domain/elf_features.c",
           "hypervisor/domain/elf_symtab.c"]
CFLAGS = ["-DHOST_TEST", "-std=gnu11", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
          "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes", "-I."]
FREESTANDING = ["-m32", "-ffreestanding", "-nostdlib", "-fno-pie",
                "-fno-stack-protector", "-O2", "-std=gnu11", "-Wall", "-Wextra",
                "-Werror", "-Wshadow", "-Wstrict-prototypes",
                "-Wmissing-prototypes", "-Wframe-larger-than=512", "-I."]
ENOEXEC, EINVAL, ENOMEM, E2BIG = 8, 22, 12, 7

PHDR0 = 52            # program headers follow the 52-byte ELF header
NOTES_AT = 52 + 3 * 32  # mkimage's PT_NOTE data follows three program headers


def _compile(out, extra=()):
    """The driver and the parser, built for the host as out (through
    unit_build.gcc: a temporary name, then a rename); out, or
    CalledProcessError with gcc's output."""
    p = unit_build.gcc([*CFLAGS, *extra, *SOURCES], out)
    if p.returncode != 0:
        raise subprocess.CalledProcessError(p.returncode, "gcc", p.stdout)
    return out


@pytest.fixture(scope="session")
def driver():
    return _compile(UNIT / "elf_host")


@pytest.fixture(scope="session")
def fuzz_driver(driver):
    """The driver with ASan+UBSan if this host can build and run it."""
    asan = UNIT / "elf_host_asan"
    try:
        _compile(asan, ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                        "-fno-omit-frame-pointer"])
    except subprocess.CalledProcessError:
        return driver
    try:
        probe = subprocess.run([str(asan), str(MKIMAGE)], capture_output=True,
                               timeout=harness.scaled(30))
    except (subprocess.SubprocessError, OSError):
        return driver
    return asan if probe.returncode == ENOEXEC else driver    # mkimage is not ELF


def make(tmp_path, *args, name="img.elf"):
    # Through this Python, not the script's "#!/usr/bin/env python3": on a
    # host whose python3 is a version manager's shim (pyenv) each of the
    # sixty runs here would start a chain of shells first.
    path = tmp_path / name
    subprocess.run([sys.executable, str(MKIMAGE), *args, "-o", str(path)], check=True)
    return path


def patched(tmp_path, image, offset, fmt, value, name="patched.elf"):
    data = bytearray(image.read_bytes())
    struct.pack_into(fmt, data, offset, value)
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


class Result:
    def __init__(self, proc):
        self.status, self.out = proc.returncode, proc.stdout
        self.fields = dict(line.split("=", 1) for line in proc.stdout.splitlines()
                           if "=" in line and not line.startswith(("seg", "error")))
        self.segs = [line for line in proc.stdout.splitlines() if line.startswith("seg")]
        errors = [line for line in proc.stdout.splitlines() if line.startswith("error: ")]
        self.error = errors[0][len("error: "):] if errors else None

    def __getitem__(self, key):
        return self.fields[key]


def parse(driver, path, mem_mib=None):
    cmd = [str(driver)] + (["--mem", str(mem_mib)] if mem_mib else []) + [str(path)]
    return Result(subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=harness.scaled(30)))


def refused(driver, path, errno):
    r = parse(driver, path)
    assert r.status == errno, r.out
    return r.error


# ---- good images -----------------------------------------------------------

@pytest.mark.parametrize("where,source", [("phdr", "PT_NOTE"), ("section", "SHT_NOTE")])
def test_good_image_parses_with_notes_in_either_place(driver, tmp_path, where, source):
    r = parse(driver, make(tmp_path, "--notes", where))
    assert r.status == 0, r.out
    assert r["notes"] == source
    assert r["entry"] == "0xc0100000"            # the ENTRY note, not e_entry
    assert r["virt_base"] == "0xc0000000"
    assert r["paddr_offset"] == "0x0"
    assert r["hypercall_page"] == "0xc0101000"
    assert (r["virt_kstart"], r["virt_kend"]) == ("0xc0100000", "0xc0104000")
    assert r.segs == [
        "seg0 vaddr=0xc0100000 paddr=0x100000 offset=0x1000 filesz=0x1000 memsz=0x1000 flags=r-x",
        "seg1 vaddr=0xc0101000 paddr=0x101000 offset=0x2000 filesz=0x1000 memsz=0x3000 flags=rw-"]
    assert r["guest_os"] == '"mkimage"' and r["guest_version"] == '"1"'
    assert r["loader"] == '"generic"' and r["xen_version"] == '"xen-3.0"'
    assert r["pae_mode"] == '"yes"' and r["pae_yes"] == "1"
    assert r["features"] == '"!writable_page_tables|pae_pgdir_above_4gb"'
    assert r["feat_supported"] == "0x11" and r["feat_required"] == "0x1"
    assert r["fits"] == "16MiB"


@pytest.mark.parametrize("where", ["phdr", "section"])
def test_numeric_notes_may_be_eight_bytes_wide(driver, tmp_path, where):
    r = parse(driver, make(tmp_path, "--notes", where, "--num-size", "8"))
    assert r.status == 0, r.out
    assert (r["entry"], r["virt_base"], r["hypercall_page"]) == \
        ("0xc0100000", "0xc0000000", "0xc0101000")


def test_notes_in_a_pt_note_segment_are_preferred_over_note_sections(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--notes", "both"))
    assert r.status == 0, r.out
    assert r["notes"] == "PT_NOTE" and r["guest_os"] == '"mkimage"'


def test_note_sections_are_used_when_pt_note_holds_no_xen_notes(driver, tmp_path):
    data = bytearray(make(tmp_path, "--notes", "both").read_bytes())
    gnu = struct.pack("<III", 4, 8, 3) + b"GNU\0"     # each note area starts so
    start = data.index(gnu)                            # the PT_NOTE area comes first
    end = data.index(gnu, start + 1)
    data[start:end] = data[start:end].replace(b"Xen\0", b"Xem\0")
    path = tmp_path / "renamed.elf"
    path.write_bytes(bytes(data))
    r = parse(driver, path)
    assert r.status == 0, r.out
    assert r["notes"] == "SHT_NOTE" and r["guest_os"] == '"section-copy"'


def test_string_notes_need_no_terminating_nul(driver, tmp_path):
    """Linux writes FEATURES with .ascii: descsz counts no NUL."""
    data = bytearray(make(tmp_path).read_bytes())
    text = b"!writable_page_tables|pae_pgdir_above_4gb"
    desc = data.index(text + b"\0")
    struct.pack_into("<I", data, desc - 12, len(text))   # descsz, 12 bytes back
    path = tmp_path / "ascii.elf"
    path.write_bytes(bytes(data))
    r = parse(driver, path)
    assert r.status == 0, r.out
    assert r["features"] == '"%s"' % text.decode() and r["feat_required"] == "0x1"


def test_without_entry_note_the_entry_point_is_e_entry(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--omit", "ENTRY"))
    assert r.status == 0, r.out
    assert r["entry"] == "0xc0100010"


def test_without_virt_base_and_paddr_offset_notes_both_default_to_zero(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--virt-base", "0", "--omit", "VIRT_BASE",
                           "--omit", "PADDR_OFFSET", "--omit", "ENTRY"))
    assert r.status == 0, r.out
    assert (r["virt_base"], r["paddr_offset"], r["entry"]) == ("0x0", "0x0", "0x100010")
    assert r.segs[0].startswith("seg0 vaddr=0x100000 paddr=0x100000 ")


def test_segments_are_placed_at_paddr_plus_virt_base_minus_paddr_offset(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--virt-base", "0xc0000000",
                           "--paddr-offset", "0x100000"))
    assert r.status == 0, r.out
    assert r.segs[0].startswith("seg0 vaddr=0xc0000000 paddr=0x100000 ")


def test_hypercall_page_note_is_optional(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--omit", "HYPERCALL_PAGE"))
    assert r.status == 0 and r["hypercall_page"] == "none"


def test_a_linux_guest_needs_no_loader_note(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--omit", "LOADER", "--set", "GUEST_OS=linux"))
    assert r.status == 0, r.out


@pytest.mark.parametrize("mode", ["yes", "yes[extended-cr3]", "bimodal", "yes,bimodal"])
def test_pae_mode_spellings_that_mean_pae_are_accepted(driver, tmp_path, mode):
    r = parse(driver, make(tmp_path, "--set", f"PAE_MODE={mode}"))
    assert r.status == 0 and r["pae_yes"] == "1", r.out


def test_features_are_parsed_into_supported_and_required_bitmaps(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--set", "FEATURES=writable_descriptor_tables|"
                           "!writable_page_tables|pae_pgdir_above_4gb|no_such_thing"))
    assert r.status == 0, r.out
    assert (r["feat_supported"], r["feat_required"]) == ("0x13", "0x1")


def test_hv_start_low_at_the_hole_is_accepted(driver, tmp_path):
    r = parse(driver, make(tmp_path, "--set", "HV_START_LOW=0xf5800000"))
    assert r.status == 0 and r["hv_start_low"] == "0xf5800000", r.out


# Real linker output, not just mkimage's: XTF's layout (one RWX PT_LOAD at
# 1 MiB, notes in a .note section inside it, no PT_NOTE) and Linux's (text
# and data PT_LOADs at 0xC0100000 with p_paddr at 1 MiB, plus a PT_NOTE).
GUEST_S = r"""
#define ELFNOTE(type, desc) .pushsection .note.Xen, "a", @note; .align 4; \
    .long 4; .long 4484f - 3f; .long type; .asciz "Xen"; 3: desc; 4484: .align 4; \
    .popsection
ELFNOTE(6, .asciz "XTF")
ELFNOTE(8, .asciz "generic")
ELFNOTE(2, .long hypercall_page)
ELFNOTE(5, .asciz "xen-3.0")
ELFNOTE(10, .ascii "!writable_page_tables|pae_pgdir_above_4gb")
ELFNOTE(9, .asciz "yes")
#ifdef LINUX
ELFNOTE(3, .long 0xC0000000)
ELFNOTE(4, .long 0)
ELFNOTE(1, .long _start)
#endif
        .text
        .globl _start
_start: jmp .
        .data
        .balign 4096
hypercall_page: .fill 4096, 1, 0xc3
        .bss
        .fill 8192, 1, 0
"""
XTF_LDS = """OUTPUT_FORMAT("elf32-i386") ENTRY(_start) PHDRS { load PT_LOAD FLAGS(7); }
SECTIONS { . = 0x100000; .text : { *(.text) } :load .data : { *(.data) }
           .note : { *(.note*) } .bss : { *(.bss) } }"""
LINUX_LDS = """OUTPUT_FORMAT("elf32-i386") ENTRY(_start)
PHDRS { text PT_LOAD FLAGS(5); data PT_LOAD FLAGS(6); note PT_NOTE FLAGS(4); }
SECTIONS { . = 0xC0100000; .text : AT(0x100000) { *(.text) } :text
           .note : { *(.note*) } :text :note  . = ALIGN(4096);
           .data : AT(ADDR(.data) - 0xC0000000) { *(.data) } :data
           .bss : { *(.bss) } :data }"""


@pytest.mark.parametrize("style,notes,entry,hcall", [
    ("xtf", "SHT_NOTE", "0x100000", "0x101000"),
    ("linux", "PT_NOTE", "0xc0100000", "0xc0101000")])
def test_images_linked_by_binutils_parse(driver, tmp_path, style, notes, entry, hcall):
    (tmp_path / "g.S").write_text(GUEST_S)
    (tmp_path / "g.lds").write_text(XTF_LDS if style == "xtf" else LINUX_LDS)
    cc = ["gcc", "-m32", "-c", "g.S", "-o", "g.o"] + (["-DLINUX"] if style == "linux" else [])
    ld = ["ld", "-m", "elf_i386", "--no-warn-rwx-segments", "-T", "g.lds", "g.o", "-o", "g.elf"]
    try:
        subprocess.run(cc, cwd=tmp_path, check=True, capture_output=True)
        if subprocess.run(ld, cwd=tmp_path, capture_output=True).returncode:
            subprocess.run(ld[:3] + ld[4:], cwd=tmp_path, check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError) as e:
        pytest.skip(f"no 32-bit toolchain: {e}")
    r = parse(driver, tmp_path / "g.elf")
    assert r.status == 0, r.out
    assert (r["notes"], r["entry"], r["hypercall_page"]) == (notes, entry, hcall)
    assert r["guest_os"] == '"XTF"' and r["feat_required"] == "0x1"


# ---- the ELF container -----------------------------------------------------

def test_a_file_that_is_not_elf_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "not-elf"), ENOEXEC) == "not an ELF file"


def test_a_file_shorter_than_the_elf_header_is_refused(driver, tmp_path):
    path = tmp_path / "short.elf"
    path.write_bytes(make(tmp_path).read_bytes()[:40])
    assert refused(driver, path, EINVAL) == "truncated: ELF header needs 52 bytes, file has 40"


def test_a_truncated_program_header_table_is_refused(driver, tmp_path):
    path = tmp_path / "short.elf"
    path.write_bytes(make(tmp_path).read_bytes()[:0x60])
    assert refused(driver, path, EINVAL) == \
        "truncated: program header table ends at 0x94 past end 0x60"


def test_a_segment_whose_data_runs_past_the_end_of_the_file_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "truncated"), EINVAL) == \
        "truncated: segment 1 data ends at 0x3000 past end 0x2800"


def test_a_segment_without_file_bytes_may_name_any_offset_and_keeps_0(driver, tmp_path):
    # Found by the elf fuzz target: only filesz bytes are read, so an empty
    # segment's offset may point anywhere, even past the end of the file;
    # the parser keeps 0, so every segment's file range is inside the file.
    data = bytearray(make(tmp_path).read_bytes())
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    for i in range(phnum):
        at = phoff + 32 * i
        kind, offset = struct.unpack_from("<II", data, at)
        if kind == 1 and offset == 0x2000:                  # seg1, the data segment
            struct.pack_into("<I", data, at + 4, 0x100000)   # p_offset: far past the end
            struct.pack_into("<I", data, at + 16, 0)         # p_filesz: nothing to read
    path = tmp_path / "empty-seg.elf"
    path.write_bytes(bytes(data))
    r = parse(driver, path)
    assert r.status == 0, r.out
    assert r.segs[1] == "seg1 vaddr=0xc0101000 paddr=0x101000 offset=0x0 filesz=0x0 " \
                        "memsz=0x3000 flags=rw-", r.segs


def test_a_64_bit_image_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "wrong-class"), ENOEXEC) == \
        "wrong class (ELFCLASS64)"


def test_a_big_endian_image_is_refused(driver, tmp_path):
    path = patched(tmp_path, make(tmp_path), 5, "<B", 2)
    assert refused(driver, path, ENOEXEC) == "wrong byte order (want ELFDATA2LSB)"


def test_an_image_for_another_machine_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "wrong-machine"), ENOEXEC) == \
        "wrong machine 62 (want EM_386)"


def test_an_image_that_is_not_an_executable_is_refused(driver, tmp_path):
    path = patched(tmp_path, make(tmp_path), 16, "<H", 3)          # ET_DYN
    assert refused(driver, path, ENOEXEC) == "not an executable (e_type 3, want ET_EXEC)"


def test_an_image_without_a_pt_load_segment_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "no-load"), ENOEXEC) == "no PT_LOAD segment"


def test_a_segment_with_more_file_bytes_than_memory_is_refused(driver, tmp_path):
    path = patched(tmp_path, make(tmp_path), PHDR0 + 20, "<I", 0x10)   # p_memsz
    assert refused(driver, path, EINVAL) == "segment 0: filesz 0x1000 is larger than memsz 0x10"


def test_more_load_segments_than_the_parser_holds_are_refused(driver, tmp_path):
    data = bytearray(make(tmp_path).read_bytes())
    struct.pack_into("<H", data, 44, 9)                             # e_phnum
    for i in range(9):
        struct.pack_into("<8I", data, PHDR0 + 32 * i, 1, 0x1000, 0xc0100000 + 0x100 * i,
                         0x100000 + 0x100 * i, 0x10, 0x10, 4, 4)
    path = tmp_path / "nine.elf"
    path.write_bytes(bytes(data))
    assert refused(driver, path, E2BIG) == "too many PT_LOAD segments (more than 8)"


def test_more_notes_than_the_parser_walks_are_refused(driver, tmp_path):
    data = bytearray(make(tmp_path).read_bytes()) + bytes(0x4000)  # 12 zero bytes: a note
    struct.pack_into("<I", data, PHDR0 + 64 + 4, 0x3000)           # PT_NOTE p_offset
    struct.pack_into("<I", data, PHDR0 + 64 + 16, 0x4000)          # PT_NOTE p_filesz
    path = tmp_path / "many.elf"
    path.write_bytes(bytes(data))
    assert refused(driver, path, E2BIG) == "too many ELF notes (more than 1024)"


def test_a_pt_note_segment_past_the_end_of_the_file_is_refused(driver, tmp_path):
    path = patched(tmp_path, make(tmp_path), PHDR0 + 64 + 16, "<I", 0xFFFFFFFF)
    assert refused(driver, path, EINVAL) == \
        "truncated: PT_NOTE segment ends at 0x100000093 past end 0x3000"


# ---- addresses -------------------------------------------------------------

def test_segments_that_overlap_are_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "overlap"), EINVAL) == \
        "segments overlap: [0xc0100000,0xc0101000) and [0xc0100800,0xc0103800)"


def test_segment_reaching_into_the_hypervisor_hole_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "hole"), EINVAL) == \
        "segment [0xf5001000,0xf5900000) reaches into the hypervisor hole at 0xf5800000"


def test_a_segment_placed_beyond_4_gib_is_refused_without_wrapping(driver, tmp_path):
    path = patched(tmp_path, make(tmp_path), PHDR0 + 12, "<I", 0x7FFFF000)  # p_paddr
    assert refused(driver, path, EINVAL) == \
        "segment [0x13ffff000,0x140000000) reaches into the hypervisor hole at 0xf5800000"


def test_virt_base_above_the_image_start_is_refused(driver, tmp_path):
    path = make(tmp_path, "--set", "PADDR_OFFSET=0x200000")
    assert refused(driver, path, EINVAL) == "VIRT_BASE 0xc0000000 is above the image start 0xbff00000"


def test_an_entry_point_outside_the_image_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--set", "ENTRY=0xc0800000"), EINVAL) == \
        "entry point 0xc0800000 is outside the image [0xc0100000,0xc0104000)"


def test_a_misaligned_hypercall_page_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "bad-hypercall-page"), EINVAL) == \
        "HYPERCALL_PAGE 0xc0101800 is not page aligned"


def test_a_hypercall_page_outside_the_image_is_refused(driver, tmp_path):
    path = make(tmp_path, "--set", "HYPERCALL_PAGE=0xc0104000")
    assert refused(driver, path, EINVAL) == \
        "HYPERCALL_PAGE 0xc0104000 is not inside the image [0xc0100000,0xc0104000)"


def test_an_image_larger_than_the_domain_is_refused(driver, tmp_path):
    path = make(tmp_path, "--kind", "too-big")
    r = parse(driver, path)
    assert r.status == ENOMEM
    assert r.error.startswith("image span 0x1201000 plus ")
    assert r.error.endswith("larger than the domain's 16 MiB")
    assert parse(driver, path, mem_mib=64).status == 0


# ---- the Xen notes ---------------------------------------------------------

def test_an_image_without_xen_notes_is_refused(driver, tmp_path):
    args = [a for key in ("ENTRY", "HYPERCALL_PAGE", "VIRT_BASE", "PADDR_OFFSET",
                          "XEN_VERSION", "GUEST_OS", "GUEST_VERSION", "LOADER",
                          "PAE_MODE", "FEATURES") for a in ("--omit", key)]
    assert refused(driver, make(tmp_path, *args), ENOEXEC) == \
        "no Xen ELF notes (not a Xen PV kernel)"


def test_a_missing_loader_note_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "no-loader"), ENOEXEC) == \
        'missing LOADER note (want "generic")'


def test_a_loader_other_than_generic_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "bad-loader"), ENOEXEC) == \
        'LOADER is "bogus" (want "generic")'


def test_a_xen_version_other_than_xen_3_0_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "bad-xen-version"), ENOEXEC) == \
        'XEN_VERSION is "xen-2.0" (want "xen-3.0")'


def test_a_missing_xen_version_note_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--omit", "XEN_VERSION"), ENOEXEC) == \
        'missing XEN_VERSION note (want "xen-3.0")'


def test_a_non_pae_guest_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--kind", "pae-no"), ENOEXEC) == \
        'PAE_MODE is "no"; this hypervisor runs only PAE guests'


def test_a_guest_without_a_pae_mode_note_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--omit", "PAE_MODE"), ENOEXEC) == \
        "missing PAE_MODE note; this hypervisor runs only PAE guests"


def test_a_required_feature_the_hypervisor_does_not_offer_is_refused(driver, tmp_path):
    path = make(tmp_path, "--set", "FEATURES=pae_pgdir_above_4gb|!auto_translated_physmap")
    assert refused(driver, path, ENOEXEC) == \
        "FEATURES requires auto_translated_physmap, which this hypervisor does not offer"


def test_a_required_feature_nobody_knows_is_refused(driver, tmp_path):
    path = make(tmp_path, "--set", "FEATURES=!flying_cars|writable_page_tables")
    assert refused(driver, path, ENOEXEC) == 'FEATURES requires unknown feature "flying_cars"'


def test_a_numeric_note_wider_than_32_bits_is_refused(driver, tmp_path):
    path = make(tmp_path, "--num-size", "8", "--set", "HYPERCALL_PAGE=0x1c0101000")
    assert refused(driver, path, EINVAL) == "HYPERCALL_PAGE 0x1c0101000 does not fit in 32 bits"


def test_a_paddr_offset_note_without_virt_base_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--omit", "VIRT_BASE"), EINVAL) == \
        "PADDR_OFFSET note without a VIRT_BASE note"


def test_hv_start_low_above_the_hole_is_refused(driver, tmp_path):
    assert refused(driver, make(tmp_path, "--set", "HV_START_LOW=0xf6000000"), ENOEXEC) == \
        "HV_START_LOW 0xf6000000 is above the hypervisor hole at 0xf5800000"


# ---- the tools and the build -----------------------------------------------

def test_mkimage_lists_every_bad_kind():
    out = subprocess.run([sys.executable, str(MKIMAGE), "--list"], capture_output=True, text=True,
                         check=True).stdout
    kinds = {line.split()[0] for line in out.splitlines()}
    assert kinds >= {"truncated", "wrong-class", "wrong-machine", "no-load", "overlap",
                     "hole", "too-big", "no-loader", "bad-loader", "bad-xen-version",
                     "bad-hypercall-page", "not-elf", "pae-no"}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")
@pytest.mark.parametrize("source", [s for s in SOURCES if s.startswith("hypervisor/")])
def test_the_parser_builds_freestanding_for_the_hypervisor_without_warnings(tmp_path,
                                                                            source):
    r = subprocess.run(["gcc", *FREESTANDING, "-c", source,
                        "-o", str(tmp_path / "elf.o")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr


# ---- hostile input ---------------------------------------------------------

ERRNOS = {0, ENOEXEC, EINVAL, ENOMEM, E2BIG}
INTERESTING = [0, 1, 3, 4, 0x7FFFFFFF, 0x80000000, 0xFFFFFFF0, 0xFFFFFFFC, 0xFFFFFFFF]


def mutants(seed_images, rng):
    """Every truncation of each seed, then random byte flips and hostile
    32-bit values written over the header, program header and note area."""
    for img in seed_images:
        for n in range(len(img) + 1):
            yield img[:n]
    for img in seed_images:
        for _ in range(1500):
            data = bytearray(img)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(0x400) if rng.random() < 0.8 else rng.randrange(len(data))
                data[at] ^= 1 << rng.randrange(8)
            yield bytes(data)
        for _ in range(1000):
            data = bytearray(img)
            at = rng.randrange(0, 0x300, 2)
            value = rng.choice(INTERESTING + [len(img), len(img) + 1, rng.getrandbits(32)])
            struct.pack_into("<I", data, at, value)
            yield bytes(data)


def test_the_parser_survives_truncated_and_corrupted_images(fuzz_driver, tmp_path):
    seeds = [make(tmp_path, "--notes", "phdr", name="a.elf").read_bytes(),
             make(tmp_path, "--notes", "section", "--num-size", "8", name="b.elf").read_bytes()]
    cases = list(mutants(seeds, random.Random(20240601)))
    records = b"".join(struct.pack("<I", len(c)) + c for c in cases)
    proc = subprocess.run([str(fuzz_driver), "--batch"], input=records,
                          capture_output=True, timeout=harness.scaled(600))
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0, f"driver died ({proc.returncode}) after {len(lines)} " \
        f"of {len(cases)} cases: {proc.stderr.decode()[-2000:]}"
    assert len(lines) == len(cases)
    assert {-int(line.split()[1]) for line in lines} <= ERRNOS


def test_the_driver_exits_with_an_errno_never_a_signal(fuzz_driver, tmp_path):
    seed = make(tmp_path).read_bytes()
    rng = random.Random(7)
    path = tmp_path / "m.elf"
    for _ in range(60):
        data = bytearray(seed[:rng.randrange(len(seed) + 1)])
        for _ in range(rng.randint(0, 3)):
            if data:
                data[rng.randrange(min(len(data), 0x400))] ^= 0xFF
        path.write_bytes(bytes(data))
        r = subprocess.run([str(fuzz_driver), str(path)], capture_output=True,
                           timeout=harness.scaled(30))
        assert r.returncode in ERRNOS, (r.returncode, r.stderr[-2000:])
