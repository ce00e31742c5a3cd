"""The builder's load-time scan for instructions this CPU will not trap (issue 10).

Before a domain first runs, the builder decodes its executable segments
(hypervisor/domain/scan.c, run by hypervisor/domain/builder_scan.c) and names each
sensitive instruction the CPU will not trap in ring 1: sgdt, sidt, sldt,
smsw and str where there is no UMIP, cpuid where there is no CPUID faulting
(unless Xen's forced-emulation prefix is in front of it).  The guest
pvguest/tests/scan holds one function for each, starting with the
instruction, so the addresses come from its own symbols (nm), never from
this file.  QEMU's default CPU here has UMIP; "qemu32,+pae,+pge,+nx" has
neither UMIP nor CPUID faulting.
"""
import re
import struct
import subprocess
import sys

import pytest

import harness
from harness import PVGUEST, ROOT, guest, passes

NO_UMIP = ("--cpu", "qemu32,+pae,+pge,+nx")
NM = "i686-linux-gnu-nm"
SCAN_ELF = PVGUEST / "scan.elf"
# Each function of the scan guest: its instruction's bytes and objdump's text.
UNTRAPPED = {
    "untrapped_sgdt": ("0f 01 00", "sgdtl (%eax)", "no UMIP"),
    "untrapped_sidt": ("0f 01 08", "sidtl (%eax)", "no UMIP"),
    "untrapped_sldt": ("0f 00 c0", "sldt %eax", "no UMIP"),
    "untrapped_smsw": ("0f 01 e0", "smsw %eax", "no UMIP"),
    "untrapped_str": ("0f 00 c8", "str %eax", "no UMIP"),
    "untrapped_cpuid": ("0f a2", "cpuid", "no CPUID faulting"),
}
# Reached from the entry point: the five that "run" calls; the cpuid only from its symbol.
HOW = dict(dict.fromkeys(UNTRAPPED, "reached from entry"), untrapped_cpuid="reached from a symbol")
SUMMARY = (r"^\(hv\) d%d scan: (\d+) untrappable instructions? in (\d+) bytes of code "
           r"\(descent (\d+), sweep (\d+), (\d+) undecodable\) in \d+\.\d{3} ms$")


def symbols():
    """{name: address} of the scan guest's functions and its junk."""
    if not SCAN_ELF.is_file():
        pytest.skip("build/pvguest/scan.elf was not built")
    out = subprocess.run([NM, str(SCAN_ELF)], check=True, capture_output=True,
                         text=True).stdout
    return {name: int(addr, 16) for addr, _, name in (l.split() for l in out.splitlines())
            if name in UNTRAPPED or name == "scan_junk"}


def finding(d, addr, name, how=None):
    hexbytes, text, why = UNTRAPPED[name]
    return (r"^\(hv\) d%d scan: 0x%08x: %s  %s  \(%s; %s\)$"
            % (d, addr, hexbytes, re.escape(text), why, how or HOW[name]))


def summary(b, d):
    """(found, code, descent, sweep, undecodable) from domain d's scan line."""
    m = b.expect(SUMMARY % d)
    found, code, descent, sweep, undecodable = map(int, m.groups())
    assert descent + sweep + undecodable == code, m.group(0)
    return found, code, descent, sweep, undecodable


def cpu_line(b):
    return b.expect(r"^\(hv\) cpu traps outside ring 0: .*$").group(0)


# --- what is reported, on each CPU ------------------------------------------------

def test_without_umip_the_scan_names_every_untrappable_instruction_by_address_bytes_and_text(boot):
    syms = symbols()
    b = boot(guest("scan"), extra=NO_UMIP)
    assert "no (no UMIP)" in cpu_line(b) and "cpuid no (" in cpu_line(b)
    found, _, _, _, undecodable = summary(b, 0)
    assert found == len(UNTRAPPED)
    assert undecodable >= 32                    # scan_junk: 32 bytes of d6
    b.expect_in_order([SUMMARY % 0] +
                      [finding(0, syms[n], n) for n in sorted(UNTRAPPED, key=syms.get)] +
                      [r"^\(hv\) d0 \(d0\): 16 MiB, "])
    passes(b)
    b.expect_status(0)


def test_the_untrapped_instructions_really_run_in_ring_1_and_leak_the_hypervisors_tables(boot):
    b = boot(guest("scan", "run"), extra=NO_UMIP)
    b.expect(r"^\(d0\) untrapped in ring 1: sgdt base 0xf[0-9a-f]{7} limit 0x[0-9a-f]+, "
             r"sidt base 0xf[0-9a-f]{7} limit 0x[0-9a-f]+$")
    passes(b)
    b.expect_status(0)


def test_with_umip_only_the_plain_cpuid_is_reported(boot):
    syms = symbols()
    b = boot(guest("scan"))
    if "by UMIP" not in cpu_line(b) or "by CPUID faulting" in cpu_line(b):
        pytest.skip("this QEMU's default CPU is not UMIP without CPUID faulting: %s" % cpu_line(b))
    assert summary(b, 0)[0] == 1
    b.expect(finding(0, syms["untrapped_cpuid"], "untrapped_cpuid"))
    b.forbid(r"^\(hv\) d0 scan: 0x[0-9a-f]+: .*no UMIP")
    passes(b)
    b.expect_status(0)


def test_the_forced_emulation_cpuid_every_pvguest_uses_is_not_reported(boot):
    b = boot(guest("hello"), guest("cpuid"), extra=NO_UMIP)
    assert summary(b, 0)[0] == 0 and summary(b, 1)[0] == 0
    b.forbid(r"^\(hv\) d\d scan: 0x")
    b.expect_status(0)


# --- the policy: dom.scan=report|refuse|off -------------------------------------

def test_dom_scan_refuse_refuses_a_domain_with_findings_and_the_others_boot(boot):
    syms = symbols()
    b = boot(guest("scan", "dom.scan=refuse"), guest("hello", "dom.scan=refuse"),
             extra=NO_UMIP)
    b.expect_in_order([
        SUMMARY % 0,
        r"^\(hv\) error: module 0 \(%s\): dom\.scan=refuse and the scan found 6 untrappable "
        r"instructions \(the first at 0x%08x\); d0 not built$"
        % (re.escape(guest("scan", "dom.scan=refuse")), syms["untrapped_sgdt"]),
        SUMMARY % 1,                            # a clean guest builds under refuse
        r"^\(hv\) d1 \(d1\): 16 MiB, "])
    b.forbid(r"^\(d0\) ")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(2)                          # d0 never powered off


def test_dom_scan_off_prints_no_scan_lines_and_the_domain_runs(boot):
    b = boot(guest("scan", "dom.scan=off"), extra=NO_UMIP)
    b.forbid(r"^\(hv\) d0 scan:")
    passes(b)
    b.expect_status(0)


# --- bad input: a report, never a crash -------------------------------------------

def junk_text():
    """A text page that is all junk (d6) but for: je to 0x10, ud2 (where the
    domain halts), at 0x10 a jmp to a sgdt cut off by the segment's end, and
    a cpuid alone in the middle that only the sweep can find."""
    page = bytearray(b"\xd6" * 4096)
    page[0:4] = b"\x74\x0e\x0f\x0b"
    page[0x10:0x15] = b"\xe9" + struct.pack("<i", 4094 - 0x15)
    page[0x800:0x802] = b"\x0f\xa2"
    page[4094:] = b"\x0f\x01"
    return bytes(page)


def hostile_symtab(path):
    """A copy of scan.elf whose .symtab section claims to lie past the file's end."""
    data = bytearray(SCAN_ELF.read_bytes())
    shoff, = struct.unpack_from("<I", data, 32)
    shnum, = struct.unpack_from("<H", data, 48)
    for i in range(shnum):
        if struct.unpack_from("<I", data, shoff + 40 * i + 4)[0] == 2:     # SHT_SYMTAB
            struct.pack_into("<I", data, shoff + 40 * i + 16, 0xfffffff0)  # sh_offset
    path.write_bytes(bytes(data))
    return path


def test_code_that_does_not_decode_gets_a_scan_report_and_the_builder_goes_on(boot, tmp_path):
    symbols()
    text = tmp_path / "junk.bin"
    text.write_bytes(junk_text())
    junk = tmp_path / "junk.elf"
    subprocess.run([sys.executable, str(ROOT / "tools/mkimage"), "--text", str(text),
                    "-o", str(junk)], check=True)
    bad_symtab = hostile_symtab(tmp_path / "symtab.elf")
    b = boot(str(junk), str(bad_symtab), guest("hello"), extra=NO_UMIP)
    # descent: je, ud2, jmp (9 bytes); the sweep: the cpuid; the rest does not decode.
    assert summary(b, 0) == (1, 4096, 9, 2, 4085)
    b.expect_in_order([r"^\(hv\) d0 scan: 0xc0100800: 0f a2  cpuid  \(no CPUID faulting; sweep\)$",
                       r"^\(hv\) d0 \(d0\): 16 MiB, "])
    b.expect_in_order([r"^\(hv\) d1 scan: the symbol table lies outside the image; "
                       r"scanning without it$", SUMMARY % 1, r"^\(hv\) d1 \(d1\): 16 MiB, "])
    b.expect(r"^\(hv\) d0 halted: #UD invalid opcode on 'ud2' at 0xc0100002")
    b.expect(r"^\(d1\) Test result: SUCCESS$")     # the symbol table is not the guest's business
    b.expect(r"^\(d2\) Test result: SUCCESS$")
    b.expect_status(2)


# --- the measurement, against objdump ------------------------------------------

def scan_measure():
    return harness.tool_module("scan-measure")


def test_the_scan_misses_no_instruction_objdump_finds_in_any_built_image():
    images = sorted(PVGUEST.glob("*.elf")) + [ROOT / "build/hypervisor.elf"]
    images = [p for p in images if p.is_file()]
    if not images:
        pytest.skip("nothing built")
    sm = scan_measure()
    rows = [sm.measure(p, 1) for p in images]
    missed = ["%s 0x%08x %s" % (r["name"], a, k) for r in rows for a, k in r["missed"]]
    assert not missed, "\n".join(missed)
    scan_row = next((r for r in rows if r["name"] == "scan.elf"), None)
    if scan_row:
        assert (scan_row["true"], scan_row["false"]) == (len(UNTRAPPED), [])
