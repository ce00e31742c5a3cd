"""GRUB's own Xen build as a guest: what it does on ringone today.

build/grub-i386-xen.elf is GRUB 2 as Debian's grub-xen-bin builds it for a
32-bit PV domain (`grub-mkimage -O i386-xen`, see the Makefile), a kernel
nobody here wrote.  Its notes used to be refused ("descriptor runs past its
note area": its PAE_MODE note says 12 bytes and carries "yes\\0", as libelf
allows; tests/test_elf_notes.py).  Now the builder accepts it, and GRUB runs
its machine set-up (grub_machine_init, grub-core/kern/xen/init.c) until the
first thing it needs that ringone does not offer yet:

1. vm_assist(enable, pae_extended_cr3): 0.
2. grant_table_op(GNTTABOP_set_version) (version 1) and (GNTTABOP_setup_table):
   0, and its one grant frame is real.
3. map_all_pages(): mmu_update with two requests (with no xenstored, as
   under --no-services, it makes none), then new page tables at the top of
   its memory, each table page written through one window VA with
   update_va_mapping.  They map all its pages and four more: start_info's
   console.domU.mfn, shared_info, store_mfn and the grant frame.
4. mmuext_op: pin the new L3, load it, unpin the old one.  Refused:
   console.domU.mfn is 0 here (as the only guest it is the initial domain,
   which has no console ring), and frame 0 is not the domain's.
tools/run adds the xenstored service domain by itself (GRUB is a Xen
kernel built elsewhere), so store_mfn is a real store page.
5. update_va_mapping to make its old page tables writable: -EBUSY, they are
   still its page tables.
6. It copies start_info to just below the new tables, which were never
   mapped: a page fault, and with no trap table yet the domain is halted.

The return values were read from a build that printed each hypercall's
result; the console cannot show them, so the test asserts the calls (from
QEMU's interrupt log, tools/run --int-log), the build line and the halt.
GRUB prints nothing: its console is the PV console ring, which nothing here
reads yet.  What it needs to reach its prompt is listed in
docs/domains.md ("GRUB's Xen image").
"""
import re
import shutil
from pathlib import Path

import pytest

import harness

GRUB = harness.ROOT / "build" / "grub-i386-xen.elf"
GRUB_XEN_DIR = Path("/usr/lib/grub/i386-xen")
VM_ASSIST, GRANT_TABLE_OP, MMU_UPDATE = 21, 20, 1
UPDATE_VA_MAPPING, MMUEXT_OP = 14, 26
GNTTABOP_setup_table, GNTTABOP_set_version = 2, 8
VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3, DOMID_SELF = 0, 3, 0x7FF0

pytestmark = pytest.mark.skipif(
    not (GRUB_XEN_DIR / "kernel.img").exists() or shutil.which("grub-mkimage") is None,
    reason="grub-xen-bin is not installed (tools/install-deps installs it)")


def hypercalls(log):
    """(number, ebx, ecx, edx, esi, edi) for each `int $0x82` from ring 1
    in a QEMU -d int log: the entry line, then the register lines."""
    calls, lines = [], log.read_text(errors="replace").splitlines()
    for i, line in enumerate(lines):
        if " v=82 " not in line or " cpl=1 " not in line:
            continue
        regs = dict(re.findall(r"\b(E[A-Z]{2})=([0-9a-f]{8})", " ".join(lines[i + 1:i + 3])))
        calls.append(tuple(int(regs[r], 16) for r in ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI")))
    return calls


def test_grubs_xen_image_is_built_entered_and_stops_at_its_page_table_switch(boot, tmp_path):
    log = tmp_path / "int.log"
    b = boot(str(GRUB), timeout=60, extra=["--int-log", str(log)])
    b.expect(r"^\(hv\) d0 \(d0\): 16 MiB, virt_base 0x00000000, entry 0x00000000, "
             r"mapped 0x00000000-0x00800000, initial domain$")
    # A batch the hypervisor continued (the tick fell due) is issued again by
    # the same int $0x82 with MMU_UPDATE_PREEMPTED in its count: not a new call.
    calls = [c for c in hypercalls(log)
             if not (c[0] in (MMU_UPDATE, MMUEXT_OP) and c[2] & 0x80000000)]
    nrs = [c[0] for c in calls]
    assert calls[0][:3] == (VM_ASSIST, VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3), calls
    assert [c[:2] for c in calls[1:3]] == [(GRANT_TABLE_OP, GNTTABOP_set_version),
                                           (GRANT_TABLE_OP, GNTTABOP_setup_table)], calls
    assert calls[3][0] == MMU_UPDATE and calls[3][2] == 2 and calls[3][4] == DOMID_SELF
    window = [c for c in calls[4:] if c[0] == UPDATE_VA_MAPPING]
    assert len(window) >= 4 and len({c[1] for c in window[:4]}) == 1, calls
    switch = nrs.index(MMUEXT_OP)                     # pin, new baseptr, unpin
    assert calls[switch][2] == 3 and calls[switch][4] == DOMID_SELF, calls
    assert set(nrs[4:switch]) == {UPDATE_VA_MAPPING}, nrs
    m = b.expect(r"^\(hv\) d0 halted: #PF page fault at 0x([0-9a-f]+) accessing "
                 r"0x([0-9a-f]+) \(error 0x2\) with no handler$")
    eip, addr = int(m.group(1), 16), int(m.group(2), 16)
    assert eip < 0x800000                              # in GRUB's own code
    assert 0x800000 <= addr < 16 << 20                 # a write past the mapping
    b.forbid(r"^\(d0\) ")                              # its console is the ring
    b.expect_status(2)
