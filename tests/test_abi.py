"""test_abi.py - the guest ABI is declared once and matches Xen's.

These tests own the promises of hypercalls/: the public headers compile on
their own and keep Xen's 32-bit PAE layout byte for byte, the one table of
hypercalls agrees with Xen's numbers and with xen.h, the code generated
from it compiles under the hypervisor's flags and dispatches correctly,
and docs/hypercalls.md is current.  They run on the host (gcc -m32 gives
the i386 layout) and need no emulator.  They never write into the tree:
everything is generated into pytest's temporary directories.

Nothing here needs the host to run a 32-bit program: many 64-bit kernels
have ia32 emulation off.  The layouts are read from what gcc -m32 compiles
(its assembly), never from a program it built; the two tests that run the
generated dispatcher run it built with -m32 where the host can run that
(unit_build.unusable), else built for the host, whose answers must be the
same: the dispatcher takes 32-bit register values whatever it is built for.
"""

import glob
import os
import re
import subprocess

import pytest

import unit_build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN_ABI = os.path.join(ROOT, "tools", "gen-abi")
TABLE = os.path.join(ROOT, "hypercalls", "hypercalls.tbl")
XEN_H = os.path.join(ROOT, "hypercalls", "public", "xen.h")
DOCS = os.path.join(ROOT, "docs", "hypercalls.md")
PUBLIC_HEADERS = sorted(glob.glob(os.path.join(ROOT, "hypercalls", "public", "*.h")))
HV_CFLAGS = ["-m32", "-ffreestanding", "-nostdlib", "-fno-pie",
             "-fno-stack-protector", "-O2", "-std=gnu11", "-Wall", "-Wextra",
             "-Werror", "-Wshadow", "-Wstrict-prototypes",
             "-Wmissing-prototypes"]
HEADER_FLAGS = ["-ffreestanding", "-std=gnu11", "-Wall", "-Werror",
                "-fsyntax-only"]

# Hypercall numbers as Xen's public xen.h defines them (__HYPERVISOR_*).
XEN_NUMBERS = {"set_trap_table": 0, "mmu_update": 1, "set_gdt": 2,
               "sched_op_compat": 6, "platform_op": 7, "memory_op": 12,
               "multicall": 13, "update_va_mapping": 14, "xen_version": 17,
               "console_io": 18, "grant_table_op": 20, "iret": 23,
               "vcpu_op": 24, "set_segment_base": 25, "mmuext_op": 26,
               "sched_op": 29, "callback_op": 30, "event_channel_op": 32,
               "physdev_op": 33, "sysctl": 35, "domctl": 36}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def gen_abi(*args):
    return run(["/usr/bin/python3", GEN_ABI, *args], cwd=ROOT)


def generate(tmp_path, table=TABLE, xen_h=XEN_H):
    """Run gen-abi into tmp_path/gen; return that include root."""
    r = gen_abi("--table", table, "--out", str(tmp_path / "gen"),
                "--docs", str(tmp_path / "hypercalls.md"), "--xen-h", xen_h)
    assert r.returncode == 0, r.stderr
    return tmp_path


def table_lines():
    with open(TABLE, encoding="utf-8") as f:
        return [l.split() for l in f if l.strip() and not l.startswith("#")]


# ------------------------------------------------------------------ docs

def test_docs_hypercalls_md_is_regenerated_from_the_table():
    r = gen_abi("--table", TABLE, "--docs", DOCS, "--check")
    assert r.returncode == 0, r.stderr


def test_gen_abi_check_reports_stale_docs(tmp_path):
    stale = tmp_path / "hypercalls.md"
    stale.write_text(open(DOCS, encoding="utf-8").read().replace("iret", "irate"))
    r = gen_abi("--table", TABLE, "--docs", str(stale), "--check")
    assert r.returncode == 1 and "stale" in r.stderr


SUBOPS = os.path.join(ROOT, "hypercalls", "subops.tbl")


def test_docs_mark_every_sub_op_implemented_partial_or_absent():
    text = open(DOCS, encoding="utf-8").read()
    assert "## Sub-operations" in text
    rows = re.findall(r"^\| \d+ \| `(\w+)` \| (\w+) \|", text, flags=re.M)
    assert rows and {s for _, s in rows} <= {"implemented", "partial", "absent"}
    assert ("XENMEM_memory_map", "implemented") in rows
    assert ("EVTCHNOP_init_control", "absent") in rows
    # A hypercall with a sub-op that is not implemented is itself partial.
    assert re.search(r"^\| 12 \| memory_op \| partial", text, flags=re.M)
    assert re.search(r"^\| 18 \| console_io \| implemented", text, flags=re.M)


def subops_variant(tmp_path, old, new):
    """The real tables in tmp_path, with one line of subops.tbl changed."""
    text = open(SUBOPS, encoding="utf-8").read()
    assert old in text
    (tmp_path / "subops.tbl").write_text(text.replace(old, new, 1))
    (tmp_path / "hypercalls.tbl").write_text(open(TABLE, encoding="utf-8").read())
    return gen_abi("--table", str(tmp_path / "hypercalls.tbl"), "--docs",
                   str(tmp_path / "d.md"), "--xen-h", XEN_H, "--check")


def test_gen_abi_refuses_a_sub_op_number_that_disagrees_with_its_define(tmp_path):
    r = subops_variant(tmp_path, "9   memory_map ", "8   memory_map ")
    assert r.returncode == 2 and "XENMEM_memory_map is 8 here but 9" in r.stderr


def test_gen_abi_refuses_a_partial_sub_op_that_does_not_say_what_is_missing(tmp_path):
    r = subops_variant(tmp_path, "9   memory_map                  yes",
                       "9   memory_map                  partial\n#")
    assert r.returncode == 2 and "memory_map is partial: say what" in r.stderr


# --------------------------------------------------------- public headers

@pytest.mark.parametrize("header", PUBLIC_HEADERS, ids=os.path.basename)
def test_each_public_header_compiles_alone_for_i386(header):
    # Compiling runs every _Static_assert on sizes and offsets.
    r = run(["gcc", "-m32", *HEADER_FLAGS, "-x", "c", header])
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("header", PUBLIC_HEADERS, ids=os.path.basename)
def test_each_public_header_keeps_the_i386_layout_on_a_64_bit_host(header):
    r = run(["gcc", "-m64", *HEADER_FLAGS, "-x", "c", header])
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("header", PUBLIC_HEADERS, ids=os.path.basename)
def test_each_public_header_can_be_included_from_assembly(header, tmp_path):
    r = run(["gcc", "-m32", "-x", "assembler-with-cpp", "-c", header,
             "-o", str(tmp_path / "h.o")])
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("header", PUBLIC_HEADERS, ids=os.path.basename)
def test_public_headers_include_only_stdint_and_each_other(header):
    text = open(header, encoding="utf-8").read()
    for inc in re.findall(r'#\s*include\s+([<"][^>"]+[>"])', text):
        assert inc == "<stdint.h>" or (
            inc.startswith('"') and os.path.exists(
                os.path.join(os.path.dirname(header), inc.strip('"')))), inc


@pytest.mark.parametrize("order", ["libc_first", "ours_first"])
def test_errno_names_agree_with_the_host_c_library(order, tmp_path):
    ours = '#include "hypercalls/public/errno.h"\n'
    libc = "#include <errno.h>\n"
    src = tmp_path / "e.c"
    src.write_text(libc + ours if order == "libc_first" else ours + libc)
    r = run(["gcc", "-m32", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only",
             "-I", ROOT, str(src)])
    assert r.returncode == 0, r.stderr


def test_errno_values_are_xens():
    text = open(os.path.join(ROOT, "hypercalls/public/errno.h")).read()
    values = dict(re.findall(r"#define XEN_(E\w+)\s+(\d+)", text))
    assert {k: int(values[k]) for k in ("EPERM", "ENOENT", "EFAULT", "EINVAL",
                                        "ENOSYS", "ETIME", "EOPNOTSUPP")} == \
        {"EPERM": 1, "ENOENT": 2, "EFAULT": 14, "EINVAL": 22, "ENOSYS": 38,
         "ETIME": 62, "EOPNOTSUPP": 95}


# -------------------------------------------------------------- the table

def test_hypercall_numbers_and_names_are_unique():
    numbers = [int(l[0]) for l in table_lines()]
    names = [l[1] for l in table_lines()]
    assert len(numbers) == len(set(numbers))
    assert len(names) == len(set(names))


def test_table_numbers_are_xens():
    table = {l[1]: int(l[0]) for l in table_lines()}
    assert {n: table[n] for n in XEN_NUMBERS} == XEN_NUMBERS


def test_console_sched_version_and_the_denied_control_calls_are_implemented():
    implemented = {l[1] for l in table_lines() if l[2] == "yes"}
    assert {"console_io", "sched_op", "xen_version",
            "platform_op", "sysctl", "domctl"} <= implemented


def test_gen_abi_refuses_a_duplicate_number(tmp_path):
    bad = tmp_path / "dup.tbl"
    bad.write_text("17 xen_version yes (int cmd, void *arg) A.\n"
                   "17 console_io yes (unsigned int cmd, unsigned int count, "
                   "char *buffer) B.\n")
    r = gen_abi("--table", str(bad), "--out", str(tmp_path / "g"),
                "--docs", str(tmp_path / "d.md"), "--xen-h", XEN_H)
    assert r.returncode == 2 and "already used" in r.stderr


def test_gen_abi_refuses_a_number_that_disagrees_with_xen_h(tmp_path):
    bad = tmp_path / "bad.tbl"
    text = open(TABLE).read()
    text = re.sub(r"^19(\s+physdev_op_compat)", r"11\1", text, flags=re.M)
    bad.write_text(re.sub(r"^18(\s+console_io)", r"19\1", text, flags=re.M))
    r = gen_abi("--table", str(bad), "--out", str(tmp_path / "g"),
                "--docs", str(tmp_path / "d.md"), "--xen-h", XEN_H)
    assert r.returncode == 2 and "console_io is 19 in the table" in r.stderr


def test_generated_python_module_lists_the_table(tmp_path):
    ns = {}
    exec(open(generate(tmp_path) / "gen" / "hypercalls.py").read(), ns)
    assert ns["NUMBERS"]["iret"] == 23 and ns["NAMES"][29] == "sched_op"
    assert "console_io" in ns["IMPLEMENTED"]
    assert ns["NARGS"]["update_va_mapping"] == 4   # the uint64_t takes two


# ------------------------------------------------------- generated C code

def test_generated_dispatch_code_compiles_with_the_hypervisor_flags(tmp_path):
    inc = generate(tmp_path)
    for src in (inc / "gen" / "hypercall_table.c",
                os.path.join(ROOT, "hypervisor", "hypercall.c"),
                os.path.join(ROOT, "hypercalls", "privileged.c")):
        r = run(["gcc", *HV_CFLAGS, "-I", ROOT, "-I", str(inc), "-c",
                 str(src), "-o", str(tmp_path / "x.o")])
        assert r.returncode == 0, r.stderr


def test_guest_stubs_compile_for_a_ring1_guest(tmp_path):
    inc = generate(tmp_path)
    src = tmp_path / "guest.c"
    src.write_text('#include "gen/pvguest_hypercalls.h"\n')
    r = run(["gcc", *HV_CFLAGS, "-I", ROOT, "-I", str(inc), "-c", str(src),
             "-o", str(tmp_path / "guest.o")])
    assert r.returncode == 0, r.stderr


def test_guest_stub_calls_its_slot_in_the_hypercall_page(tmp_path):
    inc = generate(tmp_path)
    src = tmp_path / "guest.c"
    src.write_text('#include "gen/pvguest_hypercalls.h"\n'
                   "long f(char *s);\n"
                   "long f(char *s) { return HYPERVISOR_console_io("
                   "CONSOLEIO_write, 2, s); }\n")
    obj = tmp_path / "guest.o"
    r = run(["gcc", *HV_CFLAGS, "-I", ROOT, "-I", str(inc), "-c", str(src),
             "-o", str(obj)])
    assert r.returncode == 0, r.stderr
    dump = run(["objdump", "-dr", str(obj)]).stdout
    # e8 <rel32> with an R_386_PC32 to hypercall_page: the stored addend is
    # the offset into the page minus the 4 bytes of the rel32 itself.
    m = re.search(r"\te8 ((?:[0-9a-f]{2} ){4}).*\n.*R_386_PC32\s+hypercall_page",
                  dump)
    assert m, dump
    addend = int.from_bytes(bytes.fromhex(m.group(1).replace(" ", "")), "little")
    assert addend + 4 == 18 * 32


DISPATCH_MAIN = r"""
#include <stdio.h>
#include "hypervisor/hypercall.h"
#include "gen/hypercall_handlers.h"

/* Stand-ins for handlers other files provide: report what they got. */
long do_console_io(unsigned int cmd, unsigned int count, guest_ptr_t buf)
{ printf("console_io %u %u %#x\n", cmd, count, buf); return 42; }
long do_sched_op(int cmd, guest_ptr_t arg) { (void)cmd; (void)arg; return 0; }
long do_xen_version(int cmd, guest_ptr_t arg) { (void)cmd; (void)arg; return 0; }
#ifdef WITH_UVA
long do_update_va_mapping(unsigned long va, uint64_t val, unsigned long fl)
{ printf("uva %#lx %#llx %lu\n", va, (unsigned long long)val, fl); return 0; }
#endif

int main(void)
{
    const uint32_t a[5] = { 0, 5, 0xc0001000, 0xdead, 0xbeef };
    const uint32_t v[5] = { 0x1000, 0x89abcdef, 0x1, 2, 0 };
    const uint32_t nrs[] = { 18, 7, 35, 36, 12, 11, 25, 23, 63, 64, 0xffffffff };
    for (unsigned i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
        printf("%u %s %ld\n", nrs[i], hypercall_name(nrs[i]),
               hypercall_dispatch(nrs[i], a));
#ifdef WITH_UVA
    hypercall_dispatch(14, v);
#else
    (void)v;
#endif
    return 0;
}
"""


def table_implementing(tmp_path, names):
    """The real table with exactly `names` marked implemented, so the test
    program links against our stand-in handlers whatever the tree has."""
    def status(m):
        new = "yes" if m.group(2) in names else \
            ("n/a" if m.group(3) == "n/a" else "no ")
        return m.group(1) + new
    text = re.sub(r"^(\d+\s+(\w+)\s+)(yes|no |n/a)", status,
                  open(TABLE).read(), flags=re.M)
    path = tmp_path / "test.tbl"
    path.write_text(text)
    return str(path)


FIRST_STAGE = {"console_io", "sched_op", "xen_version", "platform_op",
               "sysctl", "domctl"}


def build_dispatch_program(tmp_path, inc, defines=()):
    """Build DISPATCH_MAIN for the hypervisor's ABI if this host runs such
    programs, else for the host's own; run it; its lines."""
    src = tmp_path / "main.c"
    src.write_text(DISPATCH_MAIN)
    exe = tmp_path / "dispatch"
    abi = "m32" if unit_build.unusable("m32") is None else "host"
    r = run(["gcc", *unit_build.ABIS[abi], "-std=gnu11", "-Wall", "-Werror", *defines,
             "-I", ROOT, "-I", str(inc), str(src),
             str(inc / "gen" / "hypercall_table.c"),
             os.path.join(ROOT, "hypervisor", "hypercall.c"),
             os.path.join(ROOT, "hypercalls", "privileged.c"),
             "-o", str(exe)])
    assert r.returncode == 0, r.stderr
    return run([str(exe)]).stdout.splitlines()


def test_dispatch_calls_handlers_and_answers_enosys_or_eperm(tmp_path):
    inc = generate(tmp_path, table=table_implementing(tmp_path, FIRST_STAGE))
    out = build_dispatch_program(tmp_path, inc)
    assert out == [
        "console_io 0 5 0xc0001000",       # registers reach do_console_io
        "18 console_io 42",
        "7 platform_op -1",                # -EPERM: nobody is privileged
        "35 sysctl -1",
        "36 domctl -1",
        "12 memory_op -38",                # known, not implemented: -ENOSYS
        "11 unknown -38",                  # never assigned by Xen
        "25 set_segment_base -38",         # x86_64 only
        "23 iret -38",
        "63 unknown -38",
        "64 unknown -38",                  # beyond the table
        "4294967295 unknown -38",
    ]


def test_uint64_arguments_arrive_low_half_first(tmp_path):
    table = table_implementing(tmp_path, FIRST_STAGE | {"update_va_mapping"})
    inc = generate(tmp_path, table=table)
    out = build_dispatch_program(tmp_path, inc, ["-DWITH_UVA"])
    assert out[-1] == "uva 0x1000 0x189abcdef 2"


# ---------------------------------------------------------- struct layout

# Offsets and sizes for 32-bit x86, derived by hand from Xen's public
# headers (i386 rules: unsigned long and pointers are 4 bytes, uint64_t
# fields are 4-aligned inside structs).  The file and struct each entry
# comes from are named on its line.  Xen's own foreign/reference.size
# agrees on the x86_32 sizes it lists: cpu_user_regs 68, trap_info 8,
# vcpu_guest_context 2800, arch_vcpu_info 24, vcpu_time_info 32,
# vcpu_info 64; its start_info 1104 predates first_p2m_pfn and
# nr_p2m_frames (+8), and its arch_shared_info 268 predates the p2m_*
# fields that replaced the old 256-byte pad.
EXPECTED = {
    # arch-x86/xen-x86_32.h: struct cpu_user_regs
    "struct xen_cpu_user_regs": {"sizeof": 68, "ebx": 0, "eax": 24,
        "error_code": 28, "entry_vector": 30, "eip": 32, "cs": 36,
        "saved_upcall_mask": 38, "eflags": 40, "esp": 44, "ss": 48,
        "es": 52, "ds": 56, "fs": 60, "gs": 64},
    # arch-x86/xen.h: struct trap_info
    "struct xen_trap_info": {"sizeof": 8, "vector": 0, "flags": 1, "cs": 2,
                             "address": 4},
    # arch-x86/xen.h: struct vcpu_guest_context (the __i386__ variant)
    "struct xen_vcpu_guest_context": {"sizeof": 2800, "flags": 512,
        "user_regs": 516, "trap_ctxt": 584, "ldt_base": 2632,
        "gdt_frames": 2640, "gdt_ents": 2704, "kernel_ss": 2708,
        "kernel_sp": 2712, "ctrlreg": 2716, "debugreg": 2748,
        "event_callback_cs": 2780, "failsafe_callback_eip": 2792,
        "vm_assist": 2796},
    # arch-x86/xen.h: struct arch_shared_info (wc_sec_hi only on __i386__)
    "struct xen_arch_shared_info": {"sizeof": 28, "max_pfn": 0,
        "pfn_to_mfn_frame_list_list": 4, "nmi_reason": 8, "p2m_cr3": 12,
        "p2m_vaddr": 16, "p2m_generation": 20, "wc_sec_hi": 24},
    # arch-x86/xen-x86_32.h: struct arch_vcpu_info, struct xen_callback
    "struct xen_arch_vcpu_info": {"sizeof": 24, "cr2": 0, "pad": 4},
    "struct xen_callback": {"sizeof": 8, "cs": 0, "eip": 4},
    # xen.h: struct start_info
    "struct xen_start_info": {"sizeof": 1112, "magic": 0, "nr_pages": 32,
        "shared_info": 36, "flags": 40, "store_mfn": 44, "store_evtchn": 48,
        "console.domU.mfn": 52, "console.domU.evtchn": 56, "pt_base": 60,
        "nr_pt_frames": 64, "mfn_list": 68, "mod_start": 72, "mod_len": 76,
        "cmd_line": 80, "first_p2m_pfn": 1104, "nr_p2m_frames": 1108},
    # xen.h: struct shared_info (XEN_LEGACY_MAX_VCPUS = 32 vcpu_info slots)
    "struct xen_shared_info": {"sizeof": 2344, "vcpu_info": 0,
        "evtchn_pending": 2048, "evtchn_mask": 2176, "wc_version": 2304,
        "wc_sec": 2308, "wc_nsec": 2312, "arch": 2316},
    # xen.h: struct vcpu_info ("64 bytes (x86)")
    "struct xen_vcpu_info": {"sizeof": 64, "evtchn_upcall_pending": 0,
        "evtchn_upcall_mask": 1, "evtchn_pending_sel": 4, "arch": 8,
        "time": 32},
    # xen.h: struct vcpu_time_info ("32 bytes")
    "struct xen_vcpu_time_info": {"sizeof": 32, "version": 0,
        "tsc_timestamp": 8, "system_time": 16, "tsc_to_system_mul": 24,
        "tsc_shift": 28, "flags": 29},
    # xen.h: struct mmu_update, struct mmuext_op, struct multicall_entry
    "struct xen_mmu_update": {"sizeof": 16, "ptr": 0, "val": 8},
    "struct xen_mmuext_op": {"sizeof": 12, "cmd": 0, "arg1": 4, "arg2": 8},
    "struct xen_multicall_entry": {"sizeof": 32, "op": 0, "result": 4,
                                   "args": 8},
    # arch-x86/xen-x86_32.h iret frame as Xen's 32-bit iret reads it
    "struct xen_iret_context": {"sizeof": 24, "eax": 0, "eip": 4, "cs": 8,
                                "eflags": 12, "esp": 16, "ss": 20},
    # sched.h: struct sched_shutdown, struct sched_poll
    "struct xen_sched_shutdown": {"sizeof": 4, "reason": 0},
    "struct xen_sched_poll": {"sizeof": 16, "ports": 0, "nr_ports": 4,
                              "timeout": 8},
    # version.h: struct xen_compile_info, xen_feature_info
    "struct xen_compile_info": {"sizeof": 144, "compile_by": 64,
        "compile_domain": 80, "compile_date": 112},
    "struct xen_feature_info": {"sizeof": 8, "submap_idx": 0, "submap": 4},
    # event_channel.h: struct evtchn_bind_virq, evtchn_status, evtchn_op
    "struct xen_evtchn_bind_virq": {"sizeof": 12, "virq": 0, "vcpu": 4,
                                    "port": 8},
    "struct xen_evtchn_status": {"sizeof": 24, "status": 8, "vcpu": 12,
                                 "u": 16},
    "struct xen_evtchn_op": {"sizeof": 28, "u": 4},
    # memory.h: struct xen_memory_reservation
    "struct xen_memory_reservation": {"sizeof": 20, "extent_start": 0,
        "nr_extents": 4, "extent_order": 8, "mem_flags": 12, "domid": 16},
    # callback.h: struct callback_register
    "struct xen_callback_register": {"sizeof": 12, "type": 0, "flags": 2,
                                     "address": 4},
    # vcpu.h: struct vcpu_runstate_info (44 on i386, 48 on x86_64)
    "struct xen_vcpu_runstate_info": {"sizeof": 44, "state": 0,
        "state_entry_time": 4, "time": 12},
    "struct xen_vcpu_set_singleshot_timer": {"sizeof": 12, "flags": 8},
    # grant_table.h: struct grant_entry_v1, gnttab_map_grant_ref,
    # gnttab_setup_table, gnttab_copy
    "struct xen_grant_entry_v1": {"sizeof": 8, "flags": 0, "domid": 2,
                                  "frame": 4},
    "struct xen_gnttab_map_grant_ref": {"sizeof": 32, "host_addr": 0,
        "flags": 8, "ref": 12, "dom": 16, "status": 18, "handle": 20,
        "dev_bus_addr": 24},
    "struct xen_gnttab_setup_table": {"sizeof": 16, "nr_frames": 4,
                                      "status": 8, "frame_list": 12},
    "struct xen_gnttab_copy": {"sizeof": 24, "dest": 8, "len": 16,
                               "flags": 18, "status": 20},
    # physdev.h: struct physdev_set_iobitmap, physdev_op
    "struct xen_physdev_set_iobitmap": {"sizeof": 8, "bitmap": 0,
                                        "nr_ports": 4},
    "struct xen_physdev_op": {"sizeof": 16, "u": 4},
    # argo.h (the 32-bit "compat" layout: a guest handle is 4 bytes)
    "struct xen_argo_addr": {"sizeof": 8, "aport": 0, "domain_id": 4, "pad": 6},
    "struct xen_argo_send_addr": {"sizeof": 16, "src": 0, "dst": 8},
    "struct xen_argo_iov": {"sizeof": 12, "iov_hnd": 0, "iov_len": 4, "pad": 8},
    "struct xen_argo_ring": {"sizeof": 64, "rx_ptr": 0, "tx_ptr": 4, "ring": 64},
    "struct xen_argo_register_ring": {"sizeof": 12, "aport": 0,
                                      "partner_id": 4, "pad": 6, "len": 8},
    "struct xen_argo_unregister_ring": {"sizeof": 8, "aport": 0,
                                        "partner_id": 4, "pad": 6},
    "struct xen_argo_ring_data_ent": {"sizeof": 20, "ring": 0, "flags": 8,
        "pad": 10, "space_required": 12, "max_message_size": 16},
    "struct xen_argo_ring_data": {"sizeof": 8, "nent": 0, "pad": 4, "data": 8},
    "struct xen_argo_ring_message_header": {"sizeof": 16, "len": 0,
        "source": 4, "message_type": 12, "data": 16},
}


def i386_constants(tmp_path, includes, exprs):
    """The values of C constant expressions under gcc -m32, compiled but never
    run: they become an array whose initializer gcc writes out in assembly."""
    lines = [f'#include "{h}"' for h in includes]
    lines += ["const unsigned ringone_values[] = {"]
    lines += [f"    {e}," for e in exprs] + ["};"]
    src = tmp_path / "values.c"
    src.write_text("\n".join(lines) + "\n")
    r = run(["gcc", "-m32", "-std=gnu11", "-Wall", "-Werror", "-I", ROOT, "-S",
             str(src), "-o", "-"])
    assert r.returncode == 0, r.stderr
    body = r.stdout.split("\nringone_values:\n", 1)[1]
    values = []
    for line in body.splitlines():
        m = re.match(r"\s*\.(long|zero)\s+(\d+)$", line)
        if not m:
            break
        n = int(m.group(2))
        values += [n] if m.group(1) == "long" else [0] * (n // 4)
    assert len(values) == len(exprs), body
    return values


def test_struct_layouts_are_xens_i386_layouts(tmp_path):
    includes = ["stddef.h"] + [f"hypercalls/public/{os.path.basename(h)}"
                               for h in PUBLIC_HEADERS]
    keys = [(struct, f) for struct, fields in EXPECTED.items() for f in fields]
    exprs = [f"sizeof({struct})" if f == "sizeof" else f"offsetof({struct}, {f})"
             for struct, f in keys]
    got = i386_constants(tmp_path, includes, exprs)
    wrong = ["%s %s: got %d want %d" % (struct, f, value, EXPECTED[struct][f])
             for (struct, f), value in zip(keys, got) if value != EXPECTED[struct][f]]
    assert not wrong, "\n".join(wrong)
