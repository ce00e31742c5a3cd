/* paging.h - the hypervisor's own mappings: directmap, mapcache, boot window. */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H
#include "hypervisor/types.h"
#include "arch/x86/layout.h"
#include "arch/x86/page.h"

void paging_init(void);

/* Machine addresses below DIRECTMAP_SIZE are always mapped, at a fixed offset. */
static inline void *directmap_va(paddr_t pa) { return (void *)(uintptr_t)(DIRECTMAP_VIRT_START + (uint32_t)pa); }
static inline paddr_t directmap_pa(const void *va) { return (uint32_t)(uintptr_t)va - DIRECTMAP_VIRT_START; }
static inline bool directmap_covers(paddr_t pa, size_t len) { return pa + len <= DIRECTMAP_SIZE && pa + len >= pa; }

/*
 * map_domain_page: a short-lived mapping of any machine frame, in the style
 * of Xen's.  Most of RAM is not mapped in the hypervisor at all (the hole
 * is 168 MiB, RAM may be 3.5 GiB), so every access to a frame that is not
 * in the directmap goes through one of these slots.  Pair every map with
 * an unmap.
 */
void *map_domain_page(mfn_t mfn);
void unmap_domain_page(const void *va);

/* Map guest GDT page i (0..13) to frame m, or to the zero page for INVALID_MFN. */
void paging_map_gdt_page(unsigned i, mfn_t m);
/* Map LDT page i (0..15) to frame m, or unmap it for INVALID_MFN. */
void paging_map_ldt_page(unsigned i, mfn_t m);

/*
 * Map the device page at machine address pa uncached (PCD|PWT) at per-domain
 * slot `slot` (above the GDT and LDT pages, below 512), in every address
 * space at once, for good.  Returns its virtual address.
 */
volatile void *paging_map_mmio(unsigned slot, paddr_t pa);

/* Copy from/to any machine address, page by page through the mapcache. */
void phys_read(void *dst, paddr_t src, size_t n);

/* Map [pa, pa+len) contiguously in the boot window (one at a time). */
void *bootmap(paddr_t pa, size_t len);
void bootunmap(void);

/* PAE PDPT of the idle address space (hypervisor only). */
extern pte_t boot_pdpt[4];
extern pte_t hv_l2[L2_ENTRIES];
#endif
