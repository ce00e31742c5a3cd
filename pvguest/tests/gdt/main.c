/*
 * gdt - our own GDT: set_gdt, update_descriptor, and what Xen refuses.
 *
 * A PV guest names its GDT by MACHINE frame (its P2M list translates), and
 * the hypervisor checks every descriptor first: DPL 0 becomes 1, flat
 * segments are cut off at 0xF6800000 (lsl reads 0xF67FFFFF), and TSSs,
 * interrupt gates, call gates to the hypervisor's code, segments reaching
 * the hypervisor, frames that are not ours and page-table frames are
 * refused with -EINVAL, leaving the GDT in force as it was.  As in Xen a
 * GDT frame is typed "segment descriptors": set_gdt refuses a frame we
 * still map writable, so we drop our writable mapping of each GDT frame
 * first, and while the GDT is in use no writable mapping of it can be
 * made again; we change it only with update_descriptor.  A refused
 * set_gdt leaves its frames untyped.  We load our own selectors into %fs
 * and %ds and use them, across a hypercall; call through our own call
 * gate; and check that Xen's reserved selectors 0xe019/0xe021/0xe02b/
 * 0xe033 work whatever our GDT holds.  A plain store into the GDT frame
 * faults.  Last, we yield a few times and check our GDT is still ours:
 * run two copies with different "tag=" and each must keep seeing its own.
 */
#include "pvguest/lib/pvguest.h"

/*
 * Our GDT frame, a second page for update_descriptor, a scratch frame for
 * GDTs that must be refused, and 14 pages for a full GDT.
 */
static uint64_t gdt[512] __attribute__((aligned(4096)));
static uint32_t marker[1024] __attribute__((aligned(4096)));
static uint64_t scratch[512] __attribute__((aligned(4096)));
static uint64_t big[14][512] __attribute__((aligned(4096)));

/* The slots of our GDT; selector = slot * 8 + RPL. */
enum { S_CODE1 = 1, S_DATA1, S_CODE3, S_DATA3, S_DPL0, S_MARKER, S_GATE, S_SPARE, NR_SLOTS };
#define SEL(slot, rpl) ((slot) * 8 + (rpl))

static uint32_t mfn_of(const void *p) { return mm_va_to_mfn((uint32_t)(uintptr_t)p); }

/* A plain store into the page at probe_addr: it must fault. */
static uint32_t probe_addr;
PROBE(p_store, "", "movl %%eax, (%[a])", : [a] "c"(probe_addr), "a"(0))

/* Read *p through %ds = sel (our own flat data segment), then restore %ds. */
static uint32_t read_via_ds(uint32_t sel, const uint32_t *p)
{
    uint32_t v, old;
    __asm__ volatile("mov %%ds, %1; mov %3, %%ds; mov (%2), %0; mov %1, %%ds"
                     : "=&r"(v), "=&r"(old) : "r"(p), "r"(sel) : "memory");
    return v;
}

static uint32_t marker_limit(unsigned tag) { return 0x100 + tag * 0x10; }

static long set_gdt(uint32_t mfn, unsigned entries)
{
    xen_pfn_t frames[1] = { mfn };
    return HYPERVISOR_set_gdt(frames, entries);
}

/* A good GDT, used and read back. */
static void good_gdt(unsigned tag)
{
    gdt[S_CODE1] = desc_flat(DESC_CODE(1));
    gdt[S_DATA1] = desc_flat(DESC_DATA(1));
    gdt[S_CODE3] = desc_flat(DESC_CODE(3));
    gdt[S_DATA3] = desc_flat(DESC_DATA(3));
    gdt[S_DPL0] = desc_flat(DESC_DATA(0));
    gdt[S_MARKER] = desc_seg((uint32_t)(uintptr_t)marker, marker_limit(tag), DESC_DATA(1), DESC_DB);
    gdt[S_GATE] = desc_gate(SEL(S_CODE1, 1), (uint32_t)(uintptr_t)desc_gate_target, DESC_CALLGATE(3));
    marker[0] = 0x600dc0de + tag;

    check_rc("set_gdt of a frame we still map writable", set_gdt(mfn_of(gdt), NR_SLOTS), -EINVAL);
    check_rc("drop our writable mapping of the GDT frame", mm_map_rw(gdt, false), 0);
    check_rc("set_gdt with our 9 entries", set_gdt(mfn_of(gdt), NR_SLOTS), 0);
    check_rc("mapping our GDT frame writable while in use", mm_map_rw(gdt, true), -EBUSY);
    check_hex("lsl of our flat ring-1 code (truncated)", desc_lsl(SEL(S_CODE1, 1)), DESC_TOP_LIMIT);
    check_hex("lsl of our flat ring-1 data (truncated)", desc_lsl(SEL(S_DATA1, 1)), DESC_TOP_LIMIT);
    check_hex("lsl of our flat ring-3 code (truncated)", desc_lsl(SEL(S_CODE3, 3)), DESC_TOP_LIMIT);
    check_hex("lsl of our flat ring-3 data (truncated)", desc_lsl(SEL(S_DATA3, 3)), DESC_TOP_LIMIT);
    check_hex("lar of the DPL 0 data segment shows DPL 1", desc_lar(SEL(S_DPL0, 1)), 0xb200);
    check_hex("lar of our call gate", desc_lar(SEL(S_GATE, 1)), 0xec00);
    check_hex("lsl of our marker segment", desc_lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    check_hex("our frame reads back the truncated limit",
              (uint32_t)(gdt[S_DATA1] >> 32), (uint32_t)(desc_seg(0, 0xf67ff, DESC_DATA(1), DESC_G | DESC_DB) >> 32));
    check_hex("our frame reads back DPL 1 for the DPL 0 segment",
              (uint32_t)(gdt[S_DPL0] >> 32), (uint32_t)(desc_seg(0, 0xf67ff, DESC_DATA(1), DESC_G | DESC_DB) >> 32));

    uint32_t fs = get_fs();
    set_fs(SEL(S_MARKER, 1));
    check_hex("%fs = our marker segment reads the marker", read_fs_at(0), marker[0]);
    check_rc("xen_version with %fs from our GDT", HYPERVISOR_xen_version(XENVER_version, NULL) > 0, 1);
    check_hex("%fs survives the hypercall", get_fs(), SEL(S_MARKER, 1));
    check_hex("and still reads the marker", read_fs_at(0), marker[0]);
    set_fs(fs);
    check_hex("%ds = our flat ring-1 data reads memory", read_via_ds(SEL(S_DATA1, 1), marker), marker[0]);
    check_hex("%ds = our flat ring-3 data reads memory", read_via_ds(SEL(S_DATA3, 3), marker), marker[0]);
    check_hex("our call gate enters our own ring-1 code", desc_call_gate(SEL(S_GATE, 1)),
              SEL(S_CODE1, 1));
}

/* Xen's reserved selectors work whatever the guest's GDT holds. */
static void reserved_selectors(const char *when)
{
    static const uint32_t sels[] = { 0xe019, 0xe021, 0xe02b, 0xe033 };
    uint32_t fs = get_fs();
    char what[80];
    for (unsigned i = 0; i < ARRAY_SIZE(sels); i++) {
        snprintf(what, sizeof(what), "lsl 0x%x %s", sels[i], when);
        check_hex(what, desc_lsl(sels[i]), DESC_TOP_LIMIT);
        set_fs(sels[i]);
        snprintf(what, sizeof(what), "%%fs = 0x%x %s", sels[i], when);
        check_hex(what, get_fs(), sels[i]);
    }
    set_fs(fs);
}

/*
 * Each bad descriptor in slot S_SPARE of the scratch frame (written while
 * it is writable, then mapped read-only): -EINVAL, and the GDT in force is
 * unchanged.  update_descriptor tries it on our real GDT.
 */
static void bad_descriptors(unsigned tag)
{
    uint32_t target = (uint32_t)(uintptr_t)desc_gate_target;
    const struct { const char *what; uint64_t desc; } bad[] = {
        { "a TSS", desc_seg((uint32_t)(uintptr_t)marker, 103, DESC_TSS32, 0) },
        { "an interrupt gate", desc_gate(SEL(S_CODE1, 1), target, DESC_INTGATE | 3 << 5) },
        { "a call gate to the hypervisor's code 0xe008", desc_gate(0xe008, 0xfc100000, DESC_CALLGATE(3)) },
        { "a call gate to FLAT_RING3_CS 0xe02b", desc_gate(0xe02b, target, DESC_CALLGATE(3)) },
        { "a byte-granular segment past 0xF6800000", desc_seg(0xF6780000, 0xfffff, DESC_DATA(1), DESC_DB) },
        { "a segment based in the hypervisor", desc_seg(0xFC000000, 0xfffff, DESC_DATA(1), DESC_G | DESC_DB) },
    };
    char what[96];
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(what, sizeof(what), "map the scratch frame writable for %s", bad[i].what);
        check_rc(what, mm_map_rw(scratch, true), 0);
        scratch[S_SPARE] = bad[i].desc;
        snprintf(what, sizeof(what), "and read-only again for %s", bad[i].what);
        check_rc(what, mm_map_rw(scratch, false), 0);
        snprintf(what, sizeof(what), "set_gdt with %s", bad[i].what);
        check_rc(what, set_gdt(mfn_of(scratch), NR_SLOTS), -EINVAL);
        snprintf(what, sizeof(what), "update_descriptor with %s", bad[i].what);
        check_rc(what, HYPERVISOR_update_descriptor(mm_ma_of(&gdt[S_MARKER]), bad[i].desc), -EINVAL);
        snprintf(what, sizeof(what), "after %s, the old GDT is in force", bad[i].what);
        check_hex(what, desc_lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    }
    check_rc("a refused set_gdt leaves its frame untyped: it maps writable", mm_map_rw(scratch, true), 0);
}

/* Frames and entry counts set_gdt must refuse. */
static void bad_frames(unsigned tag)
{
    const xen_start_info_t *si = pvguest_start_info;
    uint32_t pt_mfn = mfn_of((const void *)si->pt_base);

    check_rc("set_gdt with the shared_info frame (not ours)", set_gdt(si->shared_info >> 12, 1), -EINVAL);
    check_rc("set_gdt with machine frame 0", set_gdt(0, 1), -EINVAL);
    check_rc("set_gdt with a page-table frame", set_gdt(pt_mfn, 1), -EINVAL);
    check_rc("set_gdt with 7169 entries", set_gdt(mfn_of(gdt), 7169), -EINVAL);
    check_rc("set_gdt with a bad frame list pointer", HYPERVISOR_set_gdt(NULL, 1), -EFAULT);
    check_hex("after all that, the old GDT is in force", desc_lsl(SEL(S_MARKER, 1)), marker_limit(tag));

    xen_pfn_t frames[14];
    for (unsigned i = 0; i < 14; i++)
        frames[i] = mfn_of(big[i]);
    big[13][511] = desc_flat(DESC_DATA(3));
    for (unsigned i = 0; i < 14; i++)
        if (mm_map_rw(big[i], false))
            test_error("cannot map frame %u of the full GDT read-only", i);
    check_rc("set_gdt with 7168 entries in 14 frames", HYPERVISOR_set_gdt(frames, 7168), 0);
    check_hex("lsl of entry 7167", desc_lsl(7167 * 8 + 3), DESC_TOP_LIMIT);
    check_hex("our marker is gone with the old GDT", desc_lsl(SEL(S_MARKER, 1)), 0);
    reserved_selectors("with a full GDT");
    check_rc("set_gdt with 0 entries", set_gdt(mfn_of(gdt), 0), 0);
    check_hex("lsl of entry 7167 with no GDT", desc_lsl(7167 * 8 + 3), 0);
    reserved_selectors("with an empty GDT");
    check_rc("the full GDT's frames are untyped again: one maps writable", mm_map_rw(big[0], true), 0);
    check_rc("set_gdt back to our GDT", set_gdt(mfn_of(gdt), NR_SLOTS), 0);
}

static void update_descriptor(unsigned tag)
{
    const xen_start_info_t *si = pvguest_start_info;
    uint64_t d = desc_seg((uint32_t)(uintptr_t)marker, 0x7f, DESC_DATA(1), DESC_DB);

    check_rc("update_descriptor of our marker segment", HYPERVISOR_update_descriptor(mm_ma_of(&gdt[S_MARKER]), d), 0);
    check_hex("our frame holds the new descriptor", (uint32_t)gdt[S_MARKER], (uint32_t)d);
    check_hex("lsl sees the new limit", desc_lsl(SEL(S_MARKER, 1)), 0x7f);
    check_rc("update_descriptor with a flat DPL 0 segment",
             HYPERVISOR_update_descriptor(mm_ma_of(&gdt[S_DPL0]), desc_flat(DESC_CODE(0))), 0);
    check_hex("our frame reads back DPL 1 and the truncated limit",
              (uint32_t)(gdt[S_DPL0] >> 32), (uint32_t)(desc_seg(0, 0xf67ff, DESC_CODE(1), DESC_G | DESC_DB) >> 32));
    check_hex("lsl of it", desc_lsl(SEL(S_DPL0, 1)), DESC_TOP_LIMIT);
    check_rc("update_descriptor at a misaligned address",
             HYPERVISOR_update_descriptor(mm_ma_of(&gdt[S_MARKER]) + 4, d), -EINVAL);
    check_rc("update_descriptor in shared_info (not ours)",
             HYPERVISOR_update_descriptor(si->shared_info, d), -EINVAL);
    check_rc("update_descriptor in machine frame 0", HYPERVISOR_update_descriptor(0, d), -EINVAL);
    check_rc("update_descriptor in a page table",
             HYPERVISOR_update_descriptor((uint64_t)mfn_of((const void *)si->pt_base) << 12, d), -EINVAL);
    check_rc("update_descriptor past our GDT's entries", HYPERVISOR_update_descriptor(mm_ma_of(&gdt[100]), d), 0);
    check_hex("the entry is in our frame", (uint32_t)gdt[100], (uint32_t)d);
    check_hex("but not in the GDT", desc_lsl(SEL(100, 1)), 0);
    check_rc("update_descriptor in a frame that is no GDT (mapped writable)",
             HYPERVISOR_update_descriptor(mm_ma_of(&marker[2]), d), 0);
    check_rc("update_descriptor clearing entry 100", HYPERVISOR_update_descriptor(mm_ma_of(&gdt[100]), 0), 0);

    /* Our GDT frame is read-only to us now: a plain store faults, and the CPU never sees it. */
    probe_addr = (uint32_t)(uintptr_t)&gdt[S_MARKER];
    run_probe(1, p_store);
    check_rc("a plain store into our GDT frame: #PF", exinfo.vector, 14);
    check_hex("with error code present|write", exinfo.error, 0x3);
    check_hex("and the GDT entry is unchanged", desc_lsl(SEL(S_MARKER, 1)), 0x7f);
    check_rc("update_descriptor back to our marker",
             HYPERVISOR_update_descriptor(mm_ma_of(&gdt[S_MARKER]),
                                          desc_seg((uint32_t)(uintptr_t)marker, marker_limit(tag),
                                                   DESC_DATA(1), DESC_DB)), 0);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned tag = cmdline_uint("tag", 0);
    unsigned rounds = cmdline_uint("yields", 3);

    printf("gdt tag %u: our GDT frame at 0x%08x is mfn 0x%x\n", tag, (uint32_t)(uintptr_t)gdt, mfn_of(gdt));
    (void)si;
    traps_init();
    reserved_selectors("before set_gdt");
    good_gdt(tag);
    reserved_selectors("after set_gdt");
    bad_descriptors(tag);
    bad_frames(tag);
    update_descriptor(tag);

    uint32_t fs = get_fs();
    for (unsigned i = 0; i < rounds; i++) {
        set_fs(SEL(S_MARKER, 1));
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        check_hex("after a yield, %fs still reads our marker", read_fs_at(0), 0x600dc0de + tag);
        set_fs(fs);
        check_hex("after a yield, lsl still sees our marker's limit", desc_lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    }
    test_pass();
    xtf_exit();
}
