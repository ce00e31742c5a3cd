/*
 * priv - execute one privileged instruction in ring 1 and expect to die.
 *
 * A PV kernel runs in ring 1, so every instruction that needs CPL 0 (and
 * cli/sti/in/out, since guests run with IOPL 0) raises #GP in it.  Here the
 * hypervisor's rule, for now, is that a guest which does so is halted with
 * "(hv) dN halted: privileged instruction '<insn>' at 0x<eip>".  (Real Xen
 * emulates a few of these for PV kernels - reads of CR0/CR3/CR4, clts,
 * some MSRs, cli/sti under a virtual IOPL - so the guest stays neutral: it
 * does not assume death, it just reports FAILURE if it survives, printing
 * what the instruction returned.)
 *
 * One source, one image per class: the build compiles this file with
 * -DPRIV_CLASS=PRIV_<class> into priv-<class>.elf.  The instruction sits at
 * the global label priv_insn; its objdump spelling is in expected.txt,
 * checked at link time, and printed before it runs:
 *   executing <insn> at 0x<address of priv_insn>
 * so a test can compare both with the halt message.
 */
#include "pvguest/lib/pvguest.h"

/* Class numbers; -DPRIV_CLASS=PRIV_mov_to_cr3 selects one. */
#define PRIV_cli 1
#define PRIV_sti 2
#define PRIV_hlt 3
#define PRIV_lgdt 4
#define PRIV_lidt 5
#define PRIV_ltr 6
#define PRIV_mov_to_cr0 7
#define PRIV_mov_from_cr0 8
#define PRIV_mov_to_cr3 9
#define PRIV_mov_from_cr3 10
#define PRIV_mov_to_cr4 11
#define PRIV_mov_from_cr4 12
#define PRIV_in 13
#define PRIV_out 14
#define PRIV_rdmsr 15
#define PRIV_wrmsr 16
#define PRIV_invlpg 17
#define PRIV_wbinvd 18
#define PRIV_clts 19
#define PRIV_lmsw 20

#ifndef PRIV_CLASS
#error "build with -DPRIV_CLASS=PRIV_<class> (see pvguest/pvguest.mk)"
#endif

/*
 * For each class: the assembly, the objdump text (expected.txt) and the
 * value priv_exec() puts in EAX first (ARG).  Values are the harmless ones
 * a native kernel would use, so that even a hypervisor that wrongly let
 * the instruction through would do little damage: our own CR3, the usual
 * CR0/CR4 bits, the APIC base MSR written with its power-on value.
 */
#define CR0_VALUE 0x80050033u   /* PG AM WP NE ET MP PE */
#define CR4_VALUE 0x000000a0u   /* PAE PGE */
#if PRIV_CLASS == PRIV_cli
# define ASM "cli"
# define TEXT "cli"
#elif PRIV_CLASS == PRIV_sti
# define ASM "sti"
# define TEXT "sti"
#elif PRIV_CLASS == PRIV_hlt
# define ASM "hlt"
# define TEXT "hlt"
#elif PRIV_CLASS == PRIV_lgdt             /* EAX -> a 6-byte pseudo-descriptor */
# define ASM "lgdtl (%eax)"
# define TEXT "lgdtl (%eax)"
# define ARG ((uint32_t)(uintptr_t)&pseudo_desc)
#elif PRIV_CLASS == PRIV_lidt
# define ASM "lidtl (%eax)"
# define TEXT "lidtl (%eax)"
# define ARG ((uint32_t)(uintptr_t)&pseudo_desc)
#elif PRIV_CLASS == PRIV_ltr              /* AX = selector 0x28 */
# define ASM "ltr %ax"
# define TEXT "ltr %ax"
# define ARG 0x28
#elif PRIV_CLASS == PRIV_mov_to_cr0
# define ASM "mov %eax,%cr0"
# define TEXT "mov %eax,%cr0"
# define ARG CR0_VALUE
#elif PRIV_CLASS == PRIV_mov_from_cr0
# define ASM "mov %cr0,%eax"
# define TEXT "mov %cr0,%eax"
#elif PRIV_CLASS == PRIV_mov_to_cr3       /* EAX = our own L3, as cr3 */
# define ASM "mov %eax,%cr3"
# define TEXT "mov %eax,%cr3"
# define ARG own_cr3()
#elif PRIV_CLASS == PRIV_mov_from_cr3
# define ASM "mov %cr3,%eax"
# define TEXT "mov %cr3,%eax"
#elif PRIV_CLASS == PRIV_mov_to_cr4
# define ASM "mov %eax,%cr4"
# define TEXT "mov %eax,%cr4"
# define ARG CR4_VALUE
#elif PRIV_CLASS == PRIV_mov_from_cr4
# define ASM "mov %cr4,%eax"
# define TEXT "mov %cr4,%eax"
#elif PRIV_CLASS == PRIV_in               /* keyboard data port */
# define ASM "in $0x60,%al"
# define TEXT "in $0x60,%al"
#elif PRIV_CLASS == PRIV_out              /* POST diagnostic port, AL = 0 */
# define ASM "out %al,$0x80"
# define TEXT "out %al,$0x80"
#elif PRIV_CLASS == PRIV_rdmsr            /* ECX = TEST_CTRL, which Xen does not offer */
# define SETUP "mov $0x33,%ecx\n\t"
# define ASM "rdmsr"
# define TEXT "rdmsr"
#elif PRIV_CLASS == PRIV_wrmsr            /* IA32_APIC_BASE = 0:0xfee00900 */
# define SETUP "mov $0x1b,%ecx\n\t"
# define ASM "wrmsr"
# define TEXT "wrmsr"
# define ARG 0xfee00900u
#elif PRIV_CLASS == PRIV_invlpg           /* EAX -> one of our data pages */
# define ASM "invlpg (%eax)"
# define TEXT "invlpg (%eax)"
# define ARG ((uint32_t)(uintptr_t)&pseudo_desc)
#elif PRIV_CLASS == PRIV_wbinvd
# define ASM "wbinvd"
# define TEXT "wbinvd"
#elif PRIV_CLASS == PRIV_clts
# define ASM "clts"
# define TEXT "clts"
#elif PRIV_CLASS == PRIV_lmsw             /* AX = MSW with just PE */
# define ASM "lmsw %ax"
# define TEXT "lmsw %ax"
# define ARG 0x1
#else
# error "unknown PRIV_CLASS"
#endif
#ifndef SETUP
# define SETUP ""
#endif
#ifndef ARG
# define ARG 0
#endif

/* A GDT/IDT pseudo-descriptor: limit 0x17, base 0 (never loaded). */
struct __attribute__((packed)) { uint16_t limit; uint32_t base; } pseudo_desc
    __attribute__((used)) = { 0x17, 0 };

/* The cr3 value for our own page tables (Xen's "extended cr3" form). */
static inline uint32_t __attribute__((unused)) own_cr3(void)
{
    const xen_start_info_t *si = pvguest_start_info;
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;

    return xen_pfn_to_cr3(p2m[(si->pt_base - PV_VIRT_BASE) / PAGE_SIZE]);
}

/*
 * uint64_t priv_exec(uint32_t eax): EAX = eax, EDX = 0, ECX as SETUP says,
 * then the instruction; returns EDX:EAX after it, if it ever returns.
 */
uint64_t priv_exec(uint32_t eax);
extern char priv_insn[];
__asm__ (".text\n\t"
         ".globl priv_exec\n"
         "priv_exec:\n\t"
         "push %ebx\n\t"
         "mov 8(%esp), %eax\n\t"
         "xor %edx, %edx\n\t"
         "xor %ecx, %ecx\n\t"
         SETUP
         ".globl priv_insn\n"
         "priv_insn:\n\t"
         ASM "\n\t"
         "pop %ebx\n\t"
         "ret\n");

void pvguest_main(const xen_start_info_t *si)
{
    uint32_t arg = ARG;
    uint64_t r;

    (void)si;
    printf("executing %s at 0x%08x (eax=0x%08x)\n", TEXT,
           (uint32_t)(uintptr_t)priv_insn, arg);
    console_flush();
    r = priv_exec(arg);
    printf("still alive after %s: edx:eax = 0x%08x:%08x\n", TEXT,
           (uint32_t)(r >> 32), (uint32_t)r);
#if PRIV_CLASS == PRIV_mov_from_cr0 || PRIV_CLASS == PRIV_mov_from_cr3 || \
    PRIV_CLASS == PRIV_mov_from_cr4 || PRIV_CLASS == PRIV_mov_to_cr4 || PRIV_CLASS == PRIV_clts
    /* Xen's PV ABI emulates these for guest kernels (hypervisor/vcpu/emulate.c); a
     * CR4 write keeps the guest's own bits (TSD, DE...) and ignores the rest. */
    test_pass();
#else
    test_fail("'%s' in ring 1 did not halt the domain", TEXT);
#endif
    xtf_exit();
}
