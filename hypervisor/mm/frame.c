/*
 * frame.c - which machine frames are free.
 *
 * One bit per 4 KiB frame below MEMMAP_LIMIT (a set bit means free), so
 * the allocator needs no memory of its own beyond a fixed 256 KiB table.
 * Everything starts used; boot code then adds the usable RAM from the
 * memory map and reserves what must never be handed out (the BIOS area,
 * the hypervisor image, the multiboot information, the modules).
 *
 * Allocation searches upward from a hint.  Ordinary allocations prefer
 * high memory, so the directmapped low 64 MiB stays for the hypervisor's
 * own structures; frame_alloc_low() takes only from there.  Freeing a free
 * frame is a hypervisor bug and stops the machine: a double free here
 * would silently give one frame to two owners.  Pure: host-tested.
 */
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"

#define WORD_BITS 32
static uint32_t bitmap[FRAME_MAX / WORD_BITS];
static uint32_t nfree, ntotal;
static uint32_t hint_low, hint_high = FRAME_LOW_LIMIT;
static uint32_t frame_end;       /* one past the highest frame ever added: searches stop here */

static bool test(uint32_t f) { return bitmap[f / WORD_BITS] & (1u << (f % WORD_BITS)); }
static void set(uint32_t f) { bitmap[f / WORD_BITS] |= 1u << (f % WORD_BITS); }
static void clear(uint32_t f) { bitmap[f / WORD_BITS] &= ~(1u << (f % WORD_BITS)); }

void frame_init(void)
{
    memset(bitmap, 0, sizeof(bitmap));
    nfree = ntotal = frame_end = 0;
    hint_low = 0;
    hint_high = FRAME_LOW_LIMIT;
}

void frame_add_ram(uint64_t start, uint64_t end)
{
    uint64_t first = ALIGN_UP(start, PAGE_SIZE) >> PAGE_SHIFT;
    uint64_t last = MIN(end, MEMMAP_LIMIT) >> PAGE_SHIFT;
    if (last > frame_end)
        frame_end = (uint32_t)last;
    for (uint64_t f = first; f < last; f++)
        if (!test((uint32_t)f)) {
            set((uint32_t)f);
            nfree++, ntotal++;
        }
}

void frame_reserve(uint64_t start, uint64_t end)
{
    uint64_t first = start >> PAGE_SHIFT;
    uint64_t last = ALIGN_UP(MIN(end, MEMMAP_LIMIT), PAGE_SIZE) >> PAGE_SHIFT;
    for (uint64_t f = first; f < last; f++)
        if (test((uint32_t)f)) {
            clear((uint32_t)f);
            nfree--, ntotal--;
        }
}

/* First free frame in [from, to), wrapping once to [lo, from); ~0 if none. */
static uint32_t search(uint32_t lo, uint32_t to, uint32_t from)
{
    for (unsigned pass = 0; pass < 2; pass++) {
        uint32_t f = pass ? lo : from, end = pass ? from : to;
        while (f < end) {
            uint32_t w = bitmap[f / WORD_BITS] >> (f % WORD_BITS);
            if (w)
                f += __builtin_ctz(w);
            else {
                f = ALIGN_DOWN(f, WORD_BITS) + WORD_BITS;
                continue;
            }
            if (f < end)
                return f;
        }
    }
    return ~0u;
}

static mfn_t take(uint32_t f)
{
    clear(f);
    nfree--;
    return _mfn(f);
}

mfn_t frame_alloc_low(void)
{
    uint32_t f = search(0, FRAME_LOW_LIMIT, hint_low);
    if (f == ~0u)
        return INVALID_MFN;
    hint_low = f + 1;
    return take(f);
}

mfn_t frame_alloc(void)
{
    uint32_t f = frame_end > FRAME_LOW_LIMIT ? search(FRAME_LOW_LIMIT, frame_end, hint_high) : ~0u;
    if (f == ~0u)
        return frame_alloc_low();
    hint_high = f + 1;
    return take(f);
}

/*
 * n physically contiguous directmapped frames, for the hypervisor's own
 * arrays that are larger than a page.  First fit: these allocations are
 * few (one per domain at most) and small.
 */
mfn_t frame_alloc_low_range(uint32_t n)
{
    uint32_t run = 0;
    for (uint32_t f = 0; f < FRAME_LOW_LIMIT && n; f++) {
        run = test(f) ? run + 1 : 0;
        if (run == n) {
            for (uint32_t i = f + 1 - n; i <= f; i++)
                take(i);
            return _mfn(f + 1 - n);
        }
    }
    return INVALID_MFN;
}

void frame_free(mfn_t mfn)
{
    uint32_t f = mfn_x(mfn);
    BUG_ON(f >= FRAME_MAX || test(f));
    set(f);
    nfree++;
}

bool frame_is_free(mfn_t mfn) { return mfn_x(mfn) < FRAME_MAX && test(mfn_x(mfn)); }
uint32_t frame_free_count(void) { return nfree; }
uint32_t frame_total_count(void) { return ntotal; }
