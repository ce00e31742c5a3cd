/*
 * hcfuzz - a guest that calls every hypercall with random and hostile
 * arguments, to show the hypervisor survives whatever a guest asks.
 *
 * Each call picks a hypercall number (mostly the 32-bit PV ABI's, some
 * beyond it) and five arguments.  An argument is a random number, a value
 * from the list of ones that catch bugs (0, -1, 1<<31, page boundaries),
 * or a pointer: into a scratch buffer filled with random bytes or with
 * well-formed records of the call's own sub-op (structure-aware: mmu_update
 * requests aimed at our own page tables, mmuext_ops naming our own frames,
 * multicall entries that nest other calls), or at places a hostile guest
 * would aim: our page tables (read-only to us, so a write through them is
 * a hypervisor bug), the M2P, shared_info, the hypervisor hole, the last
 * byte before it, unmapped space.  Not our own code or stack: a hypercall
 * that writes its result there does what we asked, and we would die of it.
 *
 * The fuzzer must not kill itself, or a run would stop early: so it never
 * calls iret, shutdown, block or VCPUOP_down, aims page-table changes only
 * at its spare pages, keeps console writes short, and after a call that
 * may have moved its trap table, callbacks, stack or debug registers, puts
 * them back.  Events are masked and an upcall is only acknowledged.
 * The hypervisor's half of the bargain: no panic, no hang, every other
 * domain untouched (a victim runs beside us), and no frame leaked once
 * every fuzzer has ended.
 *
 * cmdline: seed=N (default 1), calls=N (default 100000), trace=1 (print
 * each call before making it, to find the one a death follows).  Prints the count
 * of calls, how many returned 0, and the calls per second of guest time.
 */
#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/memory.h"

#define SCRATCH_PAGES 4
static uint8_t scratch[SCRATCH_PAGES * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t rng, pt_base, nr_pt;   /* our page tables: start_info's pt_base, nr_pt_frames */
static unsigned long ncalls, nzero;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/*
 * Any number may end up used as a pointer.  One that lands in our own
 * memory, outside the scratch buffer, is moved into it: the hypervisor
 * writing there would be doing what we asked.  Records in the buffer are
 * read at word-aligned offsets only, so no pointer is made of two halves
 * (a runstate area registered that way once overwrote our hypercall page).
 */
static uint32_t not_ours(uint32_t v)
{
    uint32_t lo = (uint32_t)(uintptr_t)scratch;
    if (v >= PV_VIRT_BASE && v < mm_map_end() && (v < lo || v >= lo + sizeof(scratch)))
        return lo + (v % sizeof(scratch) & ~3u);
    return v;
}

static uint32_t pick(const uint32_t *v, unsigned n)
{
    return v[rnd() % n];
}

/* A page the fuzzer may remap at will: spare pages 8..23 (the library uses the low ones). */
static uint32_t spare(void)
{
    return spare_page(8 + rnd() % 16);
}

/* Somewhere a hostile guest would point the hypervisor. */
static uint32_t hostile_pointer(void)
{
    const uint32_t places[] = {
        0, 4, 0xfff, (uint32_t)(uintptr_t)shared_info, (uint32_t)(uintptr_t)shared_info + 0xffc,
        MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_START + 0x1000, MACH2PHYS_VIRT_END - 4,
        0xF57FFFFC, 0xF57FFFFF, 0xF6800000, 0xF6800000 - 1, 0xFC000000, 0xFFFFF000, 0xFFFFFFFC,
        pt_base, pt_base + 0xff8,            /* our L3: mapped read-only, never to be written */
        mm_map_end(), mm_map_end() + 0x3ffc, /* unmapped */
        (uint32_t)mm_bootstrap_l3() << 12,   /* an MFN as if it were an address */
    };
    if (rnd() % 4 == 0)
        return pt_base + (rnd() % nr_pt) * PAGE_SIZE + (rnd() % 512) * 8;   /* inside our tables */
    return pick(places, sizeof(places) / sizeof(places[0]));
}

static uint32_t interesting(void)
{
    const uint32_t v[] = { 0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 511, 512, 1023,
                           1024, 4095, 4096, 0x7fff, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
                           0xfffffffe, 0xffffffff, DOMID_SELF, DOMID_IO, DOMID_XEN, 0x7ff5 };
    return pick(v, sizeof(v) / sizeof(v[0]));
}

/* One of our frames, or a frame not ours. */
static uint32_t some_mfn(void)
{
    switch (rnd() % 4) {
    case 0: return mm_va_to_mfn(spare());
    case 1: return mm_bootstrap_l3();
    case 2: return mm_va_to_mfn(PV_VIRT_BASE + (rnd() % 64) * PAGE_SIZE);
    default: return rnd() % 0x10000;
    }
}

/* A frame that is not ours: the hypervisor's, another domain's, or none. */
static uint32_t foreign_mfn(void)
{
    uint32_t m;
    do
        m = rnd() % 0x10000;
    while (mm_mfn_to_pfn(m) != MFN_NONE);
    return m;
}

/*
 * A count of records at a pointer into the scratch buffer must not reach
 * past its end: the hypervisor would read, and write results, in our own
 * memory beyond it.  A longer count gets a pointer that is not ours.
 */
static void fit(uint32_t *ptr, uint32_t *count, uint32_t size)
{
    uint32_t lo = (uint32_t)(uintptr_t)scratch, hi = lo + sizeof(scratch);
    if (*ptr >= lo && *ptr < hi && *count > (hi - *ptr) / size)
        *ptr = hostile_pointer();
}

/* Fill the scratch buffer with records of the call's own shape. */
static uint32_t structured(uint32_t nr)
{
    uint32_t *w = (uint32_t *)scratch;
    unsigned words = sizeof(scratch) / 4;
    for (unsigned i = 0; i < words; i++)
        w[i] = not_ours(rnd() % 2 ? interesting() : rnd());
    xen_mmu_update_t *mu = (xen_mmu_update_t *)scratch;
    xen_mmuext_op_t *mx = (xen_mmuext_op_t *)scratch;
    xen_multicall_entry_t *mc = (xen_multicall_entry_t *)scratch;
    switch (nr) {
    case __HYPERVISOR_mmu_update:
        for (unsigned i = 0; i < 64; i++) {
            uint32_t va = spare();
            /* Mostly our spare pages' entries; else a frame not ours (one of
             * our own page tables would let us unmap our own code). */
            mu[i].ptr = (rnd() % 8 ? mm_l1e_ma(va) : ((uint64_t)foreign_mfn() << 12) + (rnd() % 512) * 8)
                        | (rnd() % 8 == 0 ? rnd() % 4 : MMU_NORMAL_PT_UPDATE);
            mu[i].val = rnd() % 4 ? mm_pte(some_mfn(), rnd() & 0xfff) : ((uint64_t)rnd() << 32 | rnd());
        }
        break;
    case __HYPERVISOR_mmuext_op:
        for (unsigned i = 0; i < 32; i++) {
            mx[i].cmd = rnd() % 24;
            mx[i].arg1.mfn = rnd() % 4 ? some_mfn() : rnd();
            mx[i].arg2.nr_ents = rnd() % 2 ? rnd() % 8192 : (uint32_t)(uintptr_t)scratch;
            if (mx[i].cmd == MMUEXT_NEW_BASEPTR)
                mx[i].arg1.mfn = rnd() % 2 ? mm_cr3() : rnd();   /* never another valid table */
            if (mx[i].cmd == MMUEXT_CLEAR_PAGE || mx[i].cmd == MMUEXT_COPY_PAGE)
                mx[i].arg1.mfn = rnd() % 4 ? mm_va_to_mfn(spare()) : rnd();   /* not our code */
        }
        break;
    case __HYPERVISOR_memory_op: {
        xen_memory_reservation_t *r = (xen_memory_reservation_t *)scratch;
        r->extent_start = (uint32_t)(uintptr_t)scratch + 64;
        r->nr_extents = rnd() % 2 ? rnd() % 16 : interesting();
        if (r->nr_extents > (sizeof(scratch) - 64) / 4)
            r->extent_start = hostile_pointer();   /* a long list: never over our own memory */
        r->extent_order = rnd() % 4 ? 0 : interesting();
        r->domid = rnd() % 2 ? DOMID_SELF : interesting();
        break;
    }
    case __HYPERVISOR_multicall:
        for (unsigned i = 0; i < 16; i++) {
            static const uint32_t safe[] = { __HYPERVISOR_xen_version, __HYPERVISOR_mmu_update,
                                             __HYPERVISOR_mmuext_op, __HYPERVISOR_update_descriptor,
                                             __HYPERVISOR_memory_op, __HYPERVISOR_event_channel_op,
                                             __HYPERVISOR_vm_assist,
                                             __HYPERVISOR_get_debugreg, __HYPERVISOR_set_gdt,
                                             __HYPERVISOR_grant_table_op, 0x3f };
            mc[i].op = pick(safe, sizeof(safe) / sizeof(safe[0]));
            for (unsigned a = 0; a < 6; a++)
                mc[i].args[a] = rnd() % 2 ? interesting() : hostile_pointer();
            if (rnd() % 2) {
                mc[i].args[0] = (uint32_t)(uintptr_t)scratch + PAGE_SIZE * (1 + rnd() % 3);
                fit(&mc[i].args[0], &mc[i].args[1], 64);
            }
            if (mc[i].op == __HYPERVISOR_grant_table_op)
                fit(&mc[i].args[1], &mc[i].args[2], 64);
        }
        break;
    }
    return (uint32_t)(uintptr_t)scratch + (rnd() % 4 == 0 ? (rnd() % sizeof(scratch) & ~3u) : 0);
}

static uint32_t argument(uint32_t nr)
{
    switch (rnd() % 6) {
    case 0: return not_ours(rnd());
    case 1: case 2: return interesting();
    case 3: return hostile_pointer();
    default: return structured(nr);
    }
}

static long raw_hypercall(uint32_t nr, uint32_t *a)
{
    long rc;
    /* All five registers may come back changed: a continuation rewrites them. */
    __asm__ __volatile__("int $0x82"
                         : "=a"(rc), "+b"(a[0]), "+c"(a[1]), "+d"(a[2]), "+S"(a[3]), "+D"(a[4])
                         : "a"(nr) : "memory");
    return rc;
}

/* Put back what a call may have changed that we need to go on living. */
static void restore(void)
{
    traps_init();
    trap_set_callbacks();
    HYPERVISOR_set_debugreg(7, 0);
    HYPERVISOR_fpu_taskswitch(0);
    set_event_mask(1);
}

/* Should this call be skipped, or its arguments tamed, so that we live on? */
static bool tame(uint32_t nr, uint32_t *a)
{
    switch (nr) {
    case __HYPERVISOR_iret:
        return false;                              /* would land wherever the stack says */
    case __HYPERVISOR_sched_op:
    case __HYPERVISOR_sched_op_compat:
        return a[0] == 0 || a[0] >= 5;             /* yield, or a command that is no command */
    case __HYPERVISOR_vcpu_op:
        /* Never VCPUOP_down or initialise, nor a move of vcpu_info (our clock); areas the hypervisor will keep
         * writing (runstate, vcpu_info) go to the scratch buffer, not our code. */
        if (a[2] < (uint32_t)(uintptr_t)scratch || a[2] >= (uint32_t)(uintptr_t)scratch + sizeof(scratch))
            a[2] = (uint32_t)(uintptr_t)scratch + (rnd() % 2 ? 0 : (rnd() % sizeof(scratch) & ~3u));
        return a[0] != 2 && a[0] != 0 && a[0] != 10;
    case __HYPERVISOR_update_va_mapping:
        if (rnd() % 8)
            a[0] = spare();                        /* a random VA could be our own stack */
        else if (a[0] < mm_map_end() && a[0] >= PV_VIRT_BASE)
            a[0] = 0xF5800000u + (a[0] & 0xfff000);
        return true;
    case __HYPERVISOR_mmu_update:
        fit(&a[0], &a[1], sizeof(xen_mmu_update_t));
        return true;
    case __HYPERVISOR_mmuext_op:
        fit(&a[0], &a[1], sizeof(xen_mmuext_op_t));
        return true;
    case __HYPERVISOR_multicall:
        fit(&a[0], &a[1], sizeof(xen_multicall_entry_t));
        return true;
    case __HYPERVISOR_grant_table_op:
    case __HYPERVISOR_argo_op:
        fit(&a[1], &a[2], 64);                     /* no record is larger */
        return true;
    case __HYPERVISOR_update_descriptor:
        if (rnd() % 4) {                           /* our code is a writable page too */
            a[0] = (uint32_t)mm_va_to_mfn(spare()) << 12 | (rnd() % 512) * 8;
            a[1] = 0;
        }
        return true;
    case __HYPERVISOR_update_va_mapping_otherdomain:
        a[0] = spare();
        return true;
    case __HYPERVISOR_console_io:
        if (a[0] == CONSOLEIO_write && a[1] > 64)
            a[1] %= 64;                            /* the log stays readable */
        return true;
    case __HYPERVISOR_memory_op:
        return a[0] != XENMEM_decrease_reservation || rnd() % 4 == 0;
    default:
        return true;
    }
}

static uint32_t last[6];            /* the call made last, for a death notice */

/* A fault in our own code: name the call that led to it, then end as the library does. */
static bool self_inflicted(struct trap_frame *f)
{
    printf("\nhcfuzz: our own fault %s at 0x%08x (cr2 0x%08x) after call %lu: %u(%x, %x, %x, %x, %x)\n",
           trap_name(f->vector), f->eip, exinfo.cr2, ncalls, last[0], last[1],
           last[2], last[3], last[4], last[5]);
    return false;
}

static bool acknowledge_event(struct trap_frame *f)
{
    vcpu_info0()->evtchn_upcall_pending = 0;
    f->eflags &= ~EFLAGS_IF;                       /* come back masked */
    return true;
}

void pvguest_main(const xen_start_info_t *si)
{
    pt_base = si->pt_base;
    nr_pt = si->nr_pt_frames;
    rng = (uint32_t)cmdline_uint("seed", 1) * 2654435761u | 1;
    unsigned long calls = cmdline_uint("calls", 100000);
    bool trace = cmdline_uint("trace", 0);
    traps_init();
    trap_set_callbacks();
    trap_set_hook(TRAP_EVENT, acknowledge_event);
    for (unsigned v = 0; v < 32; v++)
        trap_set_hook(v, self_inflicted);
    set_event_mask(1);
    uint64_t t0 = time_now_ns();
    while (ncalls < calls) {
        uint32_t nr = rnd() % 16 == 0 ? rnd() % 64 : rnd() % 43, a[5];
        for (unsigned i = 0; i < 5; i++)
            a[i] = argument(nr);
        if (!tame(nr, a))
            continue;
        last[0] = nr;
        memcpy(&last[1], a, sizeof(a));
        if (trace)
            printf("call %u %x %x %x %x %x\n", nr, a[0], a[1], a[2], a[3], a[4]);
        if (raw_hypercall(nr, a) == 0)
            nzero++;
        ncalls++;
        if (nr <= __HYPERVISOR_set_callbacks || nr == __HYPERVISOR_set_debugreg ||
            nr == __HYPERVISOR_callback_op || nr == __HYPERVISOR_fpu_taskswitch ||
            nr == __HYPERVISOR_vcpu_op || nr == __HYPERVISOR_multicall)
            restore();
        if (ncalls % 20000 == 0)
            printf("\nhcfuzz: %lu calls\n", ncalls);
    }
    restore();
    uint64_t ns = time_now_ns() - t0;
    /* Our random console writes may have left a line open: start afresh. */
    printf("\nhcfuzz: seed %lu: %lu calls, %lu returned 0, %llu calls/s of guest time\n",
           cmdline_uint("seed", 1), ncalls, nzero, ns ? (uint64_t)ncalls * 1000000000ull / ns : 0);
    test_pass();
    xtf_exit();
}
