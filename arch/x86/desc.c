/*
 * desc.c - build the GDT, IDT and TSS and load them.
 *
 * The GDT follows Xen's layout so that unmodified Xen guests find their
 * selectors: it is 16 pages long, the first 14 pages are the guest's own
 * (installed later with set_gdt) and the hypervisor owns everything from
 * selector 0xe000.  The guest selectors we provide there (FLAT_RING1_CS and
 * friends) are flat, but stop at MACH2PHYS_VIRT_END: ring 1 counts as
 * supervisor for the paging unit, so these limits are the only thing that
 * keeps a guest kernel out of the hypervisor's memory.
 *
 * Almost every IDT gate is DPL 0, so a guest's `int $n` takes a #GP
 * instead, which the hypervisor sees and can judge.  The exceptions, each
 * set by its STUB line in entry.S: the hypercall gate 0x82 (DPL 1, guest
 * kernels only) and #BP/#OF (DPL 3, so int3 and into work as on hardware).
 */
#include "arch/x86/desc.h"
#define X86_EXC_DF_VECTOR 8
#include "arch/x86/layout.h"
#include "arch/x86/x86.h"
#include "arch/x86/paging.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"

uint64_t desc_hv_gdt_page[512] __attribute__((aligned(4096)));

static struct tss tss;

/*
 * The double-fault task.  A #DF usually means the hypervisor's own stack is
 * gone (overflowed, or ESP corrupted), so its handler cannot run on that
 * stack: the IDT entry for vector 8 is a task gate, and the CPU switches to
 * this TSS - a fresh stack and known segments - saving the broken state in
 * the main TSS, where the panic code can read it.
 */
static struct tss df_tss;
static uint8_t df_stack[4096] __attribute__((aligned(16)));
void double_fault_task(void) __noreturn;

struct gate { uint16_t off_lo, sel; uint8_t zero, type; uint16_t off_hi; } __packed;
static struct gate idt[256];

/* What entry.S assembled: one (stub address, vector | dpl << 8) per vector. */
struct idt_stub { uint32_t addr, info; };
extern const struct idt_stub __idt_stubs_start[], __idt_stubs_end[];

uint64_t desc_make(uint32_t base, uint32_t limit, uint8_t access, bool page_granular)
{
    uint64_t d = (limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16);
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit >> 16) & 0xf) << 48;
    d |= (uint64_t)(page_granular ? 0xc : 0x4) << 52;      /* G, D/B=32-bit */
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

static void gdt_init(void)
{
    /* Guest-usable flat segments end just below MACH2PHYS_VIRT_END. */
    uint32_t guest_limit = (MACH2PHYS_VIRT_END_ >> 12) - 1;
#define HV_SLOT(sel) desc_hv_gdt_page[((sel) >> 3) - FIRST_RESERVED_GDT_ENTRY]
    HV_SLOT(HV_CS) = desc_make(0, 0xfffff, DESC_CODE(0), true);
    HV_SLOT(HV_DS) = desc_make(0, 0xfffff, DESC_DATA(0), true);
    HV_SLOT(RING1_CS) = desc_make(0, guest_limit, DESC_CODE(1), true);
    HV_SLOT(RING1_DS) = desc_make(0, guest_limit, DESC_DATA(1), true);
    HV_SLOT(RING3_CS) = desc_make(0, guest_limit, DESC_CODE(3), true);
    HV_SLOT(RING3_DS) = desc_make(0, guest_limit, DESC_DATA(3), true);
    HV_SLOT(HV_TSS) = desc_make((uint32_t)&tss, sizeof(tss) - 1, DESC_TSS32, false);
    HV_SLOT(HV_DF_TSS) = desc_make((uint32_t)&df_tss, sizeof(df_tss) - 1, DESC_TSS32, false);
#undef HV_SLOT
}

static void idt_init(void)
{
    for (const struct idt_stub *s = __idt_stubs_start; s < __idt_stubs_end; s++) {
        unsigned vec = s->info & 0xff, dpl = (s->info >> 8) & 3;
        idt[vec] = (struct gate){
            .off_lo = s->addr & 0xffff, .sel = HV_CS,
            .type = 0x8e | (dpl << 5),            /* present 32-bit interrupt gate */
            .off_hi = s->addr >> 16,
        };
    }
    idt[X86_EXC_DF_VECTOR] = (struct gate){ .sel = HV_DF_TSS, .type = 0x85 };   /* task gate */
}

/* What the double-fault task needs to report the state it interrupted. */
void desc_df_state(uint32_t *eip, uint32_t *esp, uint32_t *ebp, uint32_t *cr3)
{
    *eip = tss.eip, *esp = tss.esp, *ebp = tss.ebp, *cr3 = tss.cr3;
}

static void df_task_init(void)
{
    df_tss = (struct tss){
        .eip = (uint32_t)double_fault_task, .esp = (uint32_t)df_stack + sizeof(df_stack),
        .cs = HV_CS, .ss = HV_DS, .ds = HV_DS, .es = HV_DS, .fs = HV_DS, .gs = HV_DS,
        .ss0 = HV_DS, .esp0 = (uint32_t)df_stack + sizeof(df_stack),
        .cr3 = (uint32_t)directmap_pa(boot_pdpt), .eflags = 0x2,
        .iomap_base = sizeof(struct tss),
    };
}

/*
 * The ring-1 stack in the real TSS.  The CPU uses it only for one path:
 * a ring-3 "int $0x80" through the fast-trap gate below, which enters the
 * guest kernel directly without the hypervisor.
 */
void desc_set_ring1_stack(uint32_t ss, uint32_t esp)
{
    tss.ss1 = ss;
    tss.esp1 = esp;
}

static struct gate default_0x80;

/*
 * Xen's "fast trap": if the guest's handler for int $0x80 is open to ring
 * 3 and does not mask events, install it as a real trap gate (DPL 3,
 * target = the guest's ring-1 code), so system calls reach the guest
 * kernel with no hypervisor on the path.  Otherwise gate 0x80 stays the
 * hypervisor's DPL 0 gate, and int $0x80 is bounced in software.
 * On that path the CPU pushes its frame at the TSS's ring-1 stack and
 * checks only the segment limit, which QEMU's TCG ignores: so the gate is
 * live only while the kernel stack and the handler lie below the hole.
 * stack_switch and set_trap_table refuse such values already; this second
 * check keeps the gate safe whatever path changes them (and whenever a
 * domain is switched in).  Called whenever either can change.
 */
void desc_set_fast_trap(const struct domain *d)
{
    const struct vcpu_trap *t = &d->vcpu.traps[0x80];
    bool stack_ok = d->vcpu.kernel_ss == RING1_DS && guest_stack_ok(d->vcpu.kernel_sp);
    if (!default_0x80.type)
        default_0x80 = idt[0x80];
    if (t->address && (t->flags & 3) == 3 && !(t->flags & 4) && (t->cs & 3) == 1 &&
        stack_ok && guest_code_ok(t->address))
        idt[0x80] = (struct gate){
            .off_lo = t->address & 0xffff, .sel = t->cs,
            .type = 0xef,                 /* present, DPL 3, 32-bit trap gate */
            .off_hi = t->address >> 16,
        };
    else
        idt[0x80] = default_0x80;
}

void desc_switch_to(const struct domain *d)
{
    desc_set_ring1_stack(d->vcpu.kernel_ss, d->vcpu.kernel_sp);
    desc_set_fast_trap(d);
}

/*
 * The LDT the CPU uses: `entries` descriptors at linear address base (the
 * hypervisor's checked copy, see hypervisor/vcpu/ldt.c), or none.  The LDT
 * descriptor lives in the hypervisor's page of the GDT, DPL 0, so only
 * lldt here can use it; a guest selector naming 0xe048 meets a system
 * descriptor and faults.  lldt reads the descriptor once, so it is
 * reloaded whenever base or size change.
 */
void desc_set_ldt(uint32_t base, uint32_t entries)
{
    if (!entries) {
        lldt(0);                      /* every LDT selector now faults */
        return;
    }
    uint64_t d = desc_make(base, entries * 8 - 1, DESC_LDT, false);
    desc_hv_gdt_page[(HV_LDT >> 3) - FIRST_RESERVED_GDT_ENTRY] = d & ~(1ull << 54);   /* no D/B */
    lldt(HV_LDT);
}

/* Load a GDT, the IDT, the TSS and a null LDT on this CPU. */
static void load_tables(uint32_t gdt_base, uint16_t gdt_limit)
{
    struct desc_ptr gdtr = { gdt_limit, gdt_base };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint32_t)idt };
    lgdt(&gdtr);
    load_segments(HV_CS, HV_DS);
    lidt(&idtr);
    ltr(HV_TSS);
    /*
     * A null LDT.  Whatever the firmware left in LDTR would otherwise stay,
     * and an LDT based in guest memory lets a guest write its own ring-0
     * code descriptor and call gate: every LDT selector must #GP instead.
     */
    lldt(0);
}

void desc_init(void)
{
    gdt_init();
    df_task_init();
    idt_init();
    extern char hv_stack[];
    tss.ss0 = HV_DS;
    tss.esp0 = (uint32_t)hv_stack + HV_STACK_SIZE;
    tss.iomap_base = sizeof(tss);     /* no I/O bitmap: ring 1/3 get no ports */

    load_tables(GDT_VIRT_START, GDT_ENTRIES * 8 - 1);
}

/*
 * An AP's own tables (hypervisor/smp.c): a copy of the hypervisor's GDT
 * entries with its own TSS, whose ring-0 stack is stack_top.  As Xen does
 * for its per-CPU GDTs, the GDTR's base is set 0xe000 bytes before the
 * copy, so the selectors are the same as on the boot CPU; nothing on an AP
 * loads a selector below 0xe000.  The IDT is the boot CPU's.
 */
void desc_init_cpu(struct cpu_desc *c, uint32_t stack_top)
{
    memcpy(c->gdt, desc_hv_gdt_page, sizeof(c->gdt));
    c->gdt[(HV_TSS >> 3) - FIRST_RESERVED_GDT_ENTRY] =
        desc_make((uint32_t)&c->tss, sizeof(c->tss) - 1, DESC_TSS32, false);
    c->tss = (struct tss){ .ss0 = HV_DS, .esp0 = stack_top, .iomap_base = sizeof(c->tss) };
    load_tables((uint32_t)c->gdt - FIRST_RESERVED_GDT_ENTRY * 8,
                (FIRST_RESERVED_GDT_ENTRY + ARRAY_SIZE(c->gdt)) * 8 - 1);
}
