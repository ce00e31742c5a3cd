"""tests/test_runner.py: tools/run keeps its promises, with no hypervisor needed.

tools/run is how every other test sees the machine, so its own contract is
pinned down first: bad requests are usage errors (1); the emulator command
carries each guest with its command line (commas doubled for QEMU's -initrd);
the ISO's grub.cfg has one module line per guest; and, on every lane (QEMU
direct, QEMU from the ISO, Bochs from the ISO), the exit status is the one the
console's power-off line gives, or 4 on timeout, or 5 when the emulator ends
without that line. The "hypervisor" booted here is tests/fixtures/exitstub.S,
a 100-line multiboot stub that does what its command line says, so each boot
takes well under a second on QEMU and a few seconds on Bochs. The last tests
check the harness's own failure reports.
"""

import importlib.machinery
import importlib.util
import re
import shlex
import shutil
import struct
import subprocess
import sys

import pytest

import harness
from harness import ROOT, RUN

STUB_SRC = ROOT / "tests" / "fixtures" / "exitstub.S"


@pytest.fixture(scope="module")
def stub(tmp_path_factory):
    """tests/fixtures/exitstub.S, assembled and linked at 1 MiB."""
    out = tmp_path_factory.mktemp("exitstub")
    obj, elf = out / "exitstub.o", out / "exitstub.elf"
    ld = (["i686-linux-gnu-ld"] if shutil.which("i686-linux-gnu-ld")
          else ["ld", "-m", "elf_i386"])
    for cmd in (["cc", "-m32", "-c", str(STUB_SRC), "-o", str(obj)],
                ld + ["-N", "-Ttext=0x100000", "-e", "_start", "--build-id=none",
                      str(obj), "-o", str(elf)]):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        assert p.returncode == 0, "%s failed:\n%s" % (cmd[0], p.stdout)
    return elf


@pytest.fixture
def guests(tmp_path):
    """Two stand-in guest images (their contents do not matter here)."""
    files = [tmp_path / "one.elf", tmp_path / "two.elf"]
    for f in files:
        f.write_bytes(b"\x7fELF stand-in")
    return files


def run(*args, timeout=60):
    return subprocess.run([sys.executable, str(RUN)] + [str(a) for a in args],
                          cwd=str(ROOT), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=harness.scaled(timeout))


def runner_module():
    """tools/run as a module (it is a script with no .py), for its tables."""
    loader = importlib.machinery.SourceFileLoader("tools_run", str(RUN))
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader("tools_run", loader))
    loader.exec_module(mod)
    return mod


def section(text, name):
    """One `### name` section of a --dry-run listing (the grub.cfg's lines
    are shell comments there: the listing is a script)."""
    text = text.split("### %s\n" % name, 1)[1].split("\n### ", 1)[0]
    return re.sub(r"^# ?", "", text, flags=re.M) if name == "grub.cfg" else text


# --- usage errors --------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--bogus"], ["--timeout", "soon"], ["--timeout", "-1"],
    ["--emulator", "vmware"], ["--mem", "0"], ["--mem", "1"], ["--mem", "lots"],
    ["--entry", "0"], ["--entry", "99"], ["--entry", "1", "x.elf"],
    ["--gdb", "1234", "--emulator", "bochs"], ["--cpus", "0"], ["--cpus", "two"],
], ids=lambda a: " ".join(a))
def test_bad_options_are_usage_errors(stub, args):
    r = run("--hv", stub, "--dry-run", *args)
    assert r.returncode == 1, r.stderr
    assert "(run) usage error" in r.stderr


def test_a_missing_guest_image_is_a_usage_error(stub):
    r = run("--hv", stub, "--dry-run", "no/such/guest.elf x=1")
    assert r.returncode == 1
    assert "no/such/guest.elf" in r.stderr


def test_a_missing_hypervisor_image_is_a_usage_error(tmp_path):
    r = run("--hv", tmp_path / "absent.elf", "--dry-run")
    assert r.returncode == 1
    assert "absent.elf" in r.stderr


def test_help_documents_every_option_and_the_exit_statuses():
    r = run("--help")
    assert r.returncode == 0
    for word in ("--iso", "--emulator", "--timeout", "--mem", "--hv-args", "--hv",
                 "--log", "--quiet", "--dry-run", "--entry", "--gdb", "--cpus", "tools/mkiso",
                 "GUEST", "power off: status N", "timeout", "without the power-off line",
                 "32 MiB"):
        assert word in r.stdout, word
    # Every status tools/run can give is in the help's table, with its meaning.
    for n in runner_module().STATUSES:
        assert re.search(r"^  %d  \S" % n, r.stdout, re.M), "status %d not in --help" % n


# --- what the emulator is asked to do --------------------------------------------

def test_qemu_gets_each_module_with_its_command_line_and_commas_doubled(stub, guests):
    one, two = guests
    r = run("--hv", stub, "--dry-run", "--mem", "64", "--hv-args", "console=com1 x",
            "%s a,b  c=1" % one, two)
    assert r.returncode == 0, r.stderr
    cmd = shlex.split(r.stdout.splitlines()[-1])
    assert cmd[0] == "qemu-system-i386"
    arg = lambda opt: cmd[cmd.index(opt) + 1]
    assert arg("-initrd") == "%s a,,b c=1,%s" % (one, two)
    assert arg("-append") == "console=com1 x"
    assert arg("-kernel") == str(stub)
    assert arg("-m") == "64"
    assert "isa-debug-exit,iobase=0xf4,iosize=0x04" in cmd
    assert {"-no-reboot", "-display", "-serial"} <= set(cmd)
    assert "-enable-kvm" not in cmd and "max" not in arg("-cpu")
    assert "+pae" in arg("-cpu")


def test_the_iso_grub_cfg_has_one_module_line_per_guest_with_its_args(stub, guests):
    one, two = guests
    r = run("--hv", stub, "--dry-run", "--iso", "--hv-args", "a=1",
            "%s x=1 y,z" % one, two)
    assert r.returncode == 0, r.stderr
    cfg = section(r.stdout, "grub.cfg")
    assert "serial --unit=0 --speed=115200" in cfg
    assert "terminal_output serial console" in cfg
    assert "set timeout=0" in cfg
    assert "multiboot /boot/hypervisor.elf '/boot/hypervisor.elf' 'a=1'" in cfg
    modules = [l.strip() for l in cfg.splitlines() if l.strip().startswith("module")]
    assert modules == ["module /boot/one.elf '%s' 'x=1' 'y,z'" % one,
                       "module /boot/two.elf '%s'" % two]
    assert "-cdrom" in section(r.stdout, "command")


def test_bochs_boots_the_iso_headless_with_the_console_on_port_e9(stub):
    r = run("--hv", stub, "--dry-run", "--emulator", "bochs", "--mem", "64")
    assert r.returncode == 0, r.stderr
    rc = section(r.stdout, "bochsrc")
    for line in ("megs: 64", "boot: cdrom", "port_e9_hack: enabled=1",
                 'display_library: rfb, options="timeout=0"',
                 "reset_on_triple_fault=0", "panic: action=fatal"):
        assert line in rc, line
    assert section(r.stdout, "command").startswith("bochs ")


def test_cpus_n_is_qemus_smp_n_and_bochs_cpu_count_and_one_cpu_by_default(stub):
    cmd = lambda *a: shlex.split(run("--hv", stub, "--dry-run", *a).stdout.splitlines()[-1])
    assert "-smp" not in cmd()
    four = cmd("--cpus", "4")
    assert four[four.index("-smp") + 1] == "4"
    r = run("--hv", stub, "--dry-run", "--emulator", "bochs", "--cpus", "2")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^cpu: model=\S+, count=2,", section(r.stdout, "bochsrc"), re.M)
    r = run("--hv", stub, "--dry-run", "--emulator", "bochs")
    assert re.search(r"^cpu: model=\S+, count=1,", section(r.stdout, "bochsrc"), re.M)


def mkiso(*args):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "mkiso")]
                          + [str(a) for a in args], cwd=str(ROOT),
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)


def test_mkiso_makes_one_menu_entry_per_block_of_the_menu(stub, guests, tmp_path):
    menu = tmp_path / "menu"
    menu.write_text("# two entries\nentry alone\n\nentry with a guest\n"
                    "  hv-args v=1\n  module %s m=2\n" % guests[0])
    r = mkiso("--hv", stub, "--dry-run", "-o", tmp_path / "x.iso", "--menu", menu)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("menuentry ") == 2
    assert "menuentry 'with a guest'" in r.stdout
    assert "multiboot /boot/hypervisor.elf '/boot/hypervisor.elf' 'v=1'" in r.stdout
    assert "module /boot/one.elf '%s' 'm=2'" % guests[0] in r.stdout


def test_mkiso_rejects_a_malformed_menu(stub, tmp_path):
    menu = tmp_path / "menu"
    menu.write_text("module before/any/entry.elf\n")
    r = mkiso("--hv", stub, "-o", tmp_path / "x.iso", "--menu", menu)
    assert r.returncode == 1
    assert "menu:1" in r.stderr


def test_mkiso_writes_a_bootable_image_from_the_default_menu(stub, tmp_path):
    r = mkiso("--hv", stub, "-o", tmp_path / "x.iso")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.iso").stat().st_size > 1 << 20


# --- the exit status, on every lane ---------------------------------------------

LANES = [pytest.param(dict(emulator="qemu"), id="qemu"),
         pytest.param(dict(emulator="qemu", iso=True), id="qemu-iso"),
         pytest.param(dict(emulator="bochs"), id="bochs", marks=pytest.mark.bochs)]


@pytest.mark.parametrize("lane", LANES)
@pytest.mark.parametrize("status", [0, 2, 3, 6, 7])
def test_the_status_is_the_one_on_the_power_off_line(stub, lane, status):
    r = harness.boot(hv=stub, hv_args="status=%d" % status, timeout=30, **lane)
    r.expect(r"^\(hv\) power off: status %d \(stub\)$" % status)
    r.expect_status(status)


@pytest.mark.parametrize("lane", LANES)
def test_every_lane_hands_over_the_same_command_lines(stub, guests, lane):
    one, two = guests
    r = harness.boot("%s a,b  c=1" % one, two, hv=stub, hv_args="x=1 status=0",
                     **lane)
    r.expect_in_order([r"^\(hv\) stub cmdline: \S*hypervisor\S* x=1 status=0$"
                       if lane.get("iso") or lane["emulator"] == "bochs" else
                       r"^\(hv\) stub cmdline: \S+ x=1 status=0$",
                       r"^\(hv\) stub module: %s a,b c=1$" % one,
                       r"^\(hv\) stub module: %s$" % two])
    r.expect_status(0)


@pytest.mark.parametrize("lane", LANES)
@pytest.mark.parametrize("word", ["silent", "crash"])
def test_an_emulator_that_ends_without_the_power_off_line_gives_5(stub, lane, word):
    r = harness.boot(hv=stub, hv_args=word, timeout=30, **lane)
    r.expect_status(5)
    r.forbid(r"power off")
    assert "without the hypervisor's power-off line" in r.stderr


@pytest.mark.parametrize("lane", LANES)
def test_a_boot_that_outlives_its_timeout_is_killed_and_gives_4(stub, lane):
    # Long enough for Bochs' BIOS and GRUB to reach the stub (about 2-3 s on
    # an idle machine, up to 9 s on a loaded one; harness.boot scales it,
    # and r.timeout is the result): the stub's line must come before it.
    seconds = 12 if lane["emulator"] == "bochs" else 5 if lane.get("iso") else 3
    r = harness.boot(hv=stub, hv_args="hang", timeout=seconds, **lane)
    r.expect(r"^\(hv\) stub cmdline: .* hang$")
    r.expect_status(4)
    # Killed at its own timeout, not at the harness's margin (+60 s,
    # scaled): tools/run says so, and the harness never had to kill it.
    # (Not a measure of the seconds taken: the ISO's building and the
    # emulator's stopping take as long as the host makes them.)
    assert "(run) timeout after %g s" % r.timeout in r.stderr
    assert "tools/run itself hung" not in r.stderr, r.stderr


def test_when_the_line_and_qemus_exit_code_disagree_the_line_wins(stub):
    r = harness.boot(hv=stub, hv_args="status=2 code=3")
    r.expect_status(2)
    assert "trusting the line" in r.stderr


def test_log_saves_the_console_and_quiet_keeps_stdout_empty(stub, tmp_path):
    log = tmp_path / "console.log"
    r = run("--hv", stub, "--quiet", "--log", log, "--hv-args=status=0")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "(hv) power off: status 0 (stub)" in log.read_text()


# --- the harness's own failure reports --------------------------------------------

def fake(output, status=0):
    return harness.Boot([sys.executable, str(RUN), "--fake"], status, output, "", 0.1)


def test_a_missed_expectation_shows_the_nearest_partial_match():
    b = fake("".join("(hv) line %d\n" % i for i in range(100)) +
             "(d1) Test result: FAILURE\n")
    with pytest.raises(pytest.fail.Exception) as e:
        b.expect(r"^\(d1\) Test result: SUCCESS$")
    assert "longest matching prefix: /^\\(d1\\) Test result: /" in str(e.value)
    assert ">  101  (d1) Test result: FAILURE" in str(e.value)


def test_expect_in_order_names_the_pattern_that_failed():
    b = fake("b\na\n")
    assert [m.group() for m in b.expect_in_order(["a"])] == ["a"]
    with pytest.raises(pytest.fail.Exception) as e:
        b.expect_in_order(["b", "a", "b"])
    assert "pattern 3 of 3" in str(e.value)


def test_a_panic_fails_a_boot_unless_allowed():
    b = fake("(hv) PANIC: something\n", status=3)
    with pytest.raises(pytest.fail.Exception):
        b.forbid(harness.PANIC)
    with pytest.raises(pytest.fail.Exception) as e:
        b.expect_status(0)
    assert "got 3 (hypervisor panic)" in str(e.value)


def xen_elf(path, guest_os):
    """A stand-in ELF whose one PT_NOTE segment holds Xen's GUEST_OS note
    (type 6): all tools/run reads of a guest to tell whose it is."""
    name, desc = b"Xen\0", guest_os.encode() + b"\0"
    note = struct.pack("<3I", len(name), len(desc), 6) + name + desc.ljust(-(-len(desc) // 4) * 4, b"\0")
    ehdr = b"\x7fELF\x01\x01\x01".ljust(16, b"\0") + struct.pack(
        "<HHIIIIIHHHHHH", 2, 3, 1, 0, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    phdr = struct.pack("<8I", 4, 84, 0, 0, len(note), len(note), 4, 4)
    path.write_bytes(ehdr + phdr + note)
    return path


def test_a_xen_kernel_built_elsewhere_is_booted_as_a_domu(stub, tmp_path):
    """Under Xen, GRUB's Xen image, Mini-OS or XTF run as domUs, with a console
    ring; tools/run says dom.initdomain=0 for them, right after the path (so
    the older `opts -- guest words` form still takes it as an option), and
    leaves our own guests, and a word that chooses for itself, alone."""
    theirs, ours = xen_elf(tmp_path / "grub.elf", "GRUB"), xen_elf(tmp_path / "pv.elf", "pvguest")
    r = run("--hv", stub, "--dry-run", "--no-services", "%s mem=8M -- quiet" % theirs, ours,
            "%s dom.initdomain=1" % theirs)
    assert r.returncode == 0, r.stderr
    cmd = shlex.split(r.stdout.splitlines()[-1])
    assert cmd[cmd.index("-initrd") + 1].split(",") == [
        "%s dom.initdomain=0 mem=8M -- quiet" % theirs, str(ours), "%s dom.initdomain=1" % theirs]
    assert r.stderr.count("a Xen kernel built elsewhere, booted as a domU") == 1, r.stderr


# --- --dry-run is a script; --help's examples work ---------------------------------

DRY_LANES = [pytest.param([], id="qemu"), pytest.param(["--iso"], id="qemu-iso"),
             pytest.param(["--emulator", "bochs"], id="bochs", marks=pytest.mark.bochs)]


@pytest.mark.parametrize("lane", DRY_LANES)
def test_the_dry_run_listing_runs_as_a_script_and_boots_what_tools_run_would(stub, lane):
    """Pasted into a shell (here: fed to sh), the listing builds what it
    needs (the ISO, Bochs' files under build/dry-run/) and boots the same
    machine: the stub prints its power-off line."""
    r = run("--hv", stub, "--dry-run", "--hv-args", "status=0", *lane)
    assert r.returncode == 0, r.stderr
    assert "<tmp>" not in r.stdout
    sh = subprocess.run(["sh", "-e"], input=r.stdout, cwd=str(ROOT), stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT, universal_newlines=True,
                        timeout=harness.scaled(120))
    assert "(hv) power off: status 0 (stub)" in sh.stdout, r.stdout + sh.stdout


def help_examples():
    text = run("--help").stdout.split("examples:\n", 1)[1]
    return [shlex.split(l.split("#")[0])[1:] for l in text.splitlines()
            if l.strip().startswith("tools/run ")]


def test_every_example_in_the_help_is_a_valid_command(built):
    """Each example, with --dry-run added, is accepted: no example names a
    file that does not exist or an option that is not there."""
    examples = help_examples()
    assert len(examples) >= 6, examples
    for args in examples:
        r = run("--dry-run", *args)
        assert r.returncode == 0, "tools/run %s:\n%s" % (" ".join(args), r.stderr)


def test_a_dry_run_of_make_debug_prints_a_gdb_command_whose_symbol_file_exists(built):
    r = run("--gdb", "1234", "--dry-run", "build/pvguest/hello.elf")
    assert r.returncode == 0, r.stderr
    m = re.search(r"^\(run\)   (gdb\S*) -q (\S+) .*-ex 'target remote localhost:1234'$",
                  r.stderr, re.M)
    assert m, r.stderr
    assert m.group(2) == str(ROOT / "build" / "hypervisor.elf")
    assert "-S" in r.stdout.split() and "tcp:localhost:1234" in r.stdout
    # gdb itself reads the symbols from that file: start_hypervisor has an address.
    if shutil.which(m.group(1)):
        g = subprocess.run([m.group(1), "-q", "-batch", m.group(2), "-ex",
                            "info address start_hypervisor"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True,
                           timeout=harness.scaled(60))
        assert re.search(r"Symbol \"start_hypervisor\" is a function at address 0x",
                         g.stdout), g.stdout


# --- what tools/run adds to the hypervisor's word ------------------------------------

class FakeConsole:
    def __init__(self, lines):
        self.poweroff, self.lines, self.results = None, 0, {}
        mod = runner_module()
        for text in lines:
            self.lines += 1
            m = mod.POWER_OFF.match(text)
            if m:
                self.poweroff = int(m.group(1))
            m = mod.TEST_RESULT.match(text)
            if m:
                self.results[m.group(1)] = m.group(2)


@pytest.mark.parametrize("results,status", [
    (["SUCCESS"], 0), (["SKIP"], 0), (["FAILURE"], 8), (["ERROR"], 8),
    (["FAILURE", "SUCCESS"], 0),          # the last verdict of a domain counts
    (["SUCCESS", "ERROR"], 8)])
def test_a_guest_whose_last_test_result_is_failure_or_error_does_not_end_with_0(results, status):
    mod = runner_module()
    lines = ["(d0) Test result: %s" % r for r in results] + \
        ["(d1) Test result: SUCCESS", "(hv) power off: status 0 (all domains powered off)"]
    opts = mod.parse(["--dry-run"])
    assert mod.verdict(opts, FakeConsole(lines), 1, False, "qemu") == status


def test_a_hypervisor_verdict_other_than_0_stands_over_a_failed_test():
    mod = runner_module()
    lines = ["(d0) Test result: FAILURE", "(hv) power off: status 2 (a domain halted)"]
    assert mod.verdict(mod.parse(["--dry-run"]), FakeConsole(lines), 5, False, "qemu") == 2


def test_a_run_ends_with_a_line_naming_its_exit_status(stub):
    r = run("--hv", stub, "--hv-args=status=2")
    assert r.returncode == 2
    assert r.stderr.rstrip().splitlines()[-1] == \
        "(run) exit status 2: a domain halted, crashed or was not built"


def test_a_hypervisor_that_prints_nothing_is_reported_as_not_started(tmp_path):
    bogus = tmp_path / "not-multiboot.elf"
    bogus.write_bytes(b"\x7fELF" + bytes(8192))
    r = run("--hv", bogus, "--timeout", "30")
    assert r.returncode in (4, 5), r.stderr
    assert "the hypervisor printed nothing: it did not start" in r.stderr


def test_a_small_mem_is_warned_about_before_the_boot(stub):
    r = run("--hv", stub, "--mem", "16", "--hv-args=status=6")
    assert "warning: --mem 16 is below the 32 MiB minimum" in r.stderr
