"""The instruction decoder (hypervisor/vcpu/decode.c) agrees with objdump.

The hypervisor advances a guest's EIP by the decoded length of every
instruction it emulates, so a wrong length is a guest-controlled jump; and it
names every privileged instruction it refuses, so the text must be exact.
These tests build the decoder for the host (tests/unit/decode_host.c), feed it
every instruction objdump finds in a set of binaries, and compare:

  * the length, always;
  * the text, whenever the decoder claims an exact spelling, which it must for
    every privileged or sensitive instruction and for the everyday mnemonics
    in EVERYDAY_MNEMONICS.

Binaries: tests/unit/decode_corpus.S (every privileged form plus the tricky
length cases), the hypervisor's own C files compiled with gcc -m32, the host
driver compiled with gcc -m32, and build/hypervisor.elf and
build/pvguest/*.elf when they exist.  Run: python3 -m pytest tests/test_decoder.py
"""
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import unit_build

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "unit"
AS = "i686-linux-gnu-as"
OBJDUMP = "i686-linux-gnu-objdump"
HV_CFLAGS = ("-m32 -ffreestanding -nostdlib -fno-pie -fno-stack-protector -O2 -std=gnu11 "
             "-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes "
             "-Wframe-larger-than=512 -I.").split()

DECODE_INVALID, DECODE_TRUNCATED, DECODE_UNSUPPORTED = -1, -2, -3

# NORMAL instructions the decoder must spell exactly (not as ".byte ...").
EVERYDAY_MNEMONICS = {
    "mov", "movl", "movw", "movb", "push", "pushw", "pop", "popw", "ret", "retw",
    "call", "jmp", "nop", "nopl", "nopw", "lea", "leave", "add", "addl", "addb",
    "sub", "subl", "xor", "and", "or", "cmp", "cmpl", "cmpb", "cmpw", "test",
    "testl", "testb", "inc", "incl", "dec", "shl", "shr", "sar", "imul", "mul",
    "div", "idiv", "neg", "not", "movzbl", "movzwl", "movsbl", "movswl", "xchg",
    "cltd", "cwtl", "sete", "setne", "cmove", "cmovne", "bswap", "cmpxchg",
    "xadd", "enter", "stos", "movsl", "movsb", "je", "jne", "jb", "jae", "jl",
    "jg", "jle", "jge", "ja", "jbe", "js", "jns",
}


# ---- helpers ------------------------------------------------------------

def have_tools():
    return all(shutil.which(t) for t in ("gcc", AS, OBJDUMP))


pytestmark = pytest.mark.skipif(not have_tools(), reason="needs gcc and i686 binutils")


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


class Objdump:
    """One instruction as objdump -d prints it."""

    def __init__(self, section, addr, data, text):
        self.section, self.addr, self.data, self.text = section, addr, data, text

    def __repr__(self):
        return f"{self.section}+{self.addr:#x}: {self.data.hex(' ')}  {self.text}"


LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f]{2}(?: [0-9a-f]{2})*)\s*\t(.*)$")
SECTION = re.compile(r"^Disassembly of section (\S+):")


def objdump(path, extra_args=()):
    """Every instruction objdump finds in path's code sections."""
    out = run([OBJDUMP, "-d", "-w", "--insn-width=15", *extra_args, str(path)],
              check=True).stdout
    insns, section = [], None
    for line in out.splitlines():
        m = SECTION.match(line)
        if m:
            section = m.group(1)
            continue
        m = LINE.match(line)
        if m:
            insns.append(Objdump(section, int(m.group(1), 16),
                                 bytes.fromhex(m.group(2)), m.group(3).strip()))
    return insns


def with_lookahead(insns):
    """Each instruction's bytes plus the bytes that follow it (up to 15), as
    the hypervisor would fetch them from guest memory."""
    mem = {}
    for i in insns:
        for k, b in enumerate(i.data):
            mem[(i.section, i.addr + k)] = b
    result = []
    for i in insns:
        buf = bytearray()
        while len(buf) < 15 and (i.section, i.addr + len(buf)) in mem:
            buf.append(mem[(i.section, i.addr + len(buf))])
        result.append(bytes(buf))
    return result


class Decoded:
    def __init__(self, line):
        addr, length, kind, privileged, exact, text = line.split("\t", 5)
        self.addr, self.length, self.kind = int(addr, 16), int(length), kind
        self.privileged, self.exact, self.text = privileged == "1", exact == "1", text


def decode(driver, items):
    """Run the host driver over [(addr, bytes)]; one Decoded per item."""
    stdin = "".join(f"{a:x} {b.hex()}\n" for a, b in items)
    out = subprocess.run([str(driver)], input=stdin, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) == len(items)
    return [Decoded(line) for line in out]


def decode_one(driver, hexbytes, addr=0):
    return decode(driver, [(addr, bytes.fromhex(hexbytes.replace(" ", "")))])[0]


def normalise(text):
    """objdump's text with single spaces and branch targets as 0x<hex>."""
    text = re.sub(r"\b([0-9a-f]+) <[^>]*>", r"0x\1", text)
    return " ".join(text.split())


def objdump_is_wrong(i, d):
    """Where objdump and the CPU disagree, the decoder follows the CPU:
    fwait (9b) is an instruction of its own, not part of the x87 instruction
    after it; and a segment register 6 or 7 ("%?") is #UD."""
    if d.text.endswith("fwait") and len(i.data) > d.length and i.data[d.length - 1] == 0x9b:
        return True
    return "%?" in i.text and d.length == DECODE_INVALID


def compare(driver, path, objdump_args=()):
    """Decode every instruction objdump finds in path.  Returns (mismatches,
    pairs of (objdump, decoded) that were compared)."""
    insns = [i for i in objdump(path, objdump_args) if "(bad)" not in i.text and
             i.text and not i.text.startswith(".byte")]
    decoded = decode(driver, [(i.addr, b) for i, b in zip(insns, with_lookahead(insns))])
    bad, pairs = [], []
    for i, d in zip(insns, decoded):
        if d.length == DECODE_UNSUPPORTED or objdump_is_wrong(i, d):
            continue            # VEX/EVEX/XOP/3DNow!/VIA are not decoded
        pairs.append((i, d))
        if d.kind == "FORCED_EMUL":                 # objdump: ud2; js; outs
            if i.data != b"\x0f\x0b" or d.length != 5:
                bad.append(f"{i!r}: forced-emulation prefix decoded as {d.length} bytes")
            continue
        if d.length != len(i.data):
            bad.append(f"{i!r}: decoder length {d.length} ({d.text})")
        elif d.kind != "NORMAL" and not d.exact:
            bad.append(f"{i!r}: {d.kind} not spelled: {d.text}")
        elif d.exact and normalise(d.text) != normalise(i.text):
            bad.append(f"{i!r}: decoder says '{d.text}'")
    return bad, pairs


def report(bad):
    return "\n".join(bad[:40]) + (f"\n... and {len(bad) - 40} more" if len(bad) > 40 else "")


# ---- fixtures -----------------------------------------------------------

@pytest.fixture(scope="module")
def driver():
    exe = BUILD / "decode_host"
    r = unit_build.gcc(["-DHOST_TEST", "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                        "-I.", "hypervisor/vcpu/decode.c", "hypervisor/vcpu/decode_format.c",
                        "tests/unit/decode_host.c"], exe)
    assert r.returncode == 0, r.stdout
    return exe


@pytest.fixture(scope="module")
def corpus():
    BUILD.mkdir(parents=True, exist_ok=True)
    obj = BUILD / "decode_corpus.o"
    r = run([AS, "--32", "tests/unit/decode_corpus.S", "-o", str(obj)])
    assert r.returncode == 0, r.stderr
    return obj


@pytest.fixture(scope="module")
def corpus_compared(driver, corpus):
    return compare(driver, corpus)


def up_to_date(obj, depfile):
    """obj is newer than its source, every header gcc's depfile names (as
    make decides) and this file (its flags): compiling again would give the
    same object."""
    try:
        deps = depfile.read_text().replace("\\\n", " ").split(":", 1)[1].split()
        built = obj.stat().st_mtime
        return all((ROOT / d).stat().st_mtime < built for d in deps + [__file__])
    except (OSError, IndexError):
        return False


def compiled_c_objects():
    """The tree's C files (with the hypervisor's flags) and the host driver
    (with libc), compiled for i386 at two optimisation levels.  Files that do
    not compile right now (someone is mid-edit) are skipped.  An object whose
    source and headers have not changed since it was compiled is kept, as
    make would keep it (gcc -MMD lists the headers): about 300 compilations
    are most of this file's time, and the objects are the same."""
    out = BUILD / "c32"
    out.mkdir(parents=True, exist_ok=True)
    objs = []
    sources = [p for d in ("hypervisor", "arch", "pvguest/lib")
               for p in sorted((ROOT / d).rglob("*.c"))]
    jobs = [(src, HV_CFLAGS + ["-Ibuild"]) for src in sources]
    jobs.append((ROOT / "tests/unit/decode_host.c",
                 ["-m32", "-DHOST_TEST", "-std=gnu11", "-I."]))
    for src, flags in jobs:
        for opt in ("-O2", "-Os"):
            name = str(src.relative_to(ROOT)).replace("/", "_")
            obj = out / f"{name[:-2]}{opt}.o"
            dep = obj.with_suffix(".d")
            if up_to_date(obj, dep) or run(["gcc", *flags, opt, "-MMD", "-MF", str(dep), "-c",
                                            str(src), "-o", str(obj)]).returncode == 0:
                objs.append(obj)
            else:
                obj.unlink(missing_ok=True)     # never kept past a failed compile
    return objs


# ---- objdump agreement --------------------------------------------------

def test_decoder_length_and_text_match_objdump_on_corpus(corpus_compared):
    bad, pairs = corpus_compared
    assert len(pairs) > 500
    assert not bad, report(bad)


def test_corpus_has_every_kind_and_decoder_spells_them_all(corpus_compared):
    _, pairs = corpus_compared
    kinds = {d.kind for _, d in pairs}
    missing = {"CLI", "STI", "HLT", "LGDT", "LIDT", "LLDT", "LTR", "SGDT", "SIDT", "SLDT",
               "STR", "SMSW", "LMSW", "CLTS", "MOV_TO_CR", "MOV_FROM_CR", "MOV_TO_DR",
               "MOV_FROM_DR", "IN", "OUT", "INS", "OUTS", "RDMSR", "WRMSR", "RDTSC",
               "RDTSCP", "RDPMC", "CPUID", "INVLPG", "INVD", "WBINVD", "PUSHF", "POPF",
               "IRET", "INT", "INT1", "INT3", "INTO", "LAR", "LSL", "VERR", "VERW",
               "PUSH_SEG", "POP_SEG", "MOV_FROM_SEG", "MOV_TO_SEG", "FAR_CALL", "FAR_JMP",
               "FAR_RET", "SYSENTER", "SYSEXIT", "SYSCALL", "SYSRET", "RSM", "UD2",
               "XSETBV", "FORCED_EMUL", "SYSTEM"} - kinds
    assert not missing, f"corpus lacks kinds {sorted(missing)}"
    unspelled = [f"{i!r}: {d.text}" for i, d in pairs if d.kind != "NORMAL" and not d.exact]
    assert not unspelled, report(unspelled)


def test_decoder_spells_everyday_mnemonics_exactly(corpus_compared):
    _, pairs = corpus_compared
    seen = {i.text.split()[0] for i, _ in pairs}
    assert EVERYDAY_MNEMONICS <= seen, sorted(EVERYDAY_MNEMONICS - seen)
    fell_back = [f"{i!r}: {d.text}" for i, d in pairs
                 if i.text.split()[0] in EVERYDAY_MNEMONICS and not d.exact]
    assert not fell_back, report(fell_back)


def test_decoder_length_and_text_match_objdump_on_gcc_output(driver):
    objs = compiled_c_objects()
    assert objs, "nothing compiled"
    bad = []
    for obj in objs:
        b, _ = compare(driver, obj)
        bad += [f"{obj.name}: {x}" for x in b]
    assert not bad, report(bad)


@pytest.mark.parametrize("elf", ["hypervisor.elf", "pvguest/*.elf"])
def test_decoder_length_and_text_match_objdump_on_built_images(driver, elf):
    files = sorted((ROOT / "build").glob(elf))
    if not files:
        pytest.skip(f"build/{elf} not built yet")
    bad = []
    for f in files:
        b, _ = compare(driver, f)
        bad += [f"{f.name}: {x}" for x in b]
    assert not bad, report(bad)


def random_code(seed, size):
    """Random bytes, biased towards prefixes and the 0F map's system groups."""
    rng = random.Random(seed)
    hot = [0x0f] * 30 + [0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x64] * 6
    out = bytearray()
    while len(out) < size:
        if rng.random() < 0.3:
            out += bytes([0x0f, rng.choice([0x00, 0x01, 0x20, 0x21, 0x22, 0x23, 0xba, 0xc7,
                                            0x38, 0x3a, 0xae, rng.randrange(256)])])
        out += bytes(rng.choice(range(256) if rng.random() < 0.8 else hot) for _ in range(6))
    return bytes(out[:size])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_decoder_length_and_text_match_objdump_on_random_bytes(driver, seed):
    blob = BUILD / f"random{seed}.bin"
    blob.write_bytes(random_code(seed, 60000))
    bad, pairs = compare(driver, blob, ("-D", "-b", "binary", "-m", "i386"))
    bad = [b for b in bad if not b.endswith("(TRUNCATED)")]   # the blob's last bytes
    assert len(pairs) > 10000
    assert not bad, report(bad)


# ---- the decoder's own rules ----------------------------------------------

def test_truncated_input_returns_truncated_at_every_cut_point(driver, corpus):
    insns = [i for i in objdump(corpus) if i.text != "(bad)"]
    items = [(i.addr, i.data[:cut]) for i in insns for cut in range(len(i.data))]
    wrong = [f"{a:#x}: {b.hex(' ')} -> {d.length} {d.text}"
             for (a, b), d in zip(items, decode(driver, items))
             if d.length != DECODE_TRUNCATED]
    assert not wrong, report(wrong)


@pytest.mark.parametrize("hexbytes, expected", [
    ("66" * 14 + "90", 15),                         # 14 prefixes + nop: exactly 15
    ("66" * 15 + "90", DECODE_INVALID),             # 16 bytes
    ("2e" * 10 + "c7 84 24 00 00 00 00 01", DECODE_INVALID),   # ModRM operands push past 15
    ("f0 66 67 2e 64 65 f3 f2 3e" + "c7 80 34 12 01 00", 15),  # every prefix kind
    ("2e" * 4 + "c7 84 24 00 00 00 00 01 00 00 00", 15),
    ("2e" * 5 + "c7 84 24 00 00 00 00 01 00 00 00", DECODE_INVALID),
])
def test_instructions_longer_than_fifteen_bytes_are_invalid(driver, hexbytes, expected):
    d = decode_one(driver, hexbytes + "00" * 8)
    assert d.length == expected, d.text


def test_too_many_prefixes_are_invalid_even_when_input_is_short(driver):
    assert decode_one(driver, "66" * 15).length == DECODE_INVALID
    assert decode_one(driver, "66" * 14).length == DECODE_TRUNCATED


def test_forced_emulation_prefix_is_a_five_byte_pseudo_instruction(driver):
    d = decode_one(driver, "0f0b78656e 0fa2")
    assert (d.length, d.kind, d.text) == (5, "FORCED_EMUL", 'ud2; .ascii "xen"')
    nxt = decode_one(driver, "0fa2", addr=5)
    assert (nxt.length, nxt.kind, nxt.text) == (2, "CPUID", "cpuid")


@pytest.mark.parametrize("hexbytes", ["0f0b", "0f0b78", "0f0b7865", "0f0b78656f",
                                      "0f0b58656e", "660f0b78656e"])
def test_forced_emulation_needs_all_five_unprefixed_bytes_else_it_is_ud2(driver, hexbytes):
    d = decode_one(driver, hexbytes)
    assert d.kind == "UD2" and d.length == (3 if hexbytes.startswith("66") else 2)


@pytest.mark.parametrize("hexbytes, kind, text", [
    ("0f22d8", "MOV_TO_CR", "mov %eax,%cr3"),
    ("0f20c0", "MOV_FROM_CR", "mov %cr0,%eax"),
    ("0f2000", "MOV_FROM_CR", "mov %cr0,%eax"),        # mod ignored: no SIB, no disp
    ("f00f22c0", "MOV_TO_CR", "mov %eax,%cr8"),        # AMD's lock alias
    ("0f23f8", "MOV_TO_DR", "mov %eax,%db7"),
    ("0f011508000000", "LGDT", "lgdtl 0x8"),
    ("0f015008", "LGDT", "lgdtl 0x8(%eax)"),
    ("670f0110", "LGDT", "lgdtl (%bx,%si)"),
    ("0f0118", "LIDT", "lidtl (%eax)"),
    ("0f00d8", "LTR", "ltr %ax"),
    ("0f01f0", "LMSW", "lmsw %ax"),
    ("0f017d00", "INVLPG", "invlpg 0x0(%ebp)"),
    ("ee", "OUT", "out %al,(%dx)"),
    ("e460", "IN", "in $0x60,%al"),
    ("f36d", "INS", "rep insl (%dx),%es:(%edi)"),
    ("646e", "OUTS", "outsb %fs:(%esi),(%dx)"),
    ("fa", "CLI", "cli"),
    ("f4", "HLT", "hlt"),
    ("0f30", "WRMSR", "wrmsr"),
    ("cd80", "INT", "int $0x80"),
    ("9a785634121000", "FAR_CALL", "lcall $0x10,$0x12345678"),
    ("8ed8", "MOV_TO_SEG", "mov %eax,%ds"),
    ("0fa1", "POP_SEG", "pop %fs"),
    ("cf", "IRET", "iret"),
    ("0f01d1", "XSETBV", "xsetbv"),
    ("0f01c8", "SYSTEM", "monitor %eax,%ecx,%edx"),
])
def test_privileged_instructions_are_named_like_objdump(driver, hexbytes, kind, text):
    d = decode_one(driver, hexbytes)
    assert (d.length, d.kind, d.exact, d.text) == (len(hexbytes) // 2, kind, True, text)


@pytest.mark.parametrize("hexbytes", [
    "d6", "0f04", "0f0a", "ffff", "fe10", "8dc0", "c60800", "0f00f0",
    "0fb2c0", "8cf0", "ffd8", "ffe8",
])
def test_undefined_opcodes_are_invalid(driver, hexbytes):
    assert decode_one(driver, hexbytes + "00" * 6).length == DECODE_INVALID


@pytest.mark.parametrize("hexbytes", ["c4e27918c0", "c5f877", "62f17c4858c0",
                                      "8fe878c0c001", "0f0fc00d"])
def test_vex_evex_xop_and_3dnow_are_reported_unsupported(driver, hexbytes):
    assert decode_one(driver, hexbytes).length == DECODE_UNSUPPORTED


@pytest.mark.parametrize("hexbytes, privileged", [
    ("0f22d8", True), ("0f20c0", True), ("0f0110", True), ("0f00d8", True), ("fa", True),
    ("fb", True), ("e460", True), ("6c", True), ("f4", True), ("0f32", True), ("0f33", True),
    ("0f09", True), ("0f01c8", True), ("0f0100", False), ("0f00c0", False), ("0f01e0", False),
    ("0f31", False), ("0fa2", False), ("9c", False), ("cf", False), ("8ed8", False),
    ("cd80", False), ("0f0b", False), ("90", False),
])
def test_privileged_means_faults_outside_ring_0_with_iopl_0(driver, hexbytes, privileged):
    assert decode_one(driver, hexbytes).privileged == privileged


def test_les_lds_and_bound_with_memory_are_not_vex(driver):
    assert decode_one(driver, "c400").text == "les (%eax),%eax"
    assert decode_one(driver, "c55804").text == "lds 0x4(%eax),%ebx"
    assert decode_one(driver, "6203").text == "bound %eax,(%ebx)"


def test_unspellable_instructions_fall_back_to_raw_bytes(driver):
    d = decode_one(driver, "0f28c1")                   # movaps %xmm1,%xmm0
    assert (d.length, d.kind, d.exact, d.text) == (3, "NORMAL", False,
                                                    ".byte 0x0f,0x28,0xc1")


def test_decoder_compiles_warning_free_for_the_hypervisor():
    BUILD.mkdir(parents=True, exist_ok=True)
    r = run(["gcc", *HV_CFLAGS, "-c", "hypervisor/vcpu/decode.c", "-o", str(BUILD / "decode32.o")])
    assert r.returncode == 0, r.stderr
