"""GRUB's own Xen build as a guest: it runs unmodified, to its prompt and
to booting a PV kernel of its own (pvgrub).

build/grub-i386-xen.elf is GRUB 2 as Debian's grub-xen-bin builds it for a
32-bit PV domain (`grub-mkimage -O i386-xen`, see the Makefile), a kernel
nobody here wrote.  Under Xen such a kernel is always a domU, so tools/run
boots it as one (dom.initdomain=0): it gets a console ring, and, because it
was built elsewhere, the xenstored service domain.  Its machine set-up
(grub_machine_init, grub-core/kern/xen/init.c) then goes, in order:

1. vm_assist(enable, pae_extended_cr3).
2. grant_table_op: GNTTABOP_set_version (1), GNTTABOP_setup_table (one frame).
3. map_all_pages(): one mmu_update of MMU_MACHPHYS_UPDATE pairs, swapping
   the pages it must not use as RAM (its console and store pages, which are
   its own) to the top of its P2M; new page tables near the top of its
   memory, each written through one window VA with update_va_mapping, which
   map all its pages and, just past them, the console ring, shared_info,
   the store page and the grant frame; the window unmapped.
4. mmuext_op: pin the new L3, load it, unpin the old one (three ops, one call).
5. update_va_mapping of each old page-table frame, now plain pages, writable.
6. Its console on the ring ("Welcome to GRUB!"), its xenstore on the store
   ring (it lists device/vbd for its disks: none, unless it was booted
   with dom.disk=1 beside blkback: then xen/xvda), then its embedded config.
7. `linux` and `boot` (in grub-i386-xen-boot.elf's config, or typed at the
   prompt): it loads a PV kernel from its memdisk, lays out Xen's start of
   day for it, switches to its page tables from a relocator page and jumps
   to it, in its own domain (pvgrub).  With dom.disk=1 beside blkback the
   kernel comes from the disk instead, and after GRUB closed the disk the
   kernel opens it again through blkfront.

The first three tests read the hypercalls from QEMU's interrupt log
(tools/run --int-log: every `int $0x82` with its registers) and the rest from
the console: every (d0) line here is GRUB writing its PV console ring, read
by the hypervisor's ring backend.  The prompt image's config switches GRUB's
terminal to `dumb`, so its line editing is plain text on the console.  One
boot runs on Bochs, which enforces the segment limits that QEMU ignores.  The
last tests show why it needs both rings: as an initial domain GRUB has no
console ring, without xenstored no store page; it maps frame 0 in their
place, and is refused.
"""
import re
import secrets
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

import harness

GRUB = harness.ROOT / "build" / "grub-i386-xen.elf"
GRUB_PROMPT = harness.ROOT / "build" / "grub-i386-xen-prompt.elf"
GRUB_XEN_DIR = Path("/usr/lib/grub/i386-xen")
MMU_UPDATE, UPDATE_VA_MAPPING, GRANT_TABLE_OP, VM_ASSIST, MMUEXT_OP = 1, 14, 20, 21, 26
GNTTABOP_setup_table, GNTTABOP_set_version = 2, 8
VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3, DOMID_SELF = 0, 3, 0x7FF0
UVMF_INVLPG, PREEMPTED = 2, 0x80000000
GRUB_TOP = 0x800000              # GRUB's code runs below 8 MiB, xenstored at 0xc0000000
DOMU = r"^\(hv\) d0 \(d0\): 16 MiB, virt_base 0x00000000, entry 0x00000000, mapped 0x00000000-0x00800000$"
# GRUB's terminal (terminfo, vt100-color until the config says otherwise)
# sets colours with escape sequences before some lines; the hypervisor shows
# each ESC byte as '?', so no guest can drive the terminal.
COLOURS = r"(?:\?\[[0-9;]*m)*"
RINGS = r"^\(hv\) d0 rings: store mfn 0x([0-9a-f]+) port \d+, console mfn 0x([0-9a-f]+) port \d+$"

pytestmark = pytest.mark.skipif(
    not (GRUB_XEN_DIR / "kernel.img").exists() or shutil.which("grub-mkimage") is None,
    reason="grub-xen-bin is not installed (tools/install-deps installs it)")


def grub_hypercalls(log):
    """(number, ebx, ecx, edx, esi, edi) for each `int $0x82` from GRUB's code
    (ring 1, below 8 MiB) in a QEMU -d int log: the entry line, then the
    register lines.  A batch the hypervisor continued (the tick fell due) is
    issued again by the same int $0x82 with the PREEMPTED bit in its count:
    not a new call, so left out."""
    calls, lines = [], log.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        m = re.search(r" v=82 .* cpl=1 .*\bpc=([0-9a-f]+)", line)
        if not m or int(m.group(1), 16) >= GRUB_TOP:
            continue
        regs = dict(re.findall(r"\b(E[A-Z]{2})=([0-9a-f]{8})", " ".join(lines[i + 1:i + 3])))
        call = tuple(int(regs[r], 16) for r in ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI"))
        if not (call[0] in (MMU_UPDATE, MMUEXT_OP) and call[2] & PREEMPTED):
            calls.append(call)
    return calls


@pytest.fixture(scope="module")
def grub_once(built, tmp_path_factory):
    """One boot of build/grub-i386-xen.elf, with its interrupt log, read by
    the three tests below: (the Boot, GRUB's hypercalls)."""
    log = tmp_path_factory.mktemp("grub") / "int.log"
    b = harness.boot(str(GRUB), timeout=60, extra=["--int-log", str(log)])
    return b, grub_hypercalls(log)


@pytest.fixture
def grub_run(grub_once):
    harness.current_boots.append(grub_once[0])         # saved with the test if it fails
    return grub_once


def test_grub_is_booted_as_a_domu_with_a_console_ring_and_a_store(grub_run):
    b, _ = grub_run
    assert "booted as a domU" in b.stderr and "services: d1 is xenstored" in b.stderr, b.stderr
    b.expect(DOMU)                                  # no ", initial domain"
    b.expect(RINGS)
    b.expect(r"^\(d1\) xenstored: d0 introduced \(port \d+\)$")


def test_grub_switches_to_its_own_page_tables_as_under_xen(grub_run):
    b, calls = grub_run
    b.expect(r"^\(d0\) %sgrub-xen: embedded config reached$" % COLOURS)   # it got through
    nrs = [c[0] for c in calls]
    assert calls[0][:3] == (VM_ASSIST, VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), calls
    assert [c[:2] for c in calls[1:3]] == [(GRANT_TABLE_OP, GNTTABOP_set_version),
                                           (GRANT_TABLE_OP, GNTTABOP_setup_table)], calls
    # Two M2P updates per page it swaps away: its console and store pages.
    assert calls[3][0] == MMU_UPDATE and calls[3][2] == 2 * 2 and calls[3][4] == DOMID_SELF, calls
    switch = nrs.index(MMUEXT_OP)                  # pin new L3, new baseptr, unpin old
    assert calls[switch][2] == 3 and calls[switch][4] == DOMID_SELF, calls
    window = calls[4:switch]
    assert {c[0] for c in window} == {UPDATE_VA_MAPPING} and len({c[1] for c in window}) == 1
    assert all(c[2] & 0xfff == 7 for c in window[:-1]) and window[-1][2:4] == (0, 0), window
    assert len(window) - 1 >= 1 + 4 + 1           # an L3, its four L2s, an L1 at least
    # Then each old table frame, unpinned and no longer in use, made writable
    # at its own address: consecutive pages, present|rw|user, invlpg.
    old = [c for c in calls[switch + 1:] if c[0] == UPDATE_VA_MAPPING]
    assert old and [c[1] for c in old] == [old[0][1] + 0x1000 * i for i in range(len(old))], old
    assert all(c[2] & 0xfff == 7 and c[3] == 0 and c[4] == UVMF_INVLPG for c in old), old
    assert not {MMU_UPDATE, MMUEXT_OP} & set(nrs[switch + 1:]), nrs


def test_grub_writes_its_console_ring_runs_its_embedded_config_and_powers_off(grub_run):
    b, _ = grub_run
    b.expect_in_order([r"^\(hv\) console input: d0 ",
                       r"^\(d0\) .*Welcome to GRUB!$",
                       r"^\(d0\) %sgrub-xen: embedded config reached$" % COLOURS,
                       r"^\(hv\) d0 shutdown: poweroff$"])
    b.forbid(r"Unknown command|error: ")            # the config ran as written
    b.forbid(r"halted")
    b.expect(harness.NO_LEAK)
    b.expect_status(0)


@pytest.mark.bochs
def test_grub_runs_to_its_embedded_config_on_bochs_too(boot):
    """Bochs enforces the segment limits that keep ring 1 out of the
    hypervisor: nothing GRUB does depends on their absence."""
    b = boot(str(GRUB), emulator="bochs", timeout=150)
    b.expect_in_order([r"^\(d0\) .*Welcome to GRUB!$",
                       r"^\(d0\) %sgrub-xen: embedded config reached$" % COLOURS,
                       r"^\(hv\) d0 shutdown: poweroff$"])
    b.expect(harness.NO_LEAK)
    b.expect_status(0)


def test_grubs_prompt_answers_a_typed_command_through_its_console_ring(boot):
    word = "ringone-" + secrets.token_hex(4)       # nothing else could print it
    b = boot(str(GRUB_PROMPT), timeout=90, extra=[
        "--input-after", r"^\(d0\) .*device or file completions\.", "--input", r"echo %s\r" % word,
        "--input-after", r"^\(d0\) %s$" % word, "--input", r"echo $grub_platform\r",
        "--input-after", r"^\(d0\) xen$", "--input", r"halt\r"])
    b.expect_in_order([r"^\(d0\) %sgrub-xen: embedded config reached; the prompt follows$" % COLOURS,
                       r"^\(d0\) GNU GRUB  version ",
                       r"^\(d0\) grub> echo %s$" % word,
                       r"^\(d0\) %s$" % word,
                       r"^\(d0\) grub> echo \$grub_platform$",
                       r"^\(d0\) xen$",                  # GRUB's own word for where it runs
                       r"^\(d0\) grub> halt$",
                       r"^\(hv\) d0 shutdown: poweroff$"])
    b.expect(harness.NO_LEAK)
    b.expect_status(0)


def test_grub_reads_the_toolstacks_disk_and_boots_a_kernel_from_it_that_uses_it_too(boot, tmp_path):
    """With dom.disk=1 the toolstack (the hypervisor) writes GRUB's
    device/vbd/51712 and blkback's backend nodes before GRUB runs, as Xen's
    xl does; GRUB's unmodified disk driver (grub-core/disk/xen/xendisk.c)
    lists device/vbd, connects to blkback (ring, grant, event channel) and
    calls the disk xen/xvda.  The disk is an ext2 image (blkback's ramdisk
    module, its first slot GRUB's) holding a file with a word made up for
    the run and the blk-rw test kernel; the same word is in the image's
    first sector, which ext2 leaves alone.  GRUB lists the file and prints
    the word, read through blkback; then loads blk-rw from the disk and
    boots it in its own domain (pvgrub).  Before it jumps, GRUB closes the
    disk (grub_xendisk_fini: state Closed, the backend's Closed, then state
    Initialising for the kernel); blkback goes back to InitWait, as Xen's
    does, and the kernel's blkfront connects to the same disk: it finds the
    word in sector 0, writes and reads back the whole disk, closes it and
    opens it once more (reopen=1)."""
    mkfs = shutil.which("mkfs.ext2", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if not mkfs:
        pytest.skip("no mkfs.ext2 (e2fsprogs) to make the disk image")
    word = "ringone-" + secrets.token_hex(4)
    root = tmp_path / "root"
    root.mkdir()
    (root / "ringone.txt").write_text(word + "\n")
    shutil.copy(str(harness.ROOT / "build" / "pvguest" / "blk-rw.elf"), str(root))
    slot = 512 * 1024                                   # one of blkback's 4 slots
    fs = tmp_path / "fs.img"
    fs.write_bytes(bytes(slot))
    subprocess.run([mkfs, "-F", "-q", "-b", "1024", "-N", "16", "-d", str(root), str(fs)],
                   check=True)
    image = bytearray(fs.read_bytes())
    assert image[:1024] == bytes(1024)                  # ext2's boot block: unused
    image[:len(word)] = word.encode()
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(image) + bytes(3 * slot))
    LISTING = r"^\(d0\) (?=.*\bblk-rw\.elf )(?=.*\blost\+found/ )(?=.*\bringone\.txt ).*$"
    kernel = "linux (xen/xvda)/blk-rw.elf expect=%s reopen=1" % word
    b = boot(str(GRUB_PROMPT) + " dom.disk=1", "build/pvguest/blkback.elf dom.service=blkback "
             "dom.ramdisk=1", str(disk), timeout=180, extra=[
                 "--input-after", r"^\(d0\) .*device or file completions\.", "--input", r"ls\r",
                 "--input-after", r"^\(d0\) \(memdisk\) \(xen/xvda\)", "--input", r"ls (xen/xvda)/\r",
                 "--input-after", LISTING,
                 "--input", r"cat (xen/xvda)/ringone.txt\r",
                 "--input-after", r"^\(d0\) %s$" % word, "--input", kernel + r"\r",
                 "--input-after", r"^\(d0\) grub> linux ", "--input", r"boot\r"])
    be = r"^\(d1\) blkback: d0 vbd 51712: "
    kernel_passed(b, [be + r"frontend found, slot 0, state InitWait$",
                      be + r"connected: ring-ref \d+, port \d+, 1024 sectors$",     # 512 KiB
                      r"^\(d0\) grub> ls$",
                      r"^\(d0\) \(memdisk\) \(xen/xvda\) $",
                      r"^\(d0\) grub> ls \(xen/xvda\)/$",
                      LISTING,
                      r"^\(d0\) grub> cat \(xen/xvda\)/ringone\.txt$",
                      r"^\(d0\) %s$" % word,
                      r"^\(d0\) grub> %s$" % re.escape(kernel),
                      r"^\(d0\) grub> boot$",
                      be + r"disconnected: frontend closed \(\d+ requests served, 0 refused\)$",
                      be + r"frontend back, slot 0, state InitWait$",
                      be + r"connected: ring-ref \d+, port \d+, 1024 sectors$",
                      r"^\(d0\) check connect: got 0 want 0$",
                      r"^\(d0\) check sector 0 as booted: got %s want %s$" % (word, word),
                      r"^\(d0\) check sectors differing after writing: got 0 want 0$",
                      be + r"disconnected: frontend closing ",
                      be + r"frontend back, slot 0, state InitWait$",
                      r"^\(d0\) check checksum after reopening: got (0x\w+) want \1$",
                      r"^\(d0\) check disconnect again: got 0 want 0$"])
    b.forbid(r"^\(d1\) blkback: .*(: request |corrupt|gone)")
    b.forbid(r"^\(d1\) blkback: .*[1-9]\d* refused\)")


def kernel_passed(b, lines):
    """The console shows lines in order, then the kernel GRUB booted passes
    every check of its own and powers GRUB's domain off, leaving no frame."""
    b.expect_in_order(lines + [r"^\(d0\) \d+ checks, 0 failed$", r"^\(d0\) Test result: SUCCESS$",
                               r"^\(hv\) d0 shutdown: poweroff$"])
    b.forbid(harness.MISMATCH)
    b.expect(harness.NO_LEAK)
    b.expect_status(0)


def test_grub_boots_a_pv_kernel_from_its_memdisk_in_its_own_domain(boot):
    """pvgrub: GRUB's Xen loader (grub-core/loader/i386/xen.c) reads
    build/pvguest/hello.elf from its memdisk, lays out Xen's start of day
    for it in GRUB's own domain (its image, P2M, start_info and page tables;
    pins them and switches to them from a relocator page), and jumps to it.
    hello then checks that layout as it checks our builder's."""
    linux = next(l.split() for l in (harness.ROOT / "tests" / "fixtures" /
                                      "grub-xen-boot.cfg").read_text().splitlines()
                 if l.startswith("linux "))
    b = boot(str(GRUB.with_name("grub-i386-xen-boot.elf")), timeout=60)
    kernel_passed(b, [r"^\(d0\) %sgrub-xen: booting \(memdisk\)/hello\.elf$" % COLOURS,
                      r"^\(d0\) Hello from pvguest$",
                      # GRUB's start_info: its own 16 MiB, not an initial domain
                      r'^\(d0\) magic "xen-3\.0-x86_32p" nr_pages 4096 flags 0x0$',
                      r'^\(d0\) cmdline "%s"$' % re.escape(" ".join(linux[2:]))])


def test_a_kernel_booted_at_grubs_prompt_goes_on_on_grubs_store_and_console(boot):
    """Typed at the prompt: `ls (memdisk)/` lists the kernels make packed
    (build/grub-xen-kernels.tar), and `linux (memdisk)/xs-basic.elf`, `boot`
    start xenstore's client test in GRUB's domain.  GRUB has already used
    its store ring (device/vbd) and its console ring; the kernel it boots
    gets the same two in start_info and goes on from where GRUB left them."""
    with tarfile.open(str(harness.ROOT / "build" / "grub-xen-kernels.tar")) as tar:
        names = tar.getnames()
    assert "xs-basic.elf" in names, names
    b = boot(str(GRUB_PROMPT), timeout=90, extra=[
        "--input-after", r"^\(d0\) .*device or file completions\.", "--input", r"ls (memdisk)/\r",
        "--input-after", r"^\(d0\) .*xs-basic\.elf", "--input", r"linux (memdisk)/xs-basic.elf\r",
        "--input-after", r"^\(d0\) grub> linux ", "--input", r"boot\r"])
    kernel_passed(b, [r"^\(d0\) grub> ls \(memdisk\)/$",
                      r"^\(d0\) %s ?$" % re.escape(" ".join(names)),
                      r"^\(d0\) grub> linux \(memdisk\)/xs-basic\.elf$",
                      r"^\(d0\) grub> boot$",
                      r"^\(d0\) check get_domain_path: got /local/domain/0 want /local/domain/0$"])


@pytest.mark.parametrize("word, extra, rings", [
    ("%s dom.initdomain=1" % GRUB, (), r"store mfn 0x[0-9a-f]+ port \d+, console none \(console_io\)"),
    (str(GRUB), ("--no-services",), r"store none, console mfn 0x[0-9a-f]+ port \d+"),
], ids=["initial-domain", "no-services"])
def test_without_a_console_ring_or_a_store_grubs_switch_is_refused(boot, word, extra, rings):
    """GRUB maps start_info's console and store frames into its new tables.
    As the initial domain (dom.initdomain=1, which tools/run leaves alone)
    it has no console ring, and with --no-services no store page: the frame
    is then 0, which is not its own, and the pin of its new tables is
    refused (Xen refuses it too).  It goes on regardless, copies start_info
    below the tables that were never loaded, and faults with no trap table."""
    b = boot(word, timeout=60, extra=extra)
    b.expect(DOMU[:-1] + (r", initial domain$" if "initdomain=1" in word else "$"))
    b.expect(r"^\(hv\) d0 rings: %s$" % rings)
    m = b.expect(r"^\(hv\) d0 halted: #PF page fault at 0x([0-9a-f]+) accessing "
                 r"0x([0-9a-f]+) \(error 0x2\) with no handler$")
    assert int(m.group(1), 16) < GRUB_TOP                   # in GRUB's own code
    assert GRUB_TOP <= int(m.group(2), 16) < 16 << 20       # a write past the mapping
    b.forbid(r"^\(d0\) ")                                   # its console never came up
    b.expect_status(2)
