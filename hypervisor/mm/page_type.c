/*
 * page_type.c - validated direct paging: why a guest can own its page tables.
 *
 * In a Xen-style PV hypervisor the guest builds its page tables from its own
 * frames and the CPU walks them directly: there is no shadow copy.  That is
 * fast, and it is safe only if three invariants hold at every moment:
 *
 *  1. A guest maps only frames it owns.  Every present entry of every page
 *     table of the guest names a frame whose owner is that guest (or its
 *     shared_info page).  Hypervisor frames and other domains' frames are
 *     never reachable.
 *  2. A frame is never a live page table and writable at once.  If a guest
 *     could write an L1 directly it could put any frame number in it and
 *     break invariant 1.  So every frame has a *type*, and a count of the
 *     references that depend on that type.  A writable mapping holds a
 *     reference of type "writable"; being pointed to by an L2 entry, pinned,
 *     or loaded in CR3 holds a reference of type "page table at level N".
 *     The type can change only when its count is zero.
 *  3. Validation is recursive and cached.  When a frame first becomes an L2,
 *     every present entry in it must refer to a valid L1 - which takes an L1
 *     type reference on that frame, validating it in turn.  Validated frames
 *     keep the references their entries hold until the type count falls to
 *     zero, when they are dropped again ("devalidation").
 *
 * Because a page-table frame can only be written by the hypervisor
 * (page_type_mod_entry), which checks the new entry before writing it, the
 * invariants can never be broken by the guest, only preserved.  Shapes Xen
 * learned to refuse the hard way are refused here: an L3 pointing at itself
 * or an L2 pointing at an L2 (linear/recursive tables, XSA-185 and friends:
 * here a frame has exactly one type, so a frame that is an L3 cannot also be
 * validated as an L2), large pages in L2s, and any attempt to change the
 * hypervisor's own entries in the top L2 (index 428 and up of the L2 in L3
 * slot 3, which the hypervisor fills in itself).  PAE's L3 is a full guest
 * page here; the CPU gets a separate 32-byte PDPT built from it with only
 * the bits hardware allows (page_type_load_pdpt).
 *
 * One exception to invariant 1 is made, for grants (hypervisor/share/
 * grant.c): an L1 entry may name another domain's frame when the grant
 * code writes it (page_type_mod_grant_entry), for a grant mapping it has
 * recorded.  Such an entry holds no references of its own: the grant
 * mapping holds them (a plain one, and a writable type reference for a
 * writable mapping), so put_entry leaves a frame the table's domain does
 * not own alone.  No other path can write a foreign frame into an L1
 * (get_entry refuses it), so an L1 never holds more entries for a granted
 * frame than its domain holds grant mappings of it, and the frame lives
 * while any of them does.
 *
 * The hypervisor runs on one CPU with interrupts off, so a validation
 * cannot be interleaved with a guest write: the guest is not running.
 *
 * Validation can be long: an L3 whose L2s are full of full L1s is a
 * million entries.  So, as Xen's PGT_partial, validating an L2 or L3 from
 * a hypercall that can continue stops between two entries when the tick
 * is due, returning -ERESTART.  The frame is left PGF_PARTIAL: it has its
 * new type and one type reference (and one general reference), entries
 * [0, nr_validated) hold theirs, and nothing else may reference it yet.
 * The next get of that type - the continued hypercall, or any other -
 * goes on from nr_validated and, when it finishes, takes over the waiting
 * reference as its own; a get of another type is -EBUSY, as for any typed
 * frame.  Nested validations stop together: an L3 stopped at entry j
 * waits on its L2, which is partial itself.  Since the entries of a
 * partial frame cannot change (it is not writable, and mod_entry needs a
 * validated table), going on later checks exactly what was there.  L1s are
 * validated whole: 512 entries is the bounded step, as in Xen.
 *
 * Letting go is as long, so it is split the same way (Xen's
 * put_page_type_preemptible and old_guest_table).  When an unpin,
 * NEW_BASEPTR or L3 entry write drops the last reference to a validated
 * L2 or L3, the frame goes on the domain's puts[] with that reference,
 * marked PGF_PARTIAL | PGF_DYING, nr_validated entries still holding
 * theirs.  page_type_finish_puts() lets them go from the top down, one
 * per step, until the tick is due; an L3 entry whose L2 would die goes on
 * puts[] above it.  batch.c calls it before every request and at the end,
 * so a batch does not return until it is done, and no request ever meets
 * a dying frame (a get of one is -EBUSY).  Teardown
 * frees every frame of a domain with its state (page_set_owner), so a
 * partial frame needs no undoing there.
 *
 * Error values are Xen's (xen/arch/x86/mm.c), because guests test them:
 * a frame that is not the domain's, or a type that does not fit, is
 * -EINVAL (get_page_from_mfn(), _get_page_type()), except in an L1 entry,
 * where get_page_from_l1e() says -EBUSY (another owner, or a frame that
 * cannot be made writable) and -EPERM for what Xen calls I/O memory: frames
 * past RAM and the first MiB.  Bad flag bits are -EINVAL at every level.
 */
#include "hypervisor/mm/page_type.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

/* Bits never allowed: address bits 44..51 (a 32-bit mfn_t would drop them) and 52..62. */
#define RESERVED_HIGH 0x7ffff00000000000ull
/* L1 and L2: no cache-control or global bits, no PAT or large pages (Xen's L1_DISALLOW_MASK,
 * base_disallow_mask). */
#define L1_L2_BAD (_PAGE_PWT | _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL | RESERVED_HIGH)
/* L3: the guest may keep RW/U/A/D (the PDPT drops them); else as L2, and no NX (Xen's 0xFFFFF198). */
#define L3_BAD (L1_L2_BAD | _PAGE_NX)
#define PDPT_BITS (PTE_MFN_MASK | _PAGE_PRESENT | _PAGE_PWT | _PAGE_PCD)

static enum page_type level_below(uint8_t type)
{
    return type == PGT_L3 ? PGT_L2 : PGT_L1;
}

int page_get(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = page_info(mfn);
    if (!pg || pg->owner != d->id || (pg->flags & PGF_GIVEN))
        return -EINVAL;
    pg->ref_count++;
    return 0;
}

void page_put(mfn_t mfn)
{
    struct page_info *pg = page_info(mfn);
    BUG_ON(!pg || pg->ref_count == 0);
    if (--pg->ref_count == 0 && (pg->flags & PGF_GIVEN)) {
        write_cr3(read_cr3());               /* no stale TLB entry may reach it once reused */
        domain_drop_frame(mfn);
    }
}

/* 0, or -EINVAL for bits an entry of a table at `level` may not have (an L2_XEN's: PGT_L2). */
static int check_flags(pte_t e, uint8_t level)
{
    if ((e & (level == PGT_L3 ? L3_BAD : L1_L2_BAD)) || ((e & _PAGE_NX) && !cpu.nx))
        return -EINVAL;
    return 0;
}

static int type_get(struct domain *d, mfn_t mfn, enum page_type type, bool preemptible);

/* Xen's I/O memory, which a guest without I/O privilege may not map: -EPERM, not -EBUSY. */
#define LOW_MEMORY_FRAMES 0x100                  /* the first MiB: BIOS, VGA, option ROMs */
static int l1_not_ours(mfn_t m)
{
    return !page_info(m) || mfn_x(m) < LOW_MEMORY_FRAMES ? -EPERM : -EBUSY;
}

/* Is m a frame of another domain (a grant mapping's, in an L1)? */
static bool foreign(const struct domain *d, mfn_t m)
{
    const struct page_info *pg = page_info(m);
    return pg && pg->owner != d->id;
}

/*
 * Take what a present entry at level `type` (the table's type) refers to.
 * `granted` is the one foreign frame the grant code may write here (else
 * INVALID_MFN); its references are the grant mapping's, not the entry's.
 */
static int get_entry(struct domain *d, uint8_t type, unsigned index, pte_t e, mfn_t granted,
                     bool preemptible)
{
    if (!pte_present(e))
        return 0;
    mfn_t m = pte_mfn(e);
    int rc = check_flags(e, type);
    if (rc)
        return rc;
    if (type == PGT_L1) {
        if (foreign(d, m) && mfn_eq(m, granted))
            return 0;                            /* the grant mapping holds the references */
        if (page_get(d, m))
            return l1_not_ours(m);
        if ((e & _PAGE_RW) && page_type_get(d, m, PGT_WRITABLE)) {
            page_put(m);
            return -EBUSY;                       /* a table, or a GDT/LDT: never writable */
        }
        return 0;
    }
    enum page_type want = level_below(type);
    if (type == PGT_L3 && index == 3)
        want = PGT_L2_XEN;                   /* the slot shared with the hypervisor */
    return type_get(d, m, want, preemptible && want != PGT_L1);
}

static void put_entry(struct domain *d, uint8_t type, pte_t e)
{
    if (!pte_present(e))
        return;
    mfn_t m = pte_mfn(e);
    if (type == PGT_L1) {
        if (foreign(d, m))
            return;                          /* a grant mapping: the grant holds its references */
        if (e & _PAGE_RW)
            page_type_put(d, m);
        page_put(m);
        return;
    }
    page_type_put(d, m);
}

/* Entries the guest controls: all but the hypervisor's slots of a Xen L2. */
static unsigned guest_entries(uint8_t type)
{
    return type == PGT_L2_XEN ? HV_FIRST_L2_SLOT : type == PGT_L3 ? L3_ENTRIES : L1_ENTRIES;
}

static void devalidate(struct domain *d, mfn_t mfn, uint8_t type, unsigned upto)
{
    pte_t *t = map_domain_page(mfn);
    for (unsigned i = 0; i < upto; i++)
        put_entry(d, type == PGT_L2_XEN ? PGT_L2 : type, t[i]);
    unmap_domain_page(t);
}

/*
 * Check the guest entries from pg->nr_validated on, taking their
 * references.  0 when all are taken; -ERESTART when preemptible and the
 * tick is due (entries [0, nr_validated) keep theirs); any other error
 * gives back every reference taken, from this call and earlier ones.
 */
static int validate(struct domain *d, mfn_t mfn, struct page_info *pg, bool preemptible)
{
    uint8_t type = pg->type, level = type == PGT_L2_XEN ? PGT_L2 : type;
    pte_t *t = map_domain_page(mfn);
    unsigned n = guest_entries(type), i = pg->nr_validated;
    int rc = 0;
    if (type == PGT_L3 && !pte_present(t[3]))
        rc = -EINVAL;                        /* slot 3 holds the hypervisor */
    while (!rc && i < n) {
        if (preemptible && type != PGT_L1 && i > pg->nr_validated && hypercall_preempt_check())
            rc = -ERESTART;                  /* after one entry at least; an L1 is one step */
        else if (!(rc = get_entry(d, level, i, t[i], INVALID_MFN, preemptible)))
            i++;
    }
    if (!rc && type == PGT_L2_XEN)
        for (unsigned j = HV_FIRST_L2_SLOT; j < L2_ENTRIES; j++)
            t[j] = hv_l2[j];
    unmap_domain_page(t);
    if (rc && rc != -ERESTART)
        devalidate(d, mfn, type, i);         /* undo the entries taken before */
    pg->nr_validated = (uint16_t)(rc == -ERESTART ? i : 0);
    return rc;
}

/* Validate pg (new, or partial), which holds the one type reference: finish, stop or fail. */
static int validate_or_stop(struct domain *d, mfn_t mfn, struct page_info *pg, bool preemptible)
{
    int rc = validate(d, mfn, pg, preemptible);
    if (rc == -ERESTART) {
        pg->flags |= PGF_PARTIAL;            /* the type reference waits for the next get */
        return rc;
    }
    pg->flags &= ~PGF_PARTIAL;
    if (rc) {
        pg->type_count = 0;
        pg->type = PGT_NONE;
        page_put(mfn);
        return rc;
    }
    pg->flags |= PGF_VALIDATED;
    return 0;
}

static int type_get(struct domain *d, mfn_t mfn, enum page_type type, bool preemptible)
{
    struct page_info *pg = page_info(mfn);
    if (!pg || pg->owner != d->id || (pg->flags & PGF_GIVEN))
        return -EINVAL;                      /* Xen's get_page_from_mfn() */
    if (pg->type_count && pg->type != type)
        return -EINVAL;                      /* in use as something else (Xen's _get_page_type()) */
    if (pg->flags & PGF_DYING)
        return -EBUSY;                       /* on its way out, in steps */
    if (pg->flags & PGF_PARTIAL)
        return validate_or_stop(d, mfn, pg, preemptible);   /* its reference becomes ours */
    pg->ref_count++;
    if (pg->type_count++)
        return 0;
    if (pg->type == PGT_WRITABLE && type != PGT_WRITABLE)
        write_cr3(read_cr3());               /* no stale writable TLB entry may outlive the type */
    pg->type = type;
    pg->flags &= ~PGF_VALIDATED;
    pg->nr_validated = 0;
    if (!page_is_pt(type) && type != PGT_L2_XEN)
        return 0;
    return validate_or_stop(d, mfn, pg, preemptible);
}

int page_type_get(struct domain *d, mfn_t mfn, enum page_type type)
{
    return type_get(d, mfn, type, false);
}

int page_type_get_preemptible(struct domain *d, mfn_t mfn, enum page_type type)
{
    return type_get(d, mfn, type, true);
}

void page_type_put(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = page_info(mfn);
    BUG_ON(!pg || pg->type_count == 0);
    if (--pg->type_count == 0 && (pg->flags & PGF_VALIDATED)) {
        pg->flags &= ~PGF_VALIDATED;
        devalidate(d, mfn, pg->type, guest_entries(pg->type));
    }
    page_put(mfn);
}

static bool dies_long(const struct page_info *pg)
{
    return pg->type_count == 1 && (pg->flags & PGF_VALIDATED) &&
           (pg->type == PGT_L2 || pg->type == PGT_L2_XEN || pg->type == PGT_L3);
}

void page_type_put_deferred(struct domain *d, mfn_t mfn)
{
    struct page_info *pg = page_info(mfn);
    BUG_ON(!pg || pg->type_count == 0);
    if (!dies_long(pg) || d->nr_puts == ARRAY_SIZE(d->puts)) {
        page_type_put(d, mfn);
        return;
    }
    pg->flags = (uint8_t)((pg->flags & ~PGF_VALIDATED) | PGF_PARTIAL | PGF_DYING);
    pg->nr_validated = (uint16_t)guest_entries(pg->type);
    d->puts[d->nr_puts++] = mfn;
}

int page_type_finish_puts(struct domain *d)
{
    bool progress = false;
    while (d->nr_puts) {
        mfn_t m = d->puts[d->nr_puts - 1];
        struct page_info *pg = page_info(m);
        if (!pg->nr_validated) {             /* every entry let go: so is the type */
            d->nr_puts--;
            pg->flags &= (uint8_t)~(PGF_PARTIAL | PGF_DYING);
            pg->type_count = 0;
            page_put(m);
            continue;
        }
        if (progress && hypercall_preempt_check())
            return -ERESTART;
        progress = true;
        pte_t *t = map_domain_page(m);
        pte_t e = t[--pg->nr_validated];
        unmap_domain_page(t);
        if (pg->type == PGT_L3 && pte_present(e))
            page_type_put_deferred(d, pte_mfn(e));   /* an L2 that dies goes above us */
        else
            put_entry(d, pg->type == PGT_L2_XEN ? PGT_L2 : pg->type, e);
    }
    return 0;
}

/* Inline in both callers: one call less on every entry mmu_update writes (docs/performance.md). */
static inline __attribute__((always_inline)) int mod_entry(struct domain *d, mfn_t table,
                     unsigned index, pte_t val, bool preserve_ad, mfn_t granted)
{
    struct page_info *pg = page_info(table);
    if (!pg || pg->owner != d->id || !pg->type_count || !(pg->flags & PGF_VALIDATED))
        return -EINVAL;                      /* not one of d's live page tables */
    uint8_t type = pg->type;
    /* Xen's mod_l3_entry() for a 32-bit guest: slot 3 (the hypervisor's L2) and up are not to be changed. */
    if (type == PGT_L3 && index >= 3)
        return -EINVAL;
    if (index >= guest_entries(type))
        return -EPERM;                       /* a hypervisor slot (Xen's is_guest_l2_slot()) */
    uint8_t level = type == PGT_L2_XEN ? PGT_L2 : type;
    pte_t *t = map_domain_page(table);
    pte_t old = t[index];
    if (preserve_ad)
        val |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
    /* The same frame with the same access (only A, D, U, NX or software bits change): the
     * old entry's references are the new one's, so none is taken or let go (Xen's fast path). */
    bool same = pte_present(old & val) && !((old ^ val) & (PTE_MFN_MASK | _PAGE_RW));
    int rc = same ? check_flags(val, level) : get_entry(d, level, index, val, granted, true);
    if (rc == 0)
        t[index] = val;
    if (rc == 0 && !same && level == PGT_L3 && pte_present(old))
        page_type_put_deferred(d, pte_mfn(old));
    else if (rc == 0 && !same)
        put_entry(d, level, old);
    unmap_domain_page(t);
    if (rc == 0 && type == PGT_L3 && mfn_eq(table, d->cr3_mfn))
        page_type_load_pdpt(d);
    return rc;
}

int page_type_mod_entry(struct domain *d, mfn_t table, unsigned index, pte_t val, bool preserve_ad)
{
    return mod_entry(d, table, index, val, preserve_ad, INVALID_MFN);
}

int page_type_mod_grant_entry(struct domain *d, mfn_t l1, unsigned index, pte_t val, mfn_t granted)
{
    struct page_info *pg = page_info(l1);
    if (!pg || pg->type != PGT_L1)
        return -EINVAL;                      /* grant mappings go in L1s only */
    return mod_entry(d, l1, index, val, false, granted);
}

pte_t page_type_read_entry(mfn_t table, unsigned index)
{
    pte_t *t = map_domain_page(table);
    pte_t e = t[index];
    unmap_domain_page(t);
    return e;
}

mfn_t page_type_l1_of(struct domain *d, uint32_t va)
{
    pte_t l3e = d->pdpt[l3_index(va)];
    if (!pte_present(l3e))
        return INVALID_MFN;
    pte_t l2e = page_type_read_entry(pte_mfn(l3e), l2_index(va));
    return pte_present(l2e) && !(l2e & _PAGE_PSE) ? pte_mfn(l2e) : INVALID_MFN;
}

void page_type_load_pdpt(struct domain *d)
{
    pte_t *l3 = map_domain_page(d->cr3_mfn);
    for (unsigned i = 0; i < L3_ENTRIES; i++)
        d->pdpt[i] = l3[i] & PDPT_BITS;
    unmap_domain_page(l3);
    if (d == current)
        write_cr3((uint32_t)directmap_pa(d->pdpt));
}
