/*
 * memmap.c - turn the boot loader's memory map into clean ranges of RAM.
 *
 * Firmware memory maps are notoriously odd: entries overlap, repeat, come
 * unsorted, have zero length, start or end mid-page, or mark the same bytes
 * both usable and reserved.  We keep only what is certainly RAM: every
 * usable entry is trimmed inward to whole pages and then has every
 * non-usable entry cut out of it (reserved wins), and the rest is sorted and
 * merged.  Each oddity is reported through `warn`, because a surprising
 * memory map is worth a line in the log.  Pure: unit-tested on the host.
 */
#include "hypervisor/mm/memmap.h"
#include "hypervisor/lib.h"

#define MB_MMAP_AVAILABLE 1

struct mb_mmap_entry { uint32_t size; uint64_t addr, len; uint32_t type; } __packed;

/* Remove [rs, re) from every range in m; a range may split in two. */
static void cut(struct memmap *m, uint64_t rs, uint64_t re)
{
    for (unsigned i = 0; i < m->nram; i++) {
        struct mem_range *r = &m->ram[i];
        if (re <= r->start || rs >= r->end)
            continue;
        uint64_t old_end = r->end;
        r->end = MAX(r->start, ALIGN_DOWN(rs, PAGE_SIZE));
        /* What is left to the right of the hole, if anything (re < old_end
         * also guarantees that rounding re up cannot wrap). */
        if (re < old_end) {
            struct mem_range right = { ALIGN_UP(re, PAGE_SIZE), old_end };
            if (right.start < right.end && m->nram < MEMMAP_MAX_RANGES)
                m->ram[m->nram++] = right;
        }
    }
}

/* Sort by start, drop empty ranges, merge touching or overlapping ones. */
static void normalise(struct memmap *m)
{
    for (unsigned i = 1; i < m->nram; i++)
        for (unsigned j = i; j > 0 && m->ram[j].start < m->ram[j - 1].start; j--) {
            struct mem_range t = m->ram[j];
            m->ram[j] = m->ram[j - 1];
            m->ram[j - 1] = t;
        }
    unsigned out = 0;
    for (unsigned i = 0; i < m->nram; i++) {
        struct mem_range r = m->ram[i];
        if (r.start >= r.end)
            continue;
        if (out && r.start <= m->ram[out - 1].end)
            m->ram[out - 1].end = MAX(m->ram[out - 1].end, r.end);
        else
            m->ram[out++] = r;
    }
    m->nram = out;
    m->total = 0;
    for (unsigned i = 0; i < m->nram; i++)
        m->total += m->ram[i].end - m->ram[i].start;
}

static void add_usable(struct memmap *m, uint64_t s, uint64_t e, memmap_warn_fn warn)
{
    if (e > MEMMAP_LIMIT) {
        uint64_t cut_from = MAX(s, MEMMAP_LIMIT);
        m->ignored += e - cut_from;
        warn("memory map: RAM above %llu GiB ignored (0x%llx-0x%llx)",
             (unsigned long long)(MEMMAP_LIMIT >> 30), (unsigned long long)cut_from,
             (unsigned long long)e);
        m->warnings++;
        e = cut_from;
    }
    s = ALIGN_UP(s, PAGE_SIZE);
    e = ALIGN_DOWN(e, PAGE_SIZE);
    if (s >= e)
        return;
    if (m->nram == MEMMAP_MAX_RANGES) {
        warn("memory map: more than %u usable ranges; 0x%llx-0x%llx ignored",
             MEMMAP_MAX_RANGES, (unsigned long long)s, (unsigned long long)e);
        m->warnings++;
        m->ignored += e - s;
        return;
    }
    m->ram[m->nram++] = (struct mem_range){ s, e };
}

/*
 * Walk the entries, calling fn for each well-formed one.  Stops (after a
 * warning, when warn is given) at the first malformed entry: what follows
 * it cannot be trusted to be aligned to entry boundaries.
 */
static void walk(struct memmap *m, const uint8_t *buf, uint32_t len, memmap_warn_fn warn,
                 void (*fn)(struct memmap *, const struct mb_mmap_entry *, uint64_t end, memmap_warn_fn))
{
    uint32_t off = 0;
    while (off < len) {
        struct mb_mmap_entry e;
        if (len - off < sizeof(e)) {
            if (warn) { warn("memory map: truncated entry at offset %u ignored", off); m->warnings++; }
            return;
        }
        memcpy(&e, buf + off, sizeof(e));
        if (e.size < sizeof(e) - 4 || e.size > len) {
            if (warn) { warn("memory map: entry at offset %u has bad size %u; rest ignored", off, e.size); m->warnings++; }
            return;
        }
        off += e.size + 4;
        if (e.len == 0)
            continue;
        uint64_t end = e.addr + e.len;
        if (end < e.addr) {
            if (warn) {
                warn("memory map: entry 0x%llx+0x%llx wraps; clipped",
                     (unsigned long long)e.addr, (unsigned long long)e.len);
                m->warnings++;
            }
            end = ~0ull;
        }
        fn(m, &e, end, warn);
    }
}

static void take_usable(struct memmap *m, const struct mb_mmap_entry *e, uint64_t end, memmap_warn_fn warn)
{
    if (e->type == MB_MMAP_AVAILABLE)
        add_usable(m, e->addr, end, warn);
}

static void cut_reserved(struct memmap *m, const struct mb_mmap_entry *e, uint64_t end,
                         memmap_warn_fn warn __unused)
{
    if (e->type != MB_MMAP_AVAILABLE)
        cut(m, e->addr, end);
}

/*
 * Two passes over the map: first collect the usable ranges, then cut every
 * other entry out of them.  No fixed-size list of reserved entries, so
 * "reserved wins" holds however many entries the firmware lists.
 */
unsigned memmap_from_multiboot(struct memmap *m, const uint8_t *buf, uint32_t len, memmap_warn_fn warn)
{
    *m = (struct memmap){ .nram = 0 };
    walk(m, buf, len, warn, take_usable);
    normalise(m);
    uint64_t before = m->total;
    walk(m, buf, len, NULL, cut_reserved);      /* already warned about the form */
    normalise(m);
    if (m->total != before) {
        warn("memory map: %llu KiB marked both usable and reserved; treated as reserved",
             (unsigned long long)((before - m->total) >> 10));
        m->warnings++;
    }
    return m->nram;
}

unsigned memmap_from_basic(struct memmap *m, uint32_t lower_kib, uint32_t upper_kib)
{
    *m = (struct memmap){ .nram = 0 };
    m->ram[m->nram++] = (struct mem_range){ 0, ALIGN_DOWN((uint64_t)MIN(lower_kib, 640u) << 10, PAGE_SIZE) };
    m->ram[m->nram++] = (struct mem_range){ 1ull << 20, ALIGN_DOWN((1ull << 20) + ((uint64_t)upper_kib << 10), PAGE_SIZE) };
    normalise(m);
    return m->nram;
}

const char *memmap_find_overlap(const struct boot_region *regs, unsigned n, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < n; i++)
        if (start < regs[i].end && regs[i].start < end)
            return regs[i].name;
    return NULL;
}

bool memmap_contains(const struct memmap *m, uint64_t start, uint64_t end)
{
    for (unsigned i = 0; i < m->nram; i++)
        if (start >= m->ram[i].start && end <= m->ram[i].end)
            return true;
    return false;
}
