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

#define TOP_LIMIT 0xF67FFFFFu       /* the limit of a flat segment, cut at 0xF6800000 */

/* Access byte (P | DPL | S | type) and the flags nibble (G, D/B). */
#define CODE(dpl) (0x9a | (dpl) << 5)
#define DATA(dpl) (0x92 | (dpl) << 5)
#define TSS32     0x89
#define INTGATE   0x8e
#define CALLGATE(dpl) (0x8c | (dpl) << 5)
#define G  0x8
#define DB 0x4

static uint64_t seg(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (access << 8) | (limit & 0xf0000) |
                  (flags << 20) | (base & 0xff000000u);
    return (uint64_t)hi << 32 | lo;
}

static uint64_t gate(unsigned sel, uint32_t offset, unsigned access)
{
    return (uint64_t)((offset & 0xffff0000u) | access << 8) << 32 | (offset & 0xffff) | sel << 16;
}

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

static uint32_t mfn_of(const void *p)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)pvguest_start_info->mfn_list;
    return p2m[((uint32_t)(uintptr_t)p - PV_VIRT_BASE) / PAGE_SIZE];
}

static uint64_t ma_of(const void *p)
{
    return (uint64_t)mfn_of(p) << 12 | ((uint32_t)(uintptr_t)p & (PAGE_SIZE - 1));
}

/* Map our page p writable or read-only: update_va_mapping of its own PTE. */
static long map_rw(const void *p, bool rw)
{
    uint32_t va = (uint32_t)(uintptr_t)p & ~(PAGE_SIZE - 1);
    uint64_t pte;

    if (!pt_lookup(va, &pte))
        return -EFAULT;
    pte = rw ? pte | PTE_RW : pte & ~PTE_RW;
    return HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);
}

/* A plain store into the page at probe_addr: it must fault. */
static uint32_t probe_addr;
PROBE(p_store, "", "movl %%eax, (%[a])", : [a] "c"(probe_addr), "a"(0))

/* lsl: the limit of sel, or 0 when the CPU says it has none for us. */
static uint32_t lsl(uint32_t sel)
{
    uint32_t limit = 0;
    uint8_t ok;
    __asm__ volatile("lsl %2, %0; setz %1" : "+r"(limit), "=q"(ok) : "r"(sel) : "cc");
    return ok ? limit : 0;
}

/* lar: the access rights of sel (type, S, DPL, P in bits 8..15), or 0. */
static uint32_t lar(uint32_t sel)
{
    uint32_t ar = 0;
    uint8_t ok;
    __asm__ volatile("lar %2, %0; setz %1" : "+r"(ar), "=q"(ok) : "r"(sel) : "cc");
    return ok ? ar & 0xff00 : 0;
}

static uint32_t get_fs(void)
{
    uint32_t v;
    __asm__ volatile("mov %%fs, %0" : "=r"(v));
    return v & 0xffff;
}

static void set_fs(uint32_t sel)
{
    __asm__ volatile("mov %0, %%fs" :: "r"(sel) : "memory");
}

static uint32_t read_fs(uint32_t off)
{
    uint32_t v;
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

/* Read *p through %ds = sel (our own flat data segment), then restore %ds. */
static uint32_t read_via_ds(uint32_t sel, const uint32_t *p)
{
    uint32_t v, old;
    __asm__ volatile("mov %%ds, %1; mov %3, %%ds; mov (%2), %0; mov %1, %%ds"
                     : "=&r"(v), "=&r"(old) : "r"(p), "r"(sel) : "memory");
    return v;
}

/* The call gate's target: runs in our own ring-1 code segment. */
uint32_t gate_target(void);
__asm__(".text\n.globl gate_target\ngate_target:\n"
        "    mov %cs, %eax\n"           /* the CS the gate loaded */
        "    lret\n");

static uint32_t call_through_gate(uint32_t sel)
{
    uint32_t cs;
    struct { uint32_t offset; uint16_t sel; } __attribute__((packed)) far = { 0, (uint16_t)sel };
    __asm__ volatile("lcall *%1" : "=a"(cs) : "m"(far) : "memory", "ecx", "edx");
    return cs & 0xffff;
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
    gdt[S_CODE1] = seg(0, 0xfffff, CODE(1), G | DB);
    gdt[S_DATA1] = seg(0, 0xfffff, DATA(1), G | DB);
    gdt[S_CODE3] = seg(0, 0xfffff, CODE(3), G | DB);
    gdt[S_DATA3] = seg(0, 0xfffff, DATA(3), G | DB);
    gdt[S_DPL0] = seg(0, 0xfffff, DATA(0), G | DB);
    gdt[S_MARKER] = seg((uint32_t)(uintptr_t)marker, marker_limit(tag), DATA(1), DB);
    gdt[S_GATE] = gate(SEL(S_CODE1, 1), (uint32_t)(uintptr_t)gate_target, CALLGATE(3));
    marker[0] = 0x600dc0de + tag;

    check_rc("set_gdt of a frame we still map writable", set_gdt(mfn_of(gdt), NR_SLOTS), -EINVAL);
    check_rc("drop our writable mapping of the GDT frame", map_rw(gdt, false), 0);
    check_rc("set_gdt with our 9 entries", set_gdt(mfn_of(gdt), NR_SLOTS), 0);
    check_rc("mapping our GDT frame writable while in use", map_rw(gdt, true), -EBUSY);
    check_hex("lsl of our flat ring-1 code (truncated)", lsl(SEL(S_CODE1, 1)), TOP_LIMIT);
    check_hex("lsl of our flat ring-1 data (truncated)", lsl(SEL(S_DATA1, 1)), TOP_LIMIT);
    check_hex("lsl of our flat ring-3 code (truncated)", lsl(SEL(S_CODE3, 3)), TOP_LIMIT);
    check_hex("lsl of our flat ring-3 data (truncated)", lsl(SEL(S_DATA3, 3)), TOP_LIMIT);
    check_hex("lar of the DPL 0 data segment shows DPL 1", lar(SEL(S_DPL0, 1)), 0xb200);
    check_hex("lar of our call gate", lar(SEL(S_GATE, 1)), 0xec00);
    check_hex("lsl of our marker segment", lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    check_hex("our frame reads back the truncated limit",
              (uint32_t)(gdt[S_DATA1] >> 32), (uint32_t)(seg(0, 0xf67ff, DATA(1), G | DB) >> 32));
    check_hex("our frame reads back DPL 1 for the DPL 0 segment",
              (uint32_t)(gdt[S_DPL0] >> 32), (uint32_t)(seg(0, 0xf67ff, DATA(1), G | DB) >> 32));

    uint32_t fs = get_fs();
    set_fs(SEL(S_MARKER, 1));
    check_hex("%fs = our marker segment reads the marker", read_fs(0), marker[0]);
    check_rc("xen_version with %fs from our GDT", HYPERVISOR_xen_version(XENVER_version, NULL) > 0, 1);
    check_hex("%fs survives the hypercall", get_fs(), SEL(S_MARKER, 1));
    check_hex("and still reads the marker", read_fs(0), marker[0]);
    set_fs(fs);
    check_hex("%ds = our flat ring-1 data reads memory", read_via_ds(SEL(S_DATA1, 1), marker), marker[0]);
    check_hex("%ds = our flat ring-3 data reads memory", read_via_ds(SEL(S_DATA3, 3), marker), marker[0]);
    check_hex("our call gate enters our own ring-1 code", call_through_gate(SEL(S_GATE, 1)),
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
        check_hex(what, lsl(sels[i]), TOP_LIMIT);
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
    uint32_t target = (uint32_t)(uintptr_t)gate_target;
    const struct { const char *what; uint64_t desc; } bad[] = {
        { "a TSS", seg((uint32_t)(uintptr_t)marker, 103, TSS32, 0) },
        { "an interrupt gate", gate(SEL(S_CODE1, 1), target, INTGATE | 3 << 5) },
        { "a call gate to the hypervisor's code 0xe008", gate(0xe008, 0xfc100000, CALLGATE(3)) },
        { "a call gate to FLAT_RING3_CS 0xe02b", gate(0xe02b, target, CALLGATE(3)) },
        { "a byte-granular segment past 0xF6800000", seg(0xF6780000, 0xfffff, DATA(1), DB) },
        { "a segment based in the hypervisor", seg(0xFC000000, 0xfffff, DATA(1), G | DB) },
    };
    char what[96];
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(what, sizeof(what), "map the scratch frame writable for %s", bad[i].what);
        check_rc(what, map_rw(scratch, true), 0);
        scratch[S_SPARE] = bad[i].desc;
        snprintf(what, sizeof(what), "and read-only again for %s", bad[i].what);
        check_rc(what, map_rw(scratch, false), 0);
        snprintf(what, sizeof(what), "set_gdt with %s", bad[i].what);
        check_rc(what, set_gdt(mfn_of(scratch), NR_SLOTS), -EINVAL);
        snprintf(what, sizeof(what), "update_descriptor with %s", bad[i].what);
        check_rc(what, HYPERVISOR_update_descriptor(ma_of(&gdt[S_MARKER]), bad[i].desc), -EINVAL);
        snprintf(what, sizeof(what), "after %s, the old GDT is in force", bad[i].what);
        check_hex(what, lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    }
    check_rc("a refused set_gdt leaves its frame untyped: it maps writable", map_rw(scratch, true), 0);
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
    check_hex("after all that, the old GDT is in force", lsl(SEL(S_MARKER, 1)), marker_limit(tag));

    xen_pfn_t frames[14];
    for (unsigned i = 0; i < 14; i++)
        frames[i] = mfn_of(big[i]);
    big[13][511] = seg(0, 0xfffff, DATA(3), G | DB);
    for (unsigned i = 0; i < 14; i++)
        if (map_rw(big[i], false))
            test_error("cannot map frame %u of the full GDT read-only", i);
    check_rc("set_gdt with 7168 entries in 14 frames", HYPERVISOR_set_gdt(frames, 7168), 0);
    check_hex("lsl of entry 7167", lsl(7167 * 8 + 3), TOP_LIMIT);
    check_hex("our marker is gone with the old GDT", lsl(SEL(S_MARKER, 1)), 0);
    reserved_selectors("with a full GDT");
    check_rc("set_gdt with 0 entries", set_gdt(mfn_of(gdt), 0), 0);
    check_hex("lsl of entry 7167 with no GDT", lsl(7167 * 8 + 3), 0);
    reserved_selectors("with an empty GDT");
    check_rc("the full GDT's frames are untyped again: one maps writable", map_rw(big[0], true), 0);
    check_rc("set_gdt back to our GDT", set_gdt(mfn_of(gdt), NR_SLOTS), 0);
}

static void update_descriptor(unsigned tag)
{
    const xen_start_info_t *si = pvguest_start_info;
    uint64_t d = seg((uint32_t)(uintptr_t)marker, 0x7f, DATA(1), DB);

    check_rc("update_descriptor of our marker segment", HYPERVISOR_update_descriptor(ma_of(&gdt[S_MARKER]), d), 0);
    check_hex("our frame holds the new descriptor", (uint32_t)gdt[S_MARKER], (uint32_t)d);
    check_hex("lsl sees the new limit", lsl(SEL(S_MARKER, 1)), 0x7f);
    check_rc("update_descriptor with a flat DPL 0 segment",
             HYPERVISOR_update_descriptor(ma_of(&gdt[S_DPL0]), seg(0, 0xfffff, CODE(0), G | DB)), 0);
    check_hex("our frame reads back DPL 1 and the truncated limit",
              (uint32_t)(gdt[S_DPL0] >> 32), (uint32_t)(seg(0, 0xf67ff, CODE(1), G | DB) >> 32));
    check_hex("lsl of it", lsl(SEL(S_DPL0, 1)), TOP_LIMIT);
    check_rc("update_descriptor at a misaligned address",
             HYPERVISOR_update_descriptor(ma_of(&gdt[S_MARKER]) + 4, d), -EINVAL);
    check_rc("update_descriptor in shared_info (not ours)",
             HYPERVISOR_update_descriptor(si->shared_info, d), -EINVAL);
    check_rc("update_descriptor in machine frame 0", HYPERVISOR_update_descriptor(0, d), -EINVAL);
    check_rc("update_descriptor in a page table",
             HYPERVISOR_update_descriptor((uint64_t)mfn_of((const void *)si->pt_base) << 12, d), -EINVAL);
    check_rc("update_descriptor past our GDT's entries", HYPERVISOR_update_descriptor(ma_of(&gdt[100]), d), 0);
    check_hex("the entry is in our frame", (uint32_t)gdt[100], (uint32_t)d);
    check_hex("but not in the GDT", lsl(SEL(100, 1)), 0);
    check_rc("update_descriptor in a frame that is no GDT (mapped writable)",
             HYPERVISOR_update_descriptor(ma_of(&marker[2]), d), 0);
    check_rc("update_descriptor clearing entry 100", HYPERVISOR_update_descriptor(ma_of(&gdt[100]), 0), 0);

    /* Our GDT frame is read-only to us now: a plain store faults, and the CPU never sees it. */
    probe_addr = (uint32_t)(uintptr_t)&gdt[S_MARKER];
    run_probe(1, p_store);
    check_rc("a plain store into our GDT frame: #PF", exinfo.vector, 14);
    check_hex("with error code present|write", exinfo.error, 0x3);
    check_hex("and the GDT entry is unchanged", lsl(SEL(S_MARKER, 1)), 0x7f);
    check_rc("update_descriptor back to our marker",
             HYPERVISOR_update_descriptor(ma_of(&gdt[S_MARKER]),
                                          seg((uint32_t)(uintptr_t)marker, marker_limit(tag), DATA(1), DB)), 0);
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
        check_hex("after a yield, %fs still reads our marker", read_fs(0), 0x600dc0de + tag);
        set_fs(fs);
        check_hex("after a yield, lsl still sees our marker's limit", lsl(SEL(S_MARKER, 1)), marker_limit(tag));
    }
    test_pass();
    xtf_exit();
}
