/*
 * desc.c - the hostile-cpu guest's cases on descriptor tables: the GDT
 * and the LDT (cases 1-14 of main.c's list), and the helpers the other
 * files share (our own GDT, the segment registers, EFLAGS).  Each refusal
 * expects Xen's error value; hypercalls/differences.md lists where we
 * refuse more on purpose.
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
uint64_t ma_of(const void *p) { return mm_ma_of(p); }
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

void gdt_unchanged(void)
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
    /*
     * Not given back here: decrease_reservation takes a frame in use, as Xen
     * does, and the frame lives on as our GDT until it is replaced, but it
     * is then no longer ours for the update_descriptor calls of later cases
     * (the memory suite's cases 8 and 9 show the frame living on).
     */
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
