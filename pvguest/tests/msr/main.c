/*
 * msr - every MSR of Xen's PV view, read and written from ring 1.
 *
 * A kernel built for Xen executes rdmsr and wrmsr and expects Xen's
 * answers: a fixed value, a write accepted (and often dropped), or #GP for
 * an MSR Xen does not offer a PV guest.  Without "op=", this guest walks
 * its table (Xen's list, from guest_rdmsr/guest_wrmsr and the PV read_msr/
 * write_msr) and checks each answer; boot it with dom.policy=reflect, so a
 * refusal is a #GP that our exception table turns into a "#GP" result.
 * Under the default policy, halt, "safe=1" walks only the rows that must
 * not fault.  Expected values that depend on the CPU are worked out from
 * the forced-emulation CPUID: the vendor (some MSRs exist only on Intel or
 * only on AMD) and NX (EFER.NXE).
 *
 *   op=rdmsr msr=N         execute one rdmsr of MSR N, announced first as
 *   op=wrmsr msr=N val=V   "executing rdmsr of MSR 0x... at 0x...", with no
 *                          fixup: under policy=halt a refusal halts us,
 *                          naming the MSR.
 */
#include "pvguest/lib/pvguest.h"

enum { INTEL = 1, AMD = 2, ANY = 3 };
enum { R_VALUE, R_MASK, R_NONZERO, R_GP };          /* what rdmsr must give */
enum { W_GP, W_SAME, W_ZERO, W_DROP, W_SET };       /* what wrmsr must do */

static const struct msr_case {
    uint32_t msr;
    const char *name;
    uint8_t vendors, read, write;
    uint64_t value;         /* R_VALUE: the value; R_MASK: the only bits it may have */
} cases[] = {
    { 0x00000010, "TSC", ANY, R_NONZERO, W_GP, 0 },
    { 0x00000017, "PLATFORM_ID", INTEL, R_VALUE, W_GP, 0 },
    { 0x0000001b, "APIC_BASE", ANY, R_VALUE, W_GP, 0xfee00900 },
    { 0x0000003a, "FEATURE_CONTROL", INTEL, R_VALUE, W_GP, 1 },
    { 0x0000008b, "UCODE_REV", ANY, R_VALUE, W_ZERO, 0 },
    { 0x000000ce, "PLATFORM_INFO", ANY, R_MASK, W_GP, 0x80000000u },
    { 0x00000140, "MISC_FEATURES_ENABLES", ANY, R_VALUE, W_SET, 0 },
    { 0x00000198, "PERF_STATUS", INTEL, R_VALUE, W_GP, 0 },
    { 0x00000199, "PERF_CTL", INTEL, R_VALUE, W_DROP, 0 },
    { 0x0000019c, "THERM_STATUS", INTEL, R_VALUE, W_GP, 0 },
    { 0x000001a0, "MISC_ENABLE", INTEL, R_VALUE, W_DROP, 0x801801 },
    { 0x000001d9, "DEBUGCTL", ANY, R_VALUE, W_ZERO, 0 },
    { 0x00000277, "PAT", ANY, R_VALUE, W_GP, 0x0000050100070406ull },
    { 0x00000345, "PERF_CAPABILITIES", ANY, R_VALUE, W_GP, 0 },
    { 0xc0000080, "EFER", ANY, R_VALUE, W_SAME, 0 },            /* value: NXE if NX */
    { 0xc0010015, "HWCR", AMD, R_VALUE, W_DROP, 0 },
    { 0xc001001f, "NB_CFG", ANY, R_VALUE, W_DROP, 0 },
    { 0xc0011029, "DE_CFG", AMD, R_VALUE, W_DROP, 2 },
    /* Not offered to a 32-bit PV guest by Xen (or not with this CPUID): #GP. */
    { 0x00000033, "TEST_CTRL", 0, R_GP, W_GP, 0 },
    { 0x00000048, "SPEC_CTRL", 0, R_GP, W_GP, 0 },
    { 0x00000049, "PRED_CMD", 0, R_GP, W_GP, 0 },
    { 0x0000004e, "PPIN_CTL", 0, R_GP, W_GP, 0 },
    { 0x00000079, "UCODE_WRITE", 0, R_GP, W_GP, 0 },
    { 0x0000010a, "ARCH_CAPABILITIES", 0, R_GP, W_GP, 0 },
    { 0x0000010b, "FLUSH_CMD", 0, R_GP, W_GP, 0 },
    { 0x000000cf, "CORE_CAPABILITIES", 0, R_GP, W_GP, 0 },
    { 0x00000122, "TSX_CTRL", 0, R_GP, W_GP, 0 },
    { 0x000006a2, "S_CET", 0, R_GP, W_GP, 0 },
    { 0xc0000081, "STAR", 0, R_GP, W_GP, 0 },
    { 0xc0000100, "FS_BASE", 0, R_GP, W_GP, 0 },
    { 0xc0000102, "SHADOW_GS_BASE", 0, R_GP, W_GP, 0 },
    { 0x40000000, "XEN_HYPERCALL_PAGE", 0, R_GP, W_GP, 0 },
    { 0x12345678, "(no such MSR)", 0, R_GP, W_GP, 0 },
};

/* rdmsr/wrmsr with a fixup: true if it ran, false if it raised #GP(0). */
static bool try_rdmsr(uint32_t msr, uint64_t *v)
{
    uint32_t lo = 0, hi = 0;
    exinfo_clear();
    __asm__ volatile("1: rdmsr\n2:\n\t" _ASM_EXTABLE(1b, 2b) : "+a"(lo), "+d"(hi) : "c"(msr));
    *v = ((uint64_t)hi << 32) | lo;
    return exinfo.count == 0;
}

static bool try_wrmsr(uint32_t msr, uint64_t v)
{
    exinfo_clear();
    __asm__ volatile("1: wrmsr\n2:\n\t" _ASM_EXTABLE(1b, 2b)
                     :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
    return exinfo.count == 0;
}

/* A refusal must be exactly #GP(0) at the instruction. */
static const char *outcome(bool ran)
{
    if (ran)
        return "accepted";
    return exinfo.vector == 13 && exinfo.error == 0 ? "#GP" : "another exception";
}

static void check_write(const struct msr_case *c, uint64_t v, bool want_ok)
{
    char what[96];
    snprintf(what, sizeof(what), "wrmsr 0x%08x %s 0x%llx", c->msr, c->name, (unsigned long long)v);
    check_str(what, outcome(try_wrmsr(c->msr, v)), want_ok ? "accepted" : "#GP");
}

/* One row: rdmsr, then the writes that show its write rule. */
static void walk_one(const struct msr_case *c, unsigned vendor, uint64_t efer, bool safe)
{
    bool offered = c->read != R_GP && (c->vendors & vendor);
    uint64_t v = 0, want = c->msr == 0xc0000080 ? efer : c->value;
    char what[96];
    if (safe && !offered)
        return;
    bool ran = try_rdmsr(c->msr, &v);
    snprintf(what, sizeof(what), "rdmsr 0x%08x %s", c->msr, c->name);
    if (!offered || !ran) {
        check_str(what, outcome(ran), offered ? "a value" : "#GP");
        if (!safe)
            check_write(c, 0, false);
        return;
    }
    if (c->read == R_VALUE)
        check_u64(what, v, want);
    else if (c->read == R_MASK)
        check_u64(what, v & ~c->value, 0);
    else
        check_rc(what, v != 0, 1);
    switch (c->write) {
    case W_GP:   if (!safe) check_write(c, v, false); break;
    case W_SAME: check_write(c, v, true); if (!safe) check_write(c, v ^ 1, false); break;
    case W_ZERO: check_write(c, 0, true); if (!safe) check_write(c, 1, false); break;
    case W_SET:  check_write(c, 0, true); if (!safe) check_write(c, 2, false); break;
    case W_DROP:
        check_write(c, v ^ 1, true);
        snprintf(what, sizeof(what), "rdmsr 0x%08x %s after the dropped write", c->msr, c->name);
        try_rdmsr(c->msr, &v);
        check_u64(what, v, want);
        break;
    }
}

uint64_t op_rdmsr(uint32_t msr);
void op_wrmsr(uint32_t msr, uint32_t lo, uint32_t hi);
extern char at_rdmsr[], at_wrmsr[];
__asm__(".text\n.globl op_rdmsr\nop_rdmsr:\n\tmov 4(%esp),%ecx\n"
        ".globl at_rdmsr\nat_rdmsr:\n\trdmsr\n\tret\n"
        ".globl op_wrmsr\nop_wrmsr:\n\tmov 4(%esp),%ecx\n\tmov 8(%esp),%eax\n\tmov 12(%esp),%edx\n"
        ".globl at_wrmsr\nat_wrmsr:\n\twrmsr\n\tret\n");

/* One operation with no fixup: under policy=halt a refusal never returns. */
static void run_op(const char *op)
{
    uint32_t msr = (uint32_t)cmdline_uint("msr", 0);
    uint64_t val = cmdline_uint("val", 0);
    bool rd = !strcmp(op, "rdmsr");
    printf("executing %s of MSR 0x%08x at 0x%08x\n", op, msr,
           (uint32_t)(uintptr_t)(rd ? at_rdmsr : at_wrmsr));
    console_flush();
    if (rd)
        printf("still alive: read 0x%016llx\n", (unsigned long long)op_rdmsr(msr));
    else
        op_wrmsr(msr, (uint32_t)val, (uint32_t)(val >> 32)), printf("still alive\n");
    test_fail("%s of MSR 0x%08x was not refused", op, msr);
}

void pvguest_main(const xen_start_info_t *si)
{
    char op[16];
    struct cpuid_regs r;
    (void)si;
    traps_init();
    if (cmdline_get("op", op, sizeof(op))) {
        run_op(op);
        xtf_exit();
    }
    xen_cpuid(0, 0, &r);
    unsigned vendor = r.ebx == 0x756e6547 ? INTEL : r.ebx == 0x68747541 ? AMD : 0;  /* "Genu", "Auth" */
    xen_cpuid(0x80000001u, 0, &r);
    uint64_t efer = r.edx & (1u << 20) ? 0x800 : 0;                                /* NX: EFER.NXE */
    bool safe = cmdline_uint("safe", 0);
    printf("vendor %s, EFER.NXE %s, %s\n", vendor == INTEL ? "Intel" : vendor == AMD ? "AMD" : "other",
           efer ? "on" : "off", safe ? "only the rows that must not fault" : "every row");
    for (unsigned i = 0; i < ARRAY_SIZE(cases); i++)
        walk_one(&cases[i], vendor, efer, safe);
    test_pass();
    xtf_exit();
}
