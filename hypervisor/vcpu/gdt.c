/*
 * gdt.c - each domain's GDT, kept as the hypervisor's own checked copy.
 *
 * The GDT the CPU uses is 16 pages at GDT_VIRT_START; pages 0..13 are the
 * running domain's (entries 0..7167), pages 14..15 the hypervisor's.  This
 * file decides what pages 0..13 show, and never lets them show a
 * descriptor that desc_check() has not passed.  It also owns what the GDT
 * and the LDT (ldt.c) share: typing the guest's frames and filling the
 * checked copies (gdt_table_get/put), and update_descriptor.
 *
 * Typed frames, as in Xen.  set_gdt takes a "segment descriptor page"
 * type reference (PGT_SEG_DESC, hypervisor/mm/page_type.c) on every frame
 * it names, held until the GDT is replaced or the domain dies.  A frame
 * has one type at a time, so a frame mapped writable anywhere, or in use
 * as a page table, is refused (-EINVAL, as Xen's set_gdt), and while it
 * is a GDT frame no writable mapping of it can be made (update_va_mapping
 * and mmu_update get -EBUSY).  The guest changes it only through
 * update_descriptor, which checks each new descriptor.
 *
 * Checked copies, beyond Xen.  Xen checks the frames in place and lets
 * the CPU read them.  We also copy every used descriptor, checked and
 * fixed up, into frames of the hypervisor's own (up to 14 per domain, from
 * the directmap), and the scheduler maps those at GDT_VIRT_START while
 * the domain runs (gdt_switch_to).  With the frames typed the copies are
 * defence in depth: whatever goes wrong with a guest frame, the CPU never
 * reads a byte the guest can write.  Fix-ups are written back into the
 * guest's frame, as Xen's in-place check does, so the guest reads what
 * the CPU uses; update_descriptor writes the fixed-up value to the
 * guest's frame and, when that entry is part of the GDT or LDT, to the
 * copy.  Unlike Xen, which checks all 512 descriptors of a typed frame,
 * only the entries in use are checked: the rest never reach the CPU.
 *
 * Entries past `entries` in the last page are zero and the pages past it
 * show the zero page, so a selector beyond the GDT meets a null descriptor
 * and the guest gets #GP, like a native GDT limit.  (Xen leaves pages past
 * the GDT unmapped, which also ends in #GP.)  A descriptor the guest has
 * loaded may be gone when it is next reloaded, on the way back to the
 * guest; entry.S's failsafe path handles that.
 */
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/vcpu/desc_check.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/console/guest_log.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"

_Static_assert(DESC_GUEST_TOP == MACH2PHYS_VIRT_END_, "desc_check's top is the M2P's end");
_Static_assert(DESC_FIRST_RESERVED == FIRST_RESERVED_GDT_ENTRY, "desc_check's reserved entries");
_Static_assert(DESC_FLAT_KERNEL_CS == RING1_CS, "desc_check's FLAT_RING1_CS");

#define PER_PAGE (PAGE_SIZE / 8)

static struct domain *shown;        /* whose copies are mapped now; NULL: none */
/*
 * Pages at and above this one show nothing (the zero page).  A switch
 * remaps only the pages below the larger of the old and the new count:
 * most domains have one GDT page, and remapping all 14 with an invlpg
 * each was half the cost of a domain switch (docs/performance.md).  At
 * boot nothing is known to be mapped, so the first show maps them all.
 */
static unsigned shown_pages = FIRST_RESERVED_GDT_PAGE;

static unsigned pages_of(unsigned entries) { return (entries + PER_PAGE - 1) / PER_PAGE; }
static uint64_t *copy_va(mfn_t m) { return directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT); }

/* Map d's copies (or nothing, for NULL) as GDT pages 0..13. */
static void show(struct domain *d)
{
    unsigned nr = d ? pages_of(d->gdt_entries) : 0;
    for (unsigned i = 0; i < MAX(nr, shown_pages); i++)
        paging_map_gdt_page(i, i < nr ? d->gdt_copy[i] : INVALID_MFN);
    shown = d;
    shown_pages = nr;
}

void gdt_switch_to(struct domain *next)
{
    if (next != shown)
        show(next);
}

static void free_copies(const mfn_t *copy, unsigned nr)
{
    for (unsigned i = 0; i < nr; i++)
        frame_free(copy[i]);
}

/* Log why d's request fails, and fail it. */
static long refuse(struct domain *d, const char *op, const char *what, const char *why)
{
    guest_log(d, "%s refused: %s: %s\n", op, what, why);
    return -EINVAL;
}

/* Why a frame of d's could not take the type it was asked for. */
static const char *busy_reason(mfn_t m)
{
    return page_info(m)->type == PGT_WRITABLE ? "mapped writable" : "a page-table frame";
}

/* One of d's own frames; shared_info counts as the hypervisor's page. */
static bool is_guest_frame(const struct domain *d, mfn_t m)
{
    uint32_t pfn;
    return domain_owns_frame(d, m, &pfn) && !mfn_eq(m, d->shared_info);
}

/* Take a PGT_SEG_DESC reference on frame m for d; NULL, or why it cannot be one. */
static const char *frame_get(struct domain *d, mfn_t m)
{
    if (!is_guest_frame(d, m))
        return "not one of the domain's frames";
    return page_type_get(d, m, PGT_SEG_DESC) ? busy_reason(m) : NULL;
}

static void frames_put(struct domain *d, const mfn_t *frames, unsigned nr)
{
    for (unsigned i = 0; i < nr; i++)
        page_type_put(d, frames[i]);
}

/*
 * Fill our copy `to` with the first n descriptors of guest frame `from`
 * (page `page` of the table), checked and fixed up, and zeros after them.
 * Each descriptor is read once into a local, so what we check is what we
 * store.  A fixed-up descriptor goes back into the guest's frame too.
 */
static long fill_copy(struct domain *d, const char *op, mfn_t from, mfn_t to, unsigned n, unsigned page)
{
    uint64_t *frame = map_domain_page(from);
    uint64_t *dst = copy_va(to);
    for (unsigned i = 0; i < n; i++) {
        uint64_t orig = frame[i], desc = orig;
        const char *why = desc_check_reason(&desc);
        if (why) {
            char what[48];
            snprintf(what, sizeof(what), "entry %u (%08x:%08x)", page * PER_PAGE + i,
                     (uint32_t)(orig >> 32), (uint32_t)orig);
            unmap_domain_page(frame);
            return refuse(d, op, what, why);
        }
        if (desc != orig)
            frame[i] = desc;
        dst[i] = desc;
    }
    unmap_domain_page(frame);
    memset(dst + n, 0, (PER_PAGE - n) * sizeof(*dst));
    return 0;
}

/*
 * frames[] is guest-controlled (set_gdt's list, or what the guest's page
 * tables map for SET_LDT): each frame is checked here, typed first so its
 * contents cannot change under the check, then its descriptors copied.
 * All or nothing.
 */
long gdt_table_get(struct domain *d, const char *op, const mfn_t *frames, unsigned entries, mfn_t *copy)
{
    unsigned nr = pages_of(entries), held;
    long rc = 0;
    for (held = 0; held < nr && !rc; held++) {
        const char *why = frame_get(d, frames[held]);
        if (why) {
            char what[40];
            snprintf(what, sizeof(what), "frame %u (mfn 0x%x)", held, mfn_x(frames[held]));
            rc = refuse(d, op, what, why);
            break;
        }
    }
    for (unsigned i = 0; i < nr && !rc; i++) {
        copy[i] = frame_alloc_low();
        rc = mfn_eq(copy[i], INVALID_MFN) ? -ENOMEM
           : fill_copy(d, op, frames[i], copy[i], MIN(PER_PAGE, entries - i * PER_PAGE), i);
        if (rc)
            free_copies(copy, i + !mfn_eq(copy[i], INVALID_MFN));
    }
    if (rc)
        frames_put(d, frames, held);
    return rc;
}

void gdt_table_put(struct domain *d, const mfn_t *frames, const mfn_t *copy, unsigned entries)
{
    frames_put(d, frames, pages_of(entries));
    free_copies(copy, pages_of(entries));
}

void gdt_table_update(const mfn_t *frames, const mfn_t *copy, unsigned entries,
                      mfn_t m, unsigned index, uint64_t desc)
{
    for (unsigned i = 0; i < pages_of(entries); i++)
        if (mfn_eq(frames[i], m) && i * PER_PAGE + index < entries)
            copy_va(copy[i])[index] = desc;
}

void gdt_domain_dies(struct domain *d)
{
    if (shown == d)
        show(NULL);
    gdt_table_put(d, d->gdt_frame, d->gdt_copy, d->gdt_entries);
    d->gdt_entries = 0;
}

long gdt_set(struct domain *d, const mfn_t *frames, unsigned entries)
{
    mfn_t copy[FIRST_RESERVED_GDT_PAGE], old_frame[FIRST_RESERVED_GDT_PAGE], old_copy[FIRST_RESERVED_GDT_PAGE];
    unsigned old_entries = d->gdt_entries, nr = pages_of(entries);

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    long rc = gdt_table_get(d, "set_gdt", frames, entries, copy);
    if (rc)
        return rc;
    /* Install the new table and show it before the old one is let go. */
    memcpy(old_frame, d->gdt_frame, sizeof(old_frame));
    memcpy(old_copy, d->gdt_copy, sizeof(old_copy));
    memcpy(d->gdt_frame, frames, nr * sizeof(mfn_t));
    memcpy(d->gdt_copy, copy, nr * sizeof(mfn_t));
    d->gdt_entries = entries;
    if (d == current || d == shown)
        show(d);
    gdt_table_put(d, old_frame, old_copy, old_entries);
    return 0;
}

static long refuse_ma(struct domain *d, uint64_t ma, const char *why)
{
    char what[24];
    snprintf(what, sizeof(what), "ma 0x%08x%08x", (uint32_t)(ma >> 32), (uint32_t)ma);
    return refuse(d, "update_descriptor", what, why);
}

/*
 * ma is guest-controlled: 8-byte aligned, in a frame d owns.  As in Xen's
 * do_update_descriptor, a frame in use as a GDT or LDT is written as
 * such; any other frame must be one that could be mapped writable (not a
 * page table), and only for the write.  desc is checked like every
 * set_gdt entry; entries inside the GDT or LDT reach our copies too.
 */
long gdt_update_descriptor(struct domain *d, uint64_t ma, uint64_t desc)
{
    if ((ma & 7) || (ma >> PAGE_SHIFT) > 0xffffffffull)
        return refuse_ma(d, ma, "not an aligned machine address");
    mfn_t m = _mfn((uint32_t)(ma >> PAGE_SHIFT));
    if (!is_guest_frame(d, m))
        return refuse_ma(d, ma, "not one of the domain's frames");
    const char *why = desc_check_reason(&desc);
    if (why)
        return refuse_ma(d, ma, why);
    const struct page_info *pg = page_info(m);
    enum page_type as = pg->type == PGT_SEG_DESC && pg->type_count ? PGT_SEG_DESC : PGT_WRITABLE;
    if (page_type_get(d, m, as))
        return refuse_ma(d, ma, busy_reason(m));

    unsigned index = (uint32_t)(ma & (PAGE_SIZE - 1)) / 8;
    uint64_t *p = map_domain_page(m);
    p[index] = desc;
    unmap_domain_page(p);
    page_type_put(d, m);
    for (unsigned n = 0; n < d->nr_vcpus; n++) {     /* each vCPU's GDT may hold that frame */
        struct vcpu *v = vcpu_of(d, n);
        gdt_table_update(v->gdt_frame, v->gdt_copy, v->gdt_entries, m, index, desc);
    }
    ldt_update_copy(d, m, index, desc);
    return 0;
}
