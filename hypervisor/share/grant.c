/*
 * grant.c - grant tables: a domain lets one other domain use a page of its own.
 *
 * Each domain has a table of v1 entries (flags, domid, frame) in frames it
 * maps writable itself (setup_table hands out their machine frame
 * numbers); writing an entry with GTF_permit_access is the grant.  The
 * hypervisor keeps, beside it and out of the guest's reach:
 *  - an active entry per grant in use: the frame it named when first
 *    pinned, and how many writable and read-only mappings pin it (Xen's
 *    active_grant_entry; 8-bit counts, refused before they overflow);
 *  - per mapping domain, a maptrack record per mapping it made (Xen's
 *    grant_mapping): granting domain, ref, frame, GNTMAP_* flags.  Its
 *    index is the handle the guest unmaps with.
 * References: a mapping holds a general reference on the granted frame,
 * and a writable one also a PGT_WRITABLE type reference, taken with the
 * granting domain's own rules (page_type.c), so a frame mapped writable by
 * anyone can never become a page table, and a page table can be granted
 * read-only but never mapped writable.  The PTE itself is written through
 * page_type_mod_grant_entry, which lets that one foreign frame into an L1
 * and takes no references for it (page_type.c says why that is exact).
 * The grantor may rewrite its entries at any time: every use reads the
 * entry afresh, once, and the status bits are set with compare-and-swap
 * against the value checked (grant_flags.c).
 * A grantor that dies while others map its frames: those frames are not
 * freed with the rest of it.  They become owned by nobody (OWNER_ORPHAN),
 * with exactly the mappers' references, and are freed when the last of
 * them goes - as Xen keeps a dying domain's page until its last reference
 * is put.  This file never touches guest memory except the grant frames
 * and the frames it copies between (both through map_domain_page).
 */
#include "hypervisor/share/grant.h"
#include "hypervisor/share/grant_flags.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

struct grant_active {
    uint8_t pins_w, pins_r;       /* writable and read-only host mappings */
    uint16_t domid;               /* the one domain pinning it */
    mfn_t mfn;                    /* the frame, as the entry named it at the first pin */
};
_Static_assert(sizeof(struct grant_active) * GRANT_PER_FRAME == PAGE_SIZE, "a page of actives per frame");

struct grant_map {
    uint16_t flags;               /* GNTMAP_*; 0: a free record */
    uint16_t domid;               /* the granting domain */
    grant_ref_t ref;
    mfn_t mfn;
    uint32_t pad;
};
#define MAPS_PER_PAGE (PAGE_SIZE / sizeof(struct grant_map))
#define PIN_LIMIT     0x80u       /* Xen refuses a pin once a count reaches 0x80 */

struct grant_table {
    uint32_t nr_frames, max_frames;
    uint32_t given;               /* mappings others hold of our grants */
    uint32_t held;                /* our mappings of grants (records in use) */
    uint32_t map_limit, map_hint; /* records allocated; no free record below the hint */
    mfn_t shared[GRANT_MAX_FRAMES];                   /* the guest's table */
    struct grant_active *active[GRANT_MAX_FRAMES];    /* one page per table frame */
    struct grant_map *maptrack[GRANT_MAPTRACK_PAGES];
};
_Static_assert(sizeof(struct grant_table) <= PAGE_SIZE, "a domain's grant state fits a page");

static bool flush_pending;        /* a grant PTE was removed: flush before the guest runs */

/* ---- memory: hypervisor pages, the table's frames ------------------------------ */

static void *new_page(void)
{
    mfn_t m = frame_alloc_low();
    if (mfn_eq(m, INVALID_MFN))
        return NULL;
    void *p = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    memset(p, 0, PAGE_SIZE);
    return p;
}

static void free_page(void *p)
{
    if (p)
        frame_free(_mfn((uint32_t)(directmap_pa(p) >> PAGE_SHIFT)));
}

static uint32_t nr_entries(const struct grant_table *gt) { return gt->nr_frames * GRANT_PER_FRAME; }

static struct grant_active *active_of(const struct grant_table *gt, grant_ref_t ref)
{
    return &gt->active[ref / GRANT_PER_FRAME][ref % GRANT_PER_FRAME];
}

static struct grant_map *map_of(const struct grant_table *gt, grant_handle_t h)
{
    return &gt->maptrack[h / MAPS_PER_PAGE][h % MAPS_PER_PAGE];
}

/*
 * A frame for d's table: d owns it, so d maps it like its own RAM, but it
 * holds a PGT_WRITABLE type reference of ours for good, so it can never
 * become a page table or descriptor page, and decrease_reservation never
 * takes it (it is not in d->frames[] either).  No M2P entry, as in Xen.
 */
int grant_table_grow(struct domain *d, uint32_t n)
{
    struct grant_table *gt = d->grant;
    while (gt->nr_frames < n) {
        struct grant_active *act = new_page();
        mfn_t m = frame_alloc();
        if (!act || mfn_eq(m, INVALID_MFN)) {
            free_page(act);
            if (!mfn_eq(m, INVALID_MFN))
                frame_free(m);
            return -ENOMEM;
        }
        void *p = map_domain_page(m);
        memset(p, 0, PAGE_SIZE);
        unmap_domain_page(p);
        page_set_owner(m, (uint16_t)d->id);
        m2p_set(m, M2P_INVALID);
        BUG_ON(page_type_get(d, m, PGT_WRITABLE) != 0);
        gt->shared[gt->nr_frames] = m;
        gt->active[gt->nr_frames++] = act;
    }
    return 0;
}

int grant_table_init(struct domain *d)
{
    uint32_t max = d->max_grant_frames ? d->max_grant_frames : GRANT_MAX_FRAMES;
    if (max < GRANT_INITIAL_FRAMES || max > GRANT_MAX_FRAMES)
        return -EINVAL;
    if (!(d->grant = new_page()))
        return -ENOMEM;
    d->grant->max_frames = max;
    return grant_table_grow(d, GRANT_INITIAL_FRAMES);
}

uint32_t grant_nr_frames(const struct domain *d) { return d->grant->nr_frames; }
uint32_t grant_max_frames(const struct domain *d) { return d->grant->max_frames; }
mfn_t grant_frame(const struct domain *d, uint32_t i) { return d->grant->shared[i]; }

/* ---- the shared entries: one fresh read per use --------------------------------- */

/* Entry ref's header word (flags, domid), mapped; the frame is the next word. */
static volatile uint32_t *entry_map(const struct grant_table *gt, grant_ref_t ref)
{
    uint8_t *page = map_domain_page(gt->shared[ref / GRANT_PER_FRAME]);
    return (volatile uint32_t *)(page + (ref % GRANT_PER_FRAME) * sizeof(struct xen_grant_entry_v1));
}

/* Set GTF_reading (| GTF_writing), checking the entry as it is at the swap. */
static int pin_flags(const struct grant_table *gt, grant_ref_t ref, bool pinned, bool ro, bool map,
                     uint16_t ldom, mfn_t *frame)
{
    volatile uint32_t *e = entry_map(gt, ref);
    uint32_t seen = *e, want;
    int rc;
    /* A guest can rewrite the entry faster than we swap: a few tries, as Xen. */
    for (unsigned tries = 0; !(rc = grant_flags_pin(seen, pinned, ro, map, ldom, &want)); tries++) {
        uint32_t was = cmpxchg32(e, seen, want);
        if (was == seen)
            break;
        if (tries == 4) {
            rc = GNTST_general_error;        /* "shared grant entry is unstable" */
            break;
        }
        seen = was;
    }
    *frame = _mfn(e[1]);                     /* read after the swap: what the pin covers */
    unmap_domain_page((const void *)e);
    return rc;
}

static void unpin_flags(const struct grant_table *gt, grant_ref_t ref, uint16_t bits)
{
    if (!bits)
        return;
    volatile uint32_t *e = entry_map(gt, ref);
    clear_bits16((volatile uint16_t *)e, bits);
    unmap_domain_page((const void *)e);
}

int grant_builder_set(struct domain *d, grant_ref_t ref, domid_t to, mfn_t frame, bool readonly)
{
    if (!d->grant || ref >= nr_entries(d->grant))
        return -EINVAL;
    volatile uint32_t *e = entry_map(d->grant, ref);
    e[1] = mfn_x(frame);                     /* the frame first, then the flags that publish it */
    barrier();
    e[0] = GRANT_HDR(GTF_permit_access | (readonly ? GTF_readonly : 0), to);
    unmap_domain_page((const void *)e);
    return 0;
}

/* ---- pins: Xen's acquire and release of an active entry ------------------------ */

static bool owned(const struct domain *d, mfn_t m)
{
    const struct page_info *pg = page_info(m);
    return pg && pg->owner == d->id;
}

/* A live domain with a grant table, by id (never DOMID_SELF: Xen's rcu_lock_domain_by_id). */
static struct domain *live_domain(unsigned domid)
{
    if (domid >= nr_domains || domains[domid]->state != DOMAIN_RUNNABLE)
        return NULL;
    return domains[domid]->grant ? domains[domid] : NULL;
}

/*
 * Pin rd's entry ref for domain ldom: the ref is the guest's (bounded
 * here), the entry rd's (checked by pin_flags).  *mfn gets the frame.
 */
static int acquire(struct domain *rd, grant_ref_t ref, uint16_t ldom, bool ro, bool map, mfn_t *mfn)
{
    struct grant_table *gt = rd->grant;
    if (ref >= nr_entries(gt))
        return GNTST_bad_gntref;
    struct grant_active *act = active_of(gt, ref);
    bool pinned = act->pins_w || act->pins_r;
    if (pinned && (act->domid != ldom || act->pins_w >= PIN_LIMIT || act->pins_r >= PIN_LIMIT))
        return GNTST_general_error;
    if (!pinned || (!ro && !act->pins_w)) {
        mfn_t frame;
        int rc = pin_flags(gt, ref, pinned, ro, map, ldom, &frame);
        if (rc)
            return rc;
        if (!pinned) {
            if (!owned(rd, frame)) {         /* not rd's to give: Xen's get_paged_frame */
                unpin_flags(gt, ref, grant_flags_unpin(0, 0, ro));
                return GNTST_bad_page;
            }
            act->domid = ldom;
            act->mfn = frame;
        }
    }
    if (ro)
        act->pins_r++;
    else
        act->pins_w++;
    *mfn = act->mfn;
    return GNTST_okay;
}

/* Undo acquire(); nothing to do once rd's table has gone (rd died). */
static void release(struct domain *rd, grant_ref_t ref, bool ro)
{
    struct grant_table *gt = rd->grant;
    if (!gt)
        return;
    struct grant_active *act = active_of(gt, ref);
    if (ro)
        act->pins_r--;
    else
        act->pins_w--;
    unpin_flags(gt, ref, grant_flags_unpin(act->pins_w, act->pins_r, ro));
}

/* The references a mapping (or a copy) holds on rd's frame m. */
static int frame_get(struct domain *rd, mfn_t m, bool ro)
{
    return ro ? page_get(rd, m) : page_type_get(rd, m, PGT_WRITABLE);
}

/* ... and their end; the last reference to an orphan frees it. */
static void frame_put(struct domain *rd, mfn_t m, bool ro)
{
    if (ro)
        page_put(m);
    else
        page_type_put(rd, m);
    struct page_info *pg = page_info(m);
    if (pg->owner == OWNER_ORPHAN && pg->ref_count == 0) {
        page_set_owner(m, OWNER_NONE);
        frame_free(m);
    }
}

/* ---- maps and unmaps -------------------------------------------------------------- */

static int map_alloc(struct grant_table *gt)
{
    for (uint32_t h = gt->map_hint; h < GRANT_MAPTRACK_PAGES * MAPS_PER_PAGE; h++) {
        if (h == gt->map_limit) {
            if (!(gt->maptrack[h / MAPS_PER_PAGE] = new_page()))
                return -1;
            gt->map_limit += MAPS_PER_PAGE;
        }
        if (!map_of(gt, h)->flags)
            return (int)(gt->map_hint = h);
    }
    return -1;
}

/* Xen's grant_to_pte_flags for a 32-bit PV guest (no cache attributes here). */
static pte_t grant_pte(mfn_t m, uint32_t flags)
{
    uint64_t f = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | (cpu.nx ? _PAGE_NX : 0);
    if (!(flags & GNTMAP_readonly))
        f |= _PAGE_RW;
    if (flags & GNTMAP_application_map)
        f |= _PAGE_USER;
    return pte_make(m, f);
}

/* The L1 of ld's current address space for guest linear address va, or INVALID_MFN. */
static mfn_t l1_for(struct domain *ld, uint64_t va)
{
    return va < HYPERVISOR_VIRT_START ? page_type_l1_of(ld, (uint32_t)va) : INVALID_MFN;
}

/*
 * Contract: op is the guest's record, copied in.  Checks in Xen's order:
 * flags, the granting domain, a free handle, the ref and the entry
 * (acquire), the frame's references, then the PTE at host_addr, which
 * must be in an L1 of ld's current tables.  Undone in reverse on failure.
 */
static int16_t map_one(struct domain *ld, struct xen_gnttab_map_grant_ref *op)
{
    bool ro = op->flags & GNTMAP_readonly;
    if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map)))
        return GNTST_bad_gntref;
    if (op->flags & (GNTMAP_device_map | GNTMAP_contains_pte))
        return GNTST_general_error;          /* offered: host mappings by linear address */
    struct domain *rd = live_domain(op->dom);
    if (!rd)
        return GNTST_bad_domain;
    int h = map_alloc(ld->grant);
    if (h < 0)
        return GNTST_no_device_space;
    mfn_t m;
    int rc = acquire(rd, op->ref, (uint16_t)ld->id, ro, true, &m);
    if (rc)
        return (int16_t)rc;
    if (frame_get(rd, m, ro)) {
        release(rd, op->ref, ro);            /* "could not pin the granted frame" */
        return GNTST_general_error;
    }
    mfn_t l1 = l1_for(ld, op->host_addr);
    if (mfn_eq(l1, INVALID_MFN) ||
        page_type_mod_grant_entry(ld, l1, l1_index((uint32_t)op->host_addr), grant_pte(m, op->flags), m)) {
        frame_put(rd, m, ro);
        release(rd, op->ref, ro);
        return GNTST_general_error;
    }
    *map_of(ld->grant, (grant_handle_t)h) = (struct grant_map){
        .flags = (uint16_t)(op->flags & (GNTMAP_host_map | GNTMAP_readonly | GNTMAP_application_map)),
        .domid = op->dom, .ref = op->ref, .mfn = m };
    ld->grant->held++;
    rd->grant->given++;
    op->handle = (grant_handle_t)h;
    op->dev_bus_addr = (uint64_t)mfn_x(m) << PAGE_SHIFT;
    return GNTST_okay;
}

void grant_map(struct domain *ld, struct xen_gnttab_map_grant_ref *op)
{
    op->status = map_one(ld, op);
}

/*
 * Take the grant PTE at addr out of ld's tables - or, with new_addr, put
 * the PTE found at new_addr there and clear new_addr (unmap_and_replace).
 * As Xen since XSA-234, the PTE must map the record's frame, present, and
 * writable exactly when the mapping is.  Both writes go through the paging
 * rules; moving a grant PTE keeps one PTE per mapping.
 */
static int16_t remove_pte(struct domain *ld, uint64_t addr, const struct grant_map *map, uint64_t new_addr)
{
    mfn_t l1 = l1_for(ld, addr), nl1 = new_addr ? l1_for(ld, new_addr) : INVALID_MFN;
    if (mfn_eq(l1, INVALID_MFN) || (new_addr && mfn_eq(nl1, INVALID_MFN)))
        return GNTST_general_error;
    unsigned i = l1_index((uint32_t)addr), ni = l1_index((uint32_t)new_addr);
    pte_t old = page_type_read_entry(l1, i);
    bool ro = map->flags & GNTMAP_readonly;
    if (!pte_present(old) || !mfn_eq(pte_mfn(old), map->mfn) || !(old & _PAGE_RW) != ro)
        return GNTST_general_error;          /* "PTE doesn't match grant" */
    pte_t moved = new_addr ? page_type_read_entry(nl1, ni) : 0;
    if (page_type_mod_grant_entry(ld, l1, i, moved, pte_mfn(moved)))
        return GNTST_general_error;
    /* nl1 is a live L1 of ld (an L2 entry holds it): clearing an entry cannot fail. */
    BUG_ON(new_addr && page_type_mod_grant_entry(ld, nl1, ni, 0, INVALID_MFN) != 0);
    flush_pending = true;
    return GNTST_okay;
}

/* The record's references and pin go; the handle is free again. */
static void drop(struct domain *ld, grant_handle_t h)
{
    struct grant_map *map = map_of(ld->grant, h);
    struct domain *rd = domains[map->domid];
    bool ro = map->flags & GNTMAP_readonly;
    frame_put(rd, map->mfn, ro);
    release(rd, map->ref, ro);
    if (rd->grant)
        rd->grant->given--;
    ld->grant->held--;
    map->flags = 0;
    if (h < ld->grant->map_hint)
        ld->grant->map_hint = h;
}

/*
 * Contract: all four values are the guest's.  The handle is bounded here;
 * with host_addr 0 nothing is undone and the answer is GNTST_okay, as in
 * Xen (only a host address names a host mapping to remove).
 */
int16_t grant_unmap(struct domain *ld, uint64_t host_addr, uint64_t dev_bus_addr,
                    grant_handle_t handle, uint64_t new_addr)
{
    struct grant_table *gt = ld->grant;
    if (handle >= gt->map_limit || !map_of(gt, handle)->flags)
        return GNTST_bad_handle;
    const struct grant_map *map = map_of(gt, handle);
    if (dev_bus_addr && dev_bus_addr != (uint64_t)mfn_x(map->mfn) << PAGE_SHIFT)
        return GNTST_general_error;          /* "bus address doesn't match gntref" */
    if (!host_addr)
        return GNTST_okay;
    int16_t rc = remove_pte(ld, host_addr, map, new_addr);
    if (rc == GNTST_okay)
        drop(ld, handle);
    return rc;
}

void grant_flush(void)
{
    if (flush_pending)
        write_cr3(read_cr3());               /* no stale TLB entry may outlive the mapping */
    flush_pending = false;
}

/* ---- copy -------------------------------------------------------------------------- */

struct copy_side {
    struct domain *d;
    mfn_t mfn;
    bool gref, ro, pinned, held;
    grant_ref_t ref;
};

/* Which domain a side names: a frame only of our own (DOMID_SELF), a grant of anyone live. */
static int16_t copy_domain(struct domain *ld, domid_t domid, struct copy_side *s)
{
    if (domid != DOMID_SELF && !s->gref)
        return GNTST_permission_denied;
    s->d = domid == DOMID_SELF ? ld : live_domain(domid);
    return s->d ? GNTST_okay : GNTST_bad_domain;
}

static int16_t copy_claim(struct domain *ld, const struct xen_gnttab_copy_ptr *p, struct copy_side *s)
{
    if (s->gref) {
        int rc = acquire(s->d, p->u.ref, (uint16_t)ld->id, s->ro, false, &s->mfn);
        if (rc)
            return (int16_t)rc;
        s->pinned = true;
        s->ref = p->u.ref;
    } else {
        s->mfn = _mfn(p->u.gmfn);
        if (!owned(ld, s->mfn))
            return GNTST_bad_page;
    }
    if (frame_get(s->d, s->mfn, s->ro))
        return GNTST_general_error;          /* the destination cannot be written (a table) */
    s->held = true;
    return GNTST_okay;
}

static void copy_release(struct copy_side *s)
{
    if (s->held)
        frame_put(s->d, s->mfn, s->ro);
    if (s->pinned)
        release(s->d, s->ref, s->ro);
}

/*
 * Contract: op is the guest's record.  Each side is checked as Xen does
 * (domains first, then source, then destination), the range last: both
 * [offset, offset + len) must lie inside their page.  The pins and
 * references live for this one copy only.
 */
int16_t grant_copy(struct domain *ld, const struct xen_gnttab_copy *op)
{
    struct copy_side src = { .gref = op->flags & GNTCOPY_source_gref, .ro = true };
    struct copy_side dst = { .gref = op->flags & GNTCOPY_dest_gref };
    int16_t rc;
    if ((rc = copy_domain(ld, op->source.domid, &src)) || (rc = copy_domain(ld, op->dest.domid, &dst)))
        return rc;
    if (!(rc = copy_claim(ld, &op->source, &src)) && !(rc = copy_claim(ld, &op->dest, &dst))) {
        if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE) {
            rc = GNTST_bad_copy_arg;
        } else {
            const uint8_t *from = map_domain_page(src.mfn);
            uint8_t *to = map_domain_page(dst.mfn);
            memcpy(to + op->dest.offset, from + op->source.offset, op->len);
            unmap_domain_page(to);
            unmap_domain_page(from);
        }
    }
    copy_release(&dst);
    copy_release(&src);
    return rc;
}

/* ---- death -------------------------------------------------------------------------- */

/*
 * d's frames still pinned by others' mappings become orphans holding just
 * those mappings' references: d's own references die with d, theirs do not.
 * Two passes, as several entries may grant one frame.
 */
static void orphan_mapped_frames(struct grant_table *gt)
{
    for (unsigned pass = 0; pass < 2; pass++)
        for (grant_ref_t ref = 0; ref < nr_entries(gt); ref++) {
            const struct grant_active *act = active_of(gt, ref);
            if (!act->pins_w && !act->pins_r)
                continue;
            struct page_info *pg = page_info(act->mfn);
            if (pass == 0) {
                page_set_owner(act->mfn, OWNER_ORPHAN);
                m2p_set(act->mfn, M2P_INVALID);
                continue;
            }
            pg->ref_count += act->pins_w + act->pins_r;
            pg->type_count += act->pins_w;
            if (act->pins_w)
                pg->type = PGT_WRITABLE;
        }
}

void grant_table_teardown(struct domain *d)
{
    struct grant_table *gt = d->grant;
    if (!gt)
        return;
    for (grant_handle_t h = 0; h < gt->map_limit; h++)     /* Xen's gnttab_release_mappings */
        if (map_of(gt, h)->flags)
            drop(d, h);
    orphan_mapped_frames(gt);
    for (uint32_t i = 0; i < gt->nr_frames; i++) {
        if (page_info(gt->shared[i])->owner != OWNER_ORPHAN) {
            page_set_owner(gt->shared[i], OWNER_NONE);
            frame_free(gt->shared[i]);
        }
        free_page(gt->active[i]);
    }
    for (uint32_t i = 0; i < gt->map_limit / MAPS_PER_PAGE; i++)
        free_page(gt->maptrack[i]);
    free_page(gt);
    d->grant = NULL;
}

void grant_usage(const struct domain *d, uint32_t *frames, uint32_t *given, uint32_t *held)
{
    const struct grant_table *gt = d->grant;
    *frames = gt ? gt->nr_frames : 0;
    *given = gt ? gt->given : 0;
    *held = gt ? gt->held : 0;
}
