/*
 * emul - the privileged operations Xen emulates for a PV kernel, from ring 1.
 *
 * A kernel built for Xen still executes a few privileged instructions and
 * expects the hypervisor to answer them with the virtual CPU's state: reads
 * of CR0/CR2/CR3/CR4, clts and CR0.TS writes, mov to and from the debug
 * registers, and rdmsr/wrmsr of a few MSRs.  Without a command line this
 * test checks each answer:
 *  - CR0 has PE and PG; CR2 is 0 before any page fault;
 *  - CR3 is our own L3 in Xen's extended-cr3 format,
 *    xen_pfn_to_cr3(p2m[pfn of start_info.pt_base]);
 *  - CR4 has PAE and nothing outside PAE|MCE|OSFXSR|OSXMMEXCPT (Xen's view);
 *  - a CR0 write that sets only TS sets the virtual TS, clts clears it;
 *  - DR0 and DR7 read back what was written;
 *  - rdmsr of the TSC, MISC_ENABLE (BTS and PEBS unavailable, as Xen says)
 *    and EFER (no long mode), and a wrmsr of MISC_ENABLE's own value.
 * With "op=<name>" it instead executes one operation that must stay
 * disallowed, prints "executing <insn> at 0x<addr>" first so that a test
 * can match the halt message, and reports FAILURE if it survives:
 *   rdmsr-unknown  rdmsr of TEST_CTRL (0x33), an MSR Xen does not offer
 *   wrmsr-pat    wrmsr of the PAT, which Xen fixes for PV guests
 *   wrmsr-tsc    wrmsr of the TSC
 *   mov-to-cr0   a CR0 write that changes WP, not just TS
 *   mov-to-cr3   our own cr3, the value Xen's mmuext_op would accept
 * With "gp=handle" as well, a #GP handler is installed first (boot the
 * domain with policy=reflect): the refused operation must then arrive
 * there as #GP with error code 0 at its own address, and the test passes
 * when the handler, which skips the instruction, was reached exactly once.
 */
#include "pvguest/lib/pvguest.h"

#define CR0_PE (1u << 0)
#define CR0_TS (1u << 3)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define CR4_VISIBLE 0x660u                   /* PAE MCE OSFXSR OSXMMEXCPT */
#define MSR_TSC 0x10u
#define MSR_TEST_CTRL 0x33u
#define MSR_PAT 0x277u
#define MSR_MISC_ENABLE 0x1a0u
#define MSR_EFER 0xc0000080u
#define MISC_BTS_UNAVAIL (1u << 11)
#define MISC_PEBS_UNAVAIL (1u << 12)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)

static uint32_t rd_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0,%0" : "=r"(v)); return v; }
static uint32_t rd_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2,%0" : "=r"(v)); return v; }
static uint32_t rd_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3,%0" : "=r"(v)); return v; }
static uint32_t rd_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static void wr_cr0(uint32_t v) { __asm__ volatile("mov %0,%%cr0" :: "r"(v) : "memory"); }
static void do_clts(void) { __asm__ volatile("clts" ::: "memory"); }
static uint32_t rd_dr0(void) { uint32_t v; __asm__ volatile("mov %%db0,%0" : "=r"(v)); return v; }
static uint32_t rd_dr7(void) { uint32_t v; __asm__ volatile("mov %%db7,%0" : "=r"(v)); return v; }
static void wr_dr0(uint32_t v) { __asm__ volatile("mov %0,%%db0" :: "r"(v)); }
static void wr_dr7(uint32_t v) { __asm__ volatile("mov %0,%%db7" :: "r"(v)); }

static uint64_t rd_msr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static void wr_msr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/*
 * The disallowed operations, each at a global label insn_<name> so that we
 * can print its address.  uint64_t op_<name>(eax, ecx, edx) loads the three
 * registers, executes the instruction and returns EDX:EAX.
 */
#define OP(name, insn)                                                       \
    uint64_t op_##name(uint32_t eax, uint32_t ecx, uint32_t edx);            \
    extern char insn_##name[];                                               \
    __asm__(".text\n.globl op_" #name "\nop_" #name ":\n\t"                  \
            "mov 4(%esp),%eax\n\tmov 8(%esp),%ecx\n\tmov 12(%esp),%edx\n"    \
            ".globl insn_" #name "\ninsn_" #name ":\n\t" insn "\n\tret\n")
OP(rdmsr, "rdmsr");
OP(wrmsr, "wrmsr");
OP(mov_to_cr0, "mov %eax,%cr0");
OP(mov_to_cr3, "mov %eax,%cr3");

/*
 * The #GP handler for gp=handle: the hypervisor's bounce leaves the error
 * code, EIP, CS and EFLAGS on our stack.  Record the error code and EIP,
 * step over the instruction (gp_skip bytes) and return with a plain iret,
 * which ring 1 may use to return to ring 1.
 */
uint32_t gp_error, gp_eip, gp_skip, gp_count;
void gp_handler(void);
__asm__(".text\n.globl gp_handler\ngp_handler:\n\t"
        "popl gp_error\n\t"
        "pushl %eax\n\t"
        "movl 4(%esp),%eax\n\t"
        "movl %eax,gp_eip\n\t"
        "addl gp_skip,%eax\n\t"
        "movl %eax,4(%esp)\n\t"
        "incl gp_count\n\t"
        "popl %eax\n\t"
        "iret\n");

static void install_gp_handler(void)
{
    struct xen_trap_info table[2] = {
        { .vector = 13, .flags = 1, .cs = FLAT_RING1_CS, .address = (uint32_t)(uintptr_t)gp_handler },
        { 0 },
    };
    check_rc("set_trap_table with a #GP handler", HYPERVISOR_set_trap_table(table), 0);
}

/* Our own cr3 as Xen defines it: the L3's machine frame, extended format. */
static uint32_t own_cr3(const xen_start_info_t *si)
{
    const xen_pfn_t *p2m = (const xen_pfn_t *)si->mfn_list;
    return xen_pfn_to_cr3(p2m[(si->pt_base - PV_VIRT_BASE) / PAGE_SIZE]);
}

static void check_control_registers(const xen_start_info_t *si)
{
    uint32_t cr0 = rd_cr0(), cr4 = rd_cr4();
    printf("cr0 0x%08x cr2 0x%08x cr3 0x%08x cr4 0x%08x\n", cr0, rd_cr2(), rd_cr3(), cr4);
    check_hex("cr0 has PE and PG", cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
    check_hex("cr2 before any page fault", rd_cr2(), 0);
    check_hex("cr3 = xen_pfn_to_cr3(p2m[pt_base pfn])", rd_cr3(), own_cr3(si));
    check_hex("cr4 has PAE", cr4 & CR4_PAE, CR4_PAE);
    check_hex("cr4 shows nothing outside PAE|MCE|OSFXSR|OSXMMEXCPT", cr4 & ~CR4_VISIBLE, 0);

    wr_cr0(cr0 | CR0_TS);                    /* only TS changes: allowed */
    check_hex("cr0.TS after writing cr0 with TS", rd_cr0() & CR0_TS, CR0_TS);
    check_hex("cr0 otherwise unchanged", rd_cr0() & ~CR0_TS, cr0 & ~CR0_TS);
    do_clts();
    check_hex("cr0.TS after clts", rd_cr0() & CR0_TS, 0);
}

static void check_debug_registers(void)
{
    static volatile uint32_t watched;
    uint32_t addr = (uint32_t)(uintptr_t)&watched;

    wr_dr0(addr);
    check_hex("dr0 round trip", rd_dr0(), addr);
    wr_dr7(0x00000400);                      /* nothing enabled; bit 10 reads as one */
    check_hex("dr7 round trip", rd_dr7(), 0x00000400);
    wr_dr7(0x00000401);                      /* L0: an execute breakpoint on data */
    check_hex("dr7 round trip with L0", rd_dr7(), 0x00000401);
    wr_dr7(0x00000400);
    wr_dr0(0);
}

static void check_msrs(void)
{
    uint64_t t0 = rd_msr(MSR_TSC), t1 = rd_msr(MSR_TSC);
    uint64_t misc = rd_msr(MSR_MISC_ENABLE), efer = rd_msr(MSR_EFER);

    printf("tsc 0x%llx then 0x%llx, misc_enable 0x%llx, efer 0x%llx\n",
           (unsigned long long)t0, (unsigned long long)t1,
           (unsigned long long)misc, (unsigned long long)efer);
    check_rc("the TSC MSR counts up", t1 > t0, 1);
    check_hex("misc_enable says BTS and PEBS are unavailable",
              (uint32_t)misc & (MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL),
              MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL);
    check_hex("efer shows no long mode", (uint32_t)efer & (EFER_LME | EFER_LMA), 0);
    wr_msr(MSR_MISC_ENABLE, misc);           /* its own value: accepted, dropped */
    check_hex("misc_enable unchanged after writing it back", (uint32_t)rd_msr(MSR_MISC_ENABLE),
              (uint32_t)misc);
}

/* One disallowed operation: announce it, run it, and fail if we live. */
static void run_disallowed(const char *op, const xen_start_info_t *si)
{
    const char *text;
    char *at, handle[16];
    uint32_t eax = 0, ecx = 0, edx = 0;
    uint64_t (*fn)(uint32_t, uint32_t, uint32_t);
    bool reflect = cmdline_get("gp", handle, sizeof(handle)) && !strcmp(handle, "handle");

    if (!strcmp(op, "rdmsr-unknown"))
        text = "rdmsr", at = insn_rdmsr, fn = op_rdmsr, ecx = MSR_TEST_CTRL;
    else if (!strcmp(op, "wrmsr-pat"))
        text = "wrmsr", at = insn_wrmsr, fn = op_wrmsr, ecx = MSR_PAT, eax = (uint32_t)rd_msr(MSR_PAT);
    else if (!strcmp(op, "wrmsr-tsc"))
        text = "wrmsr", at = insn_wrmsr, fn = op_wrmsr, ecx = MSR_TSC;
    else if (!strcmp(op, "mov-to-cr0"))
        text = "mov %eax,%cr0", at = insn_mov_to_cr0, fn = op_mov_to_cr0, eax = rd_cr0() ^ CR0_WP;
    else if (!strcmp(op, "mov-to-cr3"))
        text = "mov %eax,%cr3", at = insn_mov_to_cr3, fn = op_mov_to_cr3, eax = own_cr3(si);
    else {
        test_error("unknown op=%s", op);
        return;
    }
    gp_skip = text[0] == 'm' ? 3 : 2;        /* mov %eax,%crN: 0f 22 /r; rd/wrmsr: 0f 3x */
    if (reflect)
        install_gp_handler();
    printf("executing %s at 0x%08x (eax=0x%08x ecx=0x%08x)\n", text, (uint32_t)(uintptr_t)at,
           eax, ecx);
    console_flush();
    uint64_t r = fn(eax, ecx, edx);
    if (reflect) {
        printf("#GP handler ran %u time(s): eip 0x%08x error 0x%x\n", gp_count, gp_eip, gp_error);
        check_rc("#GP delivered once", gp_count, 1);
        check_hex("#GP at the refused instruction", gp_eip, (uint32_t)(uintptr_t)at);
        check_hex("#GP error code", gp_error, 0);
        test_pass();
        return;
    }
    printf("still alive after %s: edx:eax = 0x%08x:%08x\n", text, (uint32_t)(r >> 32), (uint32_t)r);
    test_fail("'%s' (%s) was not refused", text, op);
}

void pvguest_main(const xen_start_info_t *si)
{
    char op[32];

    if (cmdline_get("op", op, sizeof(op))) {
        run_disallowed(op, si);
        xtf_exit();
    }
    check_control_registers(si);
    check_debug_registers();
    check_msrs();
    test_pass();
    xtf_exit();
}
