/*
 * bench - what each paravirtual operation costs, counted in instructions.
 *
 * Run under QEMU's -icount (tools/run --icount, as tools/bench does), where
 * the TSC advances by exactly one per instruction executed, the
 * hypervisor's included.  So rdtsc before and after N repetitions of an
 * operation, divided by N, is the number of instructions the whole round
 * trip costs, the same on a busy host as on an idle one.  Each row pairs
 * the operation with a baseline measured in this same run, so the ratio
 * says how far the paravirtual path is from the bare hardware's:
 *   - an empty loop iteration (what every other row also pays);
 *   - a raw int/iret: vector 0x80 with DPL 3 and a ring-1 handler becomes a
 *     real IDT gate (the "fast trap"), so int $0x80 from ring 1 reaches our
 *     handler without the hypervisor, and a plain iret (same ring) returns;
 *     the least any trap round trip can cost on this CPU.
 * Output: one line per row, "bench: <row> <n> <ticks>", which tools/bench
 * turns into the table of docs/performance.md.
 */
#include "pvguest/lib/pvguest.h"

#define IRET_SLOT "hypercall_page + " XSTR(__HYPERVISOR_iret) " * 32"
#define XSTR(x) STR(x)
#define STR(x) #x

/*
 * The handlers are a few instructions of assembly, so that the figures
 * are the hypervisor's and the CPU's, not our C's.  Each returns through
 * the iret hypercall, as a PV kernel must to return with its event mask,
 * except raw_iret, the baseline, which uses the hardware's iret.
 */
__asm__(".text\n"
        "bench_raw_iret:  iret\n"
        "bench_resume:    jmp " IRET_SLOT "\n"
        "bench_skip_ud2:  addl $2, (%esp)\n"
        "                 jmp " IRET_SLOT "\n");
extern char bench_raw_iret[], bench_resume[], bench_skip_ud2[];

static void row(const char *name, unsigned n, uint64_t ticks)
{
    printf("bench: %s %u %llu\n", name, n, ticks);
}

#define TIME(name, n, body)                                     \
    do {                                                        \
        uint64_t t0 = rdtsc();                                  \
        for (unsigned i_ = 0; i_ < (n); i_++) {                 \
            body;                                               \
        }                                                       \
        row(name, n, rdtsc() - t0);                             \
    } while (0)

/* Repetitions per row: the module word n=COUNT (tools/bench --smoke uses few). */
static unsigned N = 2000;

static void traps(void)
{
    /* The raw baseline first: 0x80 as a fast trap (DPL 3, ring-1 CS). */
    if (trap_set(0x80, 3, FLAT_RING1_CS, (uint32_t)bench_raw_iret))
        test_error("set_trap_table 0x80 (raw)");
    TIME("raw-int-iret", N, __asm__ __volatile__("int $0x80" ::: "memory"));
    /* The same vector bounced by the hypervisor: events masked on entry
     * (flags bit 2) keeps it off the hardware gate. */
    if (trap_set(0x80, 3 | TI_MASK_EVENTS, FLAT_RING1_CS, (uint32_t)bench_resume))
        test_error("set_trap_table 0x80 (bounced)");
    TIME("int80-bounce-iret", N, __asm__ __volatile__("int $0x80" ::: "memory"));
    if (trap_set(3, 3, FLAT_RING1_CS, (uint32_t)bench_resume))
        test_error("set_trap_table #BP");
    TIME("int3-bounce-iret", N, __asm__ __volatile__("int3" ::: "memory"));
    if (trap_set(6, 0, FLAT_RING1_CS, (uint32_t)bench_skip_ud2))
        test_error("set_trap_table #UD");
    TIME("ud2-bounce-iret", N, __asm__ __volatile__("ud2" ::: "memory"));
    trap_install(0x80, 3);
    trap_install(3, 3);
    trap_install(6, 0);
}

static void paging(void)
{
    uint32_t va = spare_page(1), mfn = mm_va_to_mfn(va);
    uint64_t pte = mm_pte(mfn, PTE_PRESENT | PTE_RW);
    TIME("update_va_mapping", N, HYPERVISOR_update_va_mapping(va, pte ^ (i_ & 1 ? PTE_ACCESSED : 0), 0));
    /* mmu_update alone: the requests are written before the clock starts. */
    static xen_mmu_update_t reqs[2][512];
    for (unsigned k = 0; k < 512; k++)
        for (unsigned v = 0; v < 2; v++) {
            uint32_t page = spare_page(1 + k % 16);
            reqs[v][k].ptr = mm_l1e_ma(page) | MMU_NORMAL_PT_UPDATE;
            reqs[v][k].val = mm_pte(mm_va_to_mfn(page), PTE_PRESENT | PTE_RW | (v ? PTE_ACCESSED : 0));
        }
    static const unsigned batches[] = { 1, 16, 512 };
    for (unsigned b = 0; b < 3; b++) {
        unsigned n = batches[b], calls = N / n ? N / n : 1, done = 0;
        char name[32];
        snprintf(name, sizeof(name), "mmu_update-batch-%u", n);
        uint64_t t0 = rdtsc();
        for (unsigned c = 0; c < calls; c++)
            if (HYPERVISOR_mmu_update(reqs[c & 1], n, &done, DOMID_SELF) || done != n)
                test_error("mmu_update batch of %u: done %u", n, done);
        row(name, calls * n, rdtsc() - t0);
    }
    uint32_t cr3 = mm_cr3();
    TIME("new_baseptr", N, mm_new_baseptr(cr3));
}

void pvguest_main(const xen_start_info_t *si)
{
    (void)si;
    N = (unsigned)cmdline_uint("n", N);
    traps_init();
    TIME("empty-loop", N, __asm__ __volatile__("" ::: "memory"));
    TIME("null-hypercall", N, HYPERVISOR_xen_version(0, NULL));
    traps();
    paging();
    test_pass();
    xtf_exit();
}
