"""BSD_SYMTAB from inside a guest: the symbol table Xen's builder would load.

pvguest/tests/symtab carries the BSD_SYMTAB note.  The builder loads its
symbol and string tables after its image (hypervisor/domain/elf_symtab.c, laid
out as libelf does) and says where; the guest checks the size word, the ELF
header, the three section headers, looks its own symbols up by name, and
checks every padding byte up to the p2m list is zero.  The byte-level rules
and the hostile images are tests/test_elf_symtab.py.
"""
import shutil
import subprocess

import harness
from harness import guest, passes

AREA = (r"^\(hv\) d0: BSD_SYMTAB: symbol table at 0x([0-9a-f]{8})-0x([0-9a-f]{8}) "
        r"\((\d+) symbols, (\d+) bytes of names\)$")


def test_a_bsd_symtab_guest_finds_its_symbols_after_its_image_and_only_zeroes_between(boot):
    b = boot(guest("symtab"))
    passes(b)
    hv = b.expect(AREA)
    d0 = b.expect(r"^\(d0\) symbol table area at 0x([0-9a-f]{8}), size word (\d+), "
                  r"p2m list at 0x([0-9a-f]{8})$")
    start, end = int(hv[1], 16), int(hv[2], 16)
    assert int(d0[1], 16) == start and start + 4 + int(d0[2]) == end
    assert int(d0[3], 16) == (end + 0xFFF) & ~0xFFF      # the start of day follows
    b.expect(r"^\(d0\) %s symbols, %s bytes of names$" % (hv[3], hv[4]))
    for name in ("pvguest_main", "symtab_marker", "hypercall_page", "_start", "_end"):
        b.expect(r"^\(d0\) check symbol %s: got (0x[0-9a-f]{8}) want \1$" % name)
    b.expect_status(0)


def test_without_a_symbol_table_the_builder_says_so_and_the_p2m_follows_the_image(boot,
                                                                                 tmp_path):
    """A stripped copy: Xen loads nothing and goes on; so do we.  The guest's
    own checks then fail (no ELF header after _end), which is the point."""
    image = tmp_path / "symtab-stripped.elf"
    shutil.copy(harness.PVGUEST / "symtab.elf", image)
    subprocess.run(["i686-linux-gnu-strip", str(image)], check=True)
    b = boot(str(image))
    b.expect(r"^\(hv\) d0: BSD_SYMTAB: none loaded: the image has no SHT_SYMTAB section$")
    m = b.expect(r"^\(d0\) symbol table area at 0x([0-9a-f]{8}), size word \d+, "
                 r"p2m list at 0x([0-9a-f]{8})$")
    assert m[1] == m[2]                                  # _end, page aligned
    b.expect_in_order([r"^\(d0\) check ELF magic: got 0 want 1$",
                       r"^\(d0\) 1 checks, 1 failed$", r"^\(d0\) Test result: FAILURE$"])
    b.expect_status(8)      # it powered off, but its test failed: tools/run says so


def test_a_guest_without_the_note_gets_no_symbol_table(boot):
    b = boot(guest("hello"))
    passes(b)
    b.forbid(r"BSD_SYMTAB")


def test_a_xen_style_grub_module_line_boots_it_unchanged(boot):
    """Through a real GRUB (the ISO), as a Xen host's grub.cfg would say it:
    `module /boot/symtab.elf root=/dev/xvda1 quiet`."""
    b = boot(guest("symtab", "root=/dev/xvda1 quiet"), iso=True, timeout=60)
    passes(b)
    b.expect(r'^\(d0\) cmdline "root=/dev/xvda1 quiet"$')
    b.expect(AREA)
    b.expect_status(0)
