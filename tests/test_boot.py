"""tests/test_boot.py: the ring-0 core boots, reports the machine, and fails loudly.

These tests own the promises of the Foundation stage, checked on the real
hypervisor through tools/run: the banner says who we are, echoes the command
line and lists the CPU features and the memory map; the memory map matches
the RAM QEMU was given (also above 4 GiB, which PAE lets us use); the frame
count after reservations follows from it; a deliberate crash ends in a
symbolized panic report and status 3; every bad input (a bad option, no
memory map, too little RAM, an empty, non-ELF or malformed module) gets one
readable line and the boot goes on or stops with the status that says why;
and the same image boots from the GRUB ISO and on Bochs. Each QEMU boot takes
well under a second, the one Bochs boot a few seconds; a boot that several
tests read (the hypervisor alone, each panic, each memory size) is made once.
"""

import re
import struct
import subprocess
import sys

import pytest

import harness
from harness import ROOT

HV = ROOT / "build" / "hypervisor.elf"
HELLO = ROOT / "build" / "pvguest" / "hello.elf"
MKIMAGE = ROOT / "tools" / "mkimage"
MIB, KIB, PAGE = 1 << 20, 1 << 10, 4096
ALIGN = lambda a: (a + PAGE - 1) & ~(PAGE - 1)
HV_LOAD_PHYS = 0x100000                 # arch/x86/layout.h

BANNER = (r"^\(hv\) ringone \d+\.\d+\.\d+ \(Xen 3\.0 x86_32p PV ABI subset\), "
          r"built (\d{4}-\d\d-\d\d|unknown)$")
POWER_OFF = r"^\(hv\) power off: status %d \(%s\)$"
OFF_DOMAIN = POWER_OFF % (2, "a domain halted, crashed or was not built")
# The hypervisor alone: nothing ran, which is not a clean end (status 7).
OFF_NONE = POWER_OFF % (7, "no domain ran")
NO_MODULES = r"^\(hv\) no domains to run: no modules were given \(each guest is a multiboot module\)$"
OFF_PANIC = POWER_OFF % (3, "hypervisor panic")
OFF_REFUSED = POWER_OFF % (6, "cannot boot on this machine")
# Every feature later stages care about, each shown as +name or -name.
FEATURES = ("pae", "nx", "pge", "tsc", "umip", "smep", "smap")
RANGE = re.compile(r"^\(hv\)   0x([0-9a-f]+)-0x([0-9a-f]+) usable (\d+) KiB$")
SUMMARY = re.compile(r"^\(hv\) memory: (\d+) MiB usable in (\d+) ranges?, "
                     r"(\d+) MiB ignored$", re.M)
FRAMES_RESERVED = (r"^\(hv\) frames: (\d+) free of (\d+) after reserving the "
                   r"image, BIOS area and (\d+) modules?$")


# --- helpers: boot once, read the evidence ---------------------------------------

def shared_boot(boot, **kw):
    """A boot that several tests read: made once per session (harness.boot's
    share=True), and recorded for each test that reads it."""
    return boot(share=True, **kw)


def memory_map(b):
    """The usable ranges the hypervisor printed, as [(start, end)], after
    checking that each line's KiB figure agrees with its bounds."""
    header = b.expect(r"^\(hv\) memory map \((multiboot|mem_lower/mem_upper)\):$")
    ranges = []
    for line in b.output[header.end():].splitlines()[1:]:
        m = RANGE.match(line)
        if not m:
            break
        start, end, kib = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))
        assert (end - start) // KIB == kib, "KiB figure disagrees: " + line
        ranges.append((start, end))
    assert ranges, "no usable range printed after the memory map header"
    return ranges


def check_ranges_are_sane(ranges):
    """Every range page aligned, non-empty, sorted and disjoint."""
    for start, end in ranges:
        assert start % PAGE == 0 and end % PAGE == 0, \
            "range 0x%x-0x%x is not page aligned" % (start, end)
        assert start < end, "empty range 0x%x-0x%x" % (start, end)
    for (s0, e0), (s1, e1) in zip(ranges, ranges[1:]):
        assert e0 <= s1, "ranges 0x%x-0x%x and 0x%x-0x%x overlap or are unsorted" \
            % (s0, e0, s1, e1)


def usable_bytes(ranges):
    return sum(end - start for start, end in ranges)


def image_pages():
    """Pages from 1 MiB to the end of the hypervisor's bss: the image the
    hypervisor reserves, read from build/hypervisor.elf's program headers."""
    data = HV.read_bytes()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    end = 0
    for i in range(phnum):
        p_type, _, _, p_paddr, _, p_memsz = struct.unpack_from(
            "<IIIIII", data, phoff + i * phentsize)
        if p_type == 1:                                  # PT_LOAD
            end = max(end, p_paddr + p_memsz)
    return (end - HV_LOAD_PHYS + PAGE - 1) // PAGE


def panic_report(b):
    """The lines from the PANIC line to the end of the console."""
    first = next(i for i, l in enumerate(b.lines) if l.startswith("(hv) PANIC: "))
    return b.lines[first:]


def mkimage(kind, path):
    subprocess.run([sys.executable, str(MKIMAGE), "--kind", kind, "-o", str(path)],
                   check=True, stdout=subprocess.DEVNULL)
    return path


def need_hello():
    if not HELLO.is_file():
        pytest.skip("build/pvguest/hello.elf was not built (no pvguest yet)")


# --- the banner ----------------------------------------------------------------

def test_the_banner_names_the_hypervisor_echoes_its_command_line_and_lists_the_machine(boot):
    b = boot(hv_args="mem=100")
    b.expect_in_order([
        BANNER,
        r"^\(hv\) boot loader: qemu$",
        r"^\(hv\) command line: '\S*hypervisor\.elf %s'$" % harness.hv_args_echoed("mem=100"),
        r"^\(hv\) cpu: \S+ family \d+ model \d+ stepping \d+$",
        r"^\(hv\) cpu features: ",
        r"^\(hv\) memory map \(multiboot\):$",
        RANGE.pattern,
        SUMMARY.pattern,
        FRAMES_RESERVED,
        NO_MODULES,
        OFF_NONE])
    assert b.lines[0] == b.expect(BANNER).group(0), "the banner is the first line"
    b.expect_status(7)


def test_the_cpu_features_line_shows_each_feature_with_plus_or_minus(boot):
    b = shared_boot(boot)
    line = b.expect(r"^\(hv\) cpu features: (.*)$").group(1).split()
    for name in FEATURES:
        assert ("+" + name in line) != ("-" + name in line), \
            "%s is not listed exactly once as +%s or -%s: %s" % (name, name, name, line)
    # tools/run gives QEMU a CPU with these; the hypervisor cannot run without PAE.
    for name in ("pae", "nx", "pge", "tsc"):
        assert "+" + name in line, "+%s missing: %s" % (name, line)
    b.expect_status(7)


# --- the memory map ---------------------------------------------------------------

@pytest.mark.parametrize("mib", [64, 3584])
def test_the_memory_map_adds_up_to_the_ram_qemu_was_given(boot, mib):
    b = shared_boot(boot, mem=mib)
    ranges = memory_map(b)
    check_ranges_are_sane(ranges)
    total = usable_bytes(ranges)
    # QEMU keeps the 384 KiB below 1 MiB and a little below 4 GiB (or the top
    # of RAM) for firmware; everything else must be reported as usable.
    assert mib * MIB - 4 * MIB <= total <= mib * MIB, \
        "%d MiB given, %.1f MiB usable in %s" % (mib, total / MIB,
                                                 [(hex(s), hex(e)) for s, e in ranges])
    summary = b.expect(SUMMARY.pattern)
    assert int(summary.group(1)) == total >> 20
    assert int(summary.group(2)) == len(ranges)
    assert int(summary.group(3)) == 0
    b.expect_status(7)


def test_ram_that_qemu_puts_above_4_gib_is_used(boot):
    b = shared_boot(boot, mem=3584)
    ranges = memory_map(b)
    above = [(s, e) for s, e in ranges if e > 1 << 32]
    assert above and above[0][0] >= 1 << 32, \
        "no usable range above 4 GiB: %s" % [(hex(s), hex(e)) for s, e in ranges]
    below = usable_bytes([(s, min(e, 1 << 32)) for s, e in ranges if s < 1 << 32])
    free, total, _ = map(int, b.expect(FRAMES_RESERVED).groups())
    assert total > below // PAGE, "%d frames: the frames above 4 GiB were not added" % total
    b.expect_status(7)


@pytest.mark.parametrize("mib", [64, 3584])
def test_the_frame_count_is_the_usable_ram_less_the_bios_area_and_the_image(boot, mib):
    b = shared_boot(boot, mem=mib)
    ranges = memory_map(b)
    free, total, modules = map(int, b.expect(FRAMES_RESERVED).groups())
    usable_pages = usable_bytes(ranges) // PAGE
    bios_pages = sum(min(e, MIB) - s for s, e in ranges if s < MIB) // PAGE
    expected = usable_pages - bios_pages - image_pages()
    # The multiboot information may take a page or two outside the BIOS area.
    assert expected - 4 <= total <= expected, \
        "%d frames; %d usable pages - %d below 1 MiB - %d of image = %d" % (
            total, usable_pages, bios_pages, image_pages(), expected)
    assert modules == 0 and free == total, "nothing is allocated before any domain"
    b.expect_status(7)


def test_mem_limits_the_ram_used_and_reports_the_rest_as_ignored(boot):
    b = boot(hv_args="mem=48")
    total = usable_bytes(memory_map(b))
    assert total == 48 * MIB, "mem=48 left %.1f MiB" % (total / MIB)
    b.expect(r"^\(hv\) memory: 48 MiB usable in \d+ ranges?, 79 MiB ignored$")
    b.expect_status(7)


# --- a deliberate panic ------------------------------------------------------------

PANICS = {
    "pf": r"^\(hv\) PANIC: #PF page fault in the hypervisor$",
    "gp": r"^\(hv\) PANIC: #GP general protection in the hypervisor$",
    "ud": r"^\(hv\) PANIC: #UD invalid opcode in the hypervisor$",
    "de": r"^\(hv\) PANIC: #DE divide error in the hypervisor$",
    "bug": r"^\(hv\) PANIC: BUG_ON\(.+\) at hypervisor/setup\.c:\d+$",
}


@pytest.mark.parametrize("kind", sorted(PANICS))
def test_a_panic_names_its_cause_shows_a_symbolized_backtrace_and_ends_with_status_3(boot, kind):
    b = shared_boot(boot, hv_args="test-panic=" + kind, allow_panic=True)
    b.expect_in_order([
        r"^\(hv\) test-panic=%s: crashing on purpose$" % kind,
        PANICS[kind],
        r"^\(hv\) backtrace:$",
        # The first frames are named from the hypervisor's own symbol table.
        r"^\(hv\)       0xfc[0-9a-f]{6} <setup_test_panic[.\w]*\+0x[0-9a-f]+>$",
        r"^\(hv\)       0xfc[0-9a-f]{6} <start_hypervisor\+0x[0-9a-f]+>$",
        OFF_PANIC])
    # The report is the last thing said: nothing else between it and power off.
    report = panic_report(b)
    assert re.match(OFF_PANIC, report[-1]), "power off is not the last line"
    for line in report[1:-1]:
        assert line.startswith("(hv)   ") or line == "(hv) backtrace:", \
            "not part of the panic report: " + line
    b.forbid(r"^\(hv\) (frames: .* after building|no domains to run)")
    b.expect_status(3)


@pytest.mark.parametrize("kind,vector", [("pf", 14), ("gp", 13), ("ud", 6), ("de", 0)])
def test_an_exception_panic_shows_the_vector_and_every_register(boot, kind, vector):
    b = shared_boot(boot, hv_args="test-panic=" + kind, allow_panic=True)
    hx = r"0x[0-9a-f]{8}"
    b.expect_in_order([
        PANICS[kind],
        r"^\(hv\)   vector %d \(#\w\w [a-z ]+\) error code 0x[0-9a-f]{4} cr2 %s$" % (vector, hx),
        r"^\(hv\)   eip %s <setup_test_panic[.\w]*\+0x[0-9a-f]+>$" % hx,
        r"^\(hv\)   eax {0} ebx {0} ecx {0} edx {0}$".format(hx),
        r"^\(hv\)   esi {0} edi {0} ebp {0} esp {0}$".format(hx),
        r"^\(hv\)   cs e008 ds e010 es e010 fs e010 gs e010 eflags %s$" % hx,
        r"^\(hv\)   cr0 {0} cr3 {0} cr4 {0}$".format(hx),
        r"^\(hv\) backtrace:$"])
    b.expect_status(3)


def test_a_page_fault_panic_shows_the_faulting_address_in_cr2(boot):
    b = shared_boot(boot, hv_args="test-panic=pf", allow_panic=True)
    # setup_test_panic writes to 0xbad: not present (bit 0 clear), a write (bit 1).
    b.expect(r"^\(hv\)   vector 14 \(#PF page fault\) error code 0x0002 cr2 0x00000bad$")
    b.expect_status(3)


def test_a_general_protection_panic_shows_the_bad_selector_as_error_code(boot):
    b = shared_boot(boot, hv_args="test-panic=gp", allow_panic=True)
    # Loading the TSS selector (0xe038) into DS faults with that selector.
    b.expect(r"^\(hv\)   vector 13 \(#GP general protection\) error code 0xe038 ")
    b.expect_status(3)


# --- exit statuses -----------------------------------------------------------------

def test_the_hypervisor_alone_says_no_domain_ran_and_ends_with_status_7(boot):
    """Nothing ran, so it is not a clean end: a script or a test must not
    take a boot with no guests for one whose guests all powered off."""
    b = shared_boot(boot)
    b.expect_in_order([NO_MODULES, OFF_NONE])
    assert b.lines[-1] == "(hv) power off: status 7 (no domain ran)"
    b.expect_status(7)
    assert "(run) exit status 7: no domain ran" in b.stderr


TOO_LITTLE = (r"^\(hv\) error: too little RAM: %d MiB usable%s; the hypervisor needs a "
              r"machine with at least 32 MiB of RAM \(31 MiB usable\)$")


@pytest.mark.parametrize("mib", [16, 31])
def test_too_little_ram_is_refused_with_a_clear_error_and_status_6(boot, mib):
    b = boot(mem=mib)
    b.expect_in_order([
        r"^\(hv\) memory: %d MiB usable" % (mib - 1),
        TOO_LITTLE % (mib - 1, ""),
        OFF_REFUSED])
    b.forbid(r"^\(hv\) frames:")           # refused before touching the allocator
    assert re.match(OFF_REFUSED, b.lines[-1])
    b.expect_status(6)
    assert "below the 32 MiB minimum" in b.stderr    # tools/run warned first


def test_the_minimum_ram_of_32_mib_boots_a_default_domain(boot):
    """The one minimum README states: a 32 MiB machine runs a 16 MiB domain."""
    need_hello()
    b = boot(str(HELLO), mem=32)
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(r"too little RAM")
    b.expect_status(0)


def test_grub_booting_it_with_too_little_ram_gets_the_same_clear_error(boot):
    """Through GRUB, as on a real PC: mem= makes the machine small."""
    b = boot(iso=True, hv_args="mem=20")
    b.expect_in_order([r"^\(hv\) boot loader: GRUB ",
                       TOO_LITTLE % (20, r" \(the rest set aside by mem=\)"),
                       OFF_REFUSED])
    b.expect_status(6)


def test_a_machine_too_small_to_start_the_hypervisor_is_refused_by_tools_run(built):
    """Below 2 MiB QEMU has no RAM where the hypervisor loads, so it could
    not say a word: tools/run says why instead of hanging to the timeout."""
    p = subprocess.run([sys.executable, str(ROOT / "tools" / "run"), "--mem", "1",
                        str(HELLO)], cwd=str(ROOT), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=harness.scaled(30))
    assert p.returncode == 1, p.stderr
    assert "cannot even start" in p.stderr and "32 MiB" in p.stderr, p.stderr


def test_a_guest_that_never_ends_is_killed_at_the_timeout_with_status_4(boot, tmp_path):
    # mkimage's good image is a valid PV kernel whose entry point is `jmp .`.
    spinner = mkimage("good", tmp_path / "spin.elf")
    # Scaled: the domain must be built by then, which takes up to 2 s on
    # a loaded host (1 s, scaled by make test's 3, was too close to that).
    b = boot(str(spinner), timeout=3)
    b.expect(r"^\(hv\) d0 \(d0\): 16 MiB, .*entry 0xc0100000")
    b.forbid(r"^\(hv\) power off")
    assert "(run) timeout after %g s" % b.timeout in b.stderr, b.stderr
    b.expect_status(4)


# --- bad input ---------------------------------------------------------------------

def test_without_a_memory_map_it_falls_back_to_mem_lower_and_mem_upper(boot):
    b = boot(hv_args="ignore-mmap")
    b.expect_in_order([
        r"^\(hv\) warning: no memory map from the boot loader \(ignore-mmap\); "
        r"using mem_lower/mem_upper$",
        r"^\(hv\) memory map \(mem_lower/mem_upper\):$",
        OFF_NONE])
    ranges = memory_map(b)
    check_ranges_are_sane(ranges)
    assert 124 * MIB <= usable_bytes(ranges) <= 128 * MIB
    b.expect_status(7)


def test_an_unknown_option_is_reported_and_ignored(boot):
    b = boot(hv_args="bogus")
    b.expect_in_order([r"^\(hv\) command line: '\S+ %s'$" % harness.hv_args_echoed("bogus"),
                       r"^\(hv\) warning: unknown option 'bogus' ignored$",
                       r"^\(hv\) memory map",
                       OFF_NONE])
    b.expect_status(7)


def test_a_bad_option_value_is_reported_and_ignored(boot):
    b = boot(hv_args="mem=abc test-panic=nope")
    b.expect_in_order([
        r"^\(hv\) warning: bad value 'abc' for option 'mem' \(mem=MIB: .*\); ignored$",
        r"^\(hv\) warning: bad value 'nope' for option 'test-panic' \(.*\); ignored$",
        r"^\(hv\) memory: 127 MiB usable in 2 ranges, 0 MiB ignored$",   # no limit
        OFF_NONE])
    b.forbid(r"crashing on purpose")
    b.expect_status(7)


def test_an_empty_module_is_reported_and_the_next_module_still_runs(boot, tmp_path):
    need_hello()
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    b = boot(str(empty), str(HELLO))
    b.expect_in_order([
        r"^\(hv\) error: module 0 \(%s\): the module is empty \[0x[0-9a-f]+-0x[0-9a-f]+\); d0 not built$"
        % re.escape(str(empty)),
        r"^\(d1\) Test result: SUCCESS$",
        r"^\(hv\) d1 shutdown: poweroff$",
        OFF_DOMAIN])
    b.expect(r"^\(hv\)   d0 d0 +not built: the module is empty ")
    assert len(re.findall(r"^\(hv\) error: ", b.output, re.M)) == 1   # said once
    b.expect_status(2)                    # d0 never powered off


def test_a_non_elf_module_gets_one_error_line_and_the_next_module_still_runs(boot, tmp_path):
    need_hello()
    text = tmp_path / "notes.txt"
    text.write_text("this is a text file, not a kernel\n")
    b = boot(str(text), str(HELLO))
    errors = re.findall(r"^\(hv\) error: .*$", b.output, re.M)
    assert errors == ["(hv) error: module 0 (%s): not an ELF file; d0 not built" % text], errors
    b.expect_in_order([r"^\(d1\) Test result: SUCCESS$", r"^\(hv\) d1 shutdown: poweroff$",
                       OFF_DOMAIN])
    b.expect_status(2)


# What each bad kind of tools/mkimage must be refused for (a word of the reason).
REASONS = {
    "truncated": r"truncated", "wrong-class": r"class", "wrong-machine": r"machine",
    "no-load": r"PT_LOAD", "overlap": r"overlap", "hole": r"hole",
    "too-big": r"larger than|too (big|large)|does not fit", "no-loader": r"LOADER",
    "bad-loader": r"LOADER", "bad-xen-version": r"XEN_VERSION",
    "bad-hypercall-page": r"HYPERCALL_PAGE", "not-elf": r"not an ELF",
    "pae-no": r"PAE",
}


def bad_kinds():
    out = subprocess.run([sys.executable, str(MKIMAGE), "--list"], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return [line.split()[0] for line in out.splitlines()
            if line.strip() and line.split()[0] != "good"]


def test_each_bad_image_gets_one_error_line_and_a_good_one_beside_them_still_runs(boot, tmp_path):
    need_hello()
    kinds = bad_kinds()
    assert kinds, "tools/mkimage --list names no bad kinds"
    images = [mkimage(k, tmp_path / ("%s.elf" % k)) for k in kinds]
    good = len(images)
    b = boot(*[str(p) for p in images], str(HELLO))
    for n, (kind, path) in enumerate(zip(kinds, images)):
        lines = re.findall(r"^\(hv\) error: module %d \(%s\)(.*)$"
                           % (n, re.escape(str(path))), b.output, re.M)
        assert len(lines) == 1, "%s: want one error line, got %s" % (kind, lines)
        reason = re.match(r"^: (.+); d%d not built$" % n, lines[0])
        assert reason, "%s: no reason in '%s'" % (kind, lines[0])
        assert re.search(REASONS.get(kind, r"\w"), reason.group(1)), \
            "%s: reason '%s' does not say /%s/" % (kind, reason.group(1), REASONS.get(kind))
    b.expect_in_order([r"^\(d%d\) Test result: SUCCESS$" % good,
                       r"^\(hv\) d%d shutdown: poweroff$" % good,
                       OFF_DOMAIN])
    b.expect_status(2)


# --- other lanes: the GRUB ISO, Bochs, make iso ---------------------------------

def test_the_same_hypervisor_boots_from_the_grub_iso(boot):
    b = boot(iso=True, hv_args="mem=100")
    b.expect_in_order([BANNER,
                       r"^\(hv\) boot loader: GRUB ",
                       r"^\(hv\) command line: '/boot/hypervisor\.elf %s'$"
                       % harness.hv_args_echoed("mem=100"),
                       r"^\(hv\) memory: 100 MiB usable",
                       OFF_NONE])
    b.expect_status(7)


@pytest.mark.bochs
def test_the_same_hypervisor_boots_on_bochs(boot):
    b = boot(emulator="bochs", timeout=120)
    b.expect_in_order([BANNER,
                       r"^\(hv\) boot loader: GRUB ",
                       r"^\(hv\) cpu features: \+pae ",
                       r"^\(hv\) memory map \(multiboot\):$",
                       OFF_NONE])
    check_ranges_are_sane(memory_map(b))
    b.expect_status(7)


def test_make_iso_writes_an_iso9660_image(built):
    iso = ROOT / "build" / "hypervisor.iso"
    p = subprocess.run(["make", "-s", "iso"], cwd=str(ROOT), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, timeout=harness.scaled(300))
    assert p.returncode == 0, "make iso failed:\n" + p.stdout
    with open(str(iso), "rb") as f:
        f.seek(16 * 2048)                  # the primary volume descriptor
        pvd = f.read(7)
    assert pvd == b"\x01CD001\x01", "build/hypervisor.iso is no ISO 9660 image"


def test_a_cpu_without_pae_is_refused_with_status_6(built):
    # tools/run always asks for a PAE CPU, so run QEMU directly with a 486.
    p = subprocess.run(["qemu-system-i386", "-cpu", "486", "-m", "64", "-kernel",
                        str(ROOT / "build" / "hypervisor.elf"), "-display", "none",
                        "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none",
                        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       timeout=harness.scaled(30))
    out = p.stdout.decode()
    assert "(hv) error: this CPU has no PAE; the hypervisor needs it" in out, out
    assert "(hv) power off: status 6 (cannot boot on this machine)" in out, out
    assert p.returncode == (6 << 1) | 1


def test_a_double_fault_runs_on_its_own_task_and_still_explains_itself(boot):
    # ESP pointed at an unmapped page: the #PF cannot be pushed, so the CPU
    # raises #DF, which only a task gate (a fresh stack) can handle.
    b = boot(hv_args="test-panic=df", allow_panic=True)
    b.expect_in_order([r"^\(hv\) test-panic=df: crashing on purpose$",
                       r"^\(hv\) PANIC: #DF double fault in the hypervisor",
                       r"^\(hv\)   eip 0x[0-9a-f]{8} <setup_test_panic",
                       r"^\(hv\)   esp 0x00001000 ",
                       r"^\(hv\) backtrace:$",
                       r"<start_hypervisor\+0x[0-9a-f]+>",
                       r"^\(hv\) power off: status 3 \(hypervisor panic\)$"])
    b.expect_status(3)


def test_out_of_memory_gives_back_what_it_took_and_counts_what_is_really_free(boot):
    """d0 asks for more than the machine has: its partial allocation goes
    back before the error counts free frames, so the count is what d1 then
    builds from, and the summary counts only the domain that was built."""
    need_hello()
    b = boot("%s dom.mem=200M" % HELLO, str(HELLO), mem=128)
    err = b.expect(r"^\(hv\) error: module 0 \(.*\): out of memory: dom\.mem=200M asked, but "
                   r"only (\d+) KiB \((\d+) frames\) are free; d0 not built$")
    kib, frames = int(err.group(1)), int(err.group(2))
    assert kib == frames * 4
    after = int(b.expect(r"^\(hv\) frames: (\d+) free of \d+ after building 1 domain "
                         r"\(1 module not built\)$").group(1))
    # Each module's pages were given to the allocator once it was built.
    modules = sum((ALIGN(int(e, 16)) - (int(s, 16) & ~(PAGE - 1))) // PAGE for s, e in
                  re.findall(r"^\(hv\) module \d+: 0x([0-9a-f]+)-0x([0-9a-f]+) ", b.output, re.M))
    # d1 took its 16 MiB (4096 frames) and a few more for its P2M array,
    # shared_info and page directory: nothing was left over from d0.
    assert 4096 < frames + modules - after < 4096 + 32, (frames, modules, after)
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(2)
