/*
 * ldt - our own LDT: mmuext_op MMUEXT_SET_LDT, and what it refuses.
 *
 * A PV kernel cannot run lldt; it names its LDT by linear address and
 * number of entries (at most 8192), and the hypervisor finds the frames
 * behind that range in our page tables.  As with the GDT, every
 * descriptor is checked first (DPL 0 becomes 1, flat segments are cut off
 * at 0xF6800000, TSSs, LDT descriptors, interrupt gates, call gates to the
 * hypervisor and segments in the hypervisor are refused with -EINVAL) and
 * each LDT frame is typed "segment descriptors": SET_LDT refuses a page we
 * still map writable, and while the LDT is in use no writable mapping of
 * it can be made, so we change it only with update_descriptor.  Refused
 * too: a linear address that is not page-aligned, more than 8192 entries,
 * a range reaching the hypervisor, a page that is not mapped, a page that
 * is not ours or is a page table.  A refusal leaves the LDT in force as
 * it was, and its pages untyped.
 *
 * We use the LDT from ring 1 (%fs across a hypercall, a call gate into
 * our own LDT code segment, a trap handler running on an LDT code
 * selector) and from ring 3 (a DPL 3 data segment), use all 16 pages of
 * an 8192-entry LDT, then SET_LDT with 0 entries: every LDT selector is a
 * #GP again.  With "peek=1" we only check, after a few yields, that the
 * LDT of the domain next to us is not ours: lsl sees nothing and loading
 * an LDT selector is a #GP.
 */
#include "pvguest/lib/pvguest.h"

/* The slots of our LDT; selector = slot * 8 + 4 (TI: the LDT) + RPL. */
enum { L_MARKER, L_CODE3, L_DATA3, L_DPL0, L_GATE, L_CODE1, NR_SLOTS };
#define LSEL(slot, rpl) ((slot) * 8 + 4 + (rpl))

/*
 * Our LDT page, a second page for refused LDTs, the marker our LDT's data
 * segment points at, and 16 pages for the largest LDT.
 */
static uint64_t ldt[512] __attribute__((aligned(4096)));
static uint64_t scratch[512] __attribute__((aligned(4096)));
static uint32_t marker[1024] __attribute__((aligned(4096)));
static uint64_t big[16][512] __attribute__((aligned(4096)));

static uint32_t va_of(const void *p) { return (uint32_t)(uintptr_t)p; }

static long set_ldt(uint32_t va, unsigned entries)
{
    xen_mmuext_op_t op = { .cmd = MMUEXT_SET_LDT };

    op.arg1.linear_addr = va;
    op.arg2.nr_ents = entries;
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* Ring 3: read *p through our DPL 3 LDT data segment in %fs, then null %fs. */
static uint32_t ring3_read_via_ldt(uint32_t p)
{
    uint32_t v;
    __asm__ volatile("mov %2, %%fs; movl %%fs:(%1), %0; mov %3, %%fs"
                     : "=&r"(v) : "r"(p), "r"(LSEL(L_DATA3, 3)), "r"(0) : "memory");
    return v;
}

/* Probes: a plain store, loading %fs, int3. */
static uint32_t probe_addr, probe_sel;
PROBE(p_store, "", "movl %%eax, (%[a])", : [a] "c"(probe_addr), "a"(0))
PROBE(p_load_fs, "movl %[sel], %%eax", "movl %%eax, %%fs", : [sel] "m"(probe_sel) : "eax")
PROBE(p_bp, "", "int3")

static uint32_t marker_limit(unsigned tag) { return 0x100 + tag * 0x10; }

/* Loading sel into %fs must be a #GP naming it; %fs is left as it was. */
static void expect_gp_loading(const char *what, uint32_t sel)
{
    char name[96];
    uint32_t fs = get_fs();

    probe_sel = sel;
    run_probe(1, p_load_fs);
    snprintf(name, sizeof(name), "%s: #GP", what);
    check_rc(name, exinfo.vector, 13);
    snprintf(name, sizeof(name), "%s: error code the selector", what);
    check_hex(name, exinfo.error, sel & ~3u);
    set_fs(fs);
}

static void no_ldt(const char *when)
{
    char what[80];

    snprintf(what, sizeof(what), "lsl of LDT selector 0x05 %s", when);
    check_hex(what, desc_lsl(LSEL(L_MARKER, 1)), 0);
    snprintf(what, sizeof(what), "loading LDT selector 0x05 %s", when);
    expect_gp_loading(what, LSEL(L_MARKER, 1));
}

/* A good LDT, used from ring 1 and ring 3 and read back. */
static void good_ldt(unsigned tag)
{
    ldt[L_MARKER] = desc_seg(va_of(marker), marker_limit(tag), DESC_DATA(1), DESC_DB);
    ldt[L_CODE3] = desc_flat(DESC_CODE(3));
    ldt[L_DATA3] = desc_flat(DESC_DATA(3));
    ldt[L_DPL0] = desc_flat(DESC_DATA(0));
    ldt[L_GATE] = desc_gate(LSEL(L_CODE1, 1), va_of(desc_gate_target), DESC_CALLGATE(1));
    ldt[L_CODE1] = desc_flat(DESC_CODE(1));
    marker[0] = 0x1d70c0de + tag;

    check_rc("SET_LDT of a page we still map writable", set_ldt(va_of(ldt), NR_SLOTS), -EINVAL);
    check_rc("drop our writable mapping of the LDT page", mm_map_rw(ldt, false), 0);
    check_rc("SET_LDT with our 6 entries", set_ldt(va_of(ldt), NR_SLOTS), 0);
    check_rc("mapping our LDT page writable while in use", mm_map_rw(ldt, true), -EBUSY);

    check_hex("lsl of our marker segment 0x05", desc_lsl(LSEL(L_MARKER, 1)), marker_limit(tag));
    check_hex("lsl of our flat ring-3 code 0x0f (truncated)", desc_lsl(LSEL(L_CODE3, 3)), DESC_TOP_LIMIT);
    check_hex("lar of our flat ring-3 code 0x0f", desc_lar(LSEL(L_CODE3, 3)), 0xfa00);
    check_hex("lsl of our flat ring-3 data 0x17 (truncated)", desc_lsl(LSEL(L_DATA3, 3)), DESC_TOP_LIMIT);
    check_hex("lar of the DPL 0 data segment 0x1d shows DPL 1", desc_lar(LSEL(L_DPL0, 1)), 0xb200);
    check_hex("our page reads back DPL 1 and the truncated limit for it",
              (uint32_t)(ldt[L_DPL0] >> 32), (uint32_t)(desc_seg(0, 0xf67ff, DESC_DATA(1), DESC_G | DESC_DB) >> 32));
    check_hex("lsl just past our 6 entries", desc_lsl(LSEL(NR_SLOTS, 1)), 0);
    expect_gp_loading("loading LDT selector 0x31, past our 6 entries", LSEL(NR_SLOTS, 1));

    uint32_t fs = get_fs();
    set_fs(LSEL(L_MARKER, 1));
    check_hex("%fs = LDT 0x05 reads the marker", read_fs_at(0), marker[0]);
    check_rc("xen_version with %fs from our LDT", HYPERVISOR_xen_version(XENVER_version, NULL) > 0, 1);
    check_hex("%fs survives the hypercall", get_fs(), LSEL(L_MARKER, 1));
    check_hex("and still reads the marker", read_fs_at(0), marker[0]);
    set_fs(fs);
    check_hex("ring 3: %fs = LDT 0x17 reads the marker",
              run_in_ring3(ring3_read_via_ldt, va_of(marker)), marker[0]);
    check_hex("our LDT call gate 0x25 enters our LDT ring-1 code 0x2d",
              desc_call_gate(LSEL(L_GATE, 1)), LSEL(L_CODE1, 1));
}

/* Each bad descriptor in entry 1 of the scratch page: -EINVAL, the old LDT stays. */
static void bad_descriptors(unsigned tag)
{
    uint32_t target = va_of(desc_gate_target);
    const struct { const char *what; uint64_t desc; } bad[] = {
        { "a TSS", desc_seg(va_of(marker), 103, DESC_TSS32, 0) },
        { "an LDT descriptor", desc_seg(va_of(marker), 0xfff, DESC_LDT, 0) },
        { "an interrupt gate", desc_gate(LSEL(L_CODE1, 1), target, DESC_INTGATE | 1 << 5) },
        { "a call gate to the hypervisor's code 0xe008", desc_gate(0xe008, 0xfc100000, DESC_CALLGATE(1)) },
        { "a segment based in the hypervisor", desc_seg(0xFC000000, 0xfffff, DESC_DATA(1), DESC_G | DESC_DB) },
    };
    char what[96];

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(what, sizeof(what), "map the scratch page writable for %s", bad[i].what);
        check_rc(what, mm_map_rw(scratch, true), 0);
        scratch[1] = bad[i].desc;
        snprintf(what, sizeof(what), "and read-only again for %s", bad[i].what);
        check_rc(what, mm_map_rw(scratch, false), 0);
        snprintf(what, sizeof(what), "SET_LDT with %s", bad[i].what);
        check_rc(what, set_ldt(va_of(scratch), 2), -EINVAL);
        snprintf(what, sizeof(what), "update_descriptor into our LDT with %s", bad[i].what);
        check_rc(what, HYPERVISOR_update_descriptor(mm_ma_of(&ldt[L_MARKER]), bad[i].desc), -EINVAL);
        snprintf(what, sizeof(what), "after %s, the old LDT is in force", bad[i].what);
        check_hex(what, desc_lsl(LSEL(L_MARKER, 1)), marker_limit(tag));
    }
    check_rc("a refused SET_LDT leaves its page untyped: it maps writable", mm_map_rw(scratch, true), 0);
}

/* Ranges SET_LDT must refuse. */
static void bad_ranges(unsigned tag)
{
    const xen_start_info_t *si = pvguest_start_info;

    check_rc("SET_LDT of a page mapped writable", set_ldt(va_of(scratch), 1), -EINVAL);
    check_rc("SET_LDT at a linear address that is not page-aligned", set_ldt(va_of(ldt) + 8, 1), -EINVAL);
    check_rc("SET_LDT with 8193 entries", set_ldt(va_of(ldt), 8193), -EINVAL);
    check_rc("SET_LDT in the hypervisor hole (0xF5800000)", set_ldt(0xF5800000u, 1), -EINVAL);
    check_rc("SET_LDT reaching the hypervisor hole", set_ldt(0xF57F8000u, 8192), -EINVAL);
    check_rc("SET_LDT of an unmapped page", set_ldt(pt_mapped_end(PV_VIRT_BASE), 1), -EINVAL);
    check_rc("SET_LDT of our shared_info mapping (not our frame)",
             set_ldt(va_of((const void *)shared_info), 1), -EINVAL);
    check_rc("SET_LDT of our L3 (a page table)", set_ldt(si->pt_base, 1), -EINVAL);
    check_hex("after all that, the old LDT is in force", desc_lsl(LSEL(L_MARKER, 1)), marker_limit(tag));
}

static void update_descriptor(unsigned tag)
{
    uint64_t d = desc_seg(va_of(marker), 0x7f, DESC_DATA(1), DESC_DB);

    check_rc("update_descriptor of our LDT marker segment",
             HYPERVISOR_update_descriptor(mm_ma_of(&ldt[L_MARKER]), d), 0);
    check_hex("our page holds the new descriptor", (uint32_t)ldt[L_MARKER], (uint32_t)d);
    check_hex("lsl sees the new limit", desc_lsl(LSEL(L_MARKER, 1)), 0x7f);
    check_rc("update_descriptor in our LDT with a flat DPL 0 code segment",
             HYPERVISOR_update_descriptor(mm_ma_of(&ldt[L_DPL0]), desc_flat(DESC_CODE(0))), 0);
    check_hex("lar of it shows DPL 1 code", desc_lar(LSEL(L_DPL0, 1)), 0xba00);
    check_hex("lsl of it (truncated)", desc_lsl(LSEL(L_DPL0, 1)), DESC_TOP_LIMIT);
    check_rc("update_descriptor past our LDT's entries", HYPERVISOR_update_descriptor(mm_ma_of(&ldt[100]), d), 0);
    check_hex("the entry is in our page", (uint32_t)ldt[100], (uint32_t)d);
    check_hex("but not in the LDT", desc_lsl(LSEL(100, 1)), 0);

    probe_addr = va_of(&ldt[L_MARKER]);
    run_probe(1, p_store);
    check_rc("a plain store into our LDT page: #PF", exinfo.vector, 14);
    check_hex("with error code present|write", exinfo.error, 0x3);
    check_hex("and the LDT entry is unchanged", desc_lsl(LSEL(L_MARKER, 1)), 0x7f);
    check_rc("update_descriptor back to our marker",
             HYPERVISOR_update_descriptor(mm_ma_of(&ldt[L_MARKER]),
                                          desc_seg(va_of(marker), marker_limit(tag), DESC_DATA(1), DESC_DB)), 0);
}

/* The largest LDT: 8192 entries in 16 pages, changed in its tenth page. */
static void largest_ldt(unsigned tag)
{
    big[15][511] = desc_flat(DESC_DATA(3));
    for (unsigned i = 0; i < 16; i++)
        if (mm_map_rw(big[i], false))
            test_error("cannot map page %u of the largest LDT read-only", i);
    check_rc("SET_LDT with 8192 entries in 16 pages", set_ldt(va_of(big), 8192), 0);
    check_hex("lsl of entry 8191 (0xffff)", desc_lsl(0xffff), DESC_TOP_LIMIT);
    check_hex("our marker is gone with the old LDT", desc_lsl(LSEL(L_MARKER, 1)), 0);
    check_rc("update_descriptor of entry 4611 (page 9)",
             HYPERVISOR_update_descriptor(mm_ma_of(&big[9][3]),
                                          desc_seg(va_of(marker), 0x42, DESC_DATA(1), DESC_DB)), 0);
    check_hex("lsl of entry 4611 sees it", desc_lsl(LSEL(9 * 512 + 3, 1)), 0x42);
    check_rc("SET_LDT back to our LDT", set_ldt(va_of(ldt), NR_SLOTS), 0);
    check_rc("the largest LDT's pages are untyped again: one maps writable", mm_map_rw(big[9], true), 0);
    check_hex("lsl of our marker again", desc_lsl(LSEL(L_MARKER, 1)), marker_limit(tag));
}

/* A trap handler may run on a code selector of our LDT. */
static uint32_t handler_cs;
static bool note_cs(struct trap_frame *f)
{
    (void)f;
    __asm__ volatile("mov %%cs, %0" : "=r"(handler_cs));
    handler_cs &= 0xffff;
    return true;
}

static void handler_in_ldt(void)
{
    check_rc("set_trap_table: #BP handler on our LDT code 0x2d",
             trap_set(3, 3, LSEL(L_CODE1, 1), trap_stub(3)), 0);
    trap_set_hook(3, note_cs);
    run_probe(1, p_bp);
    check_rc("int3 reached the handler", exinfo.vector, 3);
    check_hex("which ran with cs 0x2d", handler_cs, LSEL(L_CODE1, 1));
    trap_set_hook(3, NULL);
    check_rc("set_trap_table: #BP back on FLAT_RING1_CS", trap_install(3, 3), 0);
    check_rc("set_trap_table: a handler past our LDT's entries",
             trap_set(3, 3, LSEL(NR_SLOTS, 1), trap_stub(3)), -EINVAL);
    check_rc("set_trap_table: LDT selector 0xe01d is not FLAT_RING1_CS",
             trap_set(3, 3, 0xe01d, trap_stub(3)), -EINVAL);
}

static void clear_ldt(void)
{
    check_rc("SET_LDT with 0 entries (the address is ignored)", set_ldt(0x1234, 0), 0);
    no_ldt("with no LDT");
    check_rc("our LDT page is untyped again: it maps writable", mm_map_rw(ldt, true), 0);
    check_rc("set_trap_table: an LDT handler with no LDT",
             trap_set(3, 3, LSEL(L_CODE1, 1), trap_stub(3)), -EINVAL);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned tag = cmdline_uint("tag", 0);
    unsigned rounds = cmdline_uint("yields", 3);

    (void)si;
    traps_init();
    if (cmdline_uint("peek", 0)) {
        for (unsigned i = 0; i < rounds; i++)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        no_ldt("in a domain without an LDT");
        test_pass();
        xtf_exit();
    }
    printf("ldt tag %u: our LDT page at 0x%08x is mfn 0x%x\n", tag, va_of(ldt),
           (uint32_t)(mm_ma_of(ldt) >> 12));
    no_ldt("before SET_LDT");
    good_ldt(tag);
    bad_descriptors(tag);
    bad_ranges(tag);
    update_descriptor(tag);
    largest_ldt(tag);
    handler_in_ldt();

    uint32_t fs = get_fs();
    for (unsigned i = 0; i < rounds; i++) {
        set_fs(LSEL(L_MARKER, 1));
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        check_hex("after a yield, %fs still reads our marker", read_fs_at(0), 0x1d70c0de + tag);
        set_fs(fs);
        check_hex("after a yield, lsl still sees our marker's limit", desc_lsl(LSEL(L_MARKER, 1)), marker_limit(tag));
    }
    clear_ldt();
    test_pass();
    xtf_exit();
}
