/*
 * fuzz_desc.c - libFuzzer over the GDT/LDT descriptor checks.
 *
 * A guest writes descriptors with set_gdt and update_descriptor; the CPU
 * then loads them in ring 1 or 3.  The rule that must never break: a
 * descriptor desc_check() accepts can give no ring-0 access and reach no
 * byte above the read-only M2P - code and data segments are DPL 1 or 3
 * and every offset they allow, expand-up or expand-down, lands below
 * 0xF6800000 - and a call gate (the only system descriptor a guest may have)
 * targets a ring-1 or ring-3 code selector.  Checked here from the bits,
 * independently of how desc_check.c reasons about them.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/desc_check.h"
#include <stdlib.h>

#define TOP ((uint64_t)DESC_GUEST_TOP)     /* the hole, past the read-only M2P */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does linear [lo, hi] (64-bit, at most one wrap of 4 GiB) meet [TOP, 4G)? */
static bool meets_hole(uint64_t lo, uint64_t hi)
{
    if (lo > hi)
        return false;
    const uint64_t G4 = 1ull << 32;
    return (hi >= TOP && lo < G4) || (hi >= TOP + G4);
}

static void check_accepted(uint64_t d)
{
    unsigned access = (d >> 40) & 0xff, dpl = (access >> 5) & 3;
    if (!(access & 0x80))
        return;                      /* a not-present descriptor is never loaded */
    if (dpl == 0)
        abort();                     /* ring-0 privilege given to a guest */
    if (!(access & 0x10)) {
        /* The one system descriptor allowed: a 32-bit call gate, whose
         * target selector must not be ring 0's. */
        if ((access & 0xf) != 12 || ((d >> 16) & 3) == 0)
            abort();
        return;
    }
    uint64_t base = ((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000);
    uint64_t limit = (d & 0xffff) | ((d >> 32) & 0xf0000);
    if (d & (1ull << 55))
        limit = (limit << 12) | 0xfff;
    bool code = access & 8, expand_down = !code && (access & 4);
    uint64_t top = (d & (1ull << 54)) ? 0xffffffffull : 0xffff;
    /* The offsets the segment allows, as linear addresses. */
    bool bad = expand_down ? meets_hole(base + limit + 1, base + top)
                           : meets_hole(base, base + limit);
    if (bad)
        abort();                     /* a guest segment reaching the hypervisor */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t d;
        memcpy(&d, data + i, 8);
        uint64_t copy = d;
        bool ok = desc_check(&copy);
        const char *why = desc_check_reason(&d);
        if (ok != (why == NULL))
            abort();                 /* the two entry points disagree */
        if (ok)
            check_accepted(copy);
    }
    return 0;
}
