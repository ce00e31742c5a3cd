/*
 * cpu.c - the hostile-cpu guest's cases on CPU state: the GDT, the LDT,
 * the trap table, callbacks and kernel stack, iret's flags, debug
 * registers and the FPU switch (main.c has the list and the cases that
 * halt the domain; events.c the rest).  Each refusal expects Xen's error
 * value; hypercalls/differences.md lists where we refuse more on purpose.
 */
#include "pvguest/tests/hostile-cpu/hostile_cpu.h"

uint32_t eflags(void)
{
    uint32_t f;
    __asm__ __volatile__("pushfl; popl %0" : "=r"(f));
    return f;
}

uint32_t sreg(int which)
{
    uint32_t v = 0;
    switch (which) {
    case 0: __asm__ __volatile__("mov %%cs, %0" : "=r"(v)); break;
    case 1: __asm__ __volatile__("mov %%ss, %0" : "=r"(v)); break;
    case 2: __asm__ __volatile__("mov %%ds, %0" : "=r"(v)); break;
    default: __asm__ __volatile__("mov %%es, %0" : "=r"(v)); break;
    }
    return v & 0xffff;
}

static uint32_t mfn_of(const void *p) { return mm_va_to_mfn((uint32_t)(uintptr_t)p); }
static uint64_t ma_of(const void *p) { return mm_ma_of(p); }
static uint32_t si_shared_mfn(void) { return (uint32_t)(pvguest_start_info->shared_info >> 12); }

/* ---- our GDT, a scratch page for refused tables, an LDT page ------------- */

static uint64_t gdt[512] __attribute__((aligned(4096)));
static uint64_t scr[512] __attribute__((aligned(4096)));
static uint64_t ldt[512] __attribute__((aligned(4096)));
static uint32_t marker[16];

uint64_t *gdt_page(void) { return gdt; }

static long set_gdt(uint32_t mfn, unsigned entries)
{
    xen_pfn_t frames[1] = { mfn };
    return HYPERVISOR_set_gdt(frames, entries);
}

long set_gdt_frame(uint32_t mfn) { return set_gdt(mfn, 8); }

/* Our own GDT, in force from the start: the marker segment proves it still is. */
void gdt_init(void)
{
    gdt[S_CODE1] = desc_flat(DESC_CODE(1));
    gdt[S_DATA1] = desc_flat(DESC_DATA(1));
    gdt[S_CODE3] = desc_flat(DESC_CODE(3));
    gdt[S_DATA3] = desc_flat(DESC_DATA(3));
    gdt[S_MARKER] = desc_seg((uint32_t)(uintptr_t)marker, MARKER_LIMIT, DESC_DATA(1), DESC_DB);
    gdt[S_GATE] = desc_gate(SEL(S_CODE1, 1), (uint32_t)(uintptr_t)desc_gate_target, DESC_CALLGATE(3));
    if (mm_map_rw(gdt, false) || set_gdt(mfn_of(gdt), NR_SLOTS)) {
        test_error("our own GDT was refused");
        xtf_exit();
    }
}

static void gdt_unchanged(void)
{
    ck(desc_lsl(SEL(S_MARKER, 1)), MARKER_LIMIT, "our GDT is still in force (lsl of its marker segment)");
    ck(gdt[S_SPARE], 0, "our spare GDT slot is still empty");
}

/* set_gdt of the scratch page with `desc` in slot 2: the rc; our GDT back in force. */
static long gdt_with(uint64_t desc)
{
    scr[1] = desc_flat(DESC_CODE(1));
    scr[2] = desc;
    mm_map_rw(scr, false);
    long rc = set_gdt(mfn_of(scr), 3);
    if (rc == 0)
        set_gdt(mfn_of(gdt), NR_SLOTS);
    mm_map_rw(scr, true);
    return rc;
}

/* SET_LDT of the LDT page with `desc` in slot 1: the rc; no LDT afterwards. */
static long set_ldt(uint32_t va, unsigned entries) { return mm_ext(MMUEXT_SET_LDT, va, entries); }
static long ldt_with(uint64_t desc)
{
    ldt[1] = desc;
    mm_map_rw(ldt, false);
    long rc = set_ldt((uint32_t)(uintptr_t)ldt, 4);
    set_ldt(0, 0);
    mm_map_rw(ldt, true);
    return rc;
}

/* ---- 1-10: descriptor tables ------------------------------------------------ */

void case_gdt_counts(void)
{
    static xen_pfn_t frames[15];
    for (unsigned i = 0; i < ARRAY_SIZE(frames); i++)
        frames[i] = mfn_of(gdt);
    ck(HYPERVISOR_set_gdt(frames, 7169), -EINVAL, "set_gdt of 7169 entries (the hypervisor's start at 7168)");
    ck(HYPERVISOR_set_gdt(frames, 0xffffffffu), -EINVAL, "set_gdt of 0xffffffff entries");
    ck(HYPERVISOR_set_gdt(frames, 8192), -EINVAL, "set_gdt of 8192 entries");
    gdt_unchanged();
}

void case_gdt_list_pointer(void)
{
    ck(HYPERVISOR_set_gdt((xen_pfn_t *)HOLE, 8), -EFAULT, "set_gdt with its frame list in the hole");
    ck(HYPERVISOR_set_gdt((xen_pfn_t *)(HYPERVISOR_VIRT_START - 4), 1024), -EFAULT,
       "set_gdt with its frame list crossing into the hole");
    ck(HYPERVISOR_set_gdt((xen_pfn_t *)unmapped_va(), 8), -EFAULT, "set_gdt with its frame list unmapped");
    gdt_unchanged();
}

/* A frame the M2P gives a pfn our P2M does not name: the victim's. */
static uint32_t victim_frame(void)
{
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    for (uint32_t mfn = 0x200; mfn < (uint32_t)max; mfn++)
        if (M2P[mfn] != MFN_NONE && mm_mfn_to_pfn(mfn) == MFN_NONE)
            return mfn;
    return 0;
}

void case_gdt_foreign_frames(void)
{
    uint32_t v = victim_frame(), max = (uint32_t)HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    ck(set_gdt(0x100, 8), -EINVAL, "set_gdt of the hypervisor's frame 0x100");
    ck(set_gdt(0, 8), -EINVAL, "set_gdt of frame 0");
    ck(v != 0, 1, "found one of the victim's frames (0x%x)", v);
    ck(set_gdt(v, 8), -EINVAL, "set_gdt of the victim's frame 0x%x", v);
    ck(set_gdt(max + 1, 8), -EINVAL, "set_gdt of a frame past the end of RAM");
    ck(set_gdt(si_shared_mfn(), 8), -EINVAL, "set_gdt of shared_info");
    gdt_unchanged();
}

void case_gdt_own_busy_frames(void)
{
    ck(set_gdt(mfn_of(scr), 8), -EINVAL, "set_gdt of a frame we map writable");
    ck(set_gdt(mm_bootstrap_l3(), 8), -EINVAL, "set_gdt of our L3");
    ck(set_gdt(mm_va_to_mfn(pvguest_start_info->pt_base + 5 * PAGE_SIZE), 8), -EINVAL, "set_gdt of one of our L1s");
    ck(mm_map_rw(gdt, true), -EBUSY, "map our GDT frame writable while it is in use");
    ck(mm_pin(1, mfn_of(gdt)), -EINVAL, "pin our GDT frame as an L1");
    uint32_t m = mfn_of(gdt);
    ck(mm_decrease(&m, 1), 0, "give our GDT frame back (0 extents: it is in use)");
    gdt_unchanged();
}

/* Only the 32-bit call gate is a system descriptor a guest may have (Xen's check_descriptor). */
void case_system_descriptors(void)
{
    static const struct { unsigned type; const char *name; } sys[] = {
        { 0x1, "16-bit TSS" }, { 0x2, "LDT descriptor" }, { 0x3, "busy 16-bit TSS" },
        { 0x4, "16-bit call gate" }, { 0x5, "task gate" }, { 0x6, "16-bit interrupt gate" },
        { 0x7, "16-bit trap gate" }, { 0x9, "TSS" }, { 0xb, "busy TSS" }, { 0xe, "interrupt gate" },
        { 0xf, "trap gate" }, { 0x0, "reserved type 0" }, { 0xd, "reserved type 13" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(sys); i++) {
        uint64_t d = sys[i].type >= 4 && sys[i].type != 9 && sys[i].type != 0xb ?
            desc_gate(SEL(S_CODE1, 1), 0x1000, 0x80 | 0x60 | sys[i].type) :
            desc_seg(0x1000, 0x67, 0x80 | 0x60 | sys[i].type, 0);
        ck(gdt_with(d), -EINVAL, "set_gdt with a DPL-3 %s", sys[i].name);
        ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), d), -EINVAL, "update_descriptor to a %s", sys[i].name);
    }
    gdt_unchanged();
}

/* XSA-110 class: a call gate leads to ring 1 at most, never to the hypervisor's code. */
void case_call_gates(void)
{
    static const uint32_t targets[] = { 0xe008, 0xe009, 0xe010, 0xe030, 0xfff8 };
    for (unsigned i = 0; i < ARRAY_SIZE(targets); i++) {
        uint64_t d = desc_gate(targets[i], 0x1000, DESC_CALLGATE(3));
        ck(gdt_with(d), -EINVAL, "set_gdt with a call gate to 0x%x", targets[i]);
        ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), d), -EINVAL,
           "update_descriptor to a call gate to 0x%x", targets[i]);
    }
    ck(gdt_with(desc_gate(SEL(S_CODE1, 1), 0x1000, DESC_CALLGATE(3)) | (0xe0ull << 32)), -EINVAL,
       "a call gate with reserved parameter bits");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]),
                                    desc_gate(SEL(S_CODE1, 0), (uint32_t)(uintptr_t)desc_gate_target,
                                              DESC_CALLGATE(3))), 0, "a call gate to our code with RPL 0");
    ck(desc_call_gate(SEL(S_SPARE, 3)) & 3, 1, "... it leads to ring 1");
    ck(desc_call_gate(SEL(S_GATE, 1)), SEL(S_CODE1, 1), "our own gate leads to our ring-1 code");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), 0), 0, "clear the spare slot");
    gdt_unchanged();
}

/* DPL 0 becomes DPL 1, conforming or not: no guest descriptor ever grants ring 0. */
void case_dpl0_code(void)
{
    uint64_t conf0 = desc_flat(0x9e), code0 = desc_flat(DESC_CODE(0)), data0 = desc_flat(DESC_DATA(0));
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), conf0), 0, "update_descriptor: conforming DPL-0 code");
    ck((gdt[S_SPARE] >> 45) & 3, 1, "... our frame reads DPL 1");
    ck(desc_lar(SEL(S_SPARE, 1)) >> 13 & 3, 1, "... lar shows DPL 1");
    ck(desc_call_gate(SEL(S_SPARE, 1)) & 3, 1, "... a far call into it runs in ring 1");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), code0), 0, "update_descriptor: DPL-0 code");
    ck(desc_lar(SEL(S_SPARE, 1)) >> 13 & 3, 1, "... lar shows DPL 1");
    ck(desc_call_gate(SEL(S_SPARE, 0)) & 3, 1, "... a far call with RPL 0 still runs in ring 1");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), data0), 0, "update_descriptor: DPL-0 data");
    ck(desc_lar(SEL(S_SPARE, 1)) >> 13 & 3, 1, "... lar shows DPL 1");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), 0), 0, "clear the spare slot");
    gdt_unchanged();
}

/* Segments end below 0xF6800000: byte-granular ones reaching further are refused, others cut. */
void case_segments_over_the_hole(void)
{
    static const char *const what[] = {
        "byte-granular 1 MiB at 0xF6780000", "byte-granular 1 MiB at 0xFFF80000 (wraps)",
        "base 0xF67FF000 (within a page of the top)", "code based in the hypervisor image",
        "expand-down byte-granular data at 0xF6000000",
    };
    const uint64_t d[] = {
        desc_seg(0xF6780000u, 0xfffff, DESC_DATA(1), DESC_DB),
        desc_seg(0xFFF80000u, 0xfffff, DESC_DATA(1), DESC_DB),
        desc_seg(0xF67FF000u, 0, DESC_DATA(1), DESC_G | DESC_DB),
        desc_seg(HOLE, 0, DESC_CODE(1), DESC_G | DESC_DB),
        desc_seg(0xF6000000u, 0, DESC_DATA(1) | 0x4, DESC_DB),
    };
    for (unsigned i = 0; i < ARRAY_SIZE(what); i++) {
        ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), d[i]), -EINVAL, "update_descriptor: %s", what[i]);
        ck(gdt_with(d[i]), -EINVAL, "set_gdt: %s", what[i]);
    }
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), desc_flat(DESC_CODE(1))), 0, "a flat 4 GiB code segment");
    ck(desc_lsl(SEL(S_SPARE, 1)), DESC_TOP_LIMIT, "... is cut off below the hole");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), desc_seg(0xF6000000u, 0xfffff, DESC_DATA(1), DESC_G | DESC_DB)),
       0, "a page-granular 4 GiB data segment at 0xF6000000");
    ck(desc_lsl(SEL(S_SPARE, 1)), DESC_TOP_LIMIT - 0xF6000000u, "... is cut off below the hole");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), 0), 0, "clear the spare slot");
    gdt_unchanged();
}

void case_update_descriptor_targets(void)
{
    uint64_t ok = desc_flat(DESC_DATA(1));
    uint32_t v = victim_frame();
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]) + 4, ok), -EINVAL, "update_descriptor at a misaligned address");
    ck(HYPERVISOR_update_descriptor(0x100000ull, ok), -EINVAL, "update_descriptor into the hypervisor's frame 0x100");
    ck(HYPERVISOR_update_descriptor((uint64_t)v << 12, ok), -EINVAL, "update_descriptor into the victim's frame");
    ck(HYPERVISOR_update_descriptor((uint64_t)mm_bootstrap_l3() << 12, ok), -EINVAL, "update_descriptor into our L3");
    ck(HYPERVISOR_update_descriptor((1ull << 44) | (ma_of(&gdt[S_SPARE]) & 0xfffffffull), ok), -EINVAL,
       "update_descriptor at 2^44 + our GDT's address");
    ck(HYPERVISOR_update_descriptor(~0ull & ~7ull, ok), -EINVAL, "update_descriptor at 0xfffffffffffffff8");
    gdt_unchanged();
}

void case_gdt_multicall(void)
{
    static xen_pfn_t frame0[1] = { 0 };
    static struct xen_trap_info bad_trap[2] = { { 0x80, 3, 0xe008, 0x1000 } };
    xen_multicall_entry_t mc[4] = {
        { .op = __HYPERVISOR_set_gdt, .args = { (uint32_t)(uintptr_t)frame0, 8 } },
        { .op = __HYPERVISOR_set_trap_table, .args = { (uint32_t)(uintptr_t)bad_trap } },
        { .op = __HYPERVISOR_stack_switch, .args = { FLAT_RING1_SS, HOLE } },
        { .op = __HYPERVISOR_set_debugreg, .args = { 0, HOLE } },
    };
    ck(HYPERVISOR_multicall(mc, 4), 0, "a multicall of four refused CPU-state calls");
    ck(mc[0].result, -EINVAL, "... set_gdt of frame 0");
    ck(mc[1].result, -EPERM, "... set_trap_table with a ring-0 handler");
    ck(mc[2].result, -EINVAL, "... stack_switch into the hole");
    ck(mc[3].result, -EPERM, "... set_debugreg DR0 in the hole");
    ck(HYPERVISOR_get_debugreg(0), 0, "DR0 is still 0");
    gdt_unchanged();
}

/* ---- 11-14: the LDT ------------------------------------------------------------ */

void case_ldt_bounds(void)
{
    uint32_t va = (uint32_t)(uintptr_t)ldt;
    mm_map_rw(ldt, false);
    ck(set_ldt(va + 8, 4), -EINVAL, "SET_LDT at a misaligned address");
    ck(set_ldt(va, 8193), -EINVAL, "SET_LDT of 8193 entries");
    ck(set_ldt(va, 0xffffffffu), -EINVAL, "SET_LDT of 0xffffffff entries");
    ck(set_ldt(HYPERVISOR_VIRT_START - PAGE_SIZE, 1024), -EINVAL, "SET_LDT of 1024 entries reaching the hole");
    ck(set_ldt(HOLE, 4), -EINVAL, "SET_LDT in the hole");
    ck(set_ldt(0xF5800000u, 512), -EINVAL, "SET_LDT on the M2P");
    ck(set_ldt(HOLE_END, 8192), -EINVAL, "SET_LDT of 64 KiB from 0xFFFFF000 (wraps)");
    mm_map_rw(ldt, true);
    ck(desc_lar(LDT_SEL(1, 1)), 0, "no LDT in force (lar of an LDT selector fails)");
}

void case_ldt_pages(void)
{
    uint32_t va = (uint32_t)(uintptr_t)ldt;
    ck(set_ldt(va, 4), -EINVAL, "SET_LDT of a page we map writable");
    ck(set_ldt(unmapped_va(), 4), -EINVAL, "SET_LDT of an unmapped page");
    ck(set_ldt(pvguest_start_info->pt_base, 4), -EINVAL, "SET_LDT of our L3 (a page table)");
    ck(set_ldt(spare_page(0), 4), -EINVAL, "SET_LDT of shared_info");
    ck(desc_lar(LDT_SEL(1, 1)), 0, "no LDT in force");
}

void case_ldt_descriptors(void)
{
    ck(ldt_with(desc_seg(0x1000, 0x67, 0x89 | 0x60, 0)), -EINVAL, "an LDT holding a TSS");
    ck(ldt_with(desc_seg(0x1000, 0xfff, DESC_LDT, 0)), -EINVAL, "an LDT holding an LDT descriptor");
    ck(ldt_with(desc_gate(SEL(S_CODE1, 1), 0x1000, DESC_INTGATE | 0x60)), -EINVAL, "an LDT holding an interrupt gate");
    ck(ldt_with(desc_gate(0xe008, 0x1000, DESC_CALLGATE(3))), -EINVAL, "an LDT holding a call gate to 0xe008");
    ck(ldt_with(desc_seg(0xF6780000u, 0xfffff, DESC_DATA(1), DESC_DB)), -EINVAL,
       "an LDT holding a byte-granular 1 MiB segment at 0xF6780000");
    ck(ldt_with(desc_seg(HOLE, 0, DESC_CODE(1), DESC_G | DESC_DB)), -EINVAL, "an LDT holding code based in the hole");
    ck(desc_lar(LDT_SEL(1, 1)), 0, "no LDT in force");
}

/* XSA-110 class through the LDT: a gate there leads to ring 1, DPL 0 becomes 1. */
void case_ldt_gates(void)
{
    uint32_t va = (uint32_t)(uintptr_t)ldt;
    ldt[1] = desc_gate(SEL(S_CODE1, 0), (uint32_t)(uintptr_t)desc_gate_target, DESC_CALLGATE(3));
    ldt[2] = desc_flat(DESC_CODE(0));
    mm_map_rw(ldt, false);
    ck(set_ldt(va, 4), 0, "SET_LDT with a call gate and a DPL-0 code segment");
    ck(desc_call_gate(LDT_SEL(1, 3)) & 3, 1, "the LDT's call gate leads to ring 1");
    ck(desc_lar(LDT_SEL(2, 1)) >> 13 & 3, 1, "the DPL-0 code segment shows DPL 1");
    ck(desc_call_gate(LDT_SEL(2, 0)) & 3, 1, "a far call into it runs in ring 1");
    ck(HYPERVISOR_update_descriptor(ma_of(&ldt[3]), desc_gate(0xe008, 0x1000, DESC_CALLGATE(3))), -EINVAL,
       "update_descriptor in the LDT: a call gate to 0xe008");
    ck(HYPERVISOR_update_descriptor(ma_of(&ldt[3]), desc_seg(0x1000, 0x67, 0x89, 0)), -EINVAL,
       "update_descriptor in the LDT: a TSS");
    ck(mm_map_rw(ldt, true), -EBUSY, "map the LDT page writable while in use");
    ck(set_ldt(0, 0), 0, "SET_LDT of no entries");
    mm_map_rw(ldt, true);
    ldt[1] = ldt[2] = 0;
    ck(desc_lar(LDT_SEL(1, 1)), 0, "no LDT in force");
}

/* ---- 15-19: the trap table, callbacks and the kernel stack ------------------- */

PROBE(p_int3, "", "int3", :)
static const char ring3_text[] = "RING3 HYPERCALL RAN\n";
PROBE(p_int82_r3, "", "int $0x82", : "a"(__HYPERVISOR_console_io), "b"(CONSOLEIO_write),
      "c"(sizeof(ring3_text) - 1), "d"(ring3_text) : "memory")
PROBE(p_int0e, "", "int $0x0e", :)
/* The iret hypercall made from ring 3, with a frame that would return to ring 1. */
PROBE_STACK(p_iret_r3, "pushl $0x202\n\tpushl %[cs]\n\tpushl $2f\n\tpushl $0", "int $0x82",
            : [cs] "i"(FLAT_RING1_CS), "a"(__HYPERVISOR_iret) : "edx", "memory")
PROBE(p_int0d, "", "int $0x0d", :)
PROBE(p_int80, "xorl %%eax, %%eax", "int $0x80", : : "eax")

bool int3_reaches_us(void)
{
    run_probe(1, p_int3);
    return exinfo.count == 1 && exinfo.vector == 3;
}

void case_trap_selectors(void)
{
    static const struct { uint16_t cs; long rc; const char *what; } sel[] = {
        { 0xe008, -EPERM, "the hypervisor's code 0xe008" }, { 0xe018, -EPERM, "0xe018 (ring 1's code, RPL 0)" },
        { SEL(S_CODE1, 0), -EPERM, "our GDT's code, RPL 0" }, { 0, -EINVAL, "the null selector" },
        { 3, -EINVAL, "null with RPL 3" }, { FLAT_RING1_DS, -EINVAL, "a data selector (0xe021)" },
        { 0xfffb, -EINVAL, "0xfffb (the hypervisor's part of the GDT)" },
        { LDT_SEL(1, 1), -EINVAL, "an LDT selector, with no LDT" },
    };
    uint32_t stub = trap_stub(3);
    for (unsigned i = 0; i < ARRAY_SIZE(sel); i++)
        ck(trap_set(3, 3, sel[i].cs, stub), sel[i].rc, "set_trap_table: #BP handler at %s", sel[i].what);
    ck(trap_set(3, 3, FLAT_RING1_CS, HOLE), -EINVAL, "set_trap_table: #BP handler at 0x%08x", HOLE);
    ck(trap_set(3, 3, FLAT_RING1_CS, HYPERVISOR_VIRT_START), -EINVAL, "set_trap_table: #BP handler at 0x%08x",
       HYPERVISOR_VIRT_START);
    ck(int3_reaches_us(), 1, "int3 still reaches our handler");
    ck(exinfo.cs, FLAT_RING1_CS, "... from ring 1");
}

static struct xen_trap_info many[1100];

void case_trap_table_memory(void)
{
    uint32_t page = spare_page(12), next = spare_page(11);
    uint64_t pte;
    struct xen_trap_info *t = (struct xen_trap_info *)(page + PAGE_SIZE - 2 * sizeof(*t));

    ck(HYPERVISOR_set_trap_table((struct xen_trap_info *)HOLE), -EFAULT, "set_trap_table from the hole");
    ck(HYPERVISOR_set_trap_table((struct xen_trap_info *)unmapped_va()), -EFAULT, "set_trap_table from an unmapped page");
    pt_lookup(next, &pte);
    ck(HYPERVISOR_update_va_mapping(next, 0, UVMF_INVLPG), 0, "unmap the page after a table's first 2 entries");
    t[0] = (struct xen_trap_info){ 3, 3, FLAT_RING1_CS, trap_stub(3) };
    t[1] = (struct xen_trap_info){ 4, 3, FLAT_RING1_CS, trap_stub(4) };
    ck(HYPERVISOR_set_trap_table(t), -EFAULT, "set_trap_table running into the unmapped page");
    ck(HYPERVISOR_update_va_mapping(next, pte, UVMF_INVLPG), 0, "map it back");
    for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = (struct xen_trap_info){ 3, 3, FLAT_RING1_CS, trap_stub(3) };
    ck(HYPERVISOR_set_trap_table(many), -E2BIG, "set_trap_table of %u entries", (unsigned)ARRAY_SIZE(many));
    ck(int3_reaches_us(), 1, "int3 still reaches our handler");
}

/* XSA-106 class: int $n honours the DPL of the guest's own entry; int $0x82 is ring 1's only. */
void case_soft_interrupts(void)
{
    run_probe(3, p_int82_r3);
    ck(exinfo.vector, 13, "int $0x82 from ring 3: #GP");
    ck(exinfo.error, 0x82 * 8 + 2, "... naming gate 0x82");
    run_probe(3, p_iret_r3);
    ck(exinfo.vector, 13, "the iret hypercall from ring 3, a frame for ring 1: #GP");
    ck(exinfo.cs & 3, 3, "... and we are still in ring 3 when it comes");
    run_probe(3, p_int0e);
    ck(exinfo.vector, 13, "int $0x0e from ring 3 (a DPL-0 entry): #GP");
    ck(exinfo.error, 0x0e * 8 + 2, "... naming gate 0x0e");
    run_probe(1, p_int0d);
    ck(exinfo.vector, 13, "int $0x0d from ring 1 (a DPL-0 entry): #GP");
    ck(exinfo.error, 0x0d * 8 + 2, "... naming gate 0x0d");
    ck(exinfo.count, 1, "... one exception, not a second #GP");
    run_probe(3, p_int3);
    ck(exinfo.vector, 3, "int3 from ring 3 (DPL 3): #BP");
    set_event_mask(0);
    run_probe(3, p_int80);
    set_event_mask(1);
    ck(exinfo.vector, 0x80, "int $0x80 from ring 3 (DPL 3): delivered");
}

void case_callbacks(void)
{
    uint32_t ev = (uint32_t)(uintptr_t)trap_event_entry, fs = (uint32_t)(uintptr_t)trap_failsafe_entry;
    struct xen_callback_register reg = { .type = CALLBACKTYPE_nmi, .address = { FLAT_RING1_CS, ev } };
    struct xen_callback_unregister un = { .type = 99 };

    ck(HYPERVISOR_set_callbacks(0xe008, ev, FLAT_RING1_CS, fs), -EPERM, "set_callbacks: event at 0xe008");
    ck(HYPERVISOR_set_callbacks(FLAT_RING1_CS, ev, 0, fs), -EINVAL, "set_callbacks: failsafe at the null selector");
    ck(HYPERVISOR_set_callbacks(FLAT_RING1_DS, ev, FLAT_RING1_CS, fs), -EINVAL, "set_callbacks: event at a data selector");
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: an NMI callback");
    reg.type = 99;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: type 99");
    reg.type = CALLBACKTYPE_event, reg.address.cs = 0xe008;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EPERM, "callback_op: event at 0xe008");
    reg.address.cs = 0x10000 | FLAT_RING1_CS;
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: event at 0x1e019 (past 16 bits)");
    ck(HYPERVISOR_callback_op(CALLBACKOP_register, (void *)HOLE), -EFAULT, "callback_op: the record in the hole");
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), -EINVAL, "callback_op: unregister type 99");
    un.type = CALLBACKTYPE_event;
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "callback_op: unregister the event callback (none)");
}

void case_stack_selectors(void)
{
    static const uint32_t ss[] = { 0xe010, 0xe011, FLAT_RING3_DS, FLAT_RING1_CS, SEL(S_DATA1, 1), 0x1e021, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(ss); i++)
        ck(HYPERVISOR_stack_switch(ss[i], trap_stack_top), -EPERM, "stack_switch with ss 0x%x", ss[i]);
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 8), -EINVAL, "stack_switch to esp 8 (the frame wraps below 0)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 0), -EINVAL, "stack_switch to esp 0");
    set_event_mask(0);
    run_probe(3, p_int80);
    set_event_mask(1);
    ck(exinfo.vector, 0x80, "ring-3 int $0x80 still delivered");
    ck(exinfo.frame, trap_stack_top - 20, "... at the top of our last good stack");
}

/* ---- 20: iret's flags --------------------------------------------------------- */

/* iret (the hypercall) to the next instruction with `fl`; returns EAX as it came back. */
uint32_t iret_here(uint32_t fl, uint32_t eax, uint32_t cs)
{
    __asm__ __volatile__("pushl %[fl]\n\tpushl %[cs]\n\tpushl $1f\n\t"
                         "jmp hypercall_page + %c[slot]\n1:"
                         : "+a"(eax) : [fl] "r"(fl), [cs] "r"(cs), [slot] "i"(__HYPERVISOR_iret * 32)
                         : "memory", "cc");
    return eax;
}

/* XSA-136 class: IOPL, NT and VM never reach the CPU; IF only moves the event mask. */
void case_iret_flags(void)
{
    static const struct { uint32_t fl; const char *what; } fl[] = {
        { EFLAGS_IOPL, "IOPL 3" }, { EFLAGS_NT, "NT" }, { EFLAGS_VM, "VM (virtual-8086)" },
        { 0xffffffffu & ~(EFLAGS_IF | EFLAGS_TF), "every bit but IF and TF" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(fl); i++) {
        ck(iret_here(fl[i].fl | 2, 0x5a5a0000u + i, FLAT_RING1_CS), 0x5a5a0000u + i, "iret with %s: EAX comes back", fl[i].what);
        uint32_t now = eflags();
        __asm__ __volatile__("cld");
        ck(now & (EFLAGS_IOPL | EFLAGS_NT | EFLAGS_VM), 0, "... the CPU's IOPL, NT and VM are clear");
        ck(event_mask(), 1, "... IF clear: events masked");
    }
    ck(iret_here(2 | EFLAGS_IF, 1, FLAT_RING1_CS | 0x10000), 1, "iret with CS bits above 16 set");
    ck(event_mask(), 0, "... IF set: events unmasked");
    set_event_mask(1);
    ck(sreg(0), FLAT_RING1_CS, "... CS is ring 1's");
}

/* ---- 21-25: debug registers and the FPU --------------------------------------- */

#define DR7_L0  0x1u
#define DR7_L1  0x4u
#define DR7_GD  0x2000u
#define DR7_RW(n, v)  ((v) << (16 + 4 * (n)))
#define DR7_LEN(n, v) ((v) << (18 + 4 * (n)))

void case_dr_addresses(void)
{
    static const uint32_t bad[] = { HYPERVISOR_VIRT_START - 3, HYPERVISOR_VIRT_START, HOLE, 0xffffffffu };
    for (unsigned r = 0; r < 4; r++)
        for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
            ck(HYPERVISOR_set_debugreg(r, bad[i]), -EPERM, "DR%u = 0x%08x", r, bad[i]);
    ck(HYPERVISOR_set_debugreg(0, HYPERVISOR_VIRT_START - 4), 0, "DR0 = 0x%08x (the last 4 bytes below)",
       HYPERVISOR_VIRT_START - 4);
    ck(HYPERVISOR_get_debugreg(0), (long)(HYPERVISOR_VIRT_START - 4), "DR0 reads it back");
    ck(HYPERVISOR_set_debugreg(0, 0), 0, "DR0 = 0");
    for (unsigned r = 0; r < 4; r++)
        ck(HYPERVISOR_get_debugreg(r), 0, "DR%u is 0", r);
}

void case_dr7_rules(void)
{
    ck(HYPERVISOR_set_debugreg(7, DR7_GD | 0x400), -EPERM, "DR7 with GD (general detect)");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_LEN(0, 2)), -EPERM, "DR7 with LEN 10b");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 2)), -EPERM, "DR7: an I/O breakpoint without CR4.DE");
    ck(HYPERVISOR_set_debugreg(8, 0), -EINVAL, "set_debugreg 8");
    ck(HYPERVISOR_set_debugreg(-1, 0), -EINVAL, "set_debugreg -1");
    ck(HYPERVISOR_set_debugreg(0x10007, 0), -EINVAL, "set_debugreg 0x10007");
    ck(HYPERVISOR_get_debugreg(8), -EINVAL, "get_debugreg 8");
    ck(HYPERVISOR_get_debugreg(-1), -EINVAL, "get_debugreg -1");
    ck(HYPERVISOR_get_debugreg(7) & 0xff, 0, "DR7 enables nothing");
}

static uint8_t bp_stack[4096] __attribute__((aligned(16)));
static uint32_t bp_top;
static volatile uint16_t ss_word __attribute__((aligned(4))) = FLAT_RING1_SS;
PROBE_STACK(p_int3_on, "movl %[t], %%esp", "int3", : [t] "m"(bp_top) : "edx", "memory")
PROBE(p_movss, "movl %[n], %%eax", "movw %[w], %%ss\n\tint $0x82",
      : [n] "i"(__HYPERVISOR_xen_version), [w] "m"(ss_word), "b"(XENVER_version) : "eax", "memory")

/* A #DB that reaches us (QEMU delivers MOV SS's at the int, in ring 1): carry on. */
static bool db_hook(struct trap_frame *f)
{
    (void)f;
    return true;
}

/*
 * XSA-156/XSA-260 class: the hypervisor's own writes to guest memory (a
 * bounce frame, the event mask) hit a data breakpoint the guest set there,
 * and a MOV SS that hits one defers its #DB into the hypercall entry.
 * Ring 0 must take each such #DB and carry on, neither looping nor dying.
 */
void case_breakpoints_in_ring0(void)
{
    bp_top = (uint32_t)(uintptr_t)(bp_stack + sizeof(bp_stack));
    ck(HYPERVISOR_set_debugreg(0, bp_top - 4), 0, "DR0 = the word a bounce frame's EFLAGS goes to");
    ck(HYPERVISOR_set_debugreg(1, (uint32_t)(uintptr_t)&vcpu_info0()->evtchn_upcall_mask), 0,
       "DR1 = our event mask in vcpu_info");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 1) | DR7_LEN(0, 3) | DR7_L1 | DR7_RW(1, 1)), 0,
       "DR7: write breakpoints on both");
    run_probe(1, p_int3_on);
    ck(exinfo.vector, 3, "int3 on that stack: #BP delivered");
    ck(exinfo.count, 1, "... once");
    ck(exinfo.frame, bp_top - 12, "... its frame where the breakpoint is");
    ck(iret_here(2, 7, FLAT_RING1_CS), 7, "an iret (the hypervisor writes our event mask)");
    ck(HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&ss_word), 0, "DR0 = a word we load into SS");
    ck(HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_RW(0, 3) | DR7_LEN(0, 3)), 0, "DR7: read/write breakpoint on it");
    trap_set_hook(1, db_hook);
    run_probe(1, p_movss);
    trap_set_hook(1, NULL);
    ck(exinfo.count <= 1, 1, "mov to SS, then int $0x82: at most the one #DB reaches us (%u)", exinfo.count);
    ck(HYPERVISOR_set_debugreg(7, 0), 0, "DR7 = 0");
    ck(HYPERVISOR_set_debugreg(0, 0) | HYPERVISOR_set_debugreg(1, 0), 0, "DR0 = DR1 = 0");
}

PROBE(p_fnop, "", "fnop", :)

/* The virtual CR0.TS: any nonzero value sets it, and the next FPU instruction is #NM. */
void case_fpu_taskswitch(void)
{
    static const int vals[] = { 1, 2, -1, 0x7fffffff };
    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        ck(HYPERVISOR_fpu_taskswitch(vals[i]), 0, "fpu_taskswitch(%d)", vals[i]);
        run_probe(1, p_fnop);
        ck(exinfo.vector, 7, "... fnop: #NM");
    }
    ck(HYPERVISOR_fpu_taskswitch(0), 0, "fpu_taskswitch(0)");
    run_probe(1, p_fnop);
    ck(exinfo.count, 0, "... fnop runs");
}


/* ---- 25: a segment pulled from under %fs -------------------------------------- */

#define DESC_PRESENT (1ull << 47)

static bool on_failsafe(struct trap_frame *f)
{
    (void)f;
    return true;                            /* entry.S reloaded DS and ES; FS stays null */
}

/*
 * XSA-215 class: the return from a hypercall reloads a selector whose
 * descriptor the guest just made not present; the failsafe callback gets
 * the four selectors on the guest's own stack, nowhere else.
 */
void case_failsafe(void)
{
    uint64_t data = desc_flat(DESC_DATA(1));
    struct xen_callback_unregister un = { .type = CALLBACKTYPE_event };

    trap_set_hook(TRAP_FAILSAFE, on_failsafe);
    ck(trap_set_callbacks(), 0, "our event and failsafe callbacks");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), data), 0, "a flat data segment in the spare slot");
    set_fs(SEL(S_SPARE, 1));
    exinfo_clear();
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), data & ~DESC_PRESENT), 0,
       "make it not present while %%fs holds it: the hypercall's result");
    ck(exinfo.vector, TRAP_FAILSAFE, "... the return entered the failsafe callback");
    ck(exinfo.segs[2], SEL(S_SPARE, 1), "... with FS in its frame");
    ck(exinfo.frame > (uint32_t)(uintptr_t)&un - PAGE_SIZE && exinfo.frame < (uint32_t)(uintptr_t)&un, 1,
       "... just below our own stack frame");
    ck(get_fs(), 0, "%%fs is null afterwards");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), 0), 0, "clear the spare slot");
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "unregister the event callback");
    un.type = CALLBACKTYPE_failsafe;
    ck(HYPERVISOR_callback_op(CALLBACKOP_unregister, &un), 0, "unregister the failsafe callback");
    trap_set_hook(TRAP_FAILSAFE, NULL);
    gdt_unchanged();
}

/* ---- 60: the largest frame the CPU pushes on the ring-1 stack ------------------ */

/* A call gate's target that takes 31 parameters: where its frame began, and its CS. */
uint32_t gate31_esp;
uint32_t gate31_target(void);
__asm__(".text\n.globl gate31_target\ngate31_target:\n"
        "    movl %esp, gate31_esp\n"
        "    mov %cs, %eax\n"
        "    lret $124\n");

static uint32_t lcall_from_ring3(uint32_t sel)
{
    struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) far = { 0, (uint16_t)sel };
    uint32_t cs;
    __asm__ __volatile__("lcall *%1" : "=a"(cs) : "m"(far) : "memory", "ecx", "edx");
    return cs & 0xffff;
}

/*
 * A call gate from ring 3 with 31 parameters makes the CPU push 140 bytes
 * (SS, ESP, the 31 parameters, CS, EIP) at the stack_switch stack, with
 * no hypervisor on the path: stack_switch must leave room for all of it
 * below the hole and above 0, or on QEMU the push wraps into the hole.
 */
void case_call_gate_frame(void)
{
    uint64_t gate = desc_gate(SEL(S_CODE1, 1), (uint32_t)(uintptr_t)gate31_target, DESC_CALLGATE(3)) | (31ull << 32);

    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), gate), 0, "a DPL-3 call gate with 31 parameters (as Xen)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 24), -EINVAL, "stack_switch to esp 24 (a 140-byte frame would wrap)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 139), -EINVAL, "stack_switch to esp 139");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, HYPERVISOR_VIRT_START + 100), -EINVAL,
       "stack_switch to 100 bytes into the hole");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, 140), 0, "stack_switch to esp 140 (just room)");
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, trap_stack_top), 0, "stack_switch back to our stack");
    ck(run_in_ring3(lcall_from_ring3, SEL(S_SPARE, 3)), SEL(S_CODE1, 1), "lcall through it from ring 3: ring 1");
    ck(gate31_esp, trap_stack_top - 140, "... its frame is 140 bytes below our stack_switch stack");
    ck(HYPERVISOR_update_descriptor(ma_of(&gdt[S_SPARE]), 0), 0, "clear the spare slot");
    gdt_unchanged();
}
