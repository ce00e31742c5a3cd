/*
 * fuzz_pagetype.c - libFuzzer over the page-type rules (hypervisor/mm/page_type.c)
 * on a host model of the frame table: 14 frames, 12 of them one domain's.
 *
 * Each 4-byte record of the input is one step: take or drop a type or a
 * plain reference (as a pin, a mapping or CR3 would), the deferred put an
 * unpin makes and the steps that finish it, a checked page-table write
 * (mmu_update), a guest write into a frame the guest could write (one
 * that is not a live table or descriptor frame), or decrease_reservation's
 * mark on a frame still referenced (PGF_GIVEN: no new reference, and the
 * last one frees it).  hypercall_preempt_check()
 * answers as the input says, so validation stops part way (PGF_PARTIAL)
 * and letting go is spread over steps (PGF_DYING).
 *
 * After every step the whole table is recounted from scratch and must
 * match: each frame's references are exactly those the fuzzer holds, the
 * present entries of every validated (or partly validated) table hold,
 * and the one a partial or dying table keeps for itself; an L1 entry that
 * maps a frame writable finds it writable-typed, so a page table is never
 * writable; a frame with no type reference is not validated.  At the end
 * everything is let go and every count must be back to 0.  abort() on any
 * difference.
 */
#include "hypervisor/mm/page_type.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include <stdlib.h>
#include <string.h>

#define BASE   0x100u                   /* first frame of the model (below: "I/O memory") */
#define NF     14u                      /* frames BASE.. ; the last two are another domain's */
#define OURS   12u
#define HOLDS  64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the host model: what page_type.c needs from the rest of the hypervisor ---- */

struct cpu_features cpu;
struct domain *current;
struct page_info *page_frame_table;
uint32_t page_frame_entries;
pte_t hv_l2[L2_ENTRIES];
static pte_t mem[NF][L1_ENTRIES];
static struct page_info table[BASE + NF];
static struct domain dom;               /* d0; frames BASE + OURS.. belong to d1 */
static pte_t pdpt[L3_ENTRIES];
static unsigned preempt, calls;

void *map_domain_page(mfn_t m)
{
    if (mfn_x(m) < BASE || mfn_x(m) >= BASE + NF)
        abort();                        /* page_type.c only maps frames it was given */
    return mem[mfn_x(m) - BASE];
}

void unmap_domain_page(const void *va) { (void)va; }

/* The last reference to a given-back frame went: it must be the last of all. */
void domain_drop_frame(mfn_t m)
{
    struct page_info *pg = page_info(m);
    if (!(pg->flags & PGF_GIVEN) || pg->ref_count || pg->type_count || pg->owner != 0)
        abort();
    *pg = (struct page_info){ .owner = OWNER_NONE };
}

bool hypercall_preempt_check(void)
{
    calls++;
    return preempt == 1 || (preempt == 2 && calls % 3 == 0);
}

/* ---- what the fuzzer holds, as guests' pins, mappings and CR3 would ---- */

static struct { uint32_t mfn; uint8_t type; } held[HOLDS];   /* type PGT_NONE: a plain reference */
static unsigned nheld;

static void hold(uint32_t m, uint8_t type)
{
    if (nheld < HOLDS)
        held[nheld++] = (typeof(held[0])){ m, type };
    else if (type == PGT_NONE)          /* no room to remember it: give it back */
        page_put(_mfn(m));
    else
        page_type_put(&dom, _mfn(m));
}

static void drop(unsigned i, bool deferred)
{
    if (!nheld)
        return;
    i %= nheld;
    mfn_t m = _mfn(held[i].mfn);
    if (held[i].type == PGT_NONE)
        page_put(m);
    else if (deferred)
        page_type_put_deferred(&dom, m);
    else
        page_type_put(&dom, m);
    held[i] = held[--nheld];
}

/* ---- the invariants ---- */

static uint32_t want_ref[NF], want_type[NF];

static void count_entry(uint8_t level, unsigned index, pte_t e)
{
    if (!pte_present(e))
        return;
    uint32_t t = mfn_x(pte_mfn(e));
    if (t < BASE || t >= BASE + OURS)
        abort();                        /* a table names only its own domain's frames */
    const struct page_info *pg = &table[t];
    t -= BASE;
    want_ref[t]++;                      /* an L1 entry's plain reference, or the type's */
    if (level == PGT_L1 && !(e & _PAGE_RW))
        return;
    want_ref[t] += level == PGT_L1;     /* ... and a writable one's type reference, with its own */
    want_type[t]++;
    uint8_t need = level == PGT_L1 ? PGT_WRITABLE : level == PGT_L2 ? PGT_L1 :
                   index == 3 ? PGT_L2_XEN : PGT_L2;
    if (pg->type != need)
        abort();                        /* e.g. a page table mapped writable */
}

static void check(void)
{
    memset(want_ref, 0, sizeof(want_ref));
    memset(want_type, 0, sizeof(want_type));
    for (unsigned i = 0; i < nheld; i++) {
        want_ref[held[i].mfn - BASE]++;
        want_type[held[i].mfn - BASE] += held[i].type != PGT_NONE;
    }
    for (unsigned f = 0; f < NF; f++) {
        const struct page_info *pg = &table[BASE + f];
        bool partial = pg->flags & PGF_PARTIAL;
        unsigned n = partial ? pg->nr_validated : (pg->flags & PGF_VALIDATED) ?
                     (pg->type == PGT_L2_XEN ? HV_FIRST_L2_SLOT : pg->type == PGT_L3 ? 4 : 512) : 0;
        if (!page_is_pt(pg->type) && pg->type != PGT_L2_XEN)
            n = 0;
        if (partial)
            want_ref[f]++, want_type[f]++;      /* the reference a partial or dying table keeps */
        for (unsigned i = 0; i < n; i++)
            count_entry(pg->type == PGT_L2_XEN ? PGT_L2 : pg->type, i, mem[f][i]);
    }
    for (unsigned f = 0; f < NF; f++) {
        const struct page_info *pg = &table[BASE + f];
        if (pg->ref_count != want_ref[f] || pg->type_count != want_type[f])
            abort();                    /* a leaked, lost or negative reference */
        if (!pg->type_count && (pg->flags & (PGF_VALIDATED | PGF_PARTIAL | PGF_PINNED)))
            abort();                    /* validated with nothing depending on the type */
        if ((pg->flags & PGF_DYING) && !(pg->flags & PGF_PARTIAL))
            abort();
        if ((pg->flags & PGF_GIVEN) && !pg->ref_count)
            abort();                    /* given back, unreferenced, and still not free */
    }
}

/* ---- one run ---- */

static void reset(void)
{
    memset(table, 0, sizeof(table));
    memset(mem, 0, sizeof(mem));
    for (unsigned f = 0; f < BASE + NF; f++)
        table[f].owner = f < BASE ? OWNER_XEN : f < BASE + OURS ? 0 : 1;
    memset(&dom, 0, sizeof(dom));
    dom.id = 0;
    dom.pdpt = pdpt;
    dom.cr3_mfn = _mfn(BASE);           /* an L3 written through mod_entry reloads the PDPT */
    dom.shared_info = INVALID_MFN;
    current = &dom;
    page_frame_table = table;
    page_frame_entries = BASE + NF;
    nheld = 0;
    preempt = calls = 0;
}

/* Let go of everything, as a guest that unpins all and a teardown would; then all is 0. */
static void release(void)
{
    preempt = 0;
    for (bool again = true; again;) {
        if (page_type_finish_puts(&dom))
            abort();                    /* with no preemption it finishes */
        again = false;
        for (unsigned f = 0; f < NF; f++) {
            struct page_info *pg = &table[BASE + f];
            if ((pg->flags & PGF_PARTIAL) && page_type_get(&dom, _mfn(BASE + f), pg->type) == 0)
                page_type_put(&dom, _mfn(BASE + f));      /* finished, then let go */
            again |= (pg->flags & PGF_PARTIAL) != 0;
        }
        check();
    }
    while (nheld)
        drop(0, false);
    if (page_type_finish_puts(&dom))
        abort();
    check();
    for (unsigned f = 0; f < NF; f++)
        if (table[BASE + f].ref_count || table[BASE + f].type_count ||
            (table[BASE + f].flags & PGF_GIVEN))
            abort();                    /* references do not balance to 0 */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t types[] = { PGT_WRITABLE, PGT_L1, PGT_L2, PGT_L2_XEN, PGT_L3, PGT_SEG_DESC };
    reset();
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint8_t op = data[i] % 8, arg = data[i + 2], fl = data[i + 3];
        mfn_t m = _mfn(BASE + data[i + 1] % NF);
        struct page_info *pg = page_info(m);
        unsigned index = fl >> 5 == 7 ? 511 : fl >> 5 == 6 ? HV_FIRST_L2_SLOT : fl >> 5;
        pte_t val = ((pte_t)(BASE + arg % (NF + 1)) << 12) | (fl & 3) | ((fl & 4) ? 0x80 : 0);
        uint8_t type = types[arg % sizeof(types)];
        int rc;
        switch (op) {
        case 0:                         /* a type reference: a pin, a mapping, CR3 */
            rc = (fl & 8) ? page_type_get_preemptible(&dom, m, type) : page_type_get(&dom, m, type);
            if (rc == 0)
                hold(mfn_x(m), type);
            else if (rc == -ERESTART && (!(fl & 8) || (type != PGT_L2 && type != PGT_L2_XEN &&
                                                       type != PGT_L3)))
                abort();                /* only a preemptible table validation stops */
            break;
        case 1: drop(arg, fl & 1); break;
        case 2:
            if (page_get(&dom, m) == 0)
                hold(mfn_x(m), PGT_NONE);
            break;
        case 3: page_type_finish_puts(&dom); break;
        case 4: page_type_mod_entry(&dom, m, index, val, fl & 8); break;
        case 5:                         /* the guest writes a frame it may write */
            if (pg->owner == 0 && (!pg->type_count || pg->type == PGT_WRITABLE))
                mem[mfn_x(m) - BASE][index] = val;
            break;
        case 6:
            preempt = arg % 3;
            if (fl & 1 && pg->owner == 0 && pg->ref_count && !(pg->flags & PGF_PARTIAL))
                pg->flags |= PGF_GIVEN;     /* decrease_reservation's, for a referenced frame */
            break;
        case 7:                         /* a whole table of one entry repeated */
            if (pg->owner == 0 && !pg->type_count)
                for (unsigned k = 0; k < L1_ENTRIES; k++)
                    mem[mfn_x(m) - BASE][k] = (fl & 16) && k > 8 ? 0 : val;
            break;
        }
        check();
    }
    release();
    return 0;
}
