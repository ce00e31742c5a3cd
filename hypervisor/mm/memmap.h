/* memmap.h - the machine's usable RAM, as a sorted list of ranges. */
#ifndef HV_MEMMAP_H
#define HV_MEMMAP_H
#include "hypervisor/types.h"

#define MEMMAP_MAX_RANGES 64
/* We manage frames below this machine address (PAE reaches further). */
#define MEMMAP_LIMIT (8ull << 30)

struct mem_range { uint64_t start, end; };     /* [start, end), page aligned */

struct memmap {
    struct mem_range ram[MEMMAP_MAX_RANGES];
    unsigned nram;
    uint64_t total;           /* bytes of usable RAM kept */
    uint64_t ignored;         /* bytes of usable RAM dropped (above the limit, ...) */
    unsigned warnings;
};

/* A boot-time region that must survive until it is used (image, modules...). */
struct boot_region { uint64_t start, end; const char *name; };

typedef void (*memmap_warn_fn)(const char *fmt, ...) __printf(1, 2);

/*
 * Parse a multiboot memory map (guest... no: boot-loader controlled, and
 * firmware maps are often odd).  Returns the number of usable ranges.
 */
unsigned memmap_from_multiboot(struct memmap *m, const uint8_t *buf, uint32_t len, memmap_warn_fn warn);
/* The fallback when there is no map: mem_lower/mem_upper in KiB. */
unsigned memmap_from_basic(struct memmap *m, uint32_t lower_kib, uint32_t upper_kib);
/* Name of the region in regs[] that [start,end) overlaps, or NULL. */
const char *memmap_find_overlap(const struct boot_region *regs, unsigned n, uint64_t start, uint64_t end);
/* True when [start,end) lies entirely inside usable RAM. */
bool memmap_contains(const struct memmap *m, uint64_t start, uint64_t end);
#endif
