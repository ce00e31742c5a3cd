/*
 * builder.c - turn a multiboot module into a running-ready PV domain.
 *
 * This reproduces Xen's start-of-day layout for a 32-bit PAE PV guest, so
 * that kernels written for Xen find everything where they expect it.  From
 * the image's virtual base upwards, each piece page aligned:
 *
 *   virt_base  +-------------------+  pfn 0 is here: VA = virt_base + pfn*4K
 *              | kernel image      |  the ELF's PT_LOAD segments, bss zeroed
 *              | (symbol table)    |  BSD_SYMTAB only: elf_symtab.c's area
 *              +-------------------+
 *              | (ramdisk)         |  dom.ramdisk=1: the next module's bytes
 *              +-------------------+
 *              | P2M list          |  nr_pages x 4 bytes: pfn -> mfn
 *              +-------------------+
 *              | start_info        |  ESI points here at entry
 *              +-------------------+
 *              | store page        |  xenstore ring (rings.c), as Xen's libxc
 *              | console page      |  console ring (console_ring.c)
 *              +-------------------+
 *              | page tables       |  L3, four L2s, then the L1s; mapped
 *              |                   |  read-only (only the hypervisor writes them)
 *              +-------------------+
 *              | boot stack        |  one page; ESP starts at its top
 *              +-------------------+
 *              | (spare)           |  >= 512 KiB, up to a 4 MiB boundary
 *      v_end   +-------------------+
 *
 * Everything in [virt_base, v_end) is mapped; nothing else is.  Guest L1
 * entries are Present|RW|Accessed without User: ring 1 counts as
 * supervisor, and leaving U clear keeps ring-3 tasks out of the kernel.
 * Every frame is zeroed before the guest sees it: a new domain must never
 * find an old domain's data.
 */
#include "hypervisor/domain/builder.h"
#include "hypervisor/domain/builder_opts.h"
#include "hypervisor/domain/builder_scan.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/share/grant.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"

#define L1_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED)
#define L1_PROT_RO (_PAGE_PRESENT | _PAGE_ACCESSED)
#define L2_PROT (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER)
#define MIB4 0x400000u
#define MIB2 0x200000u

struct layout {
    uint32_t v_start, ramdisk, ramdisk_len, p2m, start_info, pt, nr_pt, stack, v_end;
    uint32_t l1_base;          /* 2 MiB-aligned start of the first L1's range */
};

static uint32_t pfn_of(const struct layout *l, uint32_t va) { return (va - l->v_start) >> PAGE_SHIFT; }

/* Where everything goes; false if it does not fit in nr_pages. */
static bool compute_layout(const struct elf_image *img, uint32_t nr_pages, uint32_t ramdisk_len,
                           struct layout *l, char *err, size_t errlen)
{
    l->v_start = img->virt_base;
    l->ramdisk = ALIGN_UP(img->load_end, PAGE_SIZE);   /* after any BSD symtab */
    l->ramdisk_len = ramdisk_len;
    if (ramdisk_len > nr_pages * PAGE_SIZE) {
        snprintf(err, errlen, "a %u KiB ramdisk does not fit %u KiB (use mem=)",
                 ramdisk_len >> 10, nr_pages * 4);
        return false;
    }
    l->p2m = ALIGN_UP(l->ramdisk + ramdisk_len, PAGE_SIZE);
    l->start_info = ALIGN_UP(l->p2m + nr_pages * 4, PAGE_SIZE);
    l->pt = l->start_info + 3 * PAGE_SIZE;      /* start_info, store, console */
    l->l1_base = ALIGN_DOWN(l->v_start, MIB2);
    uint64_t v_end = 0;
    for (l->nr_pt = 1 + 4 + 1; ; l->nr_pt++) {
        l->stack = l->pt + l->nr_pt * PAGE_SIZE;
        uint64_t stack_end = (uint64_t)l->stack + PAGE_SIZE;
        v_end = ALIGN_UP(stack_end, (uint64_t)MIB4);
        if (v_end - stack_end < (512u << 10))
            v_end += MIB4;
        uint64_t nr_l1 = (ALIGN_UP(v_end, (uint64_t)MIB2) - l->l1_base) >> 21;
        if (1 + 4 + nr_l1 <= l->nr_pt)
            break;
    }
    if (v_end > HYPERVISOR_VIRT_START) {
        snprintf(err, errlen, "initial mapping [0x%08x-0x%08llx) reaches into the hypervisor hole",
                 l->v_start, (unsigned long long)v_end);
        return false;
    }
    l->v_end = (uint32_t)v_end;
    if ((l->v_end - l->v_start) / PAGE_SIZE > nr_pages) {
        snprintf(err, errlen, "image and bootstrap need %u KiB but the domain has %u KiB (use mem=)",
                 (l->v_end - l->v_start) >> 10, nr_pages * 4);
        return false;
    }
    return true;
}

/* Copy n bytes (or zeroes, if src is NULL) to guest VA va. */
static void domain_write(struct domain *d, const struct layout *l, uint32_t va, const void *src, uint32_t n)
{
    const uint8_t *s = src;
    while (n) {
        uint32_t off = va & (PAGE_SIZE - 1), chunk = MIN(n, PAGE_SIZE - off);
        uint8_t *page = domain_map_pfn(d, pfn_of(l, va));
        if (s)
            memcpy(page + off, s, chunk), s += chunk;
        else
            memset(page + off, 0, chunk);
        unmap_domain_page(page);
        va += chunk, n -= chunk;
    }
}

/*
 * vCPUs 1.. of a dom.vcpus=N domain, parked (vcpu_load.h): each down and
 * not initialised, with no cr3, its events masked in its own vcpu_info
 * slot, as Xen makes them; VCPUOP_initialise and VCPUOP_up bring them in.
 */
static bool take_vcpus(struct domain *d, struct xen_shared_info *si)
{
    mfn_t m = frame_alloc_low_range(VCPUS_PAGES(d->nr_vcpus));
    if (mfn_eq(m, INVALID_MFN))
        return false;
    d->vcpus = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    memset(d->vcpus, 0, VCPUS_PAGES(d->nr_vcpus) * PAGE_SIZE);
    for (unsigned n = 1; n < d->nr_vcpus; n++) {
        struct vcpu *v = &d->vcpus[n];
        si->vcpu_info[n].evtchn_upcall_mask = 1;
        v->vcpu_info = &si->vcpu_info[n];
        v->vcpu_info_mfn = v->cr3_mfn = INVALID_MFN;
        v->runstate.state = RUNSTATE_offline;
    }
    return true;
}

static bool take_memory(struct domain *d, uint32_t nr_pages)
{
    d->frames_array_pages = ALIGN_UP(nr_pages * sizeof(mfn_t), PAGE_SIZE) / PAGE_SIZE;
    mfn_t arr = frame_alloc_low_range(d->frames_array_pages);
    if (mfn_eq(arr, INVALID_MFN)) {
        d->frames_array_pages = 0;
        return false;
    }
    d->frames = directmap_va((paddr_t)mfn_x(arr) << PAGE_SHIFT);
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++)
        d->frames[pfn] = INVALID_MFN;
    d->nr_pages = nr_pages;
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        mfn_t m = frame_alloc();
        if (mfn_eq(m, INVALID_MFN))
            return false;
        d->frames[pfn] = m;
        d->tot_pages++;
        page_set_owner(m, (uint16_t)d->id);
        m2p_set(m, pfn);
        void *p = map_domain_page(m);
        memset(p, 0, PAGE_SIZE);
        unmap_domain_page(p);
    }
    d->shared_info = frame_alloc_low();              /* directmapped: see domain_shared_info */
    if (mfn_eq(d->shared_info, INVALID_MFN))
        return false;
    page_set_owner(d->shared_info, (uint16_t)d->id);      /* mappable by d alone; freed as d's */
    mfn_t pdpt = frame_alloc_low();
    if (mfn_eq(pdpt, INVALID_MFN))
        return false;
    d->pdpt = directmap_va((paddr_t)mfn_x(pdpt) << PAGE_SHIFT);
    BUG_ON(page_type_get(d, d->shared_info, PGT_WRITABLE)); /* for good: we write it, never a table */
    memset(d->pdpt, 0, PAGE_SIZE);
    struct xen_shared_info *si = domain_shared_info(d);
    memset(si, 0, PAGE_SIZE);
    si->vcpu_info[0].evtchn_upcall_mask = 1;     /* events start masked */
    d->vcpu_info = &si->vcpu_info[0];            /* until the guest moves it (vcpu_info.c) */
    return d->nr_vcpus == 1 || take_vcpus(d, si);
}

/*
 * All or nothing: on failure every frame taken so far goes back, so that
 * the error message's free count is what is really left for the next module.
 */
static bool alloc_memory(struct domain *d, uint32_t nr_pages)
{
    if (take_memory(d, nr_pages))
        return true;
    domain_free_memory(d, true);
    return false;
}

/* L3 and four L2s first, then one L1 per 2 MiB of [v_start, v_end). */
static void build_page_tables(struct domain *d, const struct layout *l)
{
    uint32_t l3_pfn = pfn_of(l, l->pt), l1_pfn = l3_pfn + 5;
    pte_t *l3 = domain_map_pfn(d, l3_pfn);
    for (unsigned slot = 0; slot < 4; slot++) {
        l3[slot] = pte_make(d->frames[l3_pfn + 1 + slot], _PAGE_PRESENT);
        d->pdpt[slot] = l3[slot];
    }
    unmap_domain_page(l3);

    pte_t *l2 = NULL, *l1 = NULL;
    unsigned cur_slot = ~0u;
    for (uint32_t va = l->v_start; va < l->v_end; va += PAGE_SIZE) {
        if (l3_index(va) != cur_slot) {
            if (l2)
                unmap_domain_page(l2);
            cur_slot = l3_index(va);
            l2 = domain_map_pfn(d, l3_pfn + 1 + cur_slot);
        }
        if (!l1 || l1_index(va) == 0) {
            if (l1)
                unmap_domain_page(l1);
            uint32_t pfn = l1_pfn + ((va - l->l1_base) >> 21);
            l2[l2_index(va)] = pte_make(d->frames[pfn], L2_PROT);
            l1 = domain_map_pfn(d, pfn);
        }
        bool is_pt = va >= l->pt && va < l->pt + l->nr_pt * PAGE_SIZE;
        l1[l1_index(va)] = pte_make(d->frames[pfn_of(l, va)], is_pt ? L1_PROT_RO : L1_PROT);
    }
    unmap_domain_page(l1);
    unmap_domain_page(l2);

    /* The hypervisor's slots of L3 slot 3 are the same in every address space. */
    pte_t *hv = domain_map_pfn(d, l3_pfn + 4);
    for (unsigned i = HV_FIRST_L2_SLOT; i < L2_ENTRIES; i++)
        hv[i] = hv_l2[i];
    unmap_domain_page(hv);
}

/* Xen's hypercall page: a 32-byte stub per hypercall number. */
static void fill_hypercall_page(struct domain *d, const struct layout *l, uint32_t va)
{
    uint8_t *p = domain_map_pfn(d, pfn_of(l, va));
    for (uint32_t nr = 0; nr < PAGE_SIZE / 32; nr++) {
        uint8_t *s = p + nr * 32;
        bool iret = nr == __HYPERVISOR_iret;
        /* iret must not use the stack after the trap: push %eax first; it never returns. */
        if (iret)
            *s++ = 0x50;                                 /* push %eax */
        s[0] = 0xb8; memcpy(&s[1], &nr, 4);              /* mov $nr,%eax */
        s[5] = 0xcd; s[6] = 0x82;                        /* int $0x82 */
        if (!iret)
            s[7] = 0xc3;                                 /* ret */
    }
    unmap_domain_page(p);
}

static void write_start_info(struct domain *d, const struct layout *l, const struct domain_opts *o)
{
    static struct xen_start_info si;            /* too big for the stack */
    memset(&si, 0, sizeof(si));
    snprintf(si.magic, sizeof(si.magic), "xen-3.0-x86_32p");
    si.nr_pages = d->nr_pages;
    si.shared_info = mfn_x(d->shared_info) << PAGE_SHIFT;
    si.flags = d->initdomain ? SIF_INITDOMAIN | SIF_PRIVILEGED : 0;
    si.pt_base = l->pt;
    si.nr_pt_frames = l->nr_pt;
    si.mfn_list = l->p2m;
    if (l->ramdisk_len) {
        si.mod_start = l->ramdisk;              /* a virtual address, as Xen's PV builder */
        si.mod_len = l->ramdisk_len;
    }
    snprintf(si.cmd_line, sizeof(si.cmd_line), "%s", o->guest_cmdline);
    domain_write(d, l, l->start_info, &si, sizeof(si));
    /* mfn_t is one uint32_t, so our frames[] has the P2M's exact layout. */
    _Static_assert(sizeof(mfn_t) == 4, "P2M entries are 32-bit");
    domain_write(d, l, l->p2m, d->frames, d->nr_pages * 4);
}

static void set_entry_state(struct domain *d, const struct elf_image *img, const struct layout *l)
{
    struct cpu_regs *r = &d->regs;
    memset(r, 0, sizeof(*r));
    r->eip = img->entry;
    r->esp = l->stack + PAGE_SIZE;
    r->esi = l->start_info;
    r->cs = RING1_CS;
    r->ss = r->ds = r->es = r->fs = r->gs = RING1_DS;
    r->eflags = 0x202;              /* IF: real interrupts stay on in guests */
}

/* The initial domain by default: the first module built that is no service. */
static bool guest_built_before(const struct domain *d)
{
    for (unsigned i = 0; i < d->id; i++)
        if (domains[i]->state != DOMAIN_NOT_BUILT && !domains[i]->service)
            return true;
    return false;
}

/* Refuse the module: the boot window goes (bootunmap() does nothing if none is mapped). */
static bool fail(struct domain *d, unsigned index, const struct boot_module *m, const char *why)
{
    bootunmap();
    hvlog("error: module %u (%s): %s; d%u not built\n", index, m->cmdline, why, d->id);
    snprintf(d->end_reason, sizeof(d->end_reason), "not built: %s", why);
    d->state = DOMAIN_NOT_BUILT;
    domain_destroy(d);
    domain_reap(d, true);                /* now: the next module may need the memory */
    return false;
}

bool builder_wants_ramdisk(const struct boot_module *m)
{
    static struct domain_opts o;
    char err[8];
    o = (struct domain_opts){ 0 };
    return m->usable && builder_opts_parse(m->cmdline, &o, err, sizeof(err)) && o.ramdisk;
}

bool builder_build(struct domain *d, const struct boot_module *m, unsigned index,
                   const struct boot_module *ramdisk)
{
    static struct elf_image img;             /* boot-time only: static, off the stack */
    static struct domain_opts o;
    o = (struct domain_opts){ .mem_mib = DOMAIN_DEFAULT_MIB, .policy = hv_opts.policy };
    struct layout l;
    char err[160];

    if (!m->usable)
        return fail(d, index, m, m->why);
    if (!builder_opts_parse(m->cmdline, &o, err, sizeof(err)))
        return fail(d, index, m, err);
    if (o.mem_mib > DOMAIN_MAX_MIB) {
        snprintf(err, sizeof(err), "mem=%uM is more than the %u MiB a domain may have",
                 o.mem_mib, DOMAIN_MAX_MIB);
        return fail(d, index, m, err);
    }
    if (o.name[0])
        snprintf(d->name, sizeof(d->name), "%s", o.name);
    d->policy = o.policy;
    d->tsc = o.tsc;
    if (o.weight)
        d->weight = o.weight;
    d->service = o.service;
    d->disk = o.disk;
    d->initdomain = o.initdomain_given ? o.initdomain : !o.service && !guest_built_before(d);
    d->max_grant_frames = o.max_grant_frames;
    d->nr_vcpus = (uint8_t)(o.vcpus ? o.vcpus : 1);

    const void *image = bootmap(m->start, (size_t)(m->end - m->start));
    if (!image)
        return fail(d, index, m, "module larger than the 32 MiB boot window");
    /* Each returns 0 (or true) or writes its reason to err. */
    if (elf_parse(image, (size_t)(m->end - m->start), &img, err, sizeof(err)) ||
        elf_check_fits(&img, o.mem_mib << 20, err, sizeof(err)) ||
        !builder_scan(d->id, &img, image, (size_t)(m->end - m->start), o.scan, err, sizeof(err)))
        return fail(d, index, m, err);
    uint32_t nr_pages = o.mem_mib << (20 - PAGE_SHIFT);
    if (o.ramdisk && (!ramdisk || !ramdisk->usable))
        return fail(d, index, m, ramdisk ? ramdisk->why : "dom.ramdisk=1 but no module follows");
    uint32_t rd_len = ramdisk ? (uint32_t)(ramdisk->end - ramdisk->start) : 0;
    if (!compute_layout(&img, nr_pages, rd_len, &l, err, sizeof(err)))
        return fail(d, index, m, err);
    if (!alloc_memory(d, nr_pages) || grant_table_init(d)) {
        /* Counted after alloc_memory() gave back its partial allocation. */
        uint32_t free_kib = frame_free_count() * (PAGE_SIZE >> 10);
        snprintf(err, sizeof(err), "out of memory: dom.mem=%uM asked, but only %u KiB "
                 "(%u frames) are free", o.mem_mib, free_kib, frame_free_count());
        return fail(d, index, m, err);
    }
    for (unsigned i = 0; i < img.nseg; i++)
        domain_write(d, &l, img.seg[i].vaddr, (const uint8_t *)image + img.seg[i].offset,
                     img.seg[i].filesz);        /* the bss tail is already zero */
    const struct elf_symtab *st = &img.symtab;  /* BSD_SYMTAB: elf_symtab.c */
    if (st->loaded) {                           /* its padding is already zero */
        domain_write(d, &l, st->va, st->head, sizeof(st->head));
        domain_write(d, &l, st->va + sizeof(st->head), (const uint8_t *)image + st->sym_off,
                     st->sym_len);
        domain_write(d, &l, st->va + st->str_at, (const uint8_t *)image + st->str_off,
                     st->str_len);
    }
    if (img.bsd_symtab)
        hvlog("d%u: BSD_SYMTAB: %s\n", d->id, st->what);
    bootunmap();
    if (rd_len) {                               /* one boot window at a time */
        const void *rd = bootmap(ramdisk->start, rd_len);
        if (!rd)
            return fail(d, index, m, "ramdisk larger than the 32 MiB boot window");
        domain_write(d, &l, l.ramdisk, rd, rd_len);
        bootunmap();
        hvlog("d%u: ramdisk %u KiB at 0x%08x\n", d->id, (rd_len + 1023) >> 10, l.ramdisk);
    }
    build_page_tables(d, &l);
    if (img.has_hypercall_page)
        fill_hypercall_page(d, &l, img.hypercall_page);
    write_start_info(d, &l, &o);
    d->start_info_pfn = pfn_of(&l, l.start_info);
    d->store_pfn = d->start_info_pfn + 1;
    set_entry_state(d, &img, &l);
    /*
     * Type the bootstrap tables as a guest's own would be: validating the
     * L3 takes every reference below it.  One type reference is CR3's, one
     * is a pin, as Xen's domain builder leaves them.  Our own layout must
     * pass our own rules; failing is a hypervisor bug.
     */
    d->cr3_mfn = d->frames[pfn_of(&l, l.pt)];
    BUG_ON(page_type_get(d, d->cr3_mfn, PGT_L3) != 0);
    BUG_ON(page_type_get(d, d->cr3_mfn, PGT_L3) != 0);
    page_info(d->cr3_mfn)->flags |= PGF_PINNED;
    d->state = DOMAIN_RUNNABLE;
    hvlog("d%u (%s): %u MiB, virt_base 0x%08x, entry 0x%08x, mapped 0x%08x-0x%08x%s\n",
          d->id, d->name, o.mem_mib, l.v_start, img.entry, l.v_start, l.v_end,
          d->initdomain ? ", initial domain" : "");
    if (d->service)
        hvlog("d%u: %s (service)\n", d->id, d->service == SERVICE_XENSTORE ? "xenstored" : "blkback");
    return true;
}
