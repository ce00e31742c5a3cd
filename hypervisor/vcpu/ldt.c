/*
 * ldt.c - each domain's LDT, kept as the hypervisor's own checked copy.
 *
 * A PV guest cannot run lldt (it is a ring-0 instruction), so it names
 * its LDT with mmuext_op MMUEXT_SET_LDT: a page-aligned linear address
 * and a number of entries, at most 8192.  The LDT holds descriptors the
 * CPU loads with the hypervisor's authority, so it obeys the GDT's rules
 * (desc_check: DPL 0 becomes 1, no system descriptor but a call gate,
 * nothing reaching the hypervisor) and is kept the GDT's way (gdt.c):
 * each guest frame behind the range takes a PGT_SEG_DESC type reference,
 * so it cannot be mapped writable while it is an LDT, and the CPU reads
 * only the hypervisor's checked copies, up to 16 frames mapped at
 * LDT_VIRT_START, through the LDT descriptor HV_LDT that
 * desc_set_ldt() writes into the hypervisor's GDT page.  update_descriptor
 * into an LDT frame updates the copy too.
 *
 * Where this differs from Xen.  Xen only checks the arguments at SET_LDT
 * and maps each LDT page lazily, on the first fault in the LDT area,
 * walking the guest's page tables then; a page that is not mapped, mapped
 * writable, or holds a bad descriptor becomes a #PF or #GP for the guest
 * at that use, and the pages are looked up again after a CR3 switch.  We
 * walk the page tables once, at SET_LDT, and refuse the call (-EINVAL)
 * naming what is wrong; the frames found then stay the LDT until the
 * next SET_LDT, whatever later happens to the guest's page tables or
 * CR3.  (A kernel reloads its LDT after switching address spaces anyway.)
 * SET_LDT always rebinds, even with the same arguments, so that is the way
 * to pick up a changed mapping.
 *
 * The state lives here, one record per domain id, and never in the
 * guest's reach.  What the CPU shows is the domain last given to
 * ldt_switch_to(); the per-domain area is shared by every address space.
 */
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/console/guest_log.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"

#define PER_PAGE (PAGE_SIZE / 8)
_Static_assert(LDT_PAGES * PER_PAGE == LDT_ENTRIES, "the LDT area holds the largest LDT");

struct ldt {
    unsigned entries;               /* 0: no LDT */
    mfn_t frame[LDT_PAGES];         /* the guest's frames behind base, typed PGT_SEG_DESC */
    mfn_t copy[LDT_PAGES];          /* our checked copies: what the CPU reads */
};

static struct ldt ldts[MAX_DOMAINS];
static struct domain *shown;        /* whose LDT is loaded now; NULL: none */
/* Pages at and above this one show nothing; as in gdt.c, a switch remaps
 * only the pages below the larger of the old and the new count. */
static unsigned shown_pages = LDT_PAGES;

static unsigned pages_of(unsigned entries) { return (entries + PER_PAGE - 1) / PER_PAGE; }

/* Map d's copies (or nothing, for NULL) at LDT_VIRT_START and load the LDT. */
static void show(struct domain *d)
{
    const struct ldt *l = d ? &ldts[d->id] : NULL;
    unsigned nr = l ? pages_of(l->entries) : 0;
    for (unsigned i = 0; i < MAX(nr, shown_pages); i++)
        paging_map_ldt_page(i, i < nr ? l->copy[i] : INVALID_MFN);
    desc_set_ldt(LDT_VIRT_START, l ? l->entries : 0);
    shown = d;
    shown_pages = nr;
}

void ldt_switch_to(struct domain *next)
{
    if (next != shown)
        show(next);
}

unsigned ldt_entries(const struct domain *d)
{
    return ldts[d->id].entries;
}

void ldt_domain_dies(struct domain *d)
{
    struct ldt *l = &ldts[d->id];
    if (shown == d)
        show(NULL);
    gdt_table_put(d, l->frame, l->copy, l->entries);
    *l = (struct ldt){ 0 };
}

void ldt_update_copy(struct domain *d, mfn_t m, unsigned index, uint64_t desc)
{
    const struct ldt *l = &ldts[d->id];
    gdt_table_update(l->frame, l->copy, l->entries, m, index, desc);
}

/*
 * The frame behind guest page va in d's current page tables (the PDPT,
 * then the L2 and L1 it names), or why there is none.  va is below the
 * hypervisor hole, so the L2 entries read are the guest's; every table
 * on the way is a validated table of d's.
 */
static const char *frame_at(const struct domain *d, uint32_t va, mfn_t *m)
{
    pte_t e = d->pdpt[l3_index(va)];
    if (!pte_present(e))
        return "not mapped (no L2)";
    const pte_t *t = map_domain_page(pte_mfn(e));
    e = t[l2_index(va)];
    unmap_domain_page(t);
    if (!pte_present(e) || (e & _PAGE_PSE))
        return "not mapped (no L1)";
    t = map_domain_page(pte_mfn(e));
    e = t[l1_index(va)];
    unmap_domain_page(t);
    if (!pte_present(e))
        return "not mapped";
    *m = pte_mfn(e);
    return NULL;
}

static long refuse(struct domain *d, uint32_t base, unsigned entries, const char *why)
{
    guest_log(d, "set_ldt refused: linear_addr 0x%08x, %u entries: %s\n", base, entries, why);
    return -EINVAL;
}

/*
 * base and entries are guest-controlled, and checked here as Xen does
 * (entries, alignment, the range below the hole); the frames found are
 * checked by gdt_table_get(), which types them before it reads them.
 */
long ldt_set(struct domain *d, uint32_t base, unsigned entries)
{
    struct ldt *l = &ldts[d->id];
    mfn_t frame[LDT_PAGES], copy[LDT_PAGES];
    unsigned old_entries = l->entries, nr = pages_of(entries);

    if (!entries)
        base = 0;                               /* as Xen: no LDT, no address */
    if (entries > LDT_ENTRIES)
        return refuse(d, base, entries, "more than 8192 entries");
    if (base & (PAGE_SIZE - 1))
        return refuse(d, base, entries, "linear_addr not page-aligned");
    if (!guest_range_ok(base, entries * 8))
        return refuse(d, base, entries, "reaches the hypervisor area");
    for (unsigned i = 0; i < nr; i++) {
        const char *why = frame_at(d, base + i * PAGE_SIZE, &frame[i]);
        if (why) {
            char what[48];
            snprintf(what, sizeof(what), "page %u at 0x%08x %s", i, base + i * PAGE_SIZE, why);
            return refuse(d, base, entries, what);
        }
    }
    long rc = gdt_table_get(d, "set_ldt", frame, entries, copy);
    if (rc)
        return rc;
    /* Install the new LDT and load it before the old one is let go. */
    for (unsigned i = 0; i < LDT_PAGES; i++) {
        mfn_t f = l->frame[i], c = l->copy[i];
        l->frame[i] = i < nr ? frame[i] : INVALID_MFN;
        l->copy[i] = i < nr ? copy[i] : INVALID_MFN;
        frame[i] = f;
        copy[i] = c;
    }
    l->entries = entries;
    if (d == current || d == shown)
        show(d);
    gdt_table_put(d, frame, copy, old_entries);
    return 0;
}
