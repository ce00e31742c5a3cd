/* desc.h - the GDT, IDT and TSS: the CPU's tables of segments and gates. */
#ifndef ARCH_X86_DESC_H
#define ARCH_X86_DESC_H
#include "hypervisor/types.h"
#include "arch/x86/layout.h"

struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "hardware TSS layout");

/* Segment descriptor access bytes (type | S | DPL | P). */
#define DESC_CODE(dpl)  (0x9a | ((dpl) << 5))   /* present, code, readable */
#define DESC_DATA(dpl)  (0x92 | ((dpl) << 5))   /* present, data, writable */
#define DESC_TSS32      0x89                    /* present, available 32-bit TSS */
#define DESC_LDT        0x82                    /* present, LDT, DPL 0 */

uint64_t desc_make(uint32_t base, uint32_t limit, uint8_t access, bool page_granular);
void desc_init(void);
/* An AP's own GDT entries (0xe000 up to HV_LDT) and TSS. */
struct cpu_desc {
    uint64_t gdt[(HV_LDT >> 3) - FIRST_RESERVED_GDT_ENTRY + 1];
    struct tss tss;
};
/* Fill c and load it, the IDT and a null LDT on this CPU; stack_top is its ring-0 stack. */
void desc_init_cpu(struct cpu_desc *c, uint32_t stack_top);
/* The state the double fault interrupted (saved by the task switch). */
void desc_df_state(uint32_t *eip, uint32_t *esp, uint32_t *ebp, uint32_t *cr3);
/* The hypervisor's page of the GDT (entries 0xe000..), for the GDT mapping. */
extern uint64_t desc_hv_gdt_page[512];

struct domain;
void desc_set_ring1_stack(uint32_t ss, uint32_t esp);
void desc_set_fast_trap(const struct domain *d);
/* Per-domain parts of the IDT and TSS, when d is about to run. */
void desc_switch_to(const struct domain *d);
/* Load an LDT of `entries` descriptors at linear address base; 0 entries: none. */
void desc_set_ldt(uint32_t base, uint32_t entries);
#endif
