/*
 * fpu - our FPU/SSE registers are ours alone, and CR0.TS is virtual.
 *
 * Run as two domains with different seeds ("-- seed=1", "-- seed=2").  Each:
 *  1. reads its FPU state before ever using it: it must be the reset state
 *     (FCW 0x037f, MXCSR 0x1f80, every register zero), whatever the other
 *     domain left in the real registers;
 *  2. fpu_taskswitch(1) then (0) both return 0, and the FPU still works;
 *  3. loads values made from its seed into ST0-7, XMM0-7, FCW and MXCSR,
 *     and doubles each in place (x87 fadd, SSE addps), so the results
 *     exist only in registers;
 *  4. yields n times to the other domain, which does the same with its own
 *     values, and checks that every register still holds its own results,
 *     byte for byte as FXSAVE showed them before the yields;
 *  5. with "nm=handled" (the default), installs an #NM handler and checks
 *     Xen's rule: after fpu_taskswitch(1) the next FPU instruction raises
 *     #NM in the guest once (also after a yield), the state is intact, and
 *     the virtual TS is clear again in the handler; fpu_taskswitch(1)
 *     then (0) raises nothing.  "clts=1" adds the same check through an
 *     emulated clts.  "nm=unhandled" instead sets TS with no handler and
 *     uses the FPU: the hypervisor must halt this domain for #NM.
 * FXSAVE is the probe throughout: it reads the whole state without changing
 * it, and is itself an FPU instruction, so it raises #NM when TS is set.
 */
#include "pvguest/lib/pvguest.h"

#define FX_FCW    0
#define FX_FSW    2
#define FX_FTW    4
#define FX_MXCSR  24
#define FX_ST(i)  (32 + 16 * (i))
#define FX_XMM(i) (160 + 16 * (i))
#define FX_STATE  288               /* the bytes with state in them; the rest is free */

static uint8_t fx[512] __attribute__((aligned(16)));
static uint8_t before[512] __attribute__((aligned(16)));
static uint32_t xmm_in[8][4] __attribute__((aligned(16)));
static int32_t st_in[8];
static unsigned long seed;
static bool have_sse;

/* The #NM handler: count, and return to retry the instruction. */
volatile uint32_t nm_count;
void nm_entry(void);
__asm__(".text\n"
        ".globl nm_entry\n"
        "nm_entry:\n\t"
        "incl nm_count\n\t"
        "iret\n");

static void fxsave(uint8_t *area)
{
    __asm__ __volatile__("fxsave %0" : "=m"(*(uint8_t (*)[512])area));
}

static uint16_t fcw_for_seed(void) { return (uint16_t)(0x037f ^ ((seed & 3) << 10)); }
static uint32_t mxcsr_for_seed(void) { return 0x1f80 | ((seed & 3) << 13); }

/* Inputs from the seed: normal floats (doubling adds 1 to the exponent) and integers. */
static void make_inputs(void)
{
    for (unsigned i = 0; i < 8; i++) {
        st_in[i] = (int32_t)(seed * 100000 + i * 1111 + 1);
        for (unsigned k = 0; k < 4; k++) {
            uint32_t sign = ((seed + i + k) & 1) << 31, exp = 100 + i * 4 + k;
            xmm_in[i][k] = sign | exp << 23 | ((seed * 2654435761u + i * 31 + k) & 0x7fffff);
        }
    }
}

/* Load and double: afterwards ST(i) = 2 * st_in[7 - i] and XMMi = 2 * xmm_in[i]. */
static void compute_in_registers(void)
{
    uint16_t fcw = fcw_for_seed();
    uint32_t mxcsr = mxcsr_for_seed();

    __asm__ __volatile__("fninit; fldcw %0" :: "m"(fcw));
    for (unsigned i = 0; i < 8; i++)
        __asm__ __volatile__("fildl %0; fadd %%st(0), %%st" :: "m"(st_in[i]));
    if (!have_sse)
        return;
    __asm__ __volatile__("ldmxcsr %0" :: "m"(mxcsr));
    __asm__ __volatile__(
        "movaps   0(%0), %%xmm0; addps %%xmm0, %%xmm0\n\t"
        "movaps  16(%0), %%xmm1; addps %%xmm1, %%xmm1\n\t"
        "movaps  32(%0), %%xmm2; addps %%xmm2, %%xmm2\n\t"
        "movaps  48(%0), %%xmm3; addps %%xmm3, %%xmm3\n\t"
        "movaps  64(%0), %%xmm4; addps %%xmm4, %%xmm4\n\t"
        "movaps  80(%0), %%xmm5; addps %%xmm5, %%xmm5\n\t"
        "movaps  96(%0), %%xmm6; addps %%xmm6, %%xmm6\n\t"
        "movaps 112(%0), %%xmm7; addps %%xmm7, %%xmm7"
        :: "r"(xmm_in) : "memory");
}

/* The 80-bit extended form of a positive integer n, as FXSAVE stores it. */
static void ext80(uint32_t n, uint8_t out[10])
{
    unsigned top = 31 - (unsigned)__builtin_clz(n);
    uint64_t mant = (uint64_t)n << (63 - top);
    uint16_t exp = (uint16_t)(16383 + top);
    memcpy(out, &mant, 8);
    memcpy(out + 8, &exp, 2);
}

static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* Does the FXSAVE image hold exactly what compute_in_registers() made? */
static void check_results(const char *when)
{
    char what[96];
    unsigned bad = 0;
    uint8_t want[10];

    snprintf(what, sizeof(what), "%s: FCW", when);
    check_hex(what, get16(fx + FX_FCW), fcw_for_seed());
    snprintf(what, sizeof(what), "%s: all 8 x87 registers in use (FTW)", when);
    check_hex(what, fx[FX_FTW], 0xff);
    for (unsigned i = 0; i < 8; i++) {
        ext80(2u * (uint32_t)st_in[7 - i], want);
        bad += memcmp(fx + FX_ST(i), want, 10) != 0;
    }
    snprintf(what, sizeof(what), "%s: ST0-7 hold 2 * our integers", when);
    check_rc(what, bad, 0);
    if (!have_sse)
        return;
    snprintf(what, sizeof(what), "%s: MXCSR", when);
    check_hex(what, get32(fx + FX_MXCSR), mxcsr_for_seed());
    bad = 0;
    for (unsigned i = 0; i < 8; i++)
        for (unsigned k = 0; k < 4; k++)
            bad += get32(fx + FX_XMM(i) + 4 * k) != xmm_in[i][k] + (1u << 23);
    snprintf(what, sizeof(what), "%s: XMM0-7 hold 2 * our floats", when);
    check_rc(what, bad, 0);
}

/* Before our first FPU instruction: the state of a freshly reset CPU. */
static void check_fresh_state(void)
{
    unsigned nonzero = 0;

    fxsave(fx);
    check_hex("fresh FCW", get16(fx + FX_FCW), 0x037f);
    check_hex("fresh FSW", get16(fx + FX_FSW), 0);
    check_hex("fresh FTW (all empty)", fx[FX_FTW], 0);
    if (have_sse)
        check_hex("fresh MXCSR", get32(fx + FX_MXCSR), 0x1f80);
    for (unsigned i = FX_ST(0); i < FX_STATE; i++)
        nonzero += fx[i] != 0;
    check_rc("fresh ST0-7 and XMM0-7 bytes that are not zero", nonzero, 0);
}

static void yield(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (HYPERVISOR_sched_op(SCHEDOP_yield, NULL))
            test_fail("SCHEDOP_yield failed");
}

/* Probe with TS as `how` left it: want `nm` more #NMs and our state intact. */
static void probe(const char *how, uint32_t nm)
{
    char what[96];
    uint32_t was = nm_count;

    fxsave(fx);
    snprintf(what, sizeof(what), "%s: #NM delivered", how);
    check_rc(what, nm_count - was, nm);
    snprintf(what, sizeof(what), "%s: state unchanged", how);
    check_rc(what, memcmp(fx, before, FX_STATE), 0);
    was = nm_count;
    fxsave(fx);
    snprintf(what, sizeof(what), "%s: then no #NM (virtual TS clear)", how);
    check_rc(what, nm_count - was, 0);
}

static void check_nm_delivery(unsigned long yields, bool clts)
{
    struct xen_trap_info table[2] = {
        { .vector = 7, .flags = 0, .cs = FLAT_RING1_CS, .address = (uintptr_t)nm_entry },
        { .address = 0 },
    };

    if (!check_rc("set_trap_table(#NM handler)", HYPERVISOR_set_trap_table(table), 0))
        return;
    HYPERVISOR_fpu_taskswitch(1);
    probe("fpu_taskswitch(1)", 1);
    HYPERVISOR_fpu_taskswitch(1);
    yield(yields);
    probe("fpu_taskswitch(1) then yields", 1);
    HYPERVISOR_fpu_taskswitch(1);
    HYPERVISOR_fpu_taskswitch(0);
    probe("fpu_taskswitch(1) then (0)", 0);
    if (clts) {
        HYPERVISOR_fpu_taskswitch(1);
        __asm__ __volatile__("clts");
        probe("fpu_taskswitch(1) then clts", 0);
    }
}

void pvguest_main(const xen_start_info_t *si)
{
    struct cpuid_regs r;
    char nm[16] = "handled";
    unsigned long yields = cmdline_uint("n", 3);

    (void)si;
    seed = cmdline_uint("seed", 1);
    cmdline_get("nm", nm, sizeof(nm));
    xen_cpuid(1, 0, &r);
    if (!(r.edx & (1u << 24))) {
        test_skip("no FXSR: this test reads the state with FXSAVE");
        xtf_exit();
    }
    have_sse = r.edx & (1u << 25);
    printf("seed %lu, %s, %lu yields\n", seed, have_sse ? "x87 and SSE" : "x87 only", yields);
    make_inputs();

    check_fresh_state();
    check_rc("fpu_taskswitch(1)", HYPERVISOR_fpu_taskswitch(1), 0);
    check_rc("fpu_taskswitch(0)", HYPERVISOR_fpu_taskswitch(0), 0);
    fxsave(fx);                             /* no #NM: we have no handler yet */

    compute_in_registers();
    fxsave(before);
    memcpy(fx, before, sizeof(fx));
    check_results("computed");
    yield(yields);
    fxsave(fx);
    check_results("after yielding");
    check_rc("state after yielding is byte for byte the state before", memcmp(fx, before, FX_STATE), 0);

    if (!strcmp(nm, "unhandled")) {
        HYPERVISOR_fpu_taskswitch(1);
        printf("using the FPU with TS set and no #NM handler\n");
        console_flush();
        fxsave(fx);
        test_fail("no #NM: the virtual TS was ignored");
    } else if (!strcmp(nm, "handled")) {
        check_nm_delivery(yields, cmdline_uint("clts", 0));
    }
    test_pass();
    xtf_exit();
}
