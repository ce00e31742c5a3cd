/*
 * gdt.c - each domain's GDT, kept as the hypervisor's own checked copy.
 *
 * The GDT the CPU uses is 16 pages at GDT_VIRT_START; pages 0..13 are the
 * running domain's (entries 0..7167), pages 14..15 the hypervisor's.  This
 * file decides what pages 0..13 show, and never lets them show a
 * descriptor that desc_check() has not passed.
 *
 * Xen's way, and why this stage differs.  In Xen, set_gdt gives each frame
 * the page type "segment descriptor page": its descriptors are checked
 * once, in place, and from then on the frame can never be mapped writable,
 * so the guest changes it only through update_descriptor, which checks
 * again.  The CPU reads the guest's own frames.  That needs page types,
 * which arrive with the validated-paging stage.  Until then every guest
 * frame is mapped writable by the guest's bootstrap page tables, so a
 * frame the CPU used as a GDT could be rewritten behind our back with a
 * DPL 0 code segment or a call gate to 0xe008.
 *
 * So we keep a "shadow GDT".  set_gdt copies every used descriptor, checked
 * and fixed up, into frames of the hypervisor's own (up to 14 per domain,
 * from the directmap), and those copies are what the scheduler maps at
 * GDT_VIRT_START while the domain runs (gdt_switch_to).  The CPU never
 * reads a byte the guest can write.  Fix-ups are also written back into
 * the guest's frame, as Xen's in-place check does, so the guest reads what
 * the CPU uses.  update_descriptor checks the new descriptor and writes
 * the fixed-up value both to the guest's frame and, when that entry is
 * part of the GDT, to our copy.  A plain store by the guest into its frame
 * changes only the frame: the CPU never sees it (under Xen it would have
 * faulted).  The paging stage may switch to Xen's typed, in-place scheme
 * and drop the copies.
 *
 * Neither call accepts one of the domain's page-table frames.  Xen cannot
 * give a frame the GDT type while it is a page table; here the reason is
 * more direct: both calls write into the frame, and a guest able to write
 * its own page tables could map anything.  Until page types exist, a
 * domain's page tables are exactly its bootstrap ones (pt_first_pfn..).
 *
 * Entries past `entries` in the last page are zero and the pages past it
 * show the zero page, so a selector beyond the GDT meets a null descriptor
 * and the guest gets #GP, like a native GDT limit.  (Xen checks whole
 * frames and leaves pages past the GDT unmapped, which also ends in #GP.)
 * A descriptor the guest has loaded may be gone when it is next reloaded,
 * on the way back to the guest; entry.S's failsafe path handles that.
 */
#include "hypervisor/gdt.h"
#include "hypervisor/mm/page.h"
#include "hypervisor/desc_check.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/console.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"

_Static_assert(DESC_GUEST_TOP == MACH2PHYS_VIRT_END_, "desc_check's top is the M2P's end");
_Static_assert(DESC_FIRST_RESERVED == FIRST_RESERVED_GDT_ENTRY, "desc_check's reserved entries");
_Static_assert(DESC_FLAT_KERNEL_CS == RING1_CS, "desc_check's FLAT_RING1_CS");

#define PER_PAGE (PAGE_SIZE / 8)

static struct domain *shown;        /* whose copies are mapped now; NULL: none */

static unsigned pages_of(unsigned entries) { return (entries + PER_PAGE - 1) / PER_PAGE; }
static uint64_t *copy_va(mfn_t m) { return directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT); }

/* Map d's copies (or nothing, for NULL) as GDT pages 0..13. */
static void show(struct domain *d)
{
    unsigned nr = d ? pages_of(d->gdt_entries) : 0;
    for (unsigned i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        paging_map_gdt_page(i, i < nr ? d->gdt_copy[i] : INVALID_MFN);
    shown = d;
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

void gdt_domain_dies(struct domain *d)
{
    if (shown == d)
        show(NULL);
    free_copies(d->gdt_copy, pages_of(d->gdt_entries));
    d->gdt_entries = 0;
}

/* Log why d's request fails, and fail it. */
static long refuse(struct domain *d, const char *op, const char *what, const char *why)
{
    hvlog("d%u %s refused: %s: %s\n", d->id, op, what, why);
    return -EINVAL;
}

/* Why d may not name frame m in set_gdt or update_descriptor; NULL if it may. */
static const char *frame_refusal(const struct domain *d, mfn_t m)
{
    uint32_t pfn;
    if (!domain_owns_frame(d, m, &pfn) || mfn_eq(m, d->shared_info))
        return "not one of the domain's frames";   /* shared_info is the hypervisor's page */
    const struct page_info *pg = page_info(m);
    if (pg->type_count && page_is_pt(pg->type))
        return "a page-table frame";
    return NULL;
}

/*
 * Fill our copy `to` with the first n descriptors of guest frame `from`
 * (page `page` of the GDT), checked and fixed up, and zeros after them.
 * Each descriptor is read once into a local, so what we check is what we
 * store.  A fixed-up descriptor goes back into the guest's frame too.
 */
static long fill_copy(struct domain *d, mfn_t from, mfn_t to, unsigned n, unsigned page)
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
            return refuse(d, "set_gdt", what, why);
        }
        if (desc != orig)
            frame[i] = desc;
        dst[i] = desc;
    }
    unmap_domain_page(frame);
    memset(dst + n, 0, (PER_PAGE - n) * sizeof(*dst));
    return 0;
}

long gdt_set(struct domain *d, const mfn_t *frames, unsigned entries)
{
    mfn_t copy[FIRST_RESERVED_GDT_PAGE], old[FIRST_RESERVED_GDT_PAGE];
    unsigned nr = pages_of(entries), old_nr = pages_of(d->gdt_entries);

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    for (unsigned i = 0; i < nr; i++) {
        const char *why = frame_refusal(d, frames[i]);
        if (why) {
            char what[40];
            snprintf(what, sizeof(what), "frame %u (mfn 0x%x)", i, mfn_x(frames[i]));
            return refuse(d, "set_gdt", what, why);
        }
    }
    for (unsigned i = 0; i < nr; i++) {
        copy[i] = frame_alloc_low();
        long rc = mfn_eq(copy[i], INVALID_MFN) ? -ENOMEM
                : fill_copy(d, frames[i], copy[i], MIN(PER_PAGE, entries - i * PER_PAGE), i);
        if (rc) {
            free_copies(copy, i + !mfn_eq(copy[i], INVALID_MFN));
            return rc;
        }
    }
    /* Install the new copies and show them before the old ones are freed. */
    memcpy(old, d->gdt_copy, old_nr * sizeof(mfn_t));
    memcpy(d->gdt_frame, frames, nr * sizeof(mfn_t));
    memcpy(d->gdt_copy, copy, nr * sizeof(mfn_t));
    d->gdt_entries = entries;
    if (d == current || d == shown)
        show(d);
    free_copies(old, old_nr);
    return 0;
}

static long refuse_ma(struct domain *d, uint64_t ma, const char *why)
{
    char what[24];
    snprintf(what, sizeof(what), "ma 0x%08x%08x", (uint32_t)(ma >> 32), (uint32_t)ma);
    return refuse(d, "update_descriptor", what, why);
}

/*
 * ma is guest-controlled: 8-byte aligned, in a frame d owns that is not
 * one of its page tables (see the top).  Any other frame of d's may be
 * written, as in Xen; only entries inside the GDT reach our copy.  desc
 * is checked like every set_gdt entry.
 */
long gdt_update_descriptor(struct domain *d, uint64_t ma, uint64_t desc)
{
    if ((ma & 7) || (ma >> PAGE_SHIFT) > 0xffffffffull)
        return refuse_ma(d, ma, "not an aligned machine address");
    mfn_t m = _mfn((uint32_t)(ma >> PAGE_SHIFT));
    const char *why = frame_refusal(d, m);
    if (why)
        return refuse_ma(d, ma, why);
    why = desc_check_reason(&desc);
    if (why)
        return refuse_ma(d, ma, why);

    unsigned index = (uint32_t)(ma & (PAGE_SIZE - 1)) / 8;
    uint64_t *p = map_domain_page(m);
    p[index] = desc;
    unmap_domain_page(p);
    for (unsigned i = 0; i < pages_of(d->gdt_entries); i++)
        if (mfn_eq(d->gdt_frame[i], m) && i * PER_PAGE + index < d->gdt_entries)
            copy_va(d->gdt_copy[i])[index] = desc;
    return 0;
}
