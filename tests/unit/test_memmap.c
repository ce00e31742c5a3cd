/*
 * test_memmap.c - hypervisor/mm/memmap.c on hand-built multiboot maps.
 *
 * Each check builds a memory map the way a boot loader lays it out (packed
 * entries of a 4-byte size field followed by that many bytes: base, length,
 * type), parses it from a heap buffer of exactly its length (so
 * AddressSanitizer sees a read past the end), and checks the ranges kept,
 * the byte counts, and the warnings.  The warn callback records every
 * message, so a check can require both that an oddity was reported and
 * that a clean map produced no complaint.  Every result is also checked
 * against the invariants the rest of the hypervisor relies on: ranges
 * sorted, page aligned, non-empty, not touching, below MEMMAP_LIMIT, and
 * `total` equal to their sum.
 *
 *   test_memmap [GROUP | --list]
 */
#include "hypervisor/mm/memmap.h"
#include "hypervisor/lib.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define KiB(x) ((uint64_t)(x) << 10)
#define MiB(x) ((uint64_t)(x) << 20)
#define GiB(x) ((uint64_t)(x) << 30)
enum { AVAIL = 1, RESERVED = 2, ACPI = 3, NVS = 4, BAD = 5 };

/* ---- building maps ---- */
struct map { uint8_t bytes[8192]; uint32_t len; };

static void add_sized(struct map *mp, uint32_t size, uint64_t addr, uint64_t len, uint32_t type)
{
    uint8_t e[64] = { 0 };
    memcpy(e, &size, 4);
    memcpy(e + 4, &addr, 8);
    memcpy(e + 12, &len, 8);
    memcpy(e + 20, &type, 4);
    uint32_t n = (uint64_t)size + 4 <= sizeof(e) ? size + 4 : 24;    /* no u32 wrap */
    memcpy(mp->bytes + mp->len, e, n);
    mp->len += n;
}
static void add(struct map *mp, uint64_t addr, uint64_t len, uint32_t type)
{
    add_sized(mp, 20, addr, len, type);
}

/* ---- recording warnings ---- */
static char warnings[256][200];
static unsigned nwarn;

__attribute__((format(printf, 1, 2)))
static void record_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (nwarn < ARRAY_SIZE(warnings))
        vsnprintf(warnings[nwarn], sizeof(warnings[0]), fmt, ap);
    nwarn++;
    va_end(ap);
}

static bool warned(const char *needle)
{
    for (unsigned i = 0; i < nwarn && i < ARRAY_SIZE(warnings); i++)
        if (strstr(warnings[i], needle))
            return true;
    return false;
}

static void print_warnings(void)
{
    for (unsigned i = 0; i < nwarn && i < ARRAY_SIZE(warnings); i++)
        printf("      warning: %s\n", warnings[i]);
}

/* The invariants every result must satisfy, whatever the input. */
static void check_invariants(const char *file, int line, const struct memmap *m)
{
    uint64_t sum = 0;
    bool ok = m->nram <= MEMMAP_MAX_RANGES;
    for (unsigned i = 0; ok && i < m->nram; i++) {
        const struct mem_range *r = &m->ram[i];
        ok = r->start < r->end && !(r->start % PAGE_SIZE) && !(r->end % PAGE_SIZE) &&
             r->end <= MEMMAP_LIMIT && (i == 0 || r->start > m->ram[i - 1].end);
        sum += r->end - r->start;
    }
    ok = ok && sum == m->total && m->warnings == nwarn;
    if (ok) {
        passed++;
        return;
    }
    check_failed(file, line, "invariants", "nram %u total 0x%llx warnings %u (recorded %u):",
                 m->nram, (unsigned long long)m->total, m->warnings, nwarn);
    for (unsigned i = 0; i < m->nram && i < MEMMAP_MAX_RANGES; i++)
        printf("      [0x%llx, 0x%llx)\n", (unsigned long long)m->ram[i].start,
               (unsigned long long)m->ram[i].end);
}

/* Parse from a heap copy of exactly mp->len bytes; check the invariants. */
static unsigned parse_at(const char *file, int line, struct memmap *m, const struct map *mp)
{
    uint8_t *exact = malloc(mp->len ? mp->len : 1);
    memcpy(exact, mp->bytes, mp->len);
    nwarn = 0;
    unsigned n = memmap_from_multiboot(m, exact, mp->len, record_warning);
    free(exact);
    if (n != m->nram)
        check_failed(file, line, "return value", "returned %u, nram %u", n, m->nram);
    check_invariants(file, line, m);
    return n;
}
#define PARSE(m, mp) parse_at(__FILE__, __LINE__, m, mp)

/* The map holds exactly the n ranges given as start, end pairs. */
static void expect_ranges(const char *file, int line, const struct memmap *m, unsigned n, ...)
{
    va_list ap;
    bool ok = m->nram == n;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++) {
        uint64_t s = va_arg(ap, uint64_t), e = va_arg(ap, uint64_t);
        ok = ok && m->ram[i].start == s && m->ram[i].end == e;
    }
    va_end(ap);
    if (ok) {
        passed++;
        return;
    }
    check_failed(file, line, "ranges", "want %u ranges, got %u:", n, m->nram);
    for (unsigned i = 0; i < m->nram && i < MEMMAP_MAX_RANGES; i++)
        printf("      [0x%llx, 0x%llx)\n", (unsigned long long)m->ram[i].start,
               (unsigned long long)m->ram[i].end);
    print_warnings();
}
#define RANGES(m, n, ...) expect_ranges(__FILE__, __LINE__, m, n, ##__VA_ARGS__)
#define R(s, e) (uint64_t)(s), (uint64_t)(e)

/* QEMU's e820 for -m 128: low RAM, the EBDA, the BIOS, high RAM, ACPI, the flash. */
static void qemu_entries(struct map *mp, const unsigned *order)
{
    static const struct { uint64_t addr, len; uint32_t type; } e[] = {
        { 0x0,        0x9fc00,   AVAIL },
        { 0x9fc00,    0x400,     RESERVED },
        { 0xf0000,    0x10000,   RESERVED },
        { 0x100000,   0x7ee0000, AVAIL },
        { 0x7fe0000,  0x20000,   RESERVED },
        { 0xfffc0000, 0x40000,   RESERVED },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(e); i++) {
        unsigned k = order ? order[i] : i;
        add(mp, e[k].addr, e[k].len, e[k].type);
    }
}

static void qemu_map(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    qemu_entries(&mp, NULL);
    CHECK(PARSE(&m, &mp) == 2);
    RANGES(&m, 2, R(0, 0x9f000), R(0x100000, 0x7fe0000));
    CHECK(m.total == 0x9f000 + 0x7ee0000);
    CHECK(m.ignored == 0);
    CHECKF(nwarn == 0 && m.warnings == 0, "%u warnings, first \"%s\"", nwarn, warnings[0]);
}

static void unsorted(void)
{
    static const unsigned orders[][6] = {
        { 5, 4, 3, 2, 1, 0 }, { 3, 0, 5, 1, 4, 2 }, { 1, 3, 2, 0, 5, 4 }, { 4, 5, 0, 2, 3, 1 },
    };
    for (unsigned k = 0; k < ARRAY_SIZE(orders); k++) {
        struct map mp = { .len = 0 };
        struct memmap m;
        qemu_entries(&mp, orders[k]);
        PARSE(&m, &mp);
        RANGES(&m, 2, R(0, 0x9f000), R(0x100000, 0x7fe0000));
        CHECKF(nwarn == 0, "order %u: %u warnings", k, nwarn);
    }
    /* usable ranges listed high to low come out sorted */
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(64), MiB(8), AVAIL);
    add(&mp, MiB(16), MiB(8), AVAIL);
    add(&mp, MiB(1), MiB(1), AVAIL);
    PARSE(&m, &mp);
    RANGES(&m, 3, R(MiB(1), MiB(2)), R(MiB(16), MiB(24)), R(MiB(64), MiB(72)));
}

static void overlapping_usable(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(1), MiB(4), AVAIL);            /* [1, 5) */
    add(&mp, MiB(3), MiB(5), AVAIL);            /* [3, 8): overlaps */
    add(&mp, MiB(8), MiB(1), AVAIL);            /* [8, 9): touches */
    add(&mp, MiB(2), MiB(1), AVAIL);            /* [2, 3): inside */
    add(&mp, MiB(1), MiB(4), AVAIL);            /* a repeat */
    add(&mp, MiB(20), MiB(1), AVAIL);           /* separate */
    PARSE(&m, &mp);
    RANGES(&m, 2, R(MiB(1), MiB(9)), R(MiB(20), MiB(21)));
    CHECK(m.total == MiB(9));
    CHECK(m.ignored == 0);
}

static void reserved_wins(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    /* a reserved page in the middle, given before the usable range */
    add(&mp, 0x400800, 0x800, RESERVED);        /* part of one page: the page goes */
    add(&mp, MiB(1), MiB(15), AVAIL);
    PARSE(&m, &mp);
    RANGES(&m, 2, R(MiB(1), 0x400000), R(0x401000, MiB(16)));
    CHECK(m.total == MiB(15) - 0x1000);
    CHECKF(warned("4 KiB marked both usable and reserved"), "warnings: %u, first \"%s\"",
           nwarn, warnings[0]);

    /* over the start, over the end, and over a whole second range */
    mp.len = 0;
    add(&mp, MiB(1), MiB(3), AVAIL);            /* [1, 4) */
    add(&mp, MiB(8), MiB(1), AVAIL);            /* [8, 9) */
    add(&mp, MiB(10), MiB(2), AVAIL);           /* [10, 12) */
    add(&mp, 0, 0x180001, ACPI);                /* eats [1, 1.5 MiB + 1 page) */
    add(&mp, 0x3fffff, 0x10, NVS);              /* one byte of the last page of [1, 4) */
    add(&mp, MiB(7), MiB(3), BAD);              /* all of [8, 9) */
    add(&mp, MiB(11) + 1, ~0ull - MiB(11) - 1, RESERVED);   /* to the top of memory */
    PARSE(&m, &mp);
    RANGES(&m, 2, R(0x181000, 0x3ff000), R(MiB(10), MiB(11)));
    CHECK(warned("marked both usable and reserved; treated as reserved"));
    CHECK(m.warnings == 1);

    /* reserved bytes that touch usable ones take nothing */
    mp.len = 0;
    add(&mp, MiB(1), MiB(1), AVAIL);
    add(&mp, MiB(2), MiB(1), RESERVED);
    add(&mp, 0, MiB(1), RESERVED);
    PARSE(&m, &mp);
    RANGES(&m, 1, R(MiB(1), MiB(2)));
    CHECK(nwarn == 0);
}

/*
 * Real firmware maps can list many reserved entries (one per MMIO window,
 * ACPI table area, ...).  However many come first, a later reserved entry
 * inside usable RAM must still be cut out of it.
 */
static void many_reserved(void)
{
    for (unsigned usable_last = 0; usable_last < 2; usable_last++) {
        struct map mp = { .len = 0 };
        struct memmap m;
        if (!usable_last)
            add(&mp, MiB(1), MiB(127), AVAIL);
        for (unsigned i = 0; i < 100; i++)      /* 100 reserved pages high above RAM */
            add(&mp, 0xfe000000u + i * PAGE_SIZE, PAGE_SIZE, RESERVED);
        add(&mp, MiB(64), PAGE_SIZE, RESERVED); /* ... and then one inside it */
        if (usable_last)
            add(&mp, MiB(1), MiB(127), AVAIL);
        PARSE(&m, &mp);
        CHECKF(!memmap_contains(&m, MiB(64), MiB(64) + PAGE_SIZE),
               "usable %s: the 101st reserved entry [64 MiB, +4 KiB) is still usable RAM",
               usable_last ? "last" : "first");
        RANGES(&m, 2, R(MiB(1), MiB(64)), R(MiB(64) + PAGE_SIZE, MiB(128)));
    }
}

static void zero_length(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(1), 0, AVAIL);
    add(&mp, MiB(4), MiB(4), AVAIL);
    add(&mp, MiB(5), 0, RESERVED);              /* inside usable RAM: cuts nothing */
    add(&mp, 0, 0, AVAIL);
    add(&mp, ~0ull, 0, AVAIL);                  /* zero length at the very top */
    PARSE(&m, &mp);
    RANGES(&m, 1, R(MiB(4), MiB(8)));
    CHECK(m.ignored == 0);
    CHECKF(nwarn == 0, "first warning \"%s\"", warnings[0]);
}

static void unaligned(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, 0x1234, 0x5678 - 0x1234, AVAIL);  /* [0x1234, 0x5678) -> [0x2000, 0x5000) */
    add(&mp, 0x10001, 0xffe, AVAIL);            /* inside one page: nothing */
    add(&mp, 0x20fff, 0x2002, AVAIL);           /* [0x20fff, 0x23001) -> [0x21000, 0x23000) */
    add(&mp, 0x40000, 0x1fff, AVAIL);           /* end mid-page -> [0x40000, 0x41000) */
    add(&mp, 0x50001, 0x1fff, AVAIL);           /* start mid-page -> [0x51000, 0x52000) */
    PARSE(&m, &mp);
    RANGES(&m, 4, R(0x2000, 0x5000), R(0x21000, 0x23000), R(0x40000, 0x41000), R(0x51000, 0x52000));
    /* two halves of one page, each in its own entry, do not make a page */
    mp.len = 0;
    add(&mp, 0x100800, 0x800, AVAIL);
    add(&mp, 0x101000, 0x800, AVAIL);
    add(&mp, 0x101800, 0x800, AVAIL);
    PARSE(&m, &mp);
    CHECK(m.nram == 0 && m.total == 0);
}

static void above_limit(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(1), MiB(127), AVAIL);
    add(&mp, GiB(4), GiB(8), AVAIL);            /* [4, 12) GiB: keep [4, 8) */
    PARSE(&m, &mp);
    RANGES(&m, 2, R(MiB(1), MiB(128)), R(GiB(4), GiB(8)));
    CHECK(m.ignored == GiB(4));
    CHECKF(warned("RAM above 8 GiB ignored"), "first warning \"%s\"", warnings[0]);

    mp.len = 0;
    add(&mp, MiB(1), MiB(127), AVAIL);
    add(&mp, GiB(9), GiB(1), AVAIL);            /* wholly above */
    add(&mp, GiB(8), MiB(1), AVAIL);            /* starts exactly at the limit */
    add(&mp, GiB(7), GiB(1), AVAIL);            /* ends exactly at the limit: all kept */
    PARSE(&m, &mp);
    RANGES(&m, 2, R(MiB(1), MiB(128)), R(GiB(7), GiB(8)));
    CHECK(m.ignored == GiB(1) + MiB(1));
    CHECK(m.warnings == 2);
}

static void wrap(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(1), ~0ull - 0xfff, AVAIL);     /* end = 1 MiB - 0x1000 + 2^64 - 1: wraps */
    PARSE(&m, &mp);
    CHECKF(warned("wraps; clipped"), "first warning \"%s\"", warnings[0]);
    CHECK(m.nram == 1 && m.ram[0].start == MiB(1) && m.ram[0].end <= MEMMAP_LIMIT);

    /* a wrapping reserved entry reserves everything from its start */
    mp.len = 0;
    add(&mp, MiB(1), MiB(63), AVAIL);
    add(&mp, MiB(32), ~0ull, RESERVED);
    PARSE(&m, &mp);
    RANGES(&m, 1, R(MiB(1), MiB(32)));
    CHECK(warned("wraps; clipped"));
    CHECK(warned("marked both usable and reserved"));
}

static void truncated(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, 0, 0x9f000, AVAIL);
    add(&mp, MiB(1), MiB(63), AVAIL);
    add(&mp, MiB(64), MiB(64), AVAIL);
    for (uint32_t cut = 1; cut < 24; cut++) {   /* lose 1..23 bytes of the last entry */
        struct map t = mp;
        t.len -= cut;
        PARSE(&m, &t);
        RANGES(&m, 2, R(0, 0x9f000), R(MiB(1), MiB(64)));
        CHECKF(warned("truncated entry at offset 48 ignored"), "cut %u: first warning \"%s\"",
               cut, warnings[0]);
    }
}

static void bad_size(void)
{
    static const uint32_t sizes[] = { 0, 4, 19, 100000, 0xffffffff, 0xfffffffc };
    for (unsigned k = 0; k < ARRAY_SIZE(sizes); k++) {
        struct map mp = { .len = 0 };
        struct memmap m;
        add(&mp, MiB(1), MiB(7), AVAIL);
        add_sized(&mp, sizes[k], MiB(16), MiB(16), AVAIL);
        add(&mp, MiB(64), MiB(64), AVAIL);
        PARSE(&m, &mp);
        RANGES(&m, 1, R(MiB(1), MiB(8)));
        char want[64];
        snprintf(want, sizeof(want), "offset 24 has bad size %u; rest ignored", sizes[k]);
        CHECKF(warned(want), "size %u: first warning \"%s\"", sizes[k], warnings[0]);
    }
    /* entries larger than 20 bytes (later multiboot versions may add fields) are stepped over */
    struct map mp = { .len = 0 };
    struct memmap m;
    add_sized(&mp, 28, MiB(1), MiB(7), AVAIL);
    add_sized(&mp, 20, MiB(16), MiB(16), AVAIL);
    add_sized(&mp, 36, MiB(64), MiB(64), AVAIL);
    PARSE(&m, &mp);
    RANGES(&m, 3, R(MiB(1), MiB(8)), R(MiB(16), MiB(32)), R(MiB(64), MiB(128)));
    CHECK(nwarn == 0);
}

static void too_many_ranges(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    for (unsigned i = 0; i < 70; i++)           /* 70 one-page ranges, one page apart */
        add(&mp, MiB(1) + 2 * i * PAGE_SIZE, PAGE_SIZE, AVAIL);
    CHECK(PARSE(&m, &mp) == MEMMAP_MAX_RANGES);
    CHECK(m.total == MEMMAP_MAX_RANGES * PAGE_SIZE);
    CHECK(m.ignored == 6 * PAGE_SIZE);
    CHECK(m.ram[0].start == MiB(1));
    CHECK(m.ram[63].start == MiB(1) + 2 * 63 * PAGE_SIZE);
    CHECKF(warned("more than 64 usable ranges"), "first warning \"%s\"", warnings[0]);
    CHECK(m.warnings == 6);
}

static void empty(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    memset(&m, 0x5a, sizeof(m));
    CHECK(PARSE(&m, &mp) == 0);
    CHECK(m.nram == 0 && m.total == 0 && m.ignored == 0 && m.warnings == 0);
    nwarn = 0;
    CHECK(memmap_from_multiboot(&m, NULL, 0, record_warning) == 0 && nwarn == 0);
    /* only reserved entries */
    add(&mp, 0, MiB(1), RESERVED);
    add(&mp, MiB(1), MiB(1), ACPI);
    CHECK(PARSE(&m, &mp) == 0);
    CHECK(m.total == 0 && nwarn == 0);
}

static void basic(void)
{
    struct memmap m;
    nwarn = 0;
    memset(&m, 0x5a, sizeof(m));
    CHECK(memmap_from_basic(&m, 639, 130048) == 2);     /* QEMU -m 128 */
    check_invariants(__FILE__, __LINE__, &m);
    RANGES(&m, 2, R(0, 0x9f000), R(MiB(1), MiB(128)));
    CHECK(m.ignored == 0 && m.warnings == 0);

    CHECK(memmap_from_basic(&m, 4000, 1024) == 2);      /* lower is at most 640 KiB */
    RANGES(&m, 2, R(0, KiB(640)), R(MiB(1), MiB(2)));
    check_invariants(__FILE__, __LINE__, &m);

    CHECK(memmap_from_basic(&m, 640, 0) == 1);          /* nothing above 1 MiB */
    RANGES(&m, 1, R(0, KiB(640)));
    CHECK(memmap_from_basic(&m, 0, 1027) == 1);         /* nothing below; 3 KiB over a page */
    RANGES(&m, 1, R(MiB(1), MiB(2)));
    CHECK(memmap_from_basic(&m, 3, 3) == 0);            /* less than a page each */
    CHECK(m.nram == 0 && m.total == 0);
}

static void find_overlap(void)
{
    static const struct boot_region regs[] = {
        { 0, MiB(1), "bios" },
        { 0x100000, 0x180000, "image" },
        { 0x200000, 0x201000, "mbi" },
    };
    const char *r;
    CHECK(memmap_find_overlap(regs, 3, MiB(1) + 0x80000, 0x200000) == NULL);  /* touches both */
    CHECK(memmap_find_overlap(regs, 3, 0x201000, 0x300000) == NULL);          /* touches the end */
    CHECK((r = memmap_find_overlap(regs, 3, 0x17ffff, 0x180000)) && !strcmp(r, "image"));
    CHECK((r = memmap_find_overlap(regs, 3, 0x1fffff, 0x200001)) && !strcmp(r, "mbi"));
    CHECK((r = memmap_find_overlap(regs, 3, 0x1ff000, 0x202000)) && !strcmp(r, "mbi")); /* covers */
    CHECK((r = memmap_find_overlap(regs, 3, 0x200800, 0x200900)) && !strcmp(r, "mbi")); /* inside */
    CHECK((r = memmap_find_overlap(regs, 3, 0, ~0ull)) && !strcmp(r, "bios"));         /* first wins */
    CHECK((r = memmap_find_overlap(regs, 3, 0xfffff, 0x100001)) && !strcmp(r, "bios"));
    CHECK(memmap_find_overlap(regs, 0, 0, ~0ull) == NULL);
    CHECK(memmap_find_overlap(regs, 3, GiB(4), GiB(5)) == NULL);
}

static void contains(void)
{
    struct map mp = { .len = 0 };
    struct memmap m;
    add(&mp, MiB(1), MiB(3), AVAIL);            /* [1, 4) */
    add(&mp, MiB(4), MiB(4), AVAIL);            /* [4, 8): touches, so merged */
    add(&mp, MiB(16), MiB(16), AVAIL);          /* [16, 32) */
    PARSE(&m, &mp);
    RANGES(&m, 2, R(MiB(1), MiB(8)), R(MiB(16), MiB(32)));
    CHECK(memmap_contains(&m, MiB(1), MiB(8)));                 /* exactly a range */
    CHECK(memmap_contains(&m, MiB(3), MiB(5)));                 /* across the merged seam */
    CHECK(memmap_contains(&m, MiB(16), MiB(16) + 1));
    CHECK(memmap_contains(&m, MiB(32) - 1, MiB(32)));
    CHECK(!memmap_contains(&m, MiB(1) - 1, MiB(2)));            /* one byte before */
    CHECK(!memmap_contains(&m, MiB(7), MiB(8) + 1));            /* one byte after */
    CHECK(!memmap_contains(&m, MiB(7), MiB(17)));               /* across a hole */
    CHECK(!memmap_contains(&m, MiB(8), MiB(16)));               /* the hole itself */
    CHECK(!memmap_contains(&m, MiB(1), MiB(32)));               /* both and the hole */
    CHECK(!memmap_contains(&m, 0, PAGE_SIZE));
    CHECK(!memmap_contains(&m, GiB(4), GiB(4) + 1));
    struct memmap none = { .nram = 0 };
    CHECK(!memmap_contains(&none, 0, 1));
}

/*
 * Random maps against a page-by-page reference: a page is RAM exactly when
 * one usable entry covers all of it and no other entry touches any byte of
 * it.  Addresses stay in the low 4 MiB and entry counts below the parser's
 * limits, so the reference needs no special cases.
 */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t random_addr(uint64_t span)
{
    uint64_t a = rnd() % span;
    switch (rnd() % 3) {
    case 0: return a & ~(uint64_t)(PAGE_SIZE - 1);      /* page aligned */
    case 1: return a & ~(uint64_t)(KiB(64) - 1);        /* often shared by entries */
    default: return a;
    }
}

static void random_maps(void)
{
    enum { SPAN = 4 << 20, PAGES = SPAN / 4096 };
    static bool ram[PAGES];
    unsigned bad = 0, bad_warn = 0, maps = 2000;
    for (unsigned k = 0; k < maps; k++) {
        struct map mp = { .len = 0 };
        struct { uint64_t addr, len; uint32_t type; } e[40];
        unsigned n = 1 + rnd() % 40, nusable = 0, nres = 0;
        for (unsigned i = 0; i < n; i++) {
            e[i].addr = random_addr(SPAN);
            e[i].len = rnd() % 4 == 0 ? 0 : random_addr(SPAN - e[i].addr) + (rnd() % 2);
            e[i].type = rnd() % 2 ? AVAIL : RESERVED + rnd() % 4;
            if (e[i].type == AVAIL) nusable++; else nres++;
            add(&mp, e[i].addr, e[i].len, e[i].type);
        }
        bool overlap = false;
        for (unsigned p = 0; p < PAGES; p++) {
            uint64_t s = (uint64_t)p * PAGE_SIZE, t = s + PAGE_SIZE;
            bool covered = false, hit = false;
            for (unsigned i = 0; i < n; i++) {
                if (e[i].type == AVAIL && e[i].addr <= s && t <= e[i].addr + e[i].len)
                    covered = true;
                if (e[i].type != AVAIL && e[i].len && e[i].addr < t && s < e[i].addr + e[i].len)
                    hit = true;
            }
            ram[p] = covered && !hit;
            overlap |= covered && hit;
        }
        struct memmap m;
        unsigned failed_before = failed;
        PARSE(&m, &mp);
        uint64_t want_total = 0;
        unsigned first_diff = PAGES;
        for (unsigned p = 0; p < PAGES; p++) {
            want_total += ram[p] ? PAGE_SIZE : 0;
            uint64_t s = (uint64_t)p * PAGE_SIZE;
            if (memmap_contains(&m, s, s + PAGE_SIZE) != ram[p] && first_diff == PAGES)
                first_diff = p;
        }
        bool ok = first_diff == PAGES && m.total == want_total && failed == failed_before;
        if (!ok && bad++ < 5) {
            printf("FAIL %s: [%s] map %u (%u usable, %u other entries): page 0x%x is %s; "
                   "total 0x%llx, want 0x%llx\n", __FILE__, group, k, nusable, nres,
                   first_diff * PAGE_SIZE, first_diff == PAGES ? "-" :
                   ram[first_diff] ? "RAM but not kept" : "kept but not RAM",
                   (unsigned long long)m.total, (unsigned long long)want_total);
            for (unsigned i = 0; i < n; i++)
                printf("      entry 0x%llx+0x%llx type %u\n", (unsigned long long)e[i].addr,
                       (unsigned long long)e[i].len, e[i].type);
        }
        bad_warn += warned("marked both usable and reserved") != overlap;
    }
    CHECKF(bad == 0, "%u of %u random maps differ from the reference", bad, maps);
    CHECKF(bad_warn == 0, "%u of %u random maps warned about a usable/reserved overlap wrongly",
           bad_warn, maps);
}

static const struct group groups[] = {
    { "qemu_map", qemu_map },
    { "unsorted", unsorted },
    { "overlapping_usable", overlapping_usable },
    { "reserved_wins", reserved_wins },
    { "many_reserved", many_reserved },
    { "zero_length", zero_length },
    { "unaligned", unaligned },
    { "above_limit", above_limit },
    { "wrap", wrap },
    { "truncated", truncated },
    { "bad_size", bad_size },
    { "too_many_ranges", too_many_ranges },
    { "empty", empty },
    { "basic", basic },
    { "find_overlap", find_overlap },
    { "contains", contains },
    { "random_maps", random_maps },
};

CHECK_MAIN(groups)
