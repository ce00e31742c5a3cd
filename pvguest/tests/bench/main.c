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
 *
 * role= picks the workload (tools/bench boots each):
 *   role=main (default)  one domain: every single-domain row;
 *   role=ping peer=1 / role=pong peer=0   two domains: an interdomain
 *       event channel ping-pong, then the two yielding to each other.  As
 *       in pvguest/tests/pingpong, pong's first alloc_unbound for its peer
 *       is port 1 and ping binds to it;
 *   role=scale   d0 beside idle domains: the scheduler's pick (a yield
 *       that finds nobody else runnable) and an event to self, which
 *       tools/bench runs with 1, 16, 64 and the most domains;
 *   role=idle ms=T  block until T ms of virtual time, then power off;
 *   role=teardown victims=K beside K role=victim domains (dK binds to
 *       our port K): for each, the time from our "die" event to the
 *       wake-up its death causes, which includes the hypervisor tearing
 *       it down.  tools/bench gives the victims different sizes;
 *   role=xenstore beside the xenstored service: one XS_READ of our own
 *       name, request to reply (pvguest/lib/xenbus.c: the request into the
 *       store ring, a send, SCHEDOP_poll until xenstored has answered),
 *       for tools/bench to set beside the event ping-pong: two domain
 *       switches each, and the store's work on top;
 * and every role first says when it started ("bench: entry 1 <TSC>"):
 * under -icount, the instructions since power-on, the domain builder's
 * included.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/xenbus.h"
#include "pvguest/tests/bench/task_stack.h"

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

/*
 * The system call handlers, for int $0x80 from ring 3.  The library's own
 * way home from ring 3 is an int $0x80 with EAX = RING3_EXIT, so that one
 * goes on to the library's stub; any other returns at once, with the
 * hardware's iret (the fast trap: ring 1 may iret to ring 3 itself) or
 * with the iret hypercall (the bounced vector).  bench_syscalls runs in
 * ring 3: n system calls in a loop.
 */
uint32_t bench_stub80;
extern char bench_sys_fast[], bench_sys_bounced[];
uint32_t bench_syscalls(uint32_t n);
/*
 * The page-fault handler maps the faulting page (always bench_pf_va) with
 * update_va_mapping, drops the error code and returns with the iret
 * hypercall: what a kernel's demand paging does at the least.  The event
 * upcall handler takes the one port we send to ourselves (pending bit,
 * selector, upcall flag) and returns.  Offsets come from the ABI headers,
 * hence the operands (an asm inside a function, placed in .text).
 */
uint32_t bench_pf_va, bench_pf_lo, bench_pf_hi, bench_port;
volatile xen_vcpu_info_t *bench_vcpu;
volatile xen_shared_info_t *bench_shared;
extern char bench_pf[], bench_upcall[];
void bench_switch(uint32_t *save, uint32_t to);
__attribute__((used)) static void bench_handlers(void)
{
    __asm__ __volatile__(
        ".pushsection .text\n"
        "bench_sys_fast:    cmpl %[exit], %%eax\n\t"
        "je 1f\n\t"
        "iret\n"
        "1:                 jmp *bench_stub80\n"
        "bench_sys_bounced: cmpl %[exit], %%eax\n\t"
        "je 1b\n\t"
        "jmp " IRET_SLOT "\n"
        "bench_syscalls:    movl 4(%%esp), %%ecx\n\t"
        "jecxz 3f\n"
        "2:                 int $0x80\n\t"
        "loop 2b\n"
        "3:                 xorl %%eax, %%eax\n\t"
        "ret\n"
        /* bench_switch(save, to): callee-saved registers and ESP swapped */
        "bench_switch:  movl 4(%%esp), %%eax\n\t"
        "movl 8(%%esp), %%ecx\n\t"
        "pushl %%ebp\n\tpushl %%ebx\n\tpushl %%esi\n\tpushl %%edi\n\t"
        "movl %%esp, (%%eax)\n\t"
        "movl %%ecx, %%esp\n\t"
        "popl %%edi\n\tpopl %%esi\n\tpopl %%ebx\n\tpopl %%ebp\n\t"
        "ret\n"
        "bench_pf:      pushl %%eax\n\tpushl %%ebx\n\tpushl %%ecx\n\tpushl %%edx\n\tpushl %%esi\n\t"
        "movl bench_pf_va, %%ebx\n\t"
        "movl bench_pf_lo, %%ecx\n\t"
        "movl bench_pf_hi, %%edx\n\t"
        "xorl %%esi, %%esi\n\t"       /* no flush: nothing was cached for a hole */
        "call hypercall_page + %c[uvm] * 32\n\t"
        "popl %%esi\n\tpopl %%edx\n\tpopl %%ecx\n\tpopl %%ebx\n\tpopl %%eax\n\t"
        "addl $4, %%esp\n\t"           /* the error code */
        "jmp " IRET_SLOT "\n"
        "bench_upcall:  pushl %%eax\n\tpushl %%ecx\n\t"
        "movl bench_vcpu, %%eax\n\t"
        "movb $0, %c[pending](%%eax)\n\t"
        "movl $0, %c[sel](%%eax)\n\t"
        "movl bench_shared, %%eax\n\t"
        "movl bench_port, %%ecx\n\t"
        "lock btrl %%ecx, %c[ports](%%eax)\n\t"
        "popl %%ecx\n\tpopl %%eax\n\t"
        "jmp " IRET_SLOT "\n"
        ".popsection\n"
        :: [exit] "i"(RING3_EXIT), [uvm] "i"(__HYPERVISOR_update_va_mapping),
           [pending] "i"(offsetof(xen_vcpu_info_t, evtchn_upcall_pending)),
           [sel] "i"(offsetof(xen_vcpu_info_t, evtchn_pending_sel)),
           [ports] "i"(offsetof(xen_shared_info_t, evtchn_pending)));
}

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

/*
 * System calls from ring 3.  The ring-3 loop runs inside run_in_ring3,
 * whose own trip (in and home) is measured with no calls and taken off.
 * Events stay masked in ring 3, so nothing else is delivered meanwhile.
 */
static uint64_t ring3_ticks(unsigned n)
{
    uint64_t t0 = rdtsc();
    run_in_ring3(bench_syscalls, n);
    return rdtsc() - t0;
}

static void syscalls(void)
{
    bench_stub80 = trap_stub(0x80);
    set_event_mask(1);
    if (trap_set(0x80, 3, FLAT_RING1_CS, (uint32_t)bench_sys_fast))
        test_error("set_trap_table 0x80 (fast)");
    ring3_ticks(1);                 /* the image made user-accessible, once */
    uint64_t trip = ring3_ticks(0);
    row("syscall-fast-trap", N, ring3_ticks(N) - trip);
    if (trap_set(0x80, 3 | TI_MASK_EVENTS, FLAT_RING1_CS, (uint32_t)bench_sys_bounced))
        test_error("set_trap_table 0x80 (bounced)");
    row("syscall-bounced", N, ring3_ticks(N) - trip);
    trap_install(0x80, 3);
    set_event_mask(0);
}

/*
 * A context switch between two tasks of one kernel, as a PV kernel makes
 * it: the next task's kernel stack for traps from ring 3 (stack_switch),
 * its address space (NEW_BASEPTR; both tasks share ours here, which costs
 * the hypervisor the same), then its registers and stack.  Task 1 only
 * ever switches back; each of task 0's loops is two switches.
 */
static uint32_t task_sp[2], task_kstack[2], task_cr3;
static uint8_t task1_stack[4096] __attribute__((aligned(16)));

static void ctx_switch(unsigned from, unsigned to)
{
    HYPERVISOR_stack_switch(FLAT_RING1_SS, task_kstack[to]);
    mm_new_baseptr(task_cr3);
    bench_switch(&task_sp[from], task_sp[to]);
}

static void __noreturn task1(void)
{
    for (;;)
        ctx_switch(1, 0);
}

static void tasks(void)
{
    task_sp[1] = task_stack_init(task1_stack, sizeof(task1_stack), task1);
    task_kstack[0] = trap_stack_top;
    task_kstack[1] = (uint32_t)(task1_stack + sizeof(task1_stack) / 2);
    task_cr3 = mm_cr3();
    TIME("task-switch-pair", N, ctx_switch(0, 1));
    HYPERVISOR_stack_switch(FLAT_RING1_SS, trap_stack_top);
}

/* A hole, a fault, the handler maps it, the access is retried; then unmap. */
static void page_faults(void)
{
    uint32_t va = spare_page(20);
    uint64_t pte = mm_pte(mm_va_to_mfn(va), PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY);

    bench_pf_va = va;
    bench_pf_lo = (uint32_t)pte;
    bench_pf_hi = (uint32_t)(pte >> 32);
    if (HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG))
        test_error("unmap for the page-fault row");
    if (trap_set(14, 0, FLAT_RING1_CS, (uint32_t)bench_pf))
        test_error("set_trap_table #PF");
    TIME("page-fault", N, {
        *(volatile uint32_t *)va = i_;
        HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG);
    });
    trap_install(14, 0);
    HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG);
}

/*
 * Address spaces, as a PV kernel makes them at fork and exec
 * (pvguest/tests/aspace does the same, with every check): frames from the
 * pool; one mmuext_op clears the user L2, the kernel's slot-3 L2 and the
 * L1, writes the L3 by copy from a template, copies the parent's pages
 * into the child's (fork only) and pins the L3, which validates it all;
 * one mmu_update writes the kernel's L2 entries (the L1s our own slot-3
 * L2 has), the user L2 entry and the child's L1 entries.  Destroying it
 * is one unpin.  The fork row also runs the child: NEW_BASEPTR to it, a
 * write to each of its pages, NEW_BASEPTR back.  pvguest/native builds
 * the same with PAE tables of its own (there the kernel's L2 is shared).
 */
#define SPACE_VA    0x40000000u     /* L3 slot 1: the child's pages */
#define SPACE_PAGES 4
#define SPACE_PTE   (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
static uint64_t space_l3[512] __attribute__((aligned(PAGE_SIZE)));
static uint32_t space_parent[SPACE_PAGES][PAGE_SIZE / 4] __attribute__((aligned(PAGE_SIZE)));

static uint32_t space_mfn(uint32_t pfn) { return mm_pfn_to_mfn(pfn); }

/* Build, (fork: run the child,) destroy: one life of an address space. */
static void space_life(unsigned pages)
{
    enum { L3, L2U, L2K, L1, DATA };
    uint32_t f[DATA + SPACE_PAGES];
    xen_mmuext_op_t ops[5 + SPACE_PAGES];
    unsigned n = 0, done = 0, nr = 0;

    for (unsigned i = 0; i < DATA + pages; i++)
        f[i] = space_mfn(mm_frame_alloc());
    space_l3[1] = mm_pte(f[L2U], PTE_PRESENT);
    space_l3[3] = mm_pte(f[L2K], PTE_PRESENT);
    for (unsigned i = L2U; i <= L1; i++)
        ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = f[i] };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = f[L3],
                                  .arg2.src_mfn = mm_va_to_mfn((uint32_t)(uintptr_t)space_l3) };
    for (unsigned i = 0; i < pages; i++)
        ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = f[DATA + i],
                                      .arg2.src_mfn = mm_va_to_mfn((uint32_t)(uintptr_t)space_parent[i]) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_PIN_L3_TABLE, .arg1.mfn = f[L3] };
    if (HYPERVISOR_mmuext_op(ops, n, &done, DOMID_SELF) || done != n)
        test_error("address space: mmuext_op %u of %u", done, n), xtf_exit();
    const volatile uint64_t *boot_l3 = (const volatile uint64_t *)pvguest_start_info->pt_base;
    const volatile uint64_t *boot_l2 = (const volatile uint64_t *)mm_mfn_to_va(PTE_MFN(boot_l3[3]));
    for (unsigned i = 0; i < 428; i++)
        if (boot_l2[i] & PTE_PRESENT)
            mmu_queue(mm_entry_ma(f[L2K], i), boot_l2[i]), nr++;
    mmu_queue(mm_entry_ma(f[L2U], 0), mm_pte(f[L1], SPACE_PTE));
    for (unsigned i = 0; i < pages; i++)
        mmu_queue(mm_entry_ma(f[L1], i), mm_pte(f[DATA + i], SPACE_PTE));
    nr += 1 + pages;
    if (mmu_flush(&done) || done != nr)
        test_error("address space: mmu_update %u of %u", done, nr), xtf_exit();
    if (pages) {
        if (mm_new_baseptr(f[L3]))
            test_error("new_baseptr to the child"), xtf_exit();
        for (unsigned i = 0; i < pages; i++)
            ((volatile uint32_t *)(SPACE_VA + i * PAGE_SIZE))[1] = i;
        mm_new_baseptr(mm_bootstrap_l3());
    }
    if (mm_unpin(f[L3]))
        test_error("address space: unpin"), xtf_exit();
    for (unsigned i = DATA + pages; i-- > 0; )
        mm_frame_free(mm_mfn_to_pfn(f[i]));
}

static void spaces(void)
{
    unsigned n = N / 10 ? N / 10 : 1;
    TIME("aspace-create-destroy", n, space_life(0));
    TIME("fork-exit", n, space_life(SPACE_PAGES));
}

/* An IPI port: a send to ourselves raises the upcall on the way out. */
static unsigned event_self_setup(void)
{
    struct xen_evtchn_bind_ipi op = { .vcpu = 0 };

    bench_vcpu = vcpu_info0();
    bench_shared = shared_info;
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op))
        test_error("bind_ipi");
    bench_port = op.port;
    if (HYPERVISOR_set_callbacks(FLAT_RING1_CS, (uint32_t)bench_upcall,
                                 FLAT_RING1_CS, (uint32_t)trap_failsafe_entry))
        test_error("set_callbacks");
    if (evtchn_unmask(op.port))
        test_error("unmask");
    set_event_mask(0);
    return op.port;
}

static void event_self(const char *name)
{
    unsigned port = bench_port;
    TIME(name, N, evtchn_send(port));
}

/* Fresh events, masked, on port: taken when the pending bit is. */
static bool take(unsigned port)
{
    uint8_t was;

    __asm__ __volatile__("lock btrl %2, %1; setc %0"
                         : "=q"(was), "+m"(shared_info->evtchn_pending[port / 32])
                         : "Ir"(port % 32) : "memory", "cc");
    return was;
}

/* Sleep until port is pending (events stay masked: SCHEDOP_poll). */
static void wait_port(unsigned port)
{
    xen_evtchn_port_t ports[1] = { port };
    struct xen_sched_poll p = { .nr_ports = 1, .timeout = 0 };

    set_xen_guest_handle(p.ports, ports);
    while (!take(port))
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/*
 * Two domains.  Ping-pong: ping sends, pong wakes from its poll and sends
 * back, ping wakes: per round trip two sends, two polls, two domain
 * switches.  Then ping yields N times while pong yields until ping's last
 * event: each of ping's yields is a switch to pong and one back.
 */
static void pair(bool ping, unsigned peer)
{
    long port;

    set_event_mask(1);
    if (ping) {
        for (unsigned t = 0; (port = evtchn_bind_interdomain(peer, 1)) < 0; t++)
            if (t > 100000 || port != -EINVAL)
                test_error("bind to d%u port 1: %ld", peer, port), xtf_exit();
            else
                HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        take(port);                 /* as Xen, the bind left our end pending */
        evtchn_send(port);                      /* pong starts */
        wait_port(port);
        TIME("event-pingpong", N, { evtchn_send(port); wait_port(port); });
        TIME("domain-switch-pair", N, HYPERVISOR_sched_op(SCHEDOP_yield, NULL));
        evtchn_send(port);                      /* pong stops */
    } else {
        if ((port = evtchn_alloc_unbound(peer)) != 1)
            test_error("alloc_unbound: %ld, not port 1", port), xtf_exit();
        wait_port(port);
        evtchn_send(port);
        for (unsigned i = 0; i < N; i++) {
            wait_port(port);
            evtchn_send(port);
        }
        while (!take(port))
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/*
 * Beside nr_domains - 1 idle (blocked) domains: a yield that finds nobody
 * else to run is the scheduler's pick over every domain; the event to self
 * is delivery.  tools/bench compares the counts across domain numbers.
 */
static void scale(void)
{
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* let every idle domain block */
    TIME("sched-pick", N, HYPERVISOR_sched_op(SCHEDOP_yield, NULL));
    event_self_setup();
    event_self("event-self-scale");
}

static void on_timer(unsigned port, void *arg)
{
    (void)port, (void)arg;
}

static void idle(void)
{
    if (evtchn_init() || evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL) < 0)
        test_error("timer event");
    time_block_until(time_now_ns() + cmdline_uint("ms", 1000) * NS_PER_MS);
}

/* Victims: bind to d0's port (our domid), wait for the word, die. */
static void victim(void)
{
    long port;
    unsigned me = (unsigned)cmdline_uint("me", 1);

    set_event_mask(1);
    for (unsigned t = 0; (port = evtchn_bind_interdomain(0, me)) < 0; t++)
        if (t > 100000 || port != -EINVAL)
            test_error("bind to d0 port %u: %ld", me, port), xtf_exit();
        else
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    take(port);
    wait_port(port);
    shutdown(SHUTDOWN_poweroff);
}

static void teardown(void)
{
    unsigned victims = (unsigned)cmdline_uint("victims", 2);
    struct xen_evtchn_status st;

    set_event_mask(1);
    for (unsigned v = 1; v <= victims; v++)
        if (evtchn_alloc_unbound(v) != (long)v)
            test_error("alloc_unbound for d%u", v), xtf_exit();
    for (unsigned v = 1; v <= victims; v++)
        for (;;) {
            st = (struct xen_evtchn_status){ .dom = DOMID_SELF, .port = v };
            if (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st))
                test_error("status"), xtf_exit();
            if (st.status == EVTCHNSTAT_interdomain)
                break;
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        }
    /* Everyone bound and waiting (a yield runs each victim to its poll). */
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    for (unsigned v = 1; v <= victims; v++) {
        char name[32];

        snprintf(name, sizeof(name), "teardown-d%u", v);
        take(v);
        uint64_t t0 = rdtsc();
        evtchn_send(v);
        wait_port(v);
        row(name, 1, rdtsc() - t0);
    }
}

/* XS_READ round trips; the first, untimed, waits for xenstored to introduce us. */
static void xenstore(void)
{
    char name[64];
    long rc;

    if (!xenbus_test_ready())
        xtf_exit();
    if ((rc = xs_read(0, "name", name, sizeof(name))) < 0)
        test_error("xs_read name: %ld (%s)", rc, xenbus_last_error), xtf_exit();
    TIME("xs-read", N, xs_read(0, "name", name, sizeof(name)));
}

void pvguest_main(const xen_start_info_t *si)
{
    char role[16] = "main";

    (void)si;
    row("entry", 1, rdtsc());
    N = (unsigned)cmdline_uint("n", N);
    cmdline_get("role", role, sizeof(role));
    traps_init();
    if (!strcmp(role, "idle") || !strcmp(role, "victim")) {
        if (role[0] == 'i')
            idle();
        else
            victim();
        test_pass();
        xtf_exit();
    }
    TIME("empty-loop", N, __asm__ __volatile__("" ::: "memory"));
    if (!strcmp(role, "ping") || !strcmp(role, "pong")) {
        pair(role[1] == 'i', (unsigned)cmdline_uint("peer", 0));
    } else if (!strcmp(role, "scale")) {
        scale();
    } else if (!strcmp(role, "teardown")) {
        teardown();
    } else if (!strcmp(role, "xenstore")) {
        xenstore();
    } else {
        TIME("null-hypercall", N, HYPERVISOR_xen_version(0, NULL));
        traps();
        syscalls();
        paging();
        page_faults();
        tasks();
        spaces();
        event_self_setup();
        event_self("event-self");
    }
    test_pass();
    xtf_exit();
}
