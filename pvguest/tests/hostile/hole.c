/*
 * hole.c - the hostile guest's cases 20-22 (main.c has the rest and the list).
 *
 * 20: every address a guest names for the hypervisor or the CPU to use
 *     later (a kernel stack, a trap handler, a callback) is refused when
 *     it points into the hypervisor hole, whatever the emulator;
 * 21: thousands of refused calls are each refused, and their log lines
 *     are rate-limited (the test adds up what the console shows);
 * 22: a domain may name only itself as the owner of pages, with Xen's
 *     errors for everything else.
 */
#include "pvguest/tests/hostile/hostile.h"

PROBE(p_int80, "xorl %%eax, %%eax", "int $0x80", : : "eax")

/*
 * A ring-3 int $0x80 through the fast-trap gate: the CPU, not the
 * hypervisor, pushes the frame at the stack_switch stack, checking only
 * the segment limit (which QEMU ignores).  It must land where our last
 * good stack_switch said.
 */
static void fast_trap_lands_on(uint32_t top, const char *after)
{
    set_event_mask(0);
    run_probe(3, p_int80);
    set_event_mask(1);
    check(exinfo.vector, 0x80, "ring 3 int $0x80 after %s: delivered", after);
    check_hex("... its frame at the top of our stack", exinfo.frame, top - 20);
}

/*
 * Every address a guest names for the hypervisor or the CPU to use later
 * is refused when it points into the hole (0xF5800000 and up), on every
 * emulator: the limits of the guest's segments are not the only guard.
 */
void case_hole(void)
{
    static const uint32_t bad[] = { HYPERVISOR_VIRT_START + 4, 0xF5800100u, 0xFC101000u,
                                    0xFC100FECu + 20, 0xFFFFFFF0u, 0x10u };
    uint32_t stub = trap_stub(0x80);
    struct xen_callback_register reg = { .type = CALLBACKTYPE_event,
                                         .address = { FLAT_RING1_CS, 0xFC100000u } };

    check(trap_install(0x80, 3), 0, "int $0x80 as the fast trap (DPL 3)");
    fast_trap_lands_on(trap_stack_top, "the boot stack_switch");
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        check(HYPERVISOR_stack_switch(FLAT_RING1_SS, bad[i]), -EINVAL,
              "stack_switch to 0x%08x (its frame reaches the hole)", bad[i]);
    check(HYPERVISOR_stack_switch(FLAT_RING1_SS, HYPERVISOR_VIRT_START - 0x1000), 0,
          "stack_switch to 0x%08x (below the hole: allowed)", HYPERVISOR_VIRT_START - 0x1000);
    check(HYPERVISOR_stack_switch(FLAT_RING1_SS & ~3u, trap_stack_top), 0,
          "stack_switch with RPL 0 (Xen fixes it up to RPL 1)");
    fast_trap_lands_on(trap_stack_top, "the refused ones");
    check(HYPERVISOR_stack_switch(0xe011, trap_stack_top), -EPERM,
          "stack_switch with the hypervisor's data selector");

    check(trap_set(0x80, 3, FLAT_RING1_CS, 0xFC100000u), -EINVAL, "set_trap_table: int $0x80 -> 0xfc100000");
    check(trap_set(0x0e, 0, FLAT_RING1_CS, 0xF5800000u), -EINVAL, "set_trap_table: #PF -> 0xf5800000");
    check(trap_set(0x80, 3, FLAT_RING1_CS, 0xF57FFFFFu), 0, "set_trap_table: int $0x80 -> 0xf57fffff (allowed)");
    check(trap_set(0x80, 3, FLAT_RING1_CS, stub), 0, "... and back to our stub");
    fast_trap_lands_on(trap_stack_top, "the refused handlers");

    check(HYPERVISOR_set_callbacks(FLAT_RING1_CS, 0xFC100000u, FLAT_RING1_CS, trap_stub(TRAP_FAILSAFE)),
          -EINVAL, "set_callbacks: event -> 0xfc100000");
    check(HYPERVISOR_set_callbacks(FLAT_RING1_CS, trap_stub(TRAP_EVENT), FLAT_RING1_CS, 0xFFFFF000u),
          -EINVAL, "set_callbacks: failsafe -> 0xfffff000");
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: event -> 0xfc100000");
    reg.type = CALLBACKTYPE_failsafe;
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: failsafe -> 0xfc100000");
    reg.type = CALLBACKTYPE_syscall;
    check(HYPERVISOR_callback_op(CALLBACKOP_register, &reg), -EINVAL, "callback_op: syscall -> 0xfc100000");
    check(trap_set_callbacks(), 0, "our own callbacks still register");
    traps_init();
}

/*
 * Every refused set_gdt is a line on the hypervisor's console, polled out
 * with interrupts off.  5000 of them, from multicalls of 1000: the console
 * shows a burst, then one line per interval and a count of what it dropped
 * (the test adds them up), and all 5000 are still refused.
 */
#define GDT_REFUSALS 5000
static xen_multicall_entry_t storm[1000];

void case_log_storm(void)
{
    static xen_pfn_t frame0[1] = { 0 };           /* mfn 0 is never ours */
    unsigned refused = 0;

    for (unsigned round = 0; round < GDT_REFUSALS / ARRAY_SIZE(storm); round++) {
        for (unsigned i = 0; i < ARRAY_SIZE(storm); i++)
            mc_set(&storm[i], __HYPERVISOR_set_gdt, (uint32_t)(uintptr_t)frame0, 8, 0);
        check(HYPERVISOR_multicall(storm, ARRAY_SIZE(storm)), 0, "a multicall of %u refused set_gdt",
              (unsigned)ARRAY_SIZE(storm));
        for (unsigned i = 0; i < ARRAY_SIZE(storm); i++)
            refused += storm[i].result == (uint32_t)-EINVAL;
    }
    check(refused, GDT_REFUSALS, "set_gdt of mfn 0, refused with -EINVAL");
}

/* Our domid: EVTCHNOP_status of another live domain is -EPERM, of none -ESRCH. */
unsigned own_domid(void)
{
    for (unsigned dom = 0; dom < 256; dom++) {
        struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = 0 };
        long rc = HYPERVISOR_event_channel_op(EVTCHNOP_status, &st);
        if (rc != -EPERM && rc != -ESRCH)
            return dom;
    }
    test_error("no domid answers as ours");
    xtf_exit();
}

/*
 * Naming another domain, or our own id spelt out, where Xen's
 * get_pg_owner() is asked.  The victim, booted first, is d0.
 */
void case_foreign_domids(void)
{
    unsigned done = 0;
    xen_mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = 0 };
    uint32_t m = 0;
    const struct { unsigned dom; long rc; const char *what; } doms[] = {
        { 0, -EPERM, "the victim (d0)" }, { own_domid(), -ESRCH, "our own id, spelt out" },
        { 250, -ESRCH, "d250 (no such domain)" }, { DOMID_XEN, -ESRCH, "DOMID_XEN" },
        { DOMID_IO, -EPERM, "DOMID_IO (no I/O memory here)" },
    };

    reqs[0] = (xen_mmu_update_t){ mm_l1e_ma(scratch(0, 0, 0)), 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(doms); i++) {
        check(HYPERVISOR_mmu_update(reqs, 1, &done, doms[i].dom), doms[i].rc, "mmu_update for %s",
              doms[i].what);
        check(HYPERVISOR_mmuext_op(&op, 1, &done, doms[i].dom), doms[i].rc, "mmuext_op for %s",
              doms[i].what);
    }
    set_xen_guest_handle(r.extent_start, &m);
    check(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), -EPERM, "decrease_reservation of d0");
    r.domid = 250;
    check(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), -ESRCH, "increase_reservation of d250");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation unchanged");
}
