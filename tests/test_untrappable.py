"""Untrappable instructions made visible: UMIP, CPUID faulting, CR4.TSD, CR4.PCE.

x86 lets sgdt, sidt, sldt, smsw and str (which show where the hypervisor's
tables are, and CR0), cpuid (the real CPU), rdtsc (the real counter) and
rdpmc run outside ring 0.  The hypervisor makes each one trap where the CPU
can (hypervisor/vcpu/emulate_untrappable.c, arch/x86/cpu.c), and the domain's
policy decides what a trapped one does: halt, naming the instruction and
the mechanism; reflect the #GP, as Xen does; or emulate it with the
guest's own view.  pvguest/tests/untrap runs them and prints what it saw.
tools/run gives QEMU a CPU with UMIP; "--cpu" without it shows the leak.
docs/untrappable.md is the table of every sensitive instruction.
"""
import ast
import re
from pathlib import Path

import pytest

from harness import guest, NO_LEAK

ROOT = Path(__file__).resolve().parent.parent
NO_UMIP_CPU = ("--cpu", "qemu32,+pae,+pge,+nx")
UMIP_FIVE = [("sgdt", r"sgdtl \(%edi\)"), ("sidt", r"sidtl \(%edi\)"),
             ("sldt", r"sldt %eax"), ("str", r"str %eax"), ("smsw", r"smsw %eax")]
HOLE = 0xF5800000


def untrap(args):
    return guest("untrap", args)


def views(b, d=0):
    """{(insn, ring): text after the colon} from the guest's "view" lines."""
    return {(m.group(1), int(m.group(2))): m.group(3) for m in
            re.finditer(r"^\(d%d\) view (\w+) ring (\d): (.*)$" % d, b.output, re.M)}


def test_the_banner_says_which_instructions_trap_outside_ring_0(boot):
    b = boot()
    b.expect(r"^\(hv\) cpu features: .*\+umip .*-cpuid-faulting$")
    b.expect(r"^\(hv\) cpu traps outside ring 0: sgdt sidt sldt smsw str by UMIP; "
             r"cpuid no \(no CPUID faulting\); rdpmc by CR4\.PCE clear$")
    b.expect_status(7)                      # the hypervisor alone: no domain ran


def test_under_halt_each_umip_instruction_and_rdpmc_halts_naming_itself_and_its_trap(boot):
    ops = UMIP_FIVE + [("rdpmc", "rdpmc")]
    b = boot(*[untrap("op=" + op) for op, _ in ops], guest("hello"))
    for d, (op, text) in enumerate(ops):
        at = b.expect(r"^\(d%d\) executing %s at (0x[0-9a-f]{8})$" % (d, op)).group(1)
        by = "CR4\\.PCE clear" if op == "rdpmc" else "UMIP"
        b.expect(r"^\(hv\) d%d halted: untrappable instruction '%s' \(trapped by %s\) at %s$"
                 % (d, text, by, at))
        b.forbid(r"^\(d%d\) %s returned" % (d, op))
    b.expect(r"^\(d6\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(2)


def test_under_reflect_each_umip_instruction_raises_gp_in_the_guest_from_rings_1_and_3(boot):
    b = boot(untrap("dom.policy=reflect view=1"))
    seen = views(b)
    assert len(seen) == 10, seen
    for (op, ring), text in seen.items():
        assert re.fullmatch(r"#GP\(0x0\) at 0x[0-9a-f]{8}", text), (op, ring, text)
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(r"halted")
    b.expect_status(0)


def test_under_halt_a_ring_3_umip_instruction_is_the_guest_kernels_gp(boot):
    b = boot(untrap("view=1 rings=3"))
    seen = views(b)
    assert sorted(seen) == [(op, 3) for op, _ in sorted(UMIP_FIVE)], seen
    assert all(t.startswith("#GP(0x0)") for t in seen.values()), seen
    b.forbid(r"halted")
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_under_emulate_the_umip_instructions_give_the_guests_own_view(boot):
    b = boot(untrap("dom.policy=emulate view=1"))
    cr0 = b.expect(r"^\(d0\) cr0 as the guest sees it: (0x[0-9a-f]{8})$").group(1)
    for ring in (1, 3):
        want = {"sgdt": "limit 0x0000 base 0x00000000",     # no set_gdt: nothing of its own
                "sidt": "limit 0x07ff base 0x00000000",     # 256 virtual IDT entries
                "sldt": "0x00000000", "str": "0x00000000",  # no LDT, no TSS of its own
                "smsw": cr0}                                # CR0 with TS as the guest set it
        got = {op: views(b)[(op, ring)] for op in want}
        assert got == want, "ring %d" % ring
    b.forbid(r"in the hypervisor")
    b.forbid(r"halted")
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_without_umip_sgdt_sidt_and_str_leak_the_hypervisors_tables(boot):
    b = boot(untrap("view=1"), extra=NO_UMIP_CPU)
    b.expect(r"^\(hv\) cpu traps outside ring 0: sgdt sidt sldt smsw str no \(no UMIP\);")
    for ring in (1, 3):
        seen = views(b)
        for op in ("sgdt", "sidt"):
            base = int(re.search(r"base (0x[0-9a-f]{8})", seen[(op, ring)]).group(1), 16)
            assert base >= HOLE, "%s in ring %d shows 0x%08x, not the hypervisor's" % (op, ring, base)
        assert seen[("str", ring)] == "0x0000e038"         # the hypervisor's TSS selector
    b.forbid(r"halted")
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_umip_off_on_the_command_line_leaves_the_instructions_untrapped(boot):
    b = boot(untrap("view=1 rings=3"), hv_args="umip=off")
    b.expect(r"^\(hv\) cpu traps outside ring 0: sgdt sidt sldt smsw str no \(umip=off\);")
    assert "(in the hypervisor)" in views(b)[("sgdt", 3)]
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_a_plain_cpuid_reaches_the_filter_only_where_cpuid_faulting_exists(boot):
    b = boot(untrap("cpuid=1"))
    faulting = "+cpuid-faulting" in b.expect(r"^\(hv\) cpu features: .*$").group(0)
    b.expect(r'^\(d0\) cpuid 0x40000000 plain "[^"]*", forced "XenVMMXenVMM"$')
    # QEMU TCG and Bochs have no CPUID faulting: there the plain cpuid shows
    # the real CPU (the load-time scan reports it); on hardware with it, ours.
    b.expect(r"^\(d0\) plain cpuid is the hypervisor's: %s$" % ("yes" if faulting else "no"))
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_the_cpuid_faulting_msrs_answer_as_xen_gives_them_to_pv_guests(boot):
    b = boot(untrap("dom.policy=reflect msr=1"))
    faulting = "+cpuid-faulting" in b.expect(r"^\(hv\) cpu features: .*$").group(0)
    b.expect(r"^\(d0\) platform_info 0x%s misc_features_enables 0x00000000$"
             % ("80000000" if faulting else "00000000"))
    b.expect(r"^\(d0\) \d+ checks, 0 failed$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")


def test_dom_tsc_emulate_makes_rdtsc_trap_and_count_the_guests_system_time(boot):
    b = boot(untrap("dom.tsc=emulate tsc=1"), untrap("tsc=1"))
    b.expect(r"^\(d0\) time info mul 0x80000000 shift 1$")
    b.expect(r"^\(d0\) rdtsc counts system-time nanoseconds: yes \(100 of 100 reads\)$")
    b.expect(r"^\(d1\) rdtsc counts system-time nanoseconds: no ")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(0)


def test_a_bad_untrappable_option_refuses_that_domain_only(boot):
    b = boot(untrap("dom.tsc=virtual"), untrap("dom.policy=ignore"), guest("hello"))
    b.expect(r"^\(hv\) error: module 0 \(.*\): bad tsc='virtual' \(want native or emulate\); "
             r"d0 not built$")
    b.expect(r"^\(hv\) error: module 1 \(.*\): bad policy='ignore' \(want halt, reflect or "
             r"emulate\); d1 not built$")
    b.expect(r"^\(d2\) Test result: SUCCESS$")
    b.expect_status(2)


@pytest.mark.bochs
def test_on_bochs_an_icelake_cpu_traps_the_umip_instructions_too(boot):
    b = boot(untrap("dom.policy=emulate view=1"), untrap("op=sgdt"),
             emulator="bochs", timeout=120, extra=("--cpu", "corei7_icelake_u"))
    b.expect(r"^\(hv\) cpu traps outside ring 0: sgdt sidt sldt smsw str by UMIP;")
    assert views(b)[("sidt", 3)] == "limit 0x07ff base 0x00000000"
    at = b.expect(r"^\(d1\) executing sgdt at (0x[0-9a-f]{8})$").group(1)
    b.expect(r"^\(hv\) d1 halted: untrappable instruction 'sgdtl \(%%edi\)' \(trapped by UMIP\) "
             r"at %s$" % at)
    b.expect(r"^\(d0\) Test result: SUCCESS$")


# --- the demo shell: one command per untrappable instruction -----------------

SHELL_SEES = [
    ("sgdt", r"sgdt saw limit 0x0000 base 0x00000000"),
    ("sidt", r"sidt saw limit 0x07ff base 0x00000000"),
    ("sldt", r"sldt saw 0x0000"),
    ("str", r"str saw 0x0000"),
    ("smsw", r"smsw saw 0x8[0-9a-f]{7} \(TS [01]\)"),
    ("cpuid", r'cpuid 0x40000000 saw "[^"]*": the real CPU \(no CPUID faulting here\)'),
    ("rdtsc", r"rdtsc saw 0x[0-9a-f]{16} at system time \d+ ns"),
    ("pushf", r"pushf saw IF 1 IOPL 0; our virtual IF \(the event mask\) is 1"),
    ("popf", r"popf of IF 0 IOPL 3 left IF 1 IOPL 0; the event mask is still 1"),
    ("lar", r"lar of 0xe019 saw rights 0x[0-9a-f]{8}: DPL 1"),
    ("lsl", r"lsl of 0xe021 saw limit 0xf67fffff: below the hypervisor"),
    ("verr", r"verr of the hypervisor's 0xe008: not readable from ring 1"),
    ("mov-cs", r"mov %cs saw 0xe019: RPL 1, the ring we run in"),
]


def test_the_demo_shell_runs_each_untrappable_instruction_and_shows_its_own_view(boot):
    cmds = "".join(c + r"\n" for c, _ in SHELL_SEES) + r"rdpmc\n"
    b = boot(guest("shell", "dom.policy=emulate spin=0"), extra=["--input", cmds])
    b.expect_in_order([r"^\(d0\) shell> %s\n\(d0\) kernel: %s$" % (re.escape(c), s)
                       for c, s in SHELL_SEES])
    b.forbid(r"the hypervisor's own table|the hypervisor's TSS")
    b.expect(r"^\(hv\) d0 halted: untrappable instruction 'rdpmc' \(trapped by CR4\.PCE clear\)")
    b.expect_status(2)


def test_the_demo_shell_shows_the_leak_without_umip_and_the_halt_with_it(boot):
    # "exit" ends the shell once it has shown both: the run ends there, not
    # at its timeout.
    leak = boot(guest("shell", "spin=0"), extra=["--input", r"sgdt\nstr\nexit\n"] + list(NO_UMIP_CPU))
    leak.expect(r"^\(d0\) kernel: sgdt saw limit 0x[0-9a-f]{4} base 0x[0-9a-f]{8}: "
                r"the hypervisor's own table$")
    leak.expect(r"^\(d0\) kernel: str saw 0xe038: the hypervisor's TSS$")
    leak.expect_status(0)
    halt = boot(guest("shell", "spin=0"), extra=["--input", r"sgdt\n"])
    halt.expect(r"^\(hv\) d0 halted: untrappable instruction 'sgdtl .*' \(trapped by UMIP\) "
                r"at 0x[0-9a-f]{8}$")
    halt.forbid(r"kernel: sgdt saw")
    halt.expect_status(2)


# --- docs/untrappable.md: the classification, written once -----------------

DOC = ROOT / "docs" / "untrappable.md"
UNTRAPPABLE_TESTS = ("test_untrappable.py", "test_untrappable_harmless.py", "test_scan.py")


def classification_rows():
    """{instruction: [test ids]} from the table under "## Every sensitive instruction"."""
    text = DOC.read_text().split("## Every sensitive instruction", 1)[1]
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("instruction", "---") and line.startswith("|"):
            rows[cells[0]] = re.findall(r"`(test_\w+\.py::test_\w+)`", cells[3])
    return rows


def functions_in(name):
    path = ROOT / "tests" / name
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_row_is_shown_and_every_test_has_a_row():
    rows = classification_rows()
    assert len(rows) >= 20, "the table has %d rows" % len(rows)
    cited = set()
    for insn, tests in rows.items():
        assert tests, "row %s names no test" % insn
        for t in tests:
            file, func = t.split("::")
            assert func in functions_in(file), "row %s names %s, which does not exist" % (insn, t)
            cited.add(t)
    me = "test_untrappable.py::test_every_row_is_shown_and_every_test_has_a_row"
    for file in UNTRAPPABLE_TESTS:
        for func in functions_in(file):
            t = "%s::%s" % (file, func)
            assert t in cited or t == me, "%s has no row in docs/untrappable.md" % t
