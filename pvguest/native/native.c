/*
 * native - the bench workloads on bare hardware, for PV/native ratios.
 *
 * As the Xen paper compared XenoLinux with native Linux, tools/bench
 * compares pvguest/tests/bench with this: a tiny ring-0 kernel, booted by
 * QEMU -kernel (multiboot) with no hypervisor, that runs the same loops
 * with the hardware's own mechanisms and prints the same kind of line,
 * "bench: <row> <n> <ticks>", on the serial port.  Under -icount the
 * ticks are instructions, as for the PV guest:
 *   - syscall: ring 3 runs int $0x80 through a DPL 3 gate to a ring-0
 *     handler that checks EAX as the PV one does and irets (the PV fast
 *     trap runs the same instructions);
 *   - int3: int3 from ring 0 to an iret (the PV row bounces it);
 *   - page-fault: a store to a not-present page; the handler writes the
 *     PTE and irets; the loop then clears the PTE and invlpg's it;
 *   - pte-update: one PTE store and its invlpg (update_va_mapping);
 *   - cr3-switch: mov to CR3 between two PAE page-directory-pointer
 *     tables (MMUEXT_NEW_BASEPTR);
 *   - task-switch-pair: two tasks switching to each other: the TSS's
 *     ring-0 stack, CR3 (the same for both, as in the PV row), then the
 *     registers and the stack; one loop is two switches;
 *   - aspace-create-destroy and fork-exit: an address space made and
 *     given back, without and with a child run in it (space_life()).
 * It then ends QEMU through the isa-debug-exit port (tools/run's machine).
 * Not a general kernel: no interrupts are ever enabled.
 */
#include <stdint.h>
#include "pvguest/tests/bench/task_stack.h"

#define N_DEFAULT 2000
#define PTE_P  0x1u
#define PTE_RW 0x2u
#define PTE_US 0x4u
#define PTE_PS 0x80u

/* head.S */
void native_sys(void), native_bp(void), native_pf(void), native_home(void);
void native_user_syscalls(void);
void native_ring3(void (*loop)(void));
void native_switch(uint32_t *save, uint32_t to);
uint32_t native_saved_esp, native_count, native_pf_val;
volatile uint32_t *native_pf_pte;
uint64_t native_ticks;
void native_main(void);

struct gate { uint16_t off_lo, sel; uint8_t zero, type; uint16_t off_hi; };
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
};

static uint64_t gdt[6];
static struct gate idt[256];
static struct tss tss;
static uint8_t ring0_stack[4096] __attribute__((aligned(16)));
/* Two PDPTs over the same directories, so that a CR3 switch changes CR3. */
static uint64_t pdpt[2][4] __attribute__((aligned(32)));
static uint64_t l2[4][512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));      /* the first 2 MiB, 4 KiB pages */
static uint8_t victim_page[4096] __attribute__((aligned(4096)));

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void puts_serial(const char *s)
{
    for (; *s; s++)
        outb(0x3f8, (uint8_t)*s);
}

/* Decimal, for the one line format; 64-bit values without libgcc division. */
static char *udec(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        uint64_t q = 0, r = 0;
        for (int b = 63; b >= 0; b--) {          /* v / 10 by shift and subtract */
            r = r << 1 | ((v >> b) & 1);
            if (r >= 10) {
                r -= 10;
                q |= 1ull << b;
            }
        }
        tmp[n++] = (char)('0' + r);
        v = q;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static void row(const char *name, uint32_t n, uint64_t ticks)
{
    char line[96], *p = line;
    for (const char *s = "bench: "; *s; )
        *p++ = *s++;
    while (*name)
        *p++ = *name++;
    *p++ = ' ';
    p = udec(p, n);
    *p++ = ' ';
    p = udec(p, ticks);
    *p++ = '\n';
    *p = 0;
    puts_serial(line);
}

static uint64_t seg(uint32_t access, uint32_t flags)      /* flat 4 GiB */
{
    return 0xffffull | (uint64_t)access << 40 | (uint64_t)(0xc | flags) << 52 | 0xfull << 48;
}

static void set_gate(unsigned v, void (*fn)(void), unsigned dpl)
{
    uint32_t a = (uint32_t)fn;
    idt[v] = (struct gate){ a & 0xffff, 0x08, 0, (uint8_t)(0x8f | dpl << 5), a >> 16 };
}

static void setup(void)
{
    gdt[1] = seg(0x9a, 0);                    /* 0x08 ring-0 code */
    gdt[2] = seg(0x92, 0);                    /* 0x10 ring-0 data */
    gdt[3] = seg(0xfa, 0);                    /* 0x1b ring-3 code */
    gdt[4] = seg(0xf2, 0);                    /* 0x23 ring-3 data */
    uint32_t t = (uint32_t)&tss;
    gdt[5] = (sizeof(tss) - 1) | (uint64_t)(t & 0xffffff) << 16 | 0x89ull << 40 |
             (uint64_t)(t >> 24) << 56;       /* 0x28 TSS */
    tss.ss0 = 0x10;
    tss.esp0 = (uint32_t)ring0_stack + sizeof(ring0_stack);
    tss.iomap = sizeof(tss);
    struct { uint16_t limit; uint32_t base; } __attribute__((packed))
        g = { sizeof(gdt) - 1, (uint32_t)gdt }, d = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ __volatile__("lgdt %0\n\t"
                         "ljmp $0x08, $1f\n1:\t"
                         "movl $0x10, %%eax\n\t"
                         "movl %%eax, %%ds\n\tmovl %%eax, %%es\n\tmovl %%eax, %%ss\n\t"
                         "movl %%eax, %%fs\n\tmovl %%eax, %%gs\n\t"
                         "lidt %1\n\t"
                         "movw $0x28, %%ax\n\tltr %%ax"
                         :: "m"(g), "m"(d) : "eax", "memory");
    set_gate(0x80, native_sys, 3);
    set_gate(0x81, native_home, 3);
    set_gate(3, native_bp, 0);
    set_gate(14, native_pf, 0);

    /* PAE: the first 2 MiB in 4 KiB pages, the rest of 1 GiB in 2 MiB pages;
     * all user-accessible, so ring 3 can run our code and use our stack. */
    for (unsigned i = 0; i < 512; i++)
        l1[i] = (uint64_t)i * 4096 | PTE_P | PTE_RW | PTE_US;
    l2[0][0] = (uint32_t)l1 | PTE_P | PTE_RW | PTE_US;
    for (unsigned i = 1; i < 512; i++)
        l2[0][i] = (uint64_t)i << 21 | PTE_P | PTE_RW | PTE_US | PTE_PS;
    for (unsigned k = 0; k < 2; k++)
        for (unsigned j = 0; j < 4; j++)
            pdpt[k][j] = (uint32_t)l2[j] | PTE_P;
    __asm__ __volatile__("movl %%cr4, %%eax\n\torl $0x20, %%eax\n\tmovl %%eax, %%cr4\n\t"
                         "movl %0, %%cr3\n\t"
                         "movl %%cr0, %%eax\n\torl $0x80000000, %%eax\n\tmovl %%eax, %%cr0"
                         :: "r"(pdpt[0]) : "eax", "memory");
}

static uint32_t task_sp[2], task_esp0[2];
static uint8_t task1_stack[4096] __attribute__((aligned(16)));

static void ctx_switch(unsigned from, unsigned to)
{
    tss.esp0 = task_esp0[to];
    __asm__ __volatile__("movl %0, %%cr3" :: "r"(pdpt[0]) : "memory");
    native_switch(&task_sp[from], task_sp[to]);
}

static void __attribute__((noreturn)) task1(void)
{
    for (;;)
        ctx_switch(1, 0);
}

static void tasks_setup(void)
{
    task_sp[1] = task_stack_init(task1_stack, sizeof(task1_stack), task1);
    task_esp0[0] = tss.esp0;
    task_esp0[1] = (uint32_t)(task1_stack + sizeof(task1_stack) / 2);
}

/*
 * Address spaces as a native PAE kernel makes them (Linux's pgd_alloc
 * with the kernel's L2s shared, not copied: only a PV kernel must copy
 * them): a 32-byte PDPT, and a cleared L2 and L1 for the user part, from
 * a pool of frames; the fork row also copies the parent's pages into the
 * child's, maps them, runs the child (CR3 to it, a write to each page,
 * CR3 back).  Destroying the space gives the frames back.  The PV bench
 * guest does the same through the hypervisor (its space_life()).
 */
#define SPACE_VA    0x40000000u     /* PDPT slot 1: the child's pages */
#define SPACE_PAGES 4
static uint8_t space_pool[2 + SPACE_PAGES][4096] __attribute__((aligned(4096)));
static uint8_t *space_free[2 + SPACE_PAGES];
static unsigned space_nfree;
static uint64_t space_l3[4] __attribute__((aligned(32)));
static uint32_t space_parent[SPACE_PAGES][1024] __attribute__((aligned(4096)));

static void clear_page(void *p)
{
    uint32_t n = 1024;
    __asm__ __volatile__("rep stosl" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

static void copy_page(void *d, const void *s)
{
    uint32_t n = 1024;
    __asm__ __volatile__("rep movsl" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
}

static void space_life(unsigned pages)
{
    enum { L2U, L1, DATA };
    uint8_t *f[DATA + SPACE_PAGES];
    for (unsigned i = 0; i < DATA + pages; i++)
        f[i] = space_free[--space_nfree];
    clear_page(f[L2U]);
    clear_page(f[L1]);
    uint64_t *l2u = (uint64_t *)f[L2U], *l1u = (uint64_t *)f[L1];
    space_l3[0] = pdpt[0][0];                 /* the kernel's L2s: shared */
    space_l3[1] = (uint32_t)l2u | PTE_P;
    space_l3[2] = pdpt[0][2];
    space_l3[3] = pdpt[0][3];
    l2u[0] = (uint32_t)l1u | PTE_P | PTE_RW | PTE_US;
    for (unsigned i = 0; i < pages; i++) {
        copy_page(f[DATA + i], space_parent[i]);
        l1u[i] = (uint32_t)f[DATA + i] | PTE_P | PTE_RW | PTE_US;
    }
    if (pages) {
        __asm__ __volatile__("movl %0, %%cr3" :: "r"(space_l3) : "memory");
        for (unsigned i = 0; i < pages; i++)
            ((volatile uint32_t *)(SPACE_VA + i * 4096))[1] = i;
        __asm__ __volatile__("movl %0, %%cr3" :: "r"(pdpt[0]) : "memory");
    }
    for (unsigned i = DATA + pages; i-- > 0; )
        space_free[space_nfree++] = f[i];
}

#define TIME(name, n, body)                                   \
    do {                                                      \
        uint64_t t0 = rdtsc();                                \
        for (uint32_t i_ = 0; i_ < (n); i_++) {               \
            body;                                             \
        }                                                     \
        row(name, n, rdtsc() - t0);                           \
    } while (0)

void native_main(void)
{
    uint32_t n = N_DEFAULT;

    setup();
    puts_serial("native: bare ring 0, PAE paging, no hypervisor\n");
    TIME("empty-loop", n, __asm__ __volatile__("" ::: "memory"));

    /* Ring 3's loop is one instruction (loop), int and iret the other two. */
    native_count = 0;
    native_ring3(native_user_syscalls);
    row("ring3-empty", 1, native_ticks);
    native_count = n;
    native_ring3(native_user_syscalls);
    row("syscall", n, native_ticks);

    TIME("int3", n, __asm__ __volatile__("int3" ::: "memory"));

    volatile uint32_t *va = (volatile uint32_t *)victim_page;
    uint32_t index = (uint32_t)victim_page >> 12;
    native_pf_pte = (volatile uint32_t *)&l1[index];
    native_pf_val = (uint32_t)l1[index];
    TIME("pte-update", n, {
        *native_pf_pte = native_pf_val ^ (i_ & 1 ? 0x20 : 0);     /* the accessed bit */
        __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
    });
    *native_pf_pte = native_pf_val;
    TIME("page-fault", n, {
        *va = i_;
        *native_pf_pte = 0;
        __asm__ __volatile__("invlpg (%0)" :: "r"(va) : "memory");
    });
    *native_pf_pte = native_pf_val;

    TIME("cr3-switch", n, __asm__ __volatile__("movl %0, %%cr3" :: "r"(pdpt[i_ & 1]) : "memory"));
    __asm__ __volatile__("movl %0, %%cr3" :: "r"(pdpt[0]) : "memory");

    tasks_setup();
    TIME("task-switch-pair", n, ctx_switch(0, 1));
    tss.esp0 = task_esp0[0];

    for (unsigned i = 0; i < 2 + SPACE_PAGES; i++)
        space_free[space_nfree++] = space_pool[i];
    TIME("aspace-create-destroy", n / 10, space_life(0));
    TIME("fork-exit", n / 10, space_life(SPACE_PAGES));

    puts_serial("native: done\n");
    outb(0xf4, 0);                            /* isa-debug-exit: QEMU ends */
}
