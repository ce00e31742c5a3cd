"""First paravirtual domains: the builder, the hypercalls, halting.

Each test boots the real hypervisor with pvguest images as multiboot
modules and reads the serial console: what the guests print as (dN)
lines, what the hypervisor says about them as (hv) lines, and the exit
status of tools/run.  The leak check ("0 leaked" at power off) is asserted
on every boot here, because every one of these boots ends domains.
"""

import pathlib
import re

import pytest

from harness import guest, NO_LEAK

ROOT = pathlib.Path(__file__).resolve().parent.parent
G = ROOT / "build" / "pvguest"


# The priv classes that the virtual CPU emulates, as Xen does for PV kernels
# (hypervisor/vcpu/emulate.c): reads of CR0/CR3/CR4, clts, and CR4 writes (Xen
# keeps the guest's own bits and ignores the rest).  They no longer halt;
# tests/test_vcpu_emulate.py and tests/test_vcpu_fpu_dr.py check what they do.
EMULATED_PRIV = {"mov-from-cr0", "mov-from-cr3", "mov-from-cr4", "mov-to-cr4", "clts"}


def priv_classes(emulated=False):
    rows = []
    for line in (ROOT / "pvguest/tests/priv/expected.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            cls, text = line.split("|", 1)
            if (cls in EMULATED_PRIV) == emulated:
                rows.append((cls, text))
    return rows


def test_hello_prints_its_greeting_as_d0_and_the_run_exits_0(boot):
    b = boot(guest("hello"), share=True)
    b.expect_in_order([r"^\(d0\) Hello from pvguest$",
                       r"^\(d0\) Test result: SUCCESS$",
                       r"^\(hv\) d0 shutdown: poweroff$",
                       r"^\(hv\)   d0 d0 +shutdown: poweroff$", NO_LEAK])
    b.expect_status(0)


def test_start_info_carries_xen_magic_and_the_initial_domain_flags(boot):
    b = boot(guest("hello"), guest("hello", "-- second guest"))
    b.expect(r'^\(d0\) magic "xen-3\.0-x86_32p" nr_pages 4096 flags 0x3$')   # SIF_INITDOMAIN|SIF_PRIVILEGED
    b.expect(r'^\(d1\) magic "xen-3\.0-x86_32p" nr_pages 4096 flags 0x0$')
    b.expect(r'^\(d1\) cmdline "second guest"$')
    b.expect(r'^\(d0\) cmdline ""$')
    b.expect_status(0)


def test_domain_options_before_the_double_dash_never_reach_the_guest(boot):
    b = boot(guest("hello", "mem=32M name=web initdomain=0 -- quiet"))
    b.expect(r"^\(hv\) d0 \(web\): 32 MiB, ")
    b.expect(r'^\(d0\) magic "xen-3\.0-x86_32p" nr_pages 8192 flags 0x0$')
    b.expect(r'^\(d0\) cmdline "quiet"$')
    b.expect(r"^\(hv\)   d0 web +shutdown: poweroff$")
    b.expect_status(0)


def test_xen_style_module_words_reach_the_guest_and_dom_words_configure_it(boot):
    # A GRUB line written for Xen: every word is the kernel's, even mem=.
    b = boot(guest("hello", "root=/dev/xvda1 mem=512M quiet dom.mem=32M dom.name=web"))
    b.expect(r"^\(hv\) d0 \(web\): 32 MiB, ")
    b.expect(r'^\(d0\) cmdline "root=/dev/xvda1 mem=512M quiet"$')
    b.expect_status(0)


def test_an_unknown_domain_option_refuses_that_domain_only(boot):
    b = boot(guest("hello", "dom.colour=blue"), guest("hello", "colour=blue -- x"),
             guest("hello"))
    b.expect(r"^\(hv\) error: module 0 \(.*hello\.elf dom\.colour=blue\): unknown domain option 'colour'; d0 not built$")
    b.expect(r"^\(hv\) error: module 1 \(.*hello\.elf colour=blue -- x\): unknown domain option 'colour'; d1 not built$")
    b.expect(r"^\(d2\) Test result: SUCCESS$")
    b.expect(r"^\(hv\)   d0 d0 +not built: unknown domain option 'colour'$")
    b.expect_status(2)


def test_a_domain_too_small_for_its_image_and_bootstrap_is_refused(boot):
    b = boot(guest("hello", "dom.mem=1M"), guest("hello"))
    b.expect(r"^\(hv\) error: module 0 \(.*\): .*(larger than the domain's 1 MiB|but the domain has 1024 KiB).*; d0 not built$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(2)


def test_the_start_of_day_layout_is_xens_at_a_high_and_a_zero_virt_base(boot):
    b = boot(guest("hello"), guest("hello-low"))
    b.expect(r"^\(hv\) d0 \(d0\): 16 MiB, virt_base 0xc0000000, ")
    b.expect(r"^\(hv\) d1 \(d1\): 16 MiB, virt_base 0x00000000, ")
    for d in (0, 1):
        b.expect(r"^\(d%d\) \d+ checks, 0 failed$" % d)
        b.expect(r"^\(d%d\) Test result: SUCCESS$" % d)
    b.forbid(r"check .*got (?!(.*) want \1$)")
    b.expect_status(0)


def priv_boot(boot, cls, emulated=False):
    """(boot, cls's domain, hello's domain): every class of one kind in a
    domain of its own, in priv_classes() order, then hello, booted once for
    all the tests of that kind (share=True) rather than once per class.
    Each class's domain is alone with what it does, as in a boot of its own."""
    classes = [c for c, _ in priv_classes(emulated)]
    b = boot(*[guest("priv-" + c) for c in classes], guest("hello"),
             mem=64 + 16 * (len(classes) + 1), share=True)
    return b, classes.index(cls), len(classes)


@pytest.mark.parametrize("cls,text", priv_classes(), ids=[c for c, _ in priv_classes()])
def test_a_privileged_instruction_halts_its_domain_naming_it_while_another_runs_on(boot, cls, text):
    b, d, hello = priv_boot(boot, cls)
    said = b.expect(r"^\(d%d\) executing (.*) at (0x[0-9a-f]+)" % d)
    assert said.group(1).startswith(text), said.group(0)
    # rdmsr/wrmsr also say which MSR refused: "at 0x...: MSR 0x0000001b refuses ..."
    halted = b.expect(r"^\(hv\) d%d halted: privileged instruction '(.*)' at (0x[0-9a-f]+)(?:: MSR .*)?$" % d)
    assert halted.group(1) == text
    assert int(halted.group(2), 16) == int(said.group(2), 16)
    b.forbid(r"^\(d%d\) .*still alive" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(r"^\(hv\) +d%d d%d +halted: privileged instruction '%s'" % (d, d, re.escape(text)))
    b.expect(NO_LEAK)
    b.expect_status(2)


@pytest.mark.parametrize("cls,text", priv_classes(emulated=True),
                         ids=[c for c, _ in priv_classes(emulated=True)])
def test_a_privileged_instruction_xen_emulates_leaves_its_domain_running(boot, cls, text):
    b, d, hello = priv_boot(boot, cls, emulated=True)
    b.expect_in_order([r"^\(d%d\) executing %s at 0x" % (d, re.escape(text)),
                       r"^\(d%d\) still alive after %s: " % (d, re.escape(text)),
                       r"^\(d%d\) Test result: SUCCESS$" % d])
    b.forbid(r"^\(hv\) d%d halted" % d)
    b.expect(r"^\(d%d\) Test result: SUCCESS$" % hello)
    b.expect(NO_LEAK)


def test_policy_reflect_halts_too_while_the_guest_has_no_gp_handler(boot):
    b = boot(guest("priv-wrmsr", "dom.policy=reflect"), guest("hello"))
    b.expect(r"^\(hv\) d0 halted: privileged instruction 'wrmsr' at 0x[0-9a-f]{8}: "
             r"MSR 0x0000001b refuses 0x00000000fee00900 \(policy reflect, no #GP handler\)$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect_status(2)


def test_hypervisor_policy_reflect_is_every_domains_default_unless_its_line_says(boot):
    b = boot(guest("priv-wrmsr"), guest("priv-wrmsr", "dom.policy=halt"),
             hv_args="policy=reflect")
    b.expect(r"^\(hv\) d0 halted: privileged instruction 'wrmsr' at 0x[0-9a-f]{8}: "
             r"MSR 0x0000001b refuses 0x00000000fee00900 \(policy reflect, no #GP handler\)$")
    b.expect(r"^\(hv\) d1 halted: privileged instruction 'wrmsr' at 0x[0-9a-f]{8}: MSR 0x0000001b refuses")
    b.expect_status(2)


def test_forced_emulation_cpuid_works_before_any_trap_table(boot):
    b = boot(guest("cpuid"))
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.forbid(r"halted")
    b.expect_status(0)


def test_xen_version_answers_every_subop_with_zero_padded_records(boot):
    b = boot(guest("version"))
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect_status(0)


def test_hostile_hypercall_arguments_get_error_codes_and_the_hypervisor_lives(boot):
    b = boot(guest("badargs"), guest("hello"))
    b.expect(r"^\(d0\) \d+ checks, 0 failed$")
    b.expect(r"^\(d0\) Test result: SUCCESS$")
    b.expect(r"^\(d1\) Test result: SUCCESS$")      # the next domain still runs
    b.expect(NO_LEAK)
    b.expect_status(0)


@pytest.mark.parametrize("reason,status", [("poweroff", 0), ("reboot", 2), ("suspend", 2),
                                           ("crash", 2), ("watchdog", 2)])
def test_sched_op_shutdown_logs_each_reason(boot, reason, status):
    b = boot(guest("shutdown", "-- reason=" + reason), guest("hello"))
    b.expect(r"^\(hv\) d0 shutdown: %s$" % reason)
    b.expect(r"^\(hv\)   d0 d0 +shutdown: %s$" % reason)
    b.expect(r"^\(d1\) Test result: SUCCESS$")
    b.expect(NO_LEAK)
    b.expect_status(status)


def test_yield_interleaves_domains_in_module_order(boot):
    b = boot(guest("spin-yield", "-- n=3"), guest("spin-yield", "-- n=3"))
    ticks = [l for l in b.lines if re.match(r"^\(d[01]\) tick \d$", l)]
    for d in (0, 1):                       # each domain's ticks, in its own order
        assert [t for t in ticks if t.startswith("(d%d)" % d)] == \
            ["(d%d) tick %d" % (d, i) for i in (1, 2, 3)], ticks
    # Yielding hands the CPU over: d1 starts before d0 has finished.
    assert ticks.index("(d1) tick 1") < ticks.index("(d0) tick 3"), ticks
    b.expect_status(0)


def test_every_frame_comes_back_after_many_domain_lifetimes(boot):
    mods = [guest("priv-cli") if i % 3 == 0 else guest("spin-yield", "mem=8M -- n=2")
            for i in range(30)]
    b = boot(*mods, mem=256, timeout=60)
    b.expect(r"^\(hv\) summary: 30 domains$")
    b.expect(NO_LEAK)
    b.expect_status(2)


def test_guest_output_cannot_forge_hypervisor_lines(boot):
    # badargs writes control characters and "\n(hv)"-style text? No: check the
    # console's rule directly with hello's output: every line a guest produced
    # starts with its own prefix, and no (hv) line names a guest as speaker.
    b = boot(guest("hello"), share=True)
    for line in b.lines:
        assert line.startswith(("(hv) ", "(d0) ", "(d0)")), line
