"""The virtual CPU's emulated privileged operations, and the virtual IOPL.

A PV kernel in ring 1 still executes some privileged instructions, and
Xen's ABI promises to emulate them with the vCPU's own state (see the
essay at the top of hypervisor/vcpu/emulate.c): reads of CR0/CR2/CR3/CR4,
clts and TS-only CR0 writes, the debug registers, a few MSRs, and
cli/sti/in/out/ins/outs when the virtual IOPL allows. Everything else stays
disallowed and halts the domain (or, under policy=reflect, reaches the
guest's #GP handler). Each test boots guests and reads the console: the
emul and viopl guests print one "check" line per rule, and a disallowed
operation is announced as "executing <insn> at <addr>" before it runs, so
the halt message can be matched to it exactly.
"""

import pathlib
import re

import pytest

from harness import guest, side_by_side, NO_LEAK

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"
ALL_CHECKS_PASS = r"check .*got (?!(.*) want \1$)"     # a check line whose got != want


def expect_halt_at_announced_insn(b, dom=0):
    """The domain announced an instruction, then was halted naming it at that address."""
    said = b.expect(r"^\(d%d\) executing (.*) at (0x[0-9a-f]+)" % dom)
    halted = b.expect(r"^\(hv\) d%d halted: privileged instruction '(.*)' at (0x[0-9a-f]+)(?:: .*)?$" % dom)
    assert halted.group(1) == said.group(1), (said.group(0), halted.group(0))
    assert int(halted.group(2), 16) == int(said.group(2), 16)
    b.forbid(r"^\(d%d\) (still alive|survived)" % dom)
    return halted


def test_cr_reads_clts_debug_registers_and_table_msrs_are_emulated(boot):
    b = boot(guest("emul"))
    b.expect(r"^\(d0\) check cr3 = xen_pfn_to_cr3\(p2m\[pt_base pfn\]\): got (0x[0-9a-f]+) want \1$")
    b.expect(r"^\(d0\) check cr0\.TS after clts: got 0x00000000 want 0x00000000$")
    b.expect(r"^\(d0\) check dr7 round trip: got 0x00000400 want 0x00000400$")
    b.expect(r"^\(d0\) check misc_enable says BTS and PEBS are unavailable: got (\S+) want \1$")
    b.expect(r"^\(d0\) \d+ checks, 0 failed$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(ALL_CHECKS_PASS)
    b.forbid(r"halted")
    b.expect(NO_LEAK)
    b.expect_status(0)


DISALLOWED = [
    ("rdmsr-unknown", "rdmsr"),         # TEST_CTRL: Xen does not offer it
    ("wrmsr-pat", "wrmsr"),             # the PAT is Xen's, read-only to PV guests
    ("wrmsr-tsc", "wrmsr"),             # the TSC is read-only to guests
    ("mov-to-cr0", "mov %eax,%cr0"),    # changes WP, not only TS
    ("mov-to-cr3", "mov %eax,%cr3"),    # even our own cr3: only mmuext_op switches tables
]


@pytest.mark.parametrize("op,text", DISALLOWED)
def test_disallowed_msr_and_cr_writes_halt_under_policy_halt(boot, op, text):
    b, d, hello = side_by_side(boot, "emul", [o for o, _ in DISALLOWED], "-- op=", op, True)
    halted = expect_halt_at_announced_insn(b, d)
    assert halted.group(1) == text
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)   # the other domains run on
    b.expect(NO_LEAK)
    b.expect_status(2)


def test_a_disallowed_msr_under_policy_reflect_reaches_the_guests_gp_handler(boot):
    b = boot(guest("emul", "policy=reflect -- op=rdmsr-unknown gp=handle"))
    said = b.expect(r"^\(d0\) executing rdmsr at (0x[0-9a-f]+)")
    b.expect(r"^\(d0\) #GP handler ran 1 time\(s\): eip %s error 0x0$" % said.group(1))
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(ALL_CHECKS_PASS)
    b.forbid(r"halted")
    b.expect_status(0)


def test_physdev_set_iopl_and_vm_assist_answer_as_xen_does(boot):
    b = boot(guest("viopl"))
    for rule in [r"set_iopl 4: got -22 want -22",
                 r"physdev_op PHYSDEVOP_eoi: got -38 want -38",
                 r"vm_assist enable architectural_iopl: got 0 want 0",
                 r"vm_assist enable pae_extended_cr3: got 0 want 0",
                 r"vm_assist enable 4gb_segments: got -22 want -22",
                 r"vm_assist enable type 99: got -22 want -22",
                 r"vm_assist command 7: got -38 want -38"]:
        b.expect(r"^\(d0\) check " + rule + "$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(ALL_CHECKS_PASS)
    b.expect_status(0)


VIOPL_OPS = [("cli", "cli"), ("sti", "sti"), ("in", "in $0x71,%al"), ("out", "out %al,$0x80"),
             ("ins", "rep insb (%dx),%es:(%edi)"), ("outs", "rep outsw %ds:(%esi),(%dx)")]


@pytest.mark.parametrize("op,text", VIOPL_OPS, ids=[o for o, _ in VIOPL_OPS])
def test_viopl_0_in_ring_1_halts_each_io_privileged_op(boot, op, text):
    b, d, hello = side_by_side(boot, "viopl", [o for o, _ in VIOPL_OPS], "-- iopl=0 op=", op, True)
    halted = expect_halt_at_announced_insn(b, d)
    assert halted.group(1) == text
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(NO_LEAK)
    b.expect_status(2)


@pytest.mark.parametrize("op,text", VIOPL_OPS, ids=[o for o, _ in VIOPL_OPS])
def test_viopl_1_in_ring_1_emulates_each_io_privileged_op_without_a_device(boot, op, text):
    b, d, _ = side_by_side(boot, "viopl", [o for o, _ in VIOPL_OPS], "-- iopl=1 op=", op, False)
    b.expect_in_order([r"^\(d%d\) executing %s at 0x" % (d, re.escape(text)),
                       r"^\(d%d\) survived %s$" % (d, re.escape(text)),
                       r"^\(d%d\) Test result: SUCCESS$" % d])
    b.forbid(ALL_CHECKS_PASS)
    b.forbid(r"halted")
    b.expect_status(0)


IO_FORMS = ["iopl=1", "iopl=3", "iopl=0 assist=1"]


@pytest.mark.parametrize("args", IO_FORMS)
def test_every_io_form_is_emulated_when_the_viopl_allows_it(boot, args):
    # iopl=0 with architectural_iopl: the kernel counts as ring 0, as on Xen.
    b, d, _ = side_by_side(boot, "viopl", IO_FORMS, "-- op=all ", args, False)
    for _, text in VIOPL_OPS:
        b.expect(r"^\(d%d\) survived %s$" % (d, re.escape(text)))
    b.expect(r"^\(d%d\) check rep insb of 3000: ECX 0, all ones, buf\[3000\] untouched: got 1 want 1$" % d)
    b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(ALL_CHECKS_PASS)
    b.expect_status(0)
