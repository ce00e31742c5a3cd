/*
 * hostile-cpu - a guest that attacks the CPU state a PV kernel may name:
 * descriptor tables and the LDT (desc.c), the trap table, iret, the
 * bounce paths, debug registers and the FPU switch (traps.c), event
 * channels, sched_op, vcpu_op, timers, physdev, xen_version, console_io
 * and hypercall numbers (events.c); this file has the cases that must
 * halt the domain, the list, and the loop.  Each case is modelled on a class of Xen's security
 * advisories for 32-bit PV guests (docs/attacks.md lists them all, with
 * the rule each one tests) and expects Xen's error value for every refusal.
 *
 * cmdline "case=N" runs case N; "case=0" runs every case that leaves the
 * domain alive, in one boot.  It is booted after pvguest/tests/victim,
 * which is d0 here and must come through unchanged.  After each case we
 * check our own state as well: the selectors in CS SS DS ES, the real
 * EFLAGS (IOPL, NT and VM stay clear), the event mask, and that an int3
 * still reaches our own handler.  Each case ends with one line,
 * "case N <title>: ok (K checks)", or "... FAILED (k of K checks)"; a
 * case that must halt the domain (docs/attacks.md says which) prints what
 * it does and then "still alive", which the test forbids.
 */
#include "pvguest/tests/hostile-cpu/hostile_cpu.h"

static unsigned case_checks, case_bad;

bool case_tally(bool ok)
{
    case_checks++;
    case_bad += !ok;
    return ok;
}

long hc(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    long rc;
    __asm__ __volatile__("int $0x82" : "=a"(rc), "+b"(a1), "+c"(a2), "+d"(a3) : "a"(nr) : "memory");
    return rc;
}

uint32_t unmapped_va(void)
{
    static uint32_t va;
    if (!va && !(va = mm_va_slot())) {
        test_error("out of VA slots");
        xtf_exit();
    }
    return va;
}

/* ---- cases that must halt the domain (each booted alone) ----------------------- */

PROBE(p_int80, "xorl %%eax, %%eax", "int $0x80", : : "eax")

static void halts_next(const char *what)
{
    printf("%s: the domain must be halted here, and nothing else hurt\n", what);
    console_flush();
}

static void still_alive(void)
{
    test_fail("still alive: the hypervisor let the domain go on");
}

/* Xen's compat_iret crashes a domain that asks for ring 0. */
static void case_iret_ring0(void)
{
    halts_next("iret to ring 0 (CS 0xe008)");
    iret_here(2, 0, 0xe008);
    still_alive();
}

/* A forged ring-3 frame: SS is a code selector, so the CPU's own iret faults. */
static void case_iret_forged_ring3(void)
{
    halts_next("iret to ring 3 with SS = 0xe02b (a code selector)");
    __asm__ __volatile__("pushl $0xe02b\n\tpushl %[sp]\n\tpushl $0x202\n\tpushl $0xe02b\n\tpushl $1f\n\t"
                         "jmp hypercall_page + %c[slot]\n1:"
                         : : [sp] "r"(trap_stack_top), [slot] "i"(__HYPERVISOR_iret * 32) : "memory");
    still_alive();
}

/* An iret to an EIP in the hole: past CS's limit, so the CPU's iret faults. */
static void case_iret_hole(void)
{
    halts_next("iret to 0xfc100000 in ring 1");
    __asm__ __volatile__("pushl $2\n\tpushl %[cs]\n\tpushl %[ip]\n\tjmp hypercall_page + %c[slot]"
                         : : [cs] "i"(FLAT_RING1_CS), [ip] "i"(HOLE), [slot] "i"(__HYPERVISOR_iret * 32)
                         : "memory");
    still_alive();
}

/* The iret frame straddles the end of our mapping: the hypervisor cannot read it. */
static void case_iret_unreadable(void)
{
    uint32_t top = spare_page(14) + PAGE_SIZE;     /* the page above it is unmapped below */
    ck(HYPERVISOR_update_va_mapping(top, 0, UVMF_INVLPG), 0, "unmap the page above our new stack");
    halts_next("iret with the frame's EFLAGS word in an unmapped page");
    __asm__ __volatile__("movl %[t], %%esp\n\tpushl %[cs]\n\tpushl $1f\n\tjmp hypercall_page + %c[slot]\n1:"
                         : : [t] "r"(top), [cs] "i"(FLAT_RING1_CS), [slot] "i"(__HYPERVISOR_iret * 32)
                         : "memory");
    still_alive();
}

/* Double-fault class (XSA-44/XSA-339): an exception to bounce with the kernel stack unmapped. */
static void case_bounce_no_stack(void)
{
    halts_next("ud2 with ESP in an unmapped page");
    __asm__ __volatile__("movl %0, %%esp\n\tud2" : : "r"(unmapped_va() + PAGE_SIZE / 2) : "memory");
    still_alive();
}

/* The fast trap: the CPU itself pushes ring 3's frame at the stack_switch stack. */
static void case_fast_trap_no_stack(void)
{
    ck(HYPERVISOR_stack_switch(FLAT_RING1_SS, unmapped_va() + PAGE_SIZE), 0,
       "stack_switch to an unmapped page (below the hole: allowed)");
    halts_next("ring-3 int $0x80 onto the unmapped ring-1 stack");
    set_event_mask(0);
    run_probe(3, p_int80);
    still_alive();
}

/* XSA-259 class: int $0x80 with no trap table at all. */
static void case_no_trap_table(void)
{
    ck(HYPERVISOR_set_trap_table(NULL), 0, "set_trap_table(NULL) clears every handler");
    halts_next("int $0x80 from ring 1 with no handlers");
    __asm__ __volatile__("int $0x80" : : "a"(0) : "memory");
    still_alive();
}

/* An event upcall due on the way out of a hypercall, with the kernel stack unmapped. */
static void case_upcall_no_stack(void)
{
    struct xen_evtchn_bind_ipi ipi = { .vcpu = 0 };
    ck(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi), 0, "bind_ipi");
    ck(trap_set_callbacks(), 0, "our event and failsafe callbacks");
    set_event_mask(1);
    struct xen_evtchn_send s = { .port = ipi.port };
    ck(HYPERVISOR_event_channel_op(EVTCHNOP_send, &s), 0, "send to ourselves, events masked");
    uint32_t bad_sp = unmapped_va() + PAGE_SIZE / 2;
    halts_next("unmask, then a hypercall with ESP in an unmapped page");
    set_event_mask(0);
    __asm__ __volatile__("movl %[sp], %%esp\n\tint $0x82"
                         : : [sp] "r"(bad_sp), "a"(__HYPERVISOR_xen_version), "b"(0) : "memory");
    still_alive();
}

/* As in Xen, a selector of our own GDT is taken as it is; the bounce through it faults. */
static void case_trap_at_data_selector(void)
{
    ck(trap_set(3, 3, SEL(S_DATA1, 1), trap_stub(3)), 0, "set_trap_table: #BP at our GDT's data selector");
    halts_next("int3, delivered through a data segment");
    __asm__ __volatile__("int3" : : : "memory");
    still_alive();
}

/* XSA-215 class: the failsafe callback due, and nowhere to put its frame. */
static void case_failsafe_no_stack(void)
{
    uint64_t data = desc_flat(DESC_DATA(1)), gone = data & ~(1ull << 47), ma = mm_ma_of(&gdt_page()[S_SPARE]);
    uint32_t bad_sp = unmapped_va() + PAGE_SIZE / 2;

    ck(trap_set_callbacks(), 0, "our event and failsafe callbacks");
    ck(HYPERVISOR_update_descriptor(ma, data), 0, "a flat data segment in the spare slot");
    set_fs(SEL(S_SPARE, 1));
    halts_next("make it not present while %fs holds it, with ESP in an unmapped page");
    __asm__ __volatile__("movl %%edi, %%esp\n\tint $0x82"
                         : : "a"(__HYPERVISOR_update_descriptor), "b"((uint32_t)ma), "c"((uint32_t)(ma >> 32)),
                             "d"((uint32_t)gone), "S"((uint32_t)(gone >> 32)), "D"(bad_sp) : "memory");
    still_alive();
}

/*
 * XSA-182 class from the other side: a frame the hypervisor writes (our
 * vcpu_info, moved there) is never a page table or a descriptor page,
 * even once we map it only read-only.  vcpu_info stays there afterwards.
 */
static void case_vcpu_info_frame(void)
{
    uint32_t pfn = mm_frame_alloc_zeroed(), x = mm_pfn_to_mfn(pfn), va = mm_va_slot();
    uint64_t rw = PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY, ro = PTE_PRESENT | PTE_ACCESSED;

    if (pfn == MFN_NONE || !va) {
        test_error("no spare frame or VA");
        return;
    }
    ck(mm_map(va, mm_pte(x, rw)), 0, "map a spare frame writable");
    ck(vcpu_info_move((void *)(uintptr_t)(va + 64)), 0, "move our vcpu_info into it");
    ck(mm_map(va, mm_pte(x, ro)), 0, "map it read-only instead");
    long rc = mm_pin(1, x);
    ck(rc, -EINVAL, "pin the vcpu_info frame as an L1");
    if (rc == 0)
        mm_unpin(x);
    ck(mm_pin(2, x), -EINVAL, "pin it as an L2");
    ck(set_gdt_frame(x), -EINVAL, "set_gdt of it");
    ck(mm_ext(MMUEXT_SET_LDT, va, 8), -EINVAL, "SET_LDT on it");
    /* Given back, it would leave our memory and live on (Xen's way): the vcpuinfo guest shows that. */
    HYPERVISOR_xen_version(XENVER_version, NULL);
    ck(event_mask(), 1, "our event mask reads through the new vcpu_info");
    ck(mm_map(va, mm_pte(x, rw)), 0, "map it writable again, for the cases after");
}

/* The bounce frame aimed at our own GDT page, mapped read-only: never written. */
static void case_bounce_on_gdt(void)
{
    uint32_t top = (uint32_t)(uintptr_t)gdt_page() + PAGE_SIZE;
    halts_next("int3 with ESP at the top of our read-only GDT page");
    __asm__ __volatile__("movl %0, %%esp\n\tint3" : : "r"(top) : "memory");
    still_alive();
}

/* ---- the list ------------------------------------------------------------------ */

static const struct hostile_case {
    const char *title;
    void (*run)(void);
    bool halts;                             /* only alone: it must end the domain */
} cases[] = {
    { "set_gdt entry counts past the guest's part", case_gdt_counts, false },
    { "set_gdt frame list in the hole or unmapped", case_gdt_list_pointer, false },
    { "set_gdt of frames not ours", case_gdt_foreign_frames, false },
    { "set_gdt of our own busy frames (XSA-182 class)", case_gdt_own_busy_frames, false },
    { "system descriptors in the GDT", case_system_descriptors, false },
    { "call gates to the hypervisor's code (XSA-110)", case_call_gates, false },
    { "DPL-0 and conforming code segments", case_dpl0_code, false },
    { "segments covering the hypervisor hole", case_segments_over_the_hole, false },
    { "update_descriptor at addresses not ours", case_update_descriptor_targets, false },
    { "refused CPU-state calls in a multicall", case_gdt_multicall, false },
    { "SET_LDT bounds: alignment, size, the hole", case_ldt_bounds, false },
    { "SET_LDT of pages that cannot be descriptor pages", case_ldt_pages, false },
    { "system descriptors and bad segments in the LDT", case_ldt_descriptors, false },
    { "LDT call gates and DPL 0 (XSA-110)", case_ldt_gates, false },
    { "ring-0 and non-code selectors in the trap table", case_trap_selectors, false },
    { "trap tables unreadable, cut short or too long", case_trap_table_memory, false },
    { "int $n DPL games from rings 1 and 3 (XSA-106)", case_soft_interrupts, false },
    { "callbacks at bad selectors and types", case_callbacks, false },
    { "stack_switch with bad selectors and wrapping stacks", case_stack_selectors, false },
    { "iret with IOPL, NT and VM (XSA-136)", case_iret_flags, false },
    { "debug registers on the hole", case_dr_addresses, false },
    { "DR7: GD, bad lengths, I/O breakpoints without CR4.DE", case_dr7_rules, false },
    { "data breakpoints hit in ring 0; MOV SS before int $0x82 (XSA-156, XSA-260)", case_breakpoints_in_ring0, false },
    { "fpu_taskswitch values and #NM", case_fpu_taskswitch, false },
    { "bind_virq out of range, twice, on vCPU 1 (XSA-342)", case_bind_virq, false },
    { "port numbers out of range (XSA-342)", case_ports_out_of_range, false },
    { "alloc_unbound and reset in other domains", case_alloc_unbound_foreign, false },
    { "bind_interdomain to self, nobody, unoffered ports", case_bind_interdomain, false },
    { "status of other domains' ports", case_status_foreign, false },
    { "port exhaustion and reset (XSA-317, XSA-342, XSA-338)", case_port_exhaustion, false },
    { "EVTCHNOP_reset of live loopback ports (XSA-343)", case_evtchn_reset, false },
    { "FIFO records and vCPU 1 ports (XSA-188)", case_fifo_and_vcpu_ports, false },
    { "event_channel_op_compat records", case_evtchn_compat, false },
    { "SCHEDOP_shutdown reasons out of range", case_shutdown_reasons, false },
    { "SCHEDOP_poll with huge and bad port lists (XSA-221)", case_poll, false },
    { "remote_shutdown of others", case_remote_shutdown, false },
    { "SCHEDOP_watchdog, unknown and compat sched ops", case_sched_others, false },
    { "vcpu_op on vCPUs that do not exist", case_vcpu_ids, false },
    { "runstate area in the hole", case_runstate_area, false },
    { "vcpu_info crossing a page, misaligned, not ours", case_vcpu_info, false },
    { "timer values at the extremes", case_timers, false },
    { "xen_version records in the hole and padding (XSA-122)", case_xen_version, false },
    { "console_io with bad pointers and counts", case_console_io, false },
    { "hypercall numbers outside the table", case_unknown_hypercalls, false },
    { "unknown sub-ops", case_unknown_subops, false },
    { "set_iopl and set_iobitmap", case_physdev, false },
    { "a segment pulled from under %fs: the failsafe callback (XSA-215)", case_failsafe, false },
    { "iret to ring 0", case_iret_ring0, true },
    { "iret to ring 3 with a forged frame", case_iret_forged_ring3, true },
    { "iret to the hypervisor hole", case_iret_hole, true },
    { "iret with an unreadable frame", case_iret_unreadable, true },
    { "a bounce with the kernel stack unmapped (XSA-44, XSA-339 class)", case_bounce_no_stack, true },
    { "the fast trap onto an unmapped stack", case_fast_trap_no_stack, true },
    { "int $0x80 with no trap table (XSA-259)", case_no_trap_table, true },
    { "an upcall with the kernel stack unmapped", case_upcall_no_stack, true },
    { "a trap handler at our own data selector", case_trap_at_data_selector, true },
    { "the failsafe callback with the kernel stack unmapped (XSA-215)", case_failsafe_no_stack, true },
    { "the vcpu_info frame as a page table or descriptor page (XSA-182 class)", case_vcpu_info_frame, false },
    { "a bounce frame aimed at our read-only GDT page", case_bounce_on_gdt, true },
    { "a 31-parameter call gate from ring 3: the CPU's largest push", case_call_gate_frame, false },
    { "NT with the iret instruction, sysenter and syscall (XSA-44, XSA-339)", case_nt_sysenter, false },
};

/* What must not change across a case: a bit per thing that did. */
static uint32_t state_changes(uint8_t mask)
{
    uint32_t bad = 0, fl = eflags();
    bad |= (sreg(0) != FLAT_RING1_CS) << 0;
    bad |= (sreg(1) != FLAT_RING1_SS) << 1;
    bad |= (sreg(2) != FLAT_RING1_DS) << 2;
    bad |= (sreg(3) != FLAT_RING1_DS) << 3;
    bad |= !!(fl & (EFLAGS_IOPL | EFLAGS_NT | EFLAGS_VM)) << 4;
    bad |= (event_mask() != mask) << 5;
    bad |= !int3_reaches_us() << 6;
    bad |= (desc_lsl(SEL(S_MARKER, 1)) != MARKER_LIMIT) << 7;
    return bad;
}

static void run_case(unsigned n)
{
    const struct hostile_case *c = &cases[n - 1];
    uint8_t mask = event_mask();

    case_checks = case_bad = 0;
    printf("case %u starts at %llu us\n", n, time_now_ns() / 1000);   /* for the victim's gaps */
    printf("case %u: %s\n", n, c->title);
    c->run();
    ck(state_changes(mask), 0, "our own CS SS DS ES, EFLAGS, event mask, int3 and GDT after case %u", n);
    if (case_bad)
        printf("case %u %s: FAILED (%u of %u checks)\n", n, c->title, case_bad, case_checks);
    else
        printf("case %u %s: ok (%u checks)\n", n, c->title, case_checks);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned n = cmdline_uint("case", 0), ran = 0;

    (void)si;
    if (n > ARRAY_SIZE(cases) || PV_VIRT_BASE < 0x80000000u) {
        test_error("case=%u: there are cases 1-%u (0: those that leave us alive)", n,
                   (unsigned)ARRAY_SIZE(cases));
        xtf_exit();
    }
    traps_init();
    gdt_init();
    for (unsigned i = 1; i <= ARRAY_SIZE(cases); i++) {
        if (n ? i != n : cases[i - 1].halts) {
            if (!n)
                printf("case %u %s: halts, run alone\n", i, cases[i - 1].title);
            continue;
        }
        run_case(i);
        ran++;
    }
    printf("hostile-cpu: still alive after %u cases\n", ran);
    test_pass();
    xtf_exit();
}
