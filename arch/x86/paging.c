/*
 * paging.c - the hypervisor's own part of every address space.
 *
 * boot/multiboot.S left us running on 2 MiB pages: an identity map of the
 * low 64 MiB and the same memory at 0xFC000000 (the directmap, see
 * layout.h).  Here we add the other hypervisor regions to hv_l2, the master
 * copy of the hypervisor's L2 entries that every address space shares, and
 * then drop the identity map: from now on any address below 0xF5800000 is a
 * guest's, and a stray hypervisor access there faults instead of silently
 * reading low memory.
 */
#include "arch/x86/paging.h"
#include "arch/x86/desc.h"
#include "arch/x86/x86.h"
#include "hypervisor/lib.h"

#define MAPCACHE_SLOTS (MAPCACHE_SIZE / PAGE_SIZE)

static pte_t mapcache_l1[MAPCACHE_SLOTS] __attribute__((aligned(4096)));
static pte_t perdomain_l1[L1_ENTRIES] __attribute__((aligned(4096)));
static uint8_t zero_page[PAGE_SIZE] __attribute__((aligned(4096)));
static uint32_t mapcache_next;
static paddr_t bootmap_base = ~0ull;
static uint64_t global_flag;

static mfn_t image_mfn(const void *va) { return _mfn(directmap_pa(va) >> PAGE_SHIFT); }

/*
 * The 16 GDT pages live at GDT_VIRT_START in the per-domain area.  Until a
 * guest installs its own, the 14 guest pages show the zero page (all null
 * descriptors) and page 14 is the hypervisor's.
 */
static void gdt_map_idle(void)
{
    for (unsigned i = 0; i < 16; i++) {
        const void *page = i == FIRST_RESERVED_GDT_PAGE ? (const void *)desc_hv_gdt_page : zero_page;
        perdomain_l1[i] = pte_make(image_mfn(page), _PAGE_PRESENT | _PAGE_RW | global_flag);
    }
}

/*
 * Show machine frame m (a hypervisor-owned copy, see hypervisor/vcpu/gdt.c) as
 * guest GDT page i, or the zero page for INVALID_MFN.  The per-domain L1
 * is shared by every address space, so this changes what the CPU reads
 * for selectors i*512..i*512+511 everywhere, from the next load on.
 */
void paging_map_gdt_page(unsigned i, mfn_t m)
{
    BUG_ON(i >= FIRST_RESERVED_GDT_PAGE);
    if (mfn_eq(m, INVALID_MFN))
        m = image_mfn(zero_page);
    perdomain_l1[i] = pte_make(m, _PAGE_PRESENT | _PAGE_RW | global_flag);
    invlpg((const void *)(GDT_VIRT_START + i * PAGE_SIZE));
}

/*
 * Show machine frame m (a hypervisor-owned copy, see hypervisor/vcpu/ldt.c) as
 * LDT page i, or nothing for INVALID_MFN.  The LDT descriptor's limit
 * stops the CPU before any page that shows nothing.
 */
void paging_map_ldt_page(unsigned i, mfn_t m)
{
    BUG_ON(i >= LDT_PAGES);
    unsigned slot = (LDT_VIRT_START - PERDOMAIN_VIRT_START) / PAGE_SIZE + i;
    perdomain_l1[slot] = mfn_eq(m, INVALID_MFN) ? 0 : pte_make(m, _PAGE_PRESENT | _PAGE_RW | global_flag);
    invlpg((const void *)(LDT_VIRT_START + i * PAGE_SIZE));
}

/*
 * Map one page of device registers (machine address pa) uncached at
 * per-domain slot `slot`, after the GDT and LDT pages, and return its
 * address.  The per-domain L1 is shared by every address space, so the
 * mapping is everywhere at once; it is never undone.
 */
volatile void *paging_map_mmio(unsigned slot, paddr_t pa)
{
    unsigned first_free = (LDT_VIRT_START - PERDOMAIN_VIRT_START) / PAGE_SIZE + LDT_PAGES;
    BUG_ON(slot < first_free || slot >= L1_ENTRIES || pte_present(perdomain_l1[slot]));
    perdomain_l1[slot] = (pa & PTE_MFN_MASK) | _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | global_flag;
    uintptr_t va = PERDOMAIN_VIRT_START + slot * PAGE_SIZE;
    invlpg((const void *)va);
    return (volatile void *)va;
}

void paging_init(void)
{
    struct cpuid_regs r = cpuid(1, 0);
    if (r.edx & (1u << 13)) {                         /* PGE */
        write_cr4(read_cr4() | CR4_PGE);
        global_flag = _PAGE_GLOBAL;
    }
    for (uint32_t va = DIRECTMAP_VIRT_START; va; va += 1u << 21)
        hv_l2[L2_SLOT3_INDEX(va)] |= global_flag;

    for (unsigned i = 0; i < MAPCACHE_SLOTS / L1_ENTRIES; i++)
        hv_l2[L2_SLOT3_INDEX(MAPCACHE_VIRT_START) + i] =
            pte_make(image_mfn(&mapcache_l1[i * L1_ENTRIES]), _PAGE_PRESENT | _PAGE_RW);
    hv_l2[L2_SLOT3_INDEX(PERDOMAIN_VIRT_START)] =
        pte_make(image_mfn(perdomain_l1), _PAGE_PRESENT | _PAGE_RW);
    gdt_map_idle();

    boot_pdpt[0] = 0;                                 /* the identity map goes */
    write_cr3(read_cr3());
}

void *map_domain_page(mfn_t mfn)
{
    /* A ring of slots; a slot is reused only after a full lap. */
    for (unsigned tries = 0; tries < MAPCACHE_SLOTS; tries++) {
        uint32_t slot = mapcache_next++ % MAPCACHE_SLOTS;
        if (pte_present(mapcache_l1[slot]))
            continue;
        mapcache_l1[slot] = pte_make(mfn, _PAGE_PRESENT | _PAGE_RW);
        void *va = (void *)(MAPCACHE_VIRT_START + slot * PAGE_SIZE);
        invlpg(va);
        return va;
    }
    panic("map_domain_page: all %u mapcache slots in use (a missing unmap)", MAPCACHE_SLOTS);
}

void unmap_domain_page(const void *va)
{
    uint32_t slot = ((uint32_t)va - MAPCACHE_VIRT_START) >> PAGE_SHIFT;
    BUG_ON(slot >= MAPCACHE_SLOTS || !pte_present(mapcache_l1[slot]));
    mapcache_l1[slot] = 0;
    invlpg(va);
}

void phys_read(void *dst, paddr_t src, size_t n)
{
    uint8_t *d = dst;
    while (n) {
        uint32_t off = src & (PAGE_SIZE - 1);
        size_t chunk = MIN(n, PAGE_SIZE - off);
        const uint8_t *page = map_domain_page(_mfn(src >> PAGE_SHIFT));
        memcpy(d, page + off, chunk);
        unmap_domain_page(page);
        d += chunk, src += chunk, n -= chunk;
    }
}

/*
 * The boot window maps a physically contiguous range (a multiboot module)
 * so that parsers can see it as one buffer.  2 MiB pages, so a 32 MiB
 * window needs no page tables of its own.
 */
void *bootmap(paddr_t pa, size_t len)
{
    paddr_t base = pa & ~0x1fffffull;
    if (pa + len < pa || pa + len - base > BOOTMAP_SIZE)
        return NULL;
    bootunmap();
    unsigned first = L2_SLOT3_INDEX(BOOTMAP_VIRT_START);
    for (paddr_t p = base; p < pa + len; p += 1u << 21)
        hv_l2[first + (unsigned)((p - base) >> 21)] = (p & PTE_MFN_MASK) | _PAGE_PRESENT | _PAGE_RW | _PAGE_PSE;
    bootmap_base = base;
    write_cr3(read_cr3());
    return (void *)(uintptr_t)(BOOTMAP_VIRT_START + (uint32_t)(pa - base));
}

void bootunmap(void)
{
    if (bootmap_base == ~0ull)
        return;
    unsigned first = L2_SLOT3_INDEX(BOOTMAP_VIRT_START);
    for (unsigned i = 0; i < BOOTMAP_SIZE >> 21; i++)
        hv_l2[first + i] = 0;
    bootmap_base = ~0ull;
    write_cr3(read_cr3());
}
