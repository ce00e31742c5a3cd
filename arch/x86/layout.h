/*
 * layout.h - where everything lives in the hypervisor's 4 GiB.
 *
 * Xen's 32-bit PAE ABI gives the hypervisor the top 168 MiB of every
 * address space, from HYPERVISOR_VIRT_START (0xF5800000) up.  Guests own
 * everything below.  All of this sits in PAE L3 slot 3 (0xC0000000+), whose
 * L2 has 512 entries of 2 MiB; entries 428..511 belong to the hypervisor and
 * are the same in every address space.
 *
 *   0xF5800000 +------------------------+ HYPERVISOR_VIRT_START, L2 428
 *              | M2P (read-only to      |  machine frame -> guest pfn,
 *              | guests), 16 MiB        |  readable by every guest
 *   0xF6800000 +------------------------+ MACH2PHYS_VIRT_END, L2 436
 *              | boot window, 32 MiB    |  2 MiB pages onto arbitrary
 *              |                        |  physical ranges (modules)
 *   0xF8800000 +------------------------+ L2 452
 *              | per-domain area 4 MiB  |  GDT/LDT frames of the
 *              |                        |  running vCPU; the local APIC
 *              |                        |  page at 0xF89FF000 (slot 511)
 *   0xF8C00000 +------------------------+ L2 454
 *              | (unused)               |
 *   0xFBC00000 +------------------------+ L2 478
 *              | mapcache, 4 MiB        |  map_domain_page() slots
 *   0xFC000000 +------------------------+ L2 480
 *              | directmap, 64 MiB      |  machine 0..64 MiB, 2 MiB
 *              | (image at 0xFC100000)  |  global pages: the "xenheap"
 *   0xFFFFFFFF +------------------------+
 *
 * Ring 1 is "supervisor" to the paging unit, so nothing in this table is
 * protected from a guest kernel by page permissions.  The guest's segment
 * descriptors stop at MACH2PHYS_VIRT_END (so the M2P stays readable) and the
 * M2P's pages are read-only with CR0.WP set: that is the whole isolation.
 */
#ifndef ARCH_X86_LAYOUT_H
#define ARCH_X86_LAYOUT_H

#define HYPERVISOR_VIRT_START_ 0xF5800000u
#define MACH2PHYS_VIRT_START_  0xF5800000u
#define MACH2PHYS_VIRT_END_    0xF6800000u
#define BOOTMAP_VIRT_START     0xF6800000u
#define BOOTMAP_SIZE           0x02000000u
#define PERDOMAIN_VIRT_START   0xF8800000u
#define PERDOMAIN_SIZE         0x00400000u
#define MAPCACHE_VIRT_START    0xFBC00000u
#define MAPCACHE_SIZE          0x00400000u
#define DIRECTMAP_VIRT_START   0xFC000000u
#define DIRECTMAP_SIZE         0x04000000u

/* The hypervisor image is linked at DIRECTMAP_VIRT_START + its load address. */
#define HV_LOAD_PHYS 0x00100000u

/* L2 index (within L3 slot 3) of a virtual address in the top GiB. */
#define L2_SLOT3_INDEX(va) (((va) - 0xC0000000u) >> 21)
#define HV_FIRST_L2_SLOT   L2_SLOT3_INDEX(HYPERVISOR_VIRT_START_)   /* 428 */

/*
 * GDT: 16 pages (8192 entries).  Pages 0..13 belong to the guest (set_gdt);
 * pages 14..15 are the hypervisor's, starting at selector 0xe000, and hold
 * Xen's reserved selectors at fixed values every PV guest knows.
 */
#define GDT_ENTRIES          8192
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)   /* 7168 */
#define GDT_VIRT_START       PERDOMAIN_VIRT_START
/*
 * LDT: up to 16 pages (8192 entries) right after the GDT, where Xen puts
 * it.  They show the hypervisor's checked copy of the running domain's
 * LDT (hypervisor/vcpu/ldt.c); the CPU finds it through the LDT descriptor
 * HV_LDT in the hypervisor's GDT page.
 */
#define LDT_ENTRIES          8192
#define LDT_PAGES            16
#define LDT_VIRT_START       (GDT_VIRT_START + GDT_ENTRIES * 8)
#define HV_CS        0xe008
#define HV_DS        0xe010
#define RING1_CS     0xe019   /* FLAT_RING1_CS */
#define RING1_DS     0xe021   /* FLAT_RING1_DS */
#define RING3_CS     0xe02b   /* FLAT_RING3_CS */
#define RING3_DS     0xe033   /* FLAT_RING3_DS */
#define HV_TSS       0xe038
#define HV_DF_TSS    0xe040   /* the double-fault task's TSS */
#define HV_LDT       0xe048   /* the running domain's LDT (LDT_VIRT_START) */

#define HV_STACK_SIZE 16384
/* sizeof(struct cpu_regs) with esp/ss: the frame a trap from ring 1/3
 * leaves at the very top of the stack (checked in regs.h). */
#define GUEST_FRAME_SIZE 72

#endif
