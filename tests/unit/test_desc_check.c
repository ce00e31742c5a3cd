/*
 * test_desc_check.c - hypervisor/vcpu/desc_check.c, Xen's check_descriptor().
 *
 * Most groups are tables: a descriptor built field by field, the verdict
 * Xen's x86_32 check_descriptor() gives it, and the value Xen leaves in
 * the table afterwards (its fix-ups: DPL 0 -> 1, a call gate's target RPL
 * 0 -> 1, a limit truncated to end at 0xF6800000).  A refused descriptor
 * must come back untouched.  The last group is a property check over a
 * million random descriptors, against a model of the CPU written
 * independently in 64-bit arithmetic: whatever is accepted grants no ring
 * 0 and reaches no linear address at or above 0xF6800000.
 *
 *   test_desc_check [GROUP | --list]
 */
#include "hypervisor/vcpu/desc_check.h"
#include "hypervisor/lib.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define TOP 0xF6800000u

/* Access byte: P | DPL | S | type.  Flags nibble: G D/B L AVL. */
#define P 0x80
#define S 0x10
#define DPL(n) ((n) << 5)
#define G  0x8
#define DB 0x4
#define L  0x2
#define AVL 0x1
#define CODE_RX 0xa          /* code, readable */
#define CODE_CONF 0xe        /* code, conforming, readable */
#define DATA_RW 0x2
#define DATA_DOWN 0x6        /* data, writable, expand-down */

static uint64_t seg(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (access << 8) | (limit & 0xf0000) |
                  (flags << 20) | (base & 0xff000000u);
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t gate(unsigned sel, uint32_t offset, unsigned access, unsigned params)
{
    uint32_t lo = (offset & 0xffff) | (sel << 16);
    uint32_t hi = (offset & 0xffff0000u) | (access << 8) | params;
    return ((uint64_t)hi << 32) | lo;
}

/*
 * One row: the verdict and the value left behind.  `why` is a piece of
 * the reason a refusal must give (NULL: accepted, and *want is the value).
 */
struct row { const char *name; uint64_t in; const char *why; uint64_t want; };

static void run_rows(const struct row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        uint64_t d = r->in;
        const char *got = desc_check_reason(&d);
        if (!r->why) {
            CHECKF(!got && d == r->want, "%s: %016llx -> %s, %016llx; want accepted, %016llx",
                   r->name, (unsigned long long)r->in, got ? got : "accepted",
                   (unsigned long long)d, (unsigned long long)r->want);
        } else {
            CHECKF(got && strstr(got, r->why) && d == r->in,
                   "%s: %016llx -> %s, %016llx; want refused (\"%s\"), untouched",
                   r->name, (unsigned long long)r->in, got ? got : "accepted",
                   (unsigned long long)d, r->why);
        }
        uint64_t again = r->in;
        CHECKF(desc_check(&again) == !r->why, "%s: desc_check disagrees with desc_check_reason",
               r->name);
    }
}
#define RUN(rows) run_rows(rows, ARRAY_SIZE(rows))
#define OK(name, in, want) { name, in, NULL, want }
#define NO(name, in, why) { name, in, why, 0 }

/* A not-present descriptor of any kind is accepted as it is. */
static void not_present(void)
{
    for (unsigned type = 0; type < 32; type++)          /* S and the 4 type bits */
        for (unsigned dpl = 0; dpl < 4; dpl++) {
            uint64_t in = seg(0xfffff000, 0xfffff, DPL(dpl) | type, G | DB | L | AVL);
            if (!(type & S))
                in = gate(0xe008, 0xfc100000, DPL(dpl) | type, 0xff);
            uint64_t d = in;
            CHECKF(desc_check(&d) && d == in, "type %#x dpl %u: %016llx -> %016llx",
                   type, dpl, (unsigned long long)in, (unsigned long long)d);
        }
    uint64_t zero = 0;
    CHECK(desc_check(&zero) && zero == 0);               /* the null descriptor */
}

/* Code and data at every DPL: 0 becomes 1, 1..3 stay. */
static void dpl_fixup(void)
{
    static const unsigned types[] = { DATA_RW, 0x0, 0x1, 0x3, CODE_RX, 0x8, 0x9, 0xb, CODE_CONF, 0xc, 0xd, 0xf };
    for (size_t t = 0; t < ARRAY_SIZE(types); t++)
        for (unsigned dpl = 0; dpl < 4; dpl++) {
            uint64_t in = seg(0x10000, 0xff, P | S | DPL(dpl) | types[t], DB);
            uint64_t want = seg(0x10000, 0xff, P | S | DPL(dpl ? dpl : 1) | types[t], DB);
            uint64_t d = in;
            CHECKF(desc_check(&d) && d == want, "type %#x dpl %u: %016llx -> %016llx, want %016llx",
                   types[t], dpl, (unsigned long long)in, (unsigned long long)d,
                   (unsigned long long)want);
        }
}

/* Every present system type at every DPL: only the 32-bit call gate passes. */
static void system_types(void)
{
    static const char *const why[16] = {
        "reserved", "16-bit TSS", "LDT", "busy 16-bit TSS", "16-bit call gate", "task gate",
        "16-bit interrupt gate", "16-bit trap gate", "reserved", "TSS", "reserved", "busy TSS",
        NULL, "reserved", "interrupt gate", "trap gate",
    };
    for (unsigned type = 0; type < 16; type++)
        for (unsigned dpl = 0; dpl < 4; dpl++) {
            uint64_t in = gate(0x0809, 0x00401000, P | DPL(dpl) | type, 0);
            uint64_t d = in;
            const char *got = desc_check_reason(&d);
            if (type == 12) {
                uint64_t want = gate(0x0809, 0x00401000, P | DPL(dpl ? dpl : 1) | type, 0);
                CHECKF(!got && d == want, "call gate dpl %u: %s, %016llx", dpl,
                       got ? got : "accepted", (unsigned long long)d);
            } else {
                CHECKF(got && strstr(got, why[type]) && d == in, "type %u dpl %u: %s, %016llx",
                       type, dpl, got ? got : "accepted", (unsigned long long)d);
            }
        }
    /* The same shapes as the hypervisor's own TSS at 0xe038 and an LDT. */
    const struct row rows[] = {
        NO("available 32-bit TSS, DPL 3", seg(0x00100000, 103, P | DPL(3) | 0x9, 0), "TSS"),
        NO("busy 32-bit TSS", seg(0x00100000, 103, P | DPL(1) | 0xb, 0), "busy TSS"),
        NO("LDT descriptor", seg(0x00100000, 0xfff, P | DPL(1) | 0x2, 0), "LDT"),
        NO("task gate to a guest TSS selector", gate(0x0808, 0, P | DPL(3) | 0x5, 0), "task gate"),
        NO("interrupt gate to guest code", gate(0x0819, 0x1000, P | DPL(3) | 0xe, 0), "interrupt gate"),
        NO("trap gate to guest code", gate(0x0819, 0x1000, P | DPL(3) | 0xf, 0), "trap gate"),
    };
    RUN(rows);
}

/* A call gate may lead only to the guest's GDT, its LDT, or FLAT_RING1_CS. */
static void call_gates(void)
{
#define CG(sel, dpl, params) gate(sel, 0xc0101234, P | DPL(dpl) | 0xc, params)
    const struct row rows[] = {
        OK("guest GDT selector, RPL 1", CG(0x0819, 3, 0), CG(0x0819, 3, 0)),
        OK("guest GDT selector, RPL 0 becomes 1", CG(0x0818, 3, 0), CG(0x0819, 3, 0)),
        OK("guest GDT selector, RPL 3 stays", CG(0x082b, 3, 0), CG(0x082b, 3, 0)),
        OK("null selector (faults when used)", CG(0x0000, 3, 0), CG(0x0001, 3, 0)),
        OK("last guest GDT entry 7167", CG(0xdff8, 3, 0), CG(0xdff9, 3, 0)),
        NO("first reserved entry 7168", CG(0xe000, 3, 0), "reserved selector"),
        NO("hypervisor code 0xe008", CG(0xe008, 3, 0), "reserved selector"),
        NO("hypervisor code 0xe008 with RPL 1", CG(0xe009, 3, 0), "reserved selector"),
        NO("hypervisor data 0xe010", CG(0xe010, 3, 0), "reserved selector"),
        OK("FLAT_RING1_CS 0xe019", CG(0xe019, 3, 0), CG(0xe019, 3, 0)),
        OK("FLAT_RING1_CS with RPL 0 becomes 0xe019", CG(0xe018, 3, 0), CG(0xe019, 3, 0)),
        NO("FLAT_RING1_CS with RPL 3 (Xen compares exactly)", CG(0xe01b, 3, 0), "reserved selector"),
        NO("FLAT_RING1_DS 0xe021", CG(0xe021, 3, 0), "reserved selector"),
        NO("FLAT_RING3_CS 0xe02b", CG(0xe02b, 3, 0), "reserved selector"),
        NO("FLAT_RING3_DS 0xe033", CG(0xe033, 3, 0), "reserved selector"),
        NO("the TSS 0xe038", CG(0xe038, 3, 0), "reserved selector"),
        NO("last GDT entry 0xfff8", CG(0xfff9, 3, 0), "reserved selector"),
        OK("LDT selector, RPL 0 becomes 1", CG(0x0004, 3, 0), CG(0x0005, 3, 0)),
        OK("LDT selector 0xe00f (TI set: not the GDT)", CG(0xe00f, 3, 0), CG(0xe00f, 3, 0)),
        OK("gate DPL 0 becomes 1", CG(0x0819, 0, 0), CG(0x0819, 1, 0)),
        OK("31 parameters", CG(0x0819, 3, 0x1f), CG(0x0819, 3, 0x1f)),
        NO("reserved bit 5 set", CG(0x0819, 3, 0x20), "reserved bits"),
        NO("reserved bit 7 set", CG(0x0819, 3, 0x80), "reserved bits"),
    };
#undef CG
    RUN(rows);
}

/* The flat 4 GiB segments native kernels write: truncated to end at TOP. */
static void flat_segments(void)
{
    const struct row rows[] = {
        OK("ring-1 code", seg(0, 0xfffff, P | S | DPL(1) | CODE_RX, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | CODE_RX, G | DB)),
        OK("ring-1 data", seg(0, 0xfffff, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB)),
        OK("ring-3 code", seg(0, 0xfffff, P | S | DPL(3) | CODE_RX, G | DB),
           seg(0, 0xf67ff, P | S | DPL(3) | CODE_RX, G | DB)),
        OK("ring-3 data", seg(0, 0xfffff, P | S | DPL(3) | DATA_RW, G | DB),
           seg(0, 0xf67ff, P | S | DPL(3) | DATA_RW, G | DB)),
        OK("ring-0 code: DPL 1 and truncated", seg(0, 0xfffff, P | S | DPL(0) | CODE_RX, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | CODE_RX, G | DB)),
        OK("ring-0 data: DPL 1 and truncated", seg(0, 0xfffff, P | S | DPL(0) | DATA_RW, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB)),
        OK("conforming code is expand-up", seg(0, 0xfffff, P | S | DPL(1) | CODE_CONF, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | CODE_CONF, G | DB)),
        OK("16-bit flat data", seg(0, 0xfffff, P | S | DPL(1) | DATA_RW, G),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G)),
        OK("AVL, L and the accessed bit survive", seg(0, 0xfffff, P | S | DPL(1) | DATA_RW | 1, G | DB | L | AVL),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW | 1, G | DB | L | AVL)),
        OK("the hypervisor's own FLAT_RING1_CS passes unchanged",
           seg(0, 0xf67ff, P | S | DPL(1) | CODE_RX, G | DB), seg(0, 0xf67ff, P | S | DPL(1) | CODE_RX, G | DB)),
        OK("base 64 MiB, 4 GiB: wraps, truncated", seg(0x04000000, 0xfffff, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0x04000000, 0xf27ff, P | S | DPL(1) | DATA_RW, G | DB)),
        NO("byte-granular 1 MiB at the top of memory", seg(0xfff00000, 0xfffff, P | S | DPL(3) | DATA_RW, DB),
           "base"),
    };
    RUN(rows);
}

/* Ending exactly at TOP is fine; one byte (or page) past is truncated or refused. */
static void limits_at_the_top(void)
{
    const struct row rows[] = {
        OK("G=1 base 0 ends at TOP", seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB)),
        OK("G=1 base 0 one page past: truncated", seg(0, 0xf6800, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB)),
        OK("G=1 base 0x1000 ends at TOP", seg(0x1000, 0xf67fe, P | S | DPL(1) | CODE_RX, G | DB),
           seg(0x1000, 0xf67fe, P | S | DPL(1) | CODE_RX, G | DB)),
        OK("G=1 base 0x1000 one page past: truncated", seg(0x1000, 0xf67ff, P | S | DPL(1) | CODE_RX, G | DB),
           seg(0x1000, 0xf67fe, P | S | DPL(1) | CODE_RX, G | DB)),
        OK("G=1 unaligned base 0x123 past TOP: truncated below TOP",
           seg(0x123, 0xf67ff, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0x123, 0xf67fe, P | S | DPL(1) | DATA_RW, G | DB)),
        OK("G=0 ends exactly at TOP", seg(TOP - 0x100000, 0xfffff, P | S | DPL(3) | DATA_RW, DB),
           seg(TOP - 0x100000, 0xfffff, P | S | DPL(3) | DATA_RW, DB)),
        NO("G=0 one byte past TOP", seg(TOP - 0xfffff, 0xfffff, P | S | DPL(3) | DATA_RW, DB),
           "byte-granular"),
        NO("G=0 1 MiB from 0xf6780000", seg(0xf6780000, 0xfffff, P | S | DPL(1) | CODE_RX, DB),
           "byte-granular"),
        OK("G=0 small segment just below the base limit",
           seg(TOP - 0x1001, 0, P | S | DPL(1) | DATA_RW, DB),
           seg(TOP - 0x1001, 0, P | S | DPL(1) | DATA_RW, DB)),
        NO("base exactly a page below TOP", seg(TOP - 0x1000, 0, P | S | DPL(1) | DATA_RW, DB),
           "base"),
        OK("a page of the M2P, which guests may read", seg(0xf5800000, 0, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0xf5800000, 0, P | S | DPL(1) | DATA_RW, G | DB)),
        NO("base in the hypervisor", seg(0xfc000000, 0xfffff, P | S | DPL(1) | DATA_RW, G | DB), "base"),
        OK("G=1 base 0xf0000000 to 4 GiB: truncated to 0x6800 pages",
           seg(0xf0000000, 0x0ffff, P | S | DPL(1) | DATA_RW, G | DB),
           seg(0xf0000000, 0x067ff, P | S | DPL(1) | DATA_RW, G | DB)),
    };
    RUN(rows);
}

/* Expand-down data: valid offsets lie above the limit, so it must wrap below base. */
static void expand_down(void)
{
#define DOWN(base, limit, flags) seg(base, limit, P | S | DPL(1) | DATA_DOWN, flags)
    const struct row rows[] = {
        OK("G=1 limit 0xfffff: empty, unchanged", DOWN(0, 0xfffff, G | DB), DOWN(0, 0xfffff, G | DB)),
        OK("G=1 base 0 limit 0: 4 GiB - 4 KiB, made empty", DOWN(0, 0, G | DB), DOWN(0, 0xfffff, G | DB)),
        OK("G=1 base 4 MiB limit 0: truncated to wrap at 4 GiB", DOWN(0x400000, 0, G | DB),
           DOWN(0x400000, 0xffbff, G | DB)),
        OK("G=1 base 4 MiB, wraps exactly: unchanged", DOWN(0x400000, 0xffbff, G | DB),
           DOWN(0x400000, 0xffbff, G | DB)),
        OK("G=1 base 4 MiB, one page short of wrapping: truncated", DOWN(0x400000, 0xffbfe, G | DB),
           DOWN(0x400000, 0xffbff, G | DB)),
        OK("G=1 unaligned base below a page: made empty", DOWN(0x123, 0, G | DB), DOWN(0x123, 0xfffff, G | DB)),
        OK("G=1 ring-0 stack: DPL 1, truncated", seg(0x400000, 0, P | S | DATA_DOWN, G | DB),
           DOWN(0x400000, 0xffbff, G | DB)),
        NO("G=0 base 4 MiB limit 0xffff", DOWN(0x400000, 0xffff, DB), "byte-granular"),
        NO("G=0 base 0 limit 0", DOWN(0, 0, DB), "byte-granular"),
        NO("G=1 base in the hypervisor", DOWN(0xfc000000, 0xfffff, G | DB), "base"),
    };
#undef DOWN
    RUN(rows);
}

/* Each code/data type at each DPL, flat 4 GiB: the table Xen's rules give. */
static void every_segment_type(void)
{
    for (unsigned type = 0; type < 16; type++)
        for (unsigned dpl = 0; dpl < 4; dpl++) {
            bool down = (type & 0xc) == 0x4;          /* data, expand-down */
            uint64_t in = seg(0, 0xfffff, P | S | DPL(dpl) | type, G | DB);
            /* expand-down with limit 0xfffff, G=1 grants nothing: only the DPL changes */
            uint64_t want = seg(0, down ? 0xfffff : 0xf67ff, P | S | DPL(dpl ? dpl : 1) | type, G | DB);
            uint64_t d = in;
            CHECKF(desc_check(&d) && d == want, "type %#x dpl %u: %016llx, want %016llx",
                   type, dpl, (unsigned long long)d, (unsigned long long)want);
        }
}

/* ---- the property: nothing accepted reaches ring 0 or the hypervisor ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

/* Does the segment in d reach a linear address >= TOP?  The CPU's view. */
static bool reaches_top(uint64_t d)
{
    uint32_t lo = (uint32_t)d, hi = (uint32_t)(d >> 32);
    uint64_t base = (hi & 0xff000000u) | ((hi & 0xff) << 16) | (lo >> 16);
    uint64_t limit = (hi & 0xf0000) | (lo & 0xffff);
    if (hi & (G << 20))
        limit = (limit << 12) | 0xfff;
    uint64_t first = 0, last = limit;                   /* offsets, inclusive */
    if ((hi & 0xc00) == 0x400) {                         /* data, expand-down */
        first = limit + 1;
        last = (hi & (DB << 20)) ? 0xffffffffu : 0xffff;
    }
    if (first > last)
        return false;
    uint64_t a = base + first, b = base + last;         /* no wrap in 64 bits */
    if (b < (1ull << 32))
        return b >= TOP;
    if (a < (1ull << 32))
        return true;                                      /* runs up to 0xffffffff */
    return b - (1ull << 32) >= TOP;
}

static void random_descriptors(void)
{
    unsigned accepted = 0, truncated = 0, bad = 0;
    for (unsigned n = 0; n < 1000000 && bad < 10; n++) {
        uint64_t in = next_random();
        if (n & 1)                                       /* present and code/data, half the time */
            in |= (uint64_t)(P | S) << 40;
        if (n % 4 == 1)                                  /* and often near-flat */
            in |= 0xf0000ull << 32 | 0xffff;
        uint64_t d = in;
        const char *why = desc_check_reason(&d);
        uint32_t hi = (uint32_t)(d >> 32);
        bool ok = true;
        if (why)
            ok = d == in;
        else if (hi & (P << 8)) {
            accepted++;
            truncated += d != in;
            ok = ((hi >> 13) & 3) >= 1;
            if (hi & (S << 8))
                ok = ok && !reaches_top(d) &&
                     (d & ~0x000f60000000ffffull) == (in & ~0x000f60000000ffffull);
            else {
                unsigned sel = (uint32_t)d >> 16, type = (hi >> 8) & 0xf;
                ok = ok && type == 12 && (sel >> 3 < 7168 || (sel & 4) || sel == 0xe019);
            }
        } else
            ok = d == in;
        if (!ok)
            bad++;
        CHECKF(ok, "%016llx -> %s, %016llx", (unsigned long long)in, why ? why : "accepted",
               (unsigned long long)d);
    }
    printf("[%s] %u present descriptors accepted, %u of them fixed up\n", group, accepted, truncated);
    CHECK(accepted > 1000 && truncated > 1000);
}

static const struct group groups[] = {
    { "not_present", not_present },
    { "dpl_fixup", dpl_fixup },
    { "system_types", system_types },
    { "call_gates", call_gates },
    { "flat_segments", flat_segments },
    { "limits_at_the_top", limits_at_the_top },
    { "expand_down", expand_down },
    { "every_segment_type", every_segment_type },
    { "random_descriptors", random_descriptors },
};

CHECK_MAIN(groups)
