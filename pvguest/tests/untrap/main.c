/*
 * untrap - the sensitive instructions that x86 lets ring 1 and 3 run unseen.
 *
 * sgdt, sidt, sldt, smsw and str read machine state that belongs to the
 * hypervisor (where its tables are, CR0), cpuid reads the real CPU's
 * identity, rdtsc the real time-stamp counter, rdpmc the performance
 * counters.  None of them needs CPL 0, so in a PV guest they run without a
 * trap unless a CPU feature makes them fault: UMIP for the first five,
 * CPUID faulting for cpuid, CR4.TSD for rdtsc, CR4.PCE (clear) for rdpmc.
 * This guest runs them and prints what it saw, so a test can show each
 * world: what leaks without the feature, and what each policy does with it.
 *
 *   op=NAME   run one instruction in ring 1, with no fixup, after printing
 *             "executing NAME at 0x<addr>"; NAME is sgdt sidt sldt smsw str
 *             cpuid rdpmc.  Then print what it returned.  Under the default
 *             policy a trapped one never returns: the hypervisor halts us
 *             naming it.
 *   view=1    run each UMIP instruction in ring 1 and in ring 3 (rings=3:
 *             ring 3 only), each a probe whose fault our own #GP handler
 *             records, and print one line each, "view sgdt ring 1: limit
 *             0x0000 base 0x00000000" or "view sgdt ring 1: #GP(0x0)".
 *   cpuid=1   plain cpuid of the hypervisor leaf 0x40000000 beside the
 *             forced-emulation one: "plain cpuid is the hypervisor's: yes/no".
 *   tsc=1     rdtsc against system time from vcpu_time_info: with
 *             dom.tsc=emulate the counter is the virtual one, nanoseconds of
 *             system time, so every read lies between the clock's readings.
 *   msr=1     the CPUID-faulting MSRs, as Xen offers them to PV guests.
 */
#include "pvguest/lib/pvguest.h"

#define MSR_TSC 0x10u
#define MSR_PLATFORM_INFO 0xceu
#define MSR_MISC_FEATURES_ENABLES 0x140u
#define HOLE_START 0xf5800000u

/*
 * op_NAME(buf) runs one instruction at the global label at_NAME with EAX
 * and ECX zero and EDI = buf, and returns EAX: so a halt message's address
 * can be matched to at_NAME, and the stored values read from buf.
 */
#define OP(name, before, insn)                                                 \
    uint32_t op_##name(void *buf);                                             \
    extern char at_##name[];                                                   \
    __asm__(".text\n.globl op_" #name "\nop_" #name ":\n\t"                    \
            "push %ebx\n\tpush %edi\n\tmov 12(%esp),%edi\n\t"                  \
            "xor %eax,%eax\n\txor %ecx,%ecx\n\t" before "\n"                   \
            ".globl at_" #name "\nat_" #name ":\n\t" insn "\n\t"               \
            "pop %edi\n\tpop %ebx\n\tret\n")
OP(sgdt, "", "sgdtl (%edi)");
OP(sidt, "", "sidtl (%edi)");
OP(sldt, "mov $0xdeadbeef,%eax", "sldt %eax");
OP(str, "mov $0xdeadbeef,%eax", "str %eax");
OP(smsw, "mov $0xdeadbeef,%eax", "smsw %eax");
OP(cpuid, "mov $0x40000000,%eax", "cpuid\n\tmov %ebx,(%edi)\n\tmov %ecx,4(%edi)\n\tmov %edx,8(%edi)");
OP(rdpmc, "", "rdpmc");

struct __attribute__((packed)) table_reg { uint16_t limit; uint32_t base; };

static const struct op {
    const char *name;
    uint32_t (*fn)(void *buf);
    const char *at;
} ops[] = {
    { "sgdt", op_sgdt, at_sgdt }, { "sidt", op_sidt, at_sidt }, { "sldt", op_sldt, at_sldt },
    { "str", op_str, at_str }, { "smsw", op_smsw, at_smsw }, { "cpuid", op_cpuid, at_cpuid },
    { "rdpmc", op_rdpmc, at_rdpmc },
};

static void run_op(const char *name)
{
    uint32_t buf[4] = { 0xdeadbeef, 0xdeadbeef, 0xdeadbeef, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        if (strcmp(ops[i].name, name))
            continue;
        printf("executing %s at 0x%08x\n", name, (uint32_t)(uintptr_t)ops[i].at);
        uint32_t eax = ops[i].fn(buf);
        const struct table_reg *t = (const struct table_reg *)buf;
        printf("%s returned eax 0x%08x, stored limit 0x%04x base 0x%08x\n",
               name, eax, t->limit, t->base);
        return;
    }
    test_error("unknown op=%s", name);
}

/* ---- view=1: every UMIP instruction from rings 1 and 3 ----------------- */

/* Globals, not statics: the probes name them in their asm. */
extern struct table_reg table;
extern uint32_t value, msr_write_lo;
struct table_reg table;
uint32_t value;
PROBE(p_sgdt, "movl $table, %%eax", "sgdtl (%%eax)", : : "eax", "memory")
PROBE(p_sidt, "movl $table, %%eax", "sidtl (%%eax)", : : "eax", "memory")
PROBE(p_sldt, "movl $0xdeadbeef, %%eax", "sldt %%eax\n\tmovl %%eax, value", : : "eax", "memory")
PROBE(p_str, "movl $0xdeadbeef, %%eax", "str %%eax\n\tmovl %%eax, value", : : "eax", "memory")
PROBE(p_smsw, "movl $0xdeadbeef, %%eax", "smsw %%eax\n\tmovl %%eax, value", : : "eax", "memory")

static void view(unsigned ring)
{
    static const struct { const char *name; void (*probe)(void); bool is_table; } v[] = {
        { "sgdt", p_sgdt, true }, { "sidt", p_sidt, true }, { "sldt", p_sldt, false },
        { "str", p_str, false }, { "smsw", p_smsw, false },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(v); i++) {
        table = (struct table_reg){ 0xbeef, 0xdeadbeef };
        value = 0xdeadbeef;
        run_probe(ring, v[i].probe);
        if (exinfo.count)
            printf("view %s ring %u: %s(0x%x) at 0x%08x\n", v[i].name, ring,
                   trap_name(exinfo.vector), exinfo.error, exinfo.eip);
        else if (v[i].is_table)
            printf("view %s ring %u: limit 0x%04x base 0x%08x%s\n", v[i].name, ring,
                   table.limit, table.base, table.base >= HOLE_START ? " (in the hypervisor)" : "");
        else
            printf("view %s ring %u: 0x%08x\n", v[i].name, ring, value);
    }
}

/* ---- cpuid=1: does a plain cpuid reach the hypervisor's filter? --------- */

static void compare_cpuid(void)
{
    uint32_t plain[4] = { 0 };
    struct cpuid_regs forced;
    char a[13], b[13];
    op_cpuid(plain);
    xen_cpuid(0x40000000u, 0, &forced);
    memcpy(a, plain, 12);
    memcpy(b, &forced.ebx, 4), memcpy(b + 4, &forced.ecx, 4), memcpy(b + 8, &forced.edx, 4);
    a[12] = b[12] = '\0';
    printf("cpuid 0x40000000 plain \"%s\", forced \"%s\"\n", a, b);
    printf("plain cpuid is the hypervisor's: %s\n", memcmp(a, b, 12) ? "no" : "yes");
    check_rc("the forced-emulation cpuid names Xen", !strcmp(b, "XenVMMXenVMM"), 1);
}

/* ---- tsc=1 --------------------------------------------------------------- */

static uint64_t rd_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t rd_msr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

/* Is every counter read inside the window of two system-time readings? */
static void compare_tsc(void)
{
    volatile xen_vcpu_time_info_t *t = &shared_info->vcpu_info[0].time;
    unsigned inside = 0;
    for (unsigned i = 0; i < 100; i++) {
        uint64_t before = time_now_ns(), tsc = rd_tsc(), msr = rd_msr(MSR_TSC), after = time_now_ns();
        inside += before <= tsc && tsc <= msr && msr <= after;
    }
    printf("time info mul 0x%08x shift %d\n", t->tsc_to_system_mul, t->tsc_shift);
    printf("rdtsc counts system-time nanoseconds: %s (%u of 100 reads)\n",
           inside == 100 ? "yes" : "no", inside);
}

/* ---- msr=1 ------------------------------------------------------------------ */

uint32_t msr_write_lo;
PROBE(p_wrmsr_misc, "movl msr_write_lo, %%eax; xorl %%edx, %%edx; movl $0x140, %%ecx",
      "wrmsr", : : "eax", "ecx", "edx")

static void cpuid_faulting_msrs(void)
{
    uint64_t pi = rd_msr(MSR_PLATFORM_INFO), mf = rd_msr(MSR_MISC_FEATURES_ENABLES);
    printf("platform_info 0x%08x misc_features_enables 0x%08x\n", (uint32_t)pi, (uint32_t)mf);
    bool offered = pi & (1u << 31);
    msr_write_lo = 0;
    run_probe(1, p_wrmsr_misc);
    check_rc("wrmsr MISC_FEATURES_ENABLES 0 is accepted", exinfo.count, 0);
    msr_write_lo = 1;
    run_probe(1, p_wrmsr_misc);
    printf("wrmsr MISC_FEATURES_ENABLES 1: %s\n", exinfo.count ? trap_name(exinfo.vector) : "accepted");
    check_rc("turning CPUID faulting on works exactly where it is offered", !exinfo.count, offered);
    msr_write_lo = 2;
    run_probe(1, p_wrmsr_misc);
    check_rc("a reserved MISC_FEATURES_ENABLES bit is refused", exinfo.count, 1);
    check_hex("misc_features_enables reads back", (uint32_t)rd_msr(MSR_MISC_FEATURES_ENABLES),
              offered ? 1 : 0);
}

void pvguest_main(const xen_start_info_t *si)
{
    char op[16];
    (void)si;
    traps_init();
    map_shared_info();
    if (cmdline_get("op", op, sizeof(op)))
        run_op(op);
    if (cmdline_uint("view", 0)) {
        uint32_t cr0;
        __asm__ volatile("mov %%cr0,%0" : "=r"(cr0));          /* emulated: the guest's view */
        printf("cr0 as the guest sees it: 0x%08x\n", cr0);
        if (cmdline_uint("rings", 13) != 3)
            view(1);
        view(3);
    }
    if (cmdline_uint("cpuid", 0))
        compare_cpuid();
    if (cmdline_uint("tsc", 0))
        compare_tsc();
    if (cmdline_uint("msr", 0))
        cpuid_faulting_msrs();
    test_pass();
    xtf_exit();
}
