/*
 * smp - a 2-vCPU domain (dom.vcpus=2) on one physical CPU, as Xen runs one.
 *
 * vCPU 0 (this file's pvguest_main) checks, with Xen's error values:
 *  - vcpu_op's hostile arguments: vCPU numbers past the domain's 2
 *    (-ENOENT), up before initialise (-EINVAL), unreadable contexts
 *    (-EFAULT), and contexts with one bad field each - a ring-0 or a hole
 *    trap handler, a ring-0 callback selector, a hole callback, a ring-0 or
 *    a hole kernel stack, a ring-0 or a hole start address, an LDT or GDT
 *    out of range, a debug register set_debugreg refuses, a cr3 that is a
 *    data page or not ours - each refused as
 *    the hypercall that sets that field alone refuses it, and none of them
 *    leaving the vCPU initialised;
 *  - events per vCPU: bind_ipi and bind_virq(VIRQ_TIMER) on vCPU 1,
 *    -ENOENT for vCPU 2, -EINVAL for a global VIRQ on vCPU 1 and for moving
 *    an IPI port, bind_vcpu of an unbound port shown by status;
 *  - then it initialises vCPU 1 (a second initialise is -EEXIST), brings it
 *    up, and both vCPUs count.  vCPU 1 sends an IPI to vCPU 0, vCPU 0 one
 *    back; each takes its own timer (vCPU 0 set_timer_op, vCPU 1 its
 *    single-shot timer, then a periodic one vCPU 0 sets for it); none of
 *    vCPU 1's events ever reaches vCPU 0's handlers;
 *  - the single-shot timer and register_vcpu_info refuse another running
 *    vCPU (-EINVAL); runstate of vCPU 1; down stops its counter for good,
 *    up resumes it where it was, down again; then vCPU 1's vcpu_info
 *    moves (it is down), and vCPU 0's stays;
 *  - MMUEXT_TLB_FLUSH_MULTI / INVLPG_MULTI read their vCPU mask (-EINVAL
 *    when it cannot be read, as Xen).
 * vCPU 1 runs vcpu1_main on its own stack with its own event callback,
 * which handles only its own vcpu_info (shared_info.vcpu_info[1]).  Its
 * ports are kept in word 1 of the pending bitmap (ports 32 and up), so
 * vCPU 0's demultiplexer, which scans the words its own selector names,
 * never sees them: Linux keeps a per-CPU mask for the same reason.
 * With "spin=N" it skips the checks: both vCPUs count to N without
 * yielding, for the scheduler's fairness test.  No timing decides
 * anything: waits are counted in yields.
 */
#include "pvguest/lib/pvguest.h"

#define HOLE      0xf5800000u
#define WAITS     200000u                  /* yields before a wait is a failure */
#define RING0_CS  0xe008u                  /* the hypervisor's code selector */
#define RING0_DS  0xe010u

static long op(int cmd, unsigned vcpu, void *arg) { return HYPERVISOR_vcpu_op(cmd, vcpu, arg); }
static long ev(int cmd, void *arg) { return HYPERVISOR_event_channel_op(cmd, arg); }

/* What the two vCPUs share; each word is written by one side only. */
static volatile unsigned count0, count1;            /* the counters */
static volatile unsigned ipi0_hits, ipi1_hits;      /* IPIs taken on vCPU 0, vCPU 1 */
static volatile unsigned timer0_hits, timer1_hits;  /* VIRQ_TIMER on vCPU 0, vCPU 1 */
static volatile unsigned v1_upcalls, v1_stage, stolen;
static unsigned ipi0, ipi1, timer1;                  /* ports */
static unsigned long spin_to;                        /* "spin=N": both count to N, no yields */

static uint8_t v1_stack[8192] __attribute__((aligned(16)));
#define V1_STACK_TOP ((uint32_t)(uintptr_t)(v1_stack + sizeof(v1_stack)))

/*
 * vCPU 1's event callback.  Entered in ring 1 with events masked and the
 * bounce frame (eip, cs, eflags) on its stack; it returns through the iret
 * hypercall, which unmasks events again as eflags.IF says.
 */
void vcpu1_upcall(void);
void vcpu1_event_entry(void);
void vcpu1_failsafe_entry(void);
void vcpu1_start(void);
__asm__(
    ".text\n"
    ".globl vcpu1_event_entry\n"
    "vcpu1_event_entry:\n"
    "    pushal\n"
    "    cld\n"
    "    call vcpu1_upcall\n"
    "    popal\n"
    "    jmp hypercall_page + " "23" " * 32\n"    /* __HYPERVISOR_iret */
    ".globl vcpu1_failsafe_entry\n"
    "vcpu1_failsafe_entry:\n"
    "    ud2\n"                                    /* no handler: the domain halts, visibly */
    ".globl vcpu1_start\n"
    "vcpu1_start:\n"
    "    call vcpu1_main\n"
    "    ud2\n");
_Static_assert(__HYPERVISOR_iret == 23, "the iret slot above");

/* The 2-level demultiplexer for vCPU 1's own vcpu_info. */
void vcpu1_upcall(void)
{
    volatile xen_vcpu_info_t *vi = &shared_info->vcpu_info[1];
    v1_upcalls++;
    while (vi->evtchn_upcall_pending) {
        vi->evtchn_upcall_pending = 0;
        uint32_t sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        for (unsigned w = 0; w < 32; w++) {
            if (!(sel & (1u << w)))
                continue;
            uint32_t bits = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w];
            __atomic_fetch_and(&shared_info->evtchn_pending[w], ~bits, __ATOMIC_SEQ_CST);
            for (unsigned b = 0; b < 32; b++) {
                unsigned port = w * 32 + b;
                if (!(bits & (1u << b)))
                    continue;
                if (port == ipi1)
                    ipi1_hits++;
                else if (port == timer1)
                    timer1_hits++;
            }
        }
    }
}

static void v1_yield(void) { HYPERVISOR_sched_op(SCHEDOP_yield, NULL); }

/* vCPU 1: count, IPI vCPU 0, wait for vCPU 0's IPI, take its own timer, count on. */
void vcpu1_main(void) __noreturn;
void vcpu1_main(void)
{
    shared_info->vcpu_info[1].evtchn_upcall_mask = 0;    /* it starts masked, as Xen's */
    v1_stage = 1;
    evtchn_send(ipi0);
    while (!ipi1_hits) {
        count1++;
        v1_yield();
    }
    v1_stage = 2;
    struct xen_vcpu_set_singleshot_timer t = { .timeout_abs_ns = time_now_ns() + 2000000ull };
    /*
     * Check with events masked, then block, which unmasks them (as Xen's
     * block) and sleeps only if none is pending.  Checked unmasked, the
     * timer's upcall could run between the check and the block - if the
     * tick took the CPU there, say - and the block would then wait for an
     * event that had already come: a hang that only a busy host showed.
     */
    volatile xen_vcpu_info_t *vi = &shared_info->vcpu_info[1];
    if (op(VCPUOP_set_singleshot_timer, 1, &t) == 0)
        for (vi->evtchn_upcall_mask = 1; !timer1_hits; vi->evtchn_upcall_mask = 1)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);    /* the upcall runs on the way back */
    vi->evtchn_upcall_mask = 0;
    v1_stage = 3;
    for (;;) {
        count1++;
        if (!spin_to || count1 >= spin_to)
            v1_yield();                          /* spin mode: never yield until done */
    }
}

static void on_ipi0(unsigned port, void *arg) { (void)port, (void)arg; ipi0_hits++; }
static void on_timer0(unsigned port, void *arg) { (void)port, (void)arg; timer0_hits++; }
static void on_stolen(unsigned port, void *arg) { (void)port, (void)arg; stolen++; }

/* Yield (counting) until *flag reaches want; false after WAITS yields. */
static bool wait_for(volatile unsigned *flag, unsigned want, const char *what)
{
    for (unsigned i = 0; i < WAITS; i++) {
        if (*flag >= want)
            return true;
        count0++;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    volatile xen_vcpu_info_t *vi = &shared_info->vcpu_info[1];
    test_fail("vCPU 1 never got to: %s (stage %u, IPIs %u, timers %u, upcalls %u; its vcpu_info: "
              "pending %u mask %u sel 0x%x; word 1 pending 0x%x mask 0x%x)", what, v1_stage, ipi1_hits,
              timer1_hits, v1_upcalls, vi->evtchn_upcall_pending, vi->evtchn_upcall_mask,
              vi->evtchn_pending_sel, shared_info->evtchn_pending[1], shared_info->evtchn_mask[1]);
    return false;
}

/* A context that would start vCPU 1 in vcpu1_start, in ring 1, on our page tables. */
static void good_context(struct xen_vcpu_guest_context *c)
{
    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;
    c->user_regs.cs = FLAT_RING1_CS;
    c->user_regs.ss = c->user_regs.ds = c->user_regs.es = FLAT_RING1_DS;
    c->user_regs.fs = c->user_regs.gs = FLAT_RING1_DS;
    c->user_regs.eip = (uint32_t)(uintptr_t)vcpu1_start;
    c->user_regs.esp = V1_STACK_TOP;
    c->user_regs.eflags = 0x202;
    c->kernel_ss = FLAT_RING1_SS;
    c->kernel_sp = V1_STACK_TOP;
    c->event_callback_cs = c->failsafe_callback_cs = FLAT_RING1_CS;
    c->event_callback_eip = (uint32_t)(uintptr_t)vcpu1_event_entry;
    c->failsafe_callback_eip = (uint32_t)(uintptr_t)vcpu1_failsafe_entry;
    c->ctrlreg[3] = mm_read_cr3();
}

static struct xen_vcpu_guest_context ctx;
static uint8_t data_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* One field made bad in a good context: initialise must refuse it with want. */
#define BAD(what, want, ...) do { good_context(&ctx); __VA_ARGS__; \
        check(op(VCPUOP_initialise, 1, &ctx), want, "initialise with %s", what); } while (0)

static void hostile(void)
{
    static const unsigned bad_ids[] = { 2, 8, 255, 0xffffffffu };
    good_context(&ctx);
    for (unsigned i = 0; i < ARRAY_SIZE(bad_ids); i++) {
        check(op(VCPUOP_initialise, bad_ids[i], &ctx), -ENOENT, "initialise vCPU %u", bad_ids[i]);
        check(op(VCPUOP_up, bad_ids[i], NULL), -ENOENT, "up vCPU %u", bad_ids[i]);
        check(op(VCPUOP_is_up, bad_ids[i], NULL), -ENOENT, "is_up vCPU %u", bad_ids[i]);
    }
    check_rc("is_up vCPU 0", op(VCPUOP_is_up, 0, NULL), 1);
    check_rc("is_up vCPU 1 (down until up)", op(VCPUOP_is_up, 1, NULL), 0);
    check_rc("up vCPU 1 before initialise", op(VCPUOP_up, 1, NULL), -EINVAL);
    check_rc("initialise vCPU 0 (built, so initialised)", op(VCPUOP_initialise, 0, &ctx), -EEXIST);
    check_rc("initialise from NULL", op(VCPUOP_initialise, 1, NULL), -EFAULT);
    check_rc("initialise from the hole", op(VCPUOP_initialise, 1, (void *)HOLE), -EFAULT);
    uint32_t handler = (uint32_t)(uintptr_t)vcpu1_event_entry;
    BAD("a ring-0 trap handler", -EPERM,
        ctx.trap_ctxt[14] = (struct xen_trap_info){ 14, 0, RING0_CS, handler });
    BAD("a trap handler in the hole", -EINVAL,
        ctx.trap_ctxt[14] = (struct xen_trap_info){ 14, 0, FLAT_RING1_CS, HOLE });
    BAD("a trap handler with a null selector", -EINVAL,
        ctx.trap_ctxt[3] = (struct xen_trap_info){ 3, 3, 0, handler });
    BAD("a ring-0 event callback", -EPERM, ctx.event_callback_cs = RING0_CS);
    BAD("a failsafe callback in the hole", -EINVAL, ctx.failsafe_callback_eip = HOLE + 0x100);
    BAD("a ring-0 kernel stack selector", -EPERM, ctx.kernel_ss = RING0_DS);
    BAD("a kernel stack in the hole", -EINVAL, ctx.kernel_sp = HOLE + 8);
    BAD("a ring-0 start selector", -EINVAL, ctx.user_regs.cs = RING0_CS);
    BAD("a start address in the hole", -EINVAL, ctx.user_regs.eip = HOLE);
    BAD("an LDT base not page-aligned", -EINVAL, (ctx.ldt_base = 0x1234, ctx.ldt_ents = 1));
    BAD("8193 LDT entries", -EINVAL, ctx.ldt_ents = 8193);
    BAD("an LDT reaching the hole", -EINVAL, (ctx.ldt_base = HOLE - PAGE_SIZE, ctx.ldt_ents = 1024));
    BAD("7169 GDT entries", -EINVAL, ctx.gdt_ents = 7169);
    BAD("a GDT frame that is a writable page", -EINVAL,
        (ctx.gdt_frames[0] = mm_va_to_mfn((uint32_t)(uintptr_t)data_page), ctx.gdt_ents = 8));
    check_rc("set_debugreg of DR0 in the hole (the rule a context's DR0 meets)",
             HYPERVISOR_set_debugreg(0, HOLE), -EPERM);
    BAD("DR0 in the hole", -EPERM, ctx.debugreg[0] = HOLE);
    BAD("DR7 with general detect", -EPERM, ctx.debugreg[7] = 1u << 13);
    BAD("cr3 a writable data page", -EINVAL,
        ctx.ctrlreg[3] = xen_pfn_to_cr3(mm_va_to_mfn((uint32_t)(uintptr_t)data_page)));
    BAD("cr3 a frame that is not ours", -EINVAL, ctx.ctrlreg[3] = xen_pfn_to_cr3(0xfffffu));
    check_rc("no refused context initialised vCPU 1: up", op(VCPUOP_up, 1, NULL), -EINVAL);
}

static long bind(int cmd, void *arg, uint32_t *port)
{
    long rc = ev(cmd, arg);
    return rc ? rc : (long)*port;
}

/* vCPU 1's ports go to word 1 (ports 32 and up): fill the low ones, bind, close the fill. */
static void bind_ports(void)
{
    struct xen_evtchn_bind_ipi ipi = { .vcpu = 0 };
    ipi0 = (unsigned)bind(EVTCHNOP_bind_ipi, &ipi, &ipi.port);
    evtchn_set_handler(ipi0, on_ipi0, NULL);
    unsigned fill[40], nfill = 0;
    struct xen_evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    while (nfill < ARRAY_SIZE(fill) && bind(EVTCHNOP_alloc_unbound, &au, &au.port) < 32)
        fill[nfill++] = au.port;
    fill[nfill++] = au.port;                     /* port 32: the bind-vcpu checks use it */
    unsigned spare = au.port;
    ipi = (struct xen_evtchn_bind_ipi){ .vcpu = 1 };
    ipi1 = (unsigned)bind(EVTCHNOP_bind_ipi, &ipi, &ipi.port);
    struct xen_evtchn_bind_virq vq = { .virq = VIRQ_TIMER, .vcpu = 1 };
    timer1 = (unsigned)bind(EVTCHNOP_bind_virq, &vq, &vq.port);
    check_rc("vCPU 1's IPI port is in word 1", ipi1 >= 32, 1);
    check_rc("vCPU 1's timer port is in word 1", timer1 >= 32, 1);
    evtchn_set_handler(ipi1, on_stolen, NULL);   /* vCPU 0 must never take these */
    evtchn_set_handler(timer1, on_stolen, NULL);

    ipi.vcpu = 2;
    check_rc("bind_ipi to vCPU 2 of 2", ev(EVTCHNOP_bind_ipi, &ipi), -ENOENT);
    vq = (struct xen_evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 2 };
    check_rc("bind_virq VIRQ_TIMER on vCPU 2 of 2", ev(EVTCHNOP_bind_virq, &vq), -ENOENT);
    vq.vcpu = 1;
    check_rc("bind_virq VIRQ_TIMER on vCPU 1 again", ev(EVTCHNOP_bind_virq, &vq), -EEXIST);
    vq = (struct xen_evtchn_bind_virq){ .virq = VIRQ_CONSOLE, .vcpu = 1 };
    check_rc("bind_virq of a global VIRQ on vCPU 1", ev(EVTCHNOP_bind_virq, &vq), -EINVAL);
    struct xen_evtchn_bind_vcpu bv = { .port = ipi0, .vcpu = 1 };
    check_rc("bind_vcpu of an IPI port", ev(EVTCHNOP_bind_vcpu, &bv), -EINVAL);
    bv = (struct xen_evtchn_bind_vcpu){ .port = timer1, .vcpu = 0 };
    check_rc("bind_vcpu of a per-vCPU VIRQ", ev(EVTCHNOP_bind_vcpu, &bv), -EINVAL);
    bv = (struct xen_evtchn_bind_vcpu){ .port = spare, .vcpu = 2 };
    check_rc("bind_vcpu to vCPU 2 of 2", ev(EVTCHNOP_bind_vcpu, &bv), -ENOENT);
    bv.vcpu = 1;
    check_rc("bind_vcpu of an unbound port to vCPU 1", ev(EVTCHNOP_bind_vcpu, &bv), 0);
    struct xen_evtchn_status st = { .dom = DOMID_SELF, .port = spare };
    check_rc("status", ev(EVTCHNOP_status, &st), 0);
    check_rc("status says vCPU 1", st.vcpu, 1);
    st = (struct xen_evtchn_status){ .dom = DOMID_SELF, .port = ipi1 };
    ev(EVTCHNOP_status, &st);
    check_rc("the IPI port's status says vCPU 1", st.vcpu, 1);
    for (unsigned i = 0; i < nfill; i++)
        evtchn_close(fill[i]);
}

static void two_vcpus(void)
{
    good_context(&ctx);
    check_rc("initialise vCPU 1", op(VCPUOP_initialise, 1, &ctx), 0);
    check_rc("initialise vCPU 1 again", op(VCPUOP_initialise, 1, &ctx), -EEXIST);
    check_rc("is_up vCPU 1 after initialise (no VGCF_online)", op(VCPUOP_is_up, 1, NULL), 0);
    check_rc("up vCPU 1", op(VCPUOP_up, 1, NULL), 0);
    check_rc("is_up vCPU 1", op(VCPUOP_is_up, 1, NULL), 1);
    if (!wait_for(&ipi0_hits, 1, "its IPI to vCPU 0"))
        return;
    printf("vCPU 1 is up and sent its IPI: counts %u and %u\n", count0, count1);
    check_rc("vCPU 1's IPI reached vCPU 0", ipi0_hits, 1);
    check_rc("send the IPI to vCPU 1", evtchn_send(ipi1), 0);
    if (!wait_for(&ipi1_hits, 1, "vCPU 0's IPI") || !wait_for(&v1_stage, 3, "its own timer"))
        return;
    /* vCPU 0's own timer (set_timer_op): blocked on until it comes, however late. */
    check_rc("set_timer_op on vCPU 0", time_set_timer(time_now_ns() + 1000000ull), 0);
    set_event_mask(1);                           /* check masked, then block: as vCPU 1 does */
    for (unsigned i = 0; i < WAITS && !timer0_hits; i++, set_event_mask(1))
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    set_event_mask(0);
    check_rc("vCPU 0 took its own VIRQ_TIMER", timer0_hits >= 1, 1);
    check_rc("vCPU 1 took its single-shot timer", timer1_hits >= 1, 1);
    check_rc("vCPU 1 took vCPU 0's IPI in its own callback", ipi1_hits, 1);
    check_rc("vCPU 1's upcalls", v1_upcalls >= 2, 1);
    unsigned c = count1;
    wait_for(&count1, c + 10, "counting on");
    check_rc("both vCPUs counted", count0 > 0 && count1 > 0, 1);

    struct xen_vcpu_set_singleshot_timer t = { .timeout_abs_ns = time_now_ns() + 1000000ull };
    check_rc("set_singleshot_timer for another vCPU", op(VCPUOP_set_singleshot_timer, 1, &t), -EINVAL);
    check_rc("stop_singleshot_timer for another vCPU", op(VCPUOP_stop_singleshot_timer, 1, NULL), -EINVAL);
    struct xen_vcpu_register_vcpu_info info = { .mfn = mm_va_to_mfn((uint32_t)(uintptr_t)data_page) };
    check_rc("register_vcpu_info for another vCPU that is up",
             op(VCPUOP_register_vcpu_info, 1, &info), -EINVAL);
    struct xen_vcpu_set_periodic_timer p = { .period_ns = 1000000ull };
    unsigned before = timer1_hits;
    check_rc("set_periodic_timer for vCPU 1", op(VCPUOP_set_periodic_timer, 1, &p), 0);
    wait_for(&timer1_hits, before + 3, "its periodic timer");
    check_rc("stop_periodic_timer for vCPU 1", op(VCPUOP_stop_periodic_timer, 1, NULL), 0);
    struct xen_vcpu_runstate_info rs;
    check_rc("get_runstate_info vCPU 1", op(VCPUOP_get_runstate_info, 1, &rs), 0);
    check_rc("vCPU 1 is runnable while vCPU 0 runs", rs.state, RUNSTATE_runnable);
    check_rc("vCPU 1 has run", rs.time[RUNSTATE_running] > 0, 1);

    check_rc("down vCPU 1", op(VCPUOP_down, 1, NULL), 0);
    check_rc("is_up vCPU 1 after down", op(VCPUOP_is_up, 1, NULL), 0);
    op(VCPUOP_get_runstate_info, 1, &rs);
    check_rc("vCPU 1 is offline", rs.state, RUNSTATE_offline);
    c = count1;
    for (unsigned i = 0; i < 50; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check_rc("a down vCPU does not run: its counter stands still", count1, c);
    check_rc("up vCPU 1 again", op(VCPUOP_up, 1, NULL), 0);
    wait_for(&count1, c + 10, "counting again after up");
    check_rc("down vCPU 1 again", op(VCPUOP_down, 1, NULL), 0);
    check_rc("none of vCPU 1's events reached vCPU 0's handlers", stolen, 0);
    /* A down vCPU's vcpu_info may move (Xen: "yourself or an offline vCPU"); it is vCPU 1's alone. */
    info.offset = 64;
    check_rc("register_vcpu_info for vCPU 1 while it is down", op(VCPUOP_register_vcpu_info, 1, &info), 0);
    volatile xen_vcpu_info_t *moved = (volatile xen_vcpu_info_t *)(data_page + 64);
    check_rc("the moved vcpu_info is vCPU 1's (events unmasked by it)", moved->evtchn_upcall_mask, 0);
    check_rc("and says an upcall may be pending, as Xen's move", moved->evtchn_upcall_pending, 1);
    check_rc("register_vcpu_info for vCPU 1 again", op(VCPUOP_register_vcpu_info, 1, &info), -EBUSY);
    check_rc("vCPU 0's vcpu_info has not moved", vcpu_info0() == &shared_info->vcpu_info[0], 1);
    printf("counts: vCPU 0 %u, vCPU 1 %u\n", count0, count1);
}

static void tlb_multi(void)
{
    static uint32_t mask = 3;
    struct xen_mmuext_op o = { .cmd = MMUEXT_TLB_FLUSH_MULTI, .arg2.vcpumask = (uint32_t)(uintptr_t)&mask };
    check_rc("TLB_FLUSH_MULTI for vCPUs 0 and 1", HYPERVISOR_mmuext_op(&o, 1, NULL, DOMID_SELF), 0);
    o.arg2.vcpumask = HOLE;
    check_rc("TLB_FLUSH_MULTI with its mask in the hole", HYPERVISOR_mmuext_op(&o, 1, NULL, DOMID_SELF), -EINVAL);
    o = (struct xen_mmuext_op){ .cmd = MMUEXT_INVLPG_MULTI, .arg1.linear_addr = (uint32_t)(uintptr_t)&mask,
                                .arg2.vcpumask = (uint32_t)(uintptr_t)&mask };
    check_rc("INVLPG_MULTI", HYPERVISOR_mmuext_op(&o, 1, NULL, DOMID_SELF), 0);
    o.arg2.vcpumask = 0;
    check_rc("INVLPG_MULTI with a NULL mask", HYPERVISOR_mmuext_op(&o, 1, NULL, DOMID_SELF), -EINVAL);
}

/*
 * "spin=N": with vCPU 1 up, both vCPUs count to N and never yield, so only
 * the tick takes the CPU from this domain; tests/test_smp_vcpus.py runs it
 * beside 1-vCPU workers, which must progress all the while.
 */
static void spin(void)
{
    printf("smp: both vCPUs spin to %lu\n", spin_to);
    for (unsigned long next = spin_to / 4; count0 < spin_to; count0++)
        if (count0 == next) {
            printf("smp: vCPU 0 at %u, vCPU 1 at %u\n", count0, count1);
            next += spin_to / 4;
        }
    wait_for(&count1, (unsigned)spin_to, "its count");
    check_rc("down vCPU 1", op(VCPUOP_down, 1, NULL), 0);
    printf("smp: both vCPUs spun to %lu\n", spin_to);
}

void pvguest_main(const xen_start_info_t *si)
{
    (void)si;
    spin_to = cmdline_uint("spin", 0);
    traps_init();
    if (evtchn_init() || evtchn_bind_virq(VIRQ_TIMER, on_timer0, NULL) < 0) {
        test_error("cannot bind VIRQ_TIMER");
        xtf_exit();
    }
    set_event_mask(0);
    if (!spin_to)
        hostile();
    bind_ports();
    if (spin_to) {
        good_context(&ctx);
        ctx.flags |= VGCF_online;                /* initialise and up in one */
        check_rc("initialise vCPU 1 online", op(VCPUOP_initialise, 1, &ctx), 0);
        if (wait_for(&ipi0_hits, 1, "its IPI to vCPU 0") && evtchn_send(ipi1) == 0 &&
            wait_for(&v1_stage, 3, "its own timer"))
            spin();
    } else {
        tlb_multi();
        two_vcpus();
    }
    test_pass();
    xtf_exit();
}
