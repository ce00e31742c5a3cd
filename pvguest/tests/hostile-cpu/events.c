/*
 * events.c - the hostile-cpu guest's cases on event channels, sched_op,
 * vcpu_op, timers, physdev, xen_version, console_io and hypercall numbers
 * (main.c has the descriptor, trap, iret and debug-register cases and the
 * list).  Each expects Xen's error value; where this hypervisor answers
 * differently on purpose, hypercalls/differences.md or subops.tbl says so.
 */
#include "pvguest/tests/hostile-cpu/hostile_cpu.h"

#define NR_PORTS 1024u                  /* the 2-level ABI of a 32-bit guest */

static long evtchn(unsigned cmd, void *arg) { return HYPERVISOR_event_channel_op(cmd, arg); }

static long alloc_unbound(unsigned dom, unsigned remote)
{
    struct xen_evtchn_alloc_unbound a = { .dom = (xen_domid_t)dom, .remote_dom = (xen_domid_t)remote };
    long rc = evtchn(EVTCHNOP_alloc_unbound, &a);
    return rc ? rc : (long)a.port;
}

static long port_op(unsigned cmd, uint32_t port)
{
    struct xen_evtchn_close c = { .port = port };   /* close, send and unmask share the layout */
    return evtchn(cmd, &c);
}

static long status_of(unsigned dom, uint32_t port, uint32_t *status)
{
    struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = port, .status = 0xdead };
    long rc = evtchn(EVTCHNOP_status, &st);
    if (status)
        *status = st.status;
    return rc;
}

static long reset(unsigned dom)
{
    struct xen_evtchn_reset r = { .dom = (xen_domid_t)dom };
    return evtchn(EVTCHNOP_reset, &r);
}

static long bind_virq(uint32_t virq, uint32_t vcpu)
{
    struct xen_evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = evtchn(EVTCHNOP_bind_virq, &b);
    return rc ? rc : (long)b.port;
}

/* XSA-342 class: a VIRQ number or vCPU out of range never indexes a table. */
void case_bind_virq(void)
{
    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves: no ports");
    ck(bind_virq(NR_VIRQS, 0), -EINVAL, "bind_virq %u (past NR_VIRQS)", NR_VIRQS);
    ck(bind_virq(0xffffffffu, 0), -EINVAL, "bind_virq 0xffffffff");
    ck(bind_virq(VIRQ_CONSOLE, 1), -EINVAL, "bind_virq of a global VIRQ on vCPU 1");
    ck(bind_virq(VIRQ_TIMER, 1), -ENOENT, "bind_virq VIRQ_TIMER on vCPU 1 (no such vCPU)");
    ck(bind_virq(VIRQ_TIMER, 0x80000000u), -ENOENT, "bind_virq VIRQ_TIMER on vCPU 0x80000000");
    long p = bind_virq(VIRQ_TIMER, 0);
    ck(p, 1, "bind_virq VIRQ_TIMER on vCPU 0: port 1");
    ck(bind_virq(VIRQ_TIMER, 0), -EEXIST, "bind_virq VIRQ_TIMER a second time");
    ck(port_op(EVTCHNOP_send, 1), -EINVAL, "send on a VIRQ port");
    ck(port_op(EVTCHNOP_close, 1), 0, "close it");
}

/* XSA-342 class: every port number a guest names is range-checked. */
void case_ports_out_of_range(void)
{
    static const uint32_t bad[] = { NR_PORTS, NR_PORTS + 1, 0x10000, 0x7fffffff, 0xffffffff };
    static const struct { unsigned cmd; const char *name; } ops[] = {
        { EVTCHNOP_close, "close" }, { EVTCHNOP_send, "send" }, { EVTCHNOP_unmask, "unmask" },
    };
    uint32_t st;

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        for (unsigned k = 0; k < ARRAY_SIZE(ops); k++)
            ck(port_op(ops[k].cmd, bad[i]), -EINVAL, "%s port 0x%x", ops[k].name, bad[i]);
        ck(status_of(DOMID_SELF, bad[i], NULL), -EINVAL, "status of our port 0x%x", bad[i]);
        struct xen_evtchn_bind_vcpu bv = { .port = bad[i], .vcpu = 0 };
        ck(evtchn(EVTCHNOP_bind_vcpu, &bv), -EINVAL, "bind_vcpu of port 0x%x", bad[i]);
    }
    ck(port_op(EVTCHNOP_close, 0), -EINVAL, "close port 0 (reserved)");
    ck(port_op(EVTCHNOP_send, 0), -EINVAL, "send on port 0");
    ck(port_op(EVTCHNOP_close, 77), -EINVAL, "close a free port");
    ck(port_op(EVTCHNOP_send, 77), -EINVAL, "send on a free port");
    ck(status_of(DOMID_SELF, 0, &st), 0, "status of port 0");
    ck(st, EVTCHNSTAT_closed, "... reads closed");
}

/* Only a privileged domain may make ports in another domain (XSM_TARGET). */
void case_alloc_unbound_foreign(void)
{
    ck(alloc_unbound(VICTIM, DOMID_SELF), -EPERM, "alloc_unbound in the victim (d0)");
    ck(alloc_unbound(NO_DOM, DOMID_SELF), -ESRCH, "alloc_unbound in d%u (no such domain)", NO_DOM);
    ck(alloc_unbound(DOMID_XEN, DOMID_SELF), -ESRCH, "alloc_unbound in DOMID_XEN");
    ck(alloc_unbound(DOMID_IO, DOMID_SELF), -ESRCH, "alloc_unbound in DOMID_IO");
    ck(reset(VICTIM), -EPERM, "EVTCHNOP_reset of the victim");
    ck(reset(NO_DOM), -ESRCH, "EVTCHNOP_reset of d%u", NO_DOM);
    ck(evtchn(EVTCHNOP_alloc_unbound, (void *)HOLE), -EFAULT, "alloc_unbound with its record in the hole");
    ck(status_of(VICTIM, 1, NULL), -EPERM, "the victim still lives (status of its port: -EPERM)");
}

static long bind_interdomain(unsigned dom, uint32_t port)
{
    struct xen_evtchn_bind_interdomain b = { .remote_dom = (xen_domid_t)dom, .remote_port = port };
    long rc = evtchn(EVTCHNOP_bind_interdomain, &b);
    return rc ? rc : (long)b.local_port;
}

/* Binding needs a port left unbound for us; a loopback to ourselves is Xen's too. */
void case_bind_interdomain(void)
{
    uint32_t st;

    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves");
    ck(bind_interdomain(NO_DOM, 1), -ESRCH, "bind_interdomain to d%u (no such domain)", NO_DOM);
    ck(bind_interdomain(DOMID_XEN, 1), -ESRCH, "bind_interdomain to DOMID_XEN");
    for (uint32_t p = 0; p < 4; p++)
        ck(bind_interdomain(VICTIM, p), -EINVAL, "bind_interdomain to the victim's port %u (not offered to us)", p);
    ck(bind_interdomain(VICTIM, NR_PORTS), -EINVAL, "bind_interdomain to the victim's port %u", NR_PORTS);
    long u = alloc_unbound(DOMID_SELF, VICTIM);
    ck(u, 1, "alloc_unbound for the victim: port 1");
    ck(bind_interdomain(DOMID_SELF, 1), -EINVAL, "bind_interdomain to our port 1 (it waits for the victim)");
    long l = alloc_unbound(DOMID_SELF, DOMID_SELF);
    ck(l, 2, "alloc_unbound for ourselves: port 2");
    long b = bind_interdomain(DOMID_SELF, 2);
    ck(b, 3, "bind_interdomain to it: loopback port 3");
    ck(bind_interdomain(DOMID_SELF, 2), -EINVAL, "bind_interdomain to port 2 again (now bound)");
    ck(bind_interdomain(DOMID_SELF, 3), -EINVAL, "bind_interdomain to port 3 (bound, not unbound)");
    ck(status_of(DOMID_SELF, 2, &st), 0, "status of port 2");
    ck(st, EVTCHNSTAT_interdomain, "... interdomain");
    ck(port_op(EVTCHNOP_close, 3), 0, "close port 3");
    ck(status_of(DOMID_SELF, 2, &st), 0, "status of port 2");
    ck(st, EVTCHNSTAT_unbound, "... unbound again");
    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves");
}

void case_status_foreign(void)
{
    for (uint32_t p = 0; p < 3; p++)
        ck(status_of(VICTIM, p, NULL), -EPERM, "status of the victim's port %u", p);
    ck(status_of(NO_DOM, 1, NULL), -ESRCH, "status of d%u's port 1", NO_DOM);
    ck(status_of(DOMID_XEN, 1, NULL), -ESRCH, "status of DOMID_XEN's port 1");
    ck(evtchn(EVTCHNOP_status, (void *)HOLE), -EFAULT, "status with its record in the hole");
    ck(evtchn(EVTCHNOP_status, (void *)(HYPERVISOR_VIRT_START - 4)), -EFAULT,
       "status with its record crossing into the hole");
}

/*
 * XSA-342/XSA-317 class: a 32-bit guest has ports 1..1023 and no more;
 * the table full is -ENOSPC and nothing past it is ever handed out.
 * XSA-338/XSA-343 class: EVTCHNOP_reset then closes all of them.
 */
void case_port_exhaustion(void)
{
    long p, last = 0, bad = 0;
    uint32_t st;

    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves");
    while ((p = alloc_unbound(DOMID_SELF, VICTIM)) > 0) {
        if (p != last + 1)
            bad++;
        last = p;
    }
    ck(p, -ENOSPC, "alloc_unbound when the table is full");
    ck(last, NR_PORTS - 1, "the last port handed out");
    ck(bad, 0, "ports handed out out of order");
    ck(bind_virq(VIRQ_TIMER, 0), -ENOSPC, "bind_virq when full");
    struct xen_evtchn_bind_ipi ipi = { .vcpu = 0 };
    ck(evtchn(EVTCHNOP_bind_ipi, &ipi), -ENOSPC, "bind_ipi when full");
    ck(status_of(DOMID_SELF, NR_PORTS - 1, &st), 0, "status of port %u", NR_PORTS - 1);
    ck(st, EVTCHNSTAT_unbound, "... unbound");
    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves");
    ck(status_of(DOMID_SELF, NR_PORTS - 1, &st), 0, "status of port %u", NR_PORTS - 1);
    ck(st, EVTCHNSTAT_closed, "... closed by the reset");
    ck(alloc_unbound(DOMID_SELF, VICTIM), 1, "alloc_unbound after the reset: port 1");
    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset again");
}

/* XSA-343 class: a reset in the middle of use leaves nothing half-bound. */
void case_evtchn_reset(void)
{
    uint32_t st;

    long a = alloc_unbound(DOMID_SELF, DOMID_SELF);
    long b = bind_interdomain(DOMID_SELF, (uint32_t)a);
    ck(b > a && a > 0, 1, "a loopback pair, ports %ld and %ld", a, b);
    ck(port_op(EVTCHNOP_send, (uint32_t)b), 0, "send on it");
    ck(reset(DOMID_SELF), 0, "EVTCHNOP_reset of ourselves");
    ck(status_of(DOMID_SELF, (uint32_t)a, &st), 0, "status of port %ld", a);
    ck(st, EVTCHNSTAT_closed, "... closed");
    ck(port_op(EVTCHNOP_send, (uint32_t)b), -EINVAL, "send on the closed port %ld", b);
    ck(port_op(EVTCHNOP_close, (uint32_t)a), -EINVAL, "close the closed port %ld", a);
    ck(evtchn_pending((uint32_t)a) || evtchn_pending((uint32_t)b), 0, "no pending bit left behind");
    ck(reset(DOMID_SELF), 0, "a second reset of nothing");
}

/* XSA-188 class: FIFO records are checked and nothing is kept; vCPU 1 does not exist. */
void case_fifo_and_vcpu_ports(void)
{
    struct xen_evtchn_init_control ic = { .control_gfn = mm_va_to_mfn(spare_page(8)), .vcpu = 1 };
    struct xen_evtchn_bind_ipi ipi = { .vcpu = 1 };
    struct xen_evtchn_set_priority sp = { .port = NR_PORTS, .priority = 0 };

    ck(evtchn(EVTCHNOP_init_control, &ic), -ENOENT, "init_control for vCPU 1");
    ic.vcpu = 0, ic.offset = PAGE_SIZE - 4;
    ck(evtchn(EVTCHNOP_init_control, &ic), -EINVAL, "init_control with its block crossing the page");
    ic.offset = 4;
    ck(evtchn(EVTCHNOP_init_control, &ic), -EINVAL, "init_control at a misaligned offset");
    ic.offset = 0, ic.control_gfn = 0x100;
    ck(evtchn(EVTCHNOP_init_control, &ic), -EINVAL, "init_control on the hypervisor's frame 0x100");
    ic.control_gfn = mm_bootstrap_l3();
    ck(evtchn(EVTCHNOP_init_control, &ic), -EINVAL, "init_control on our L3 (a page table)");
    ic.control_gfn = 1ull << 40;
    ck(evtchn(EVTCHNOP_init_control, &ic), -EINVAL, "init_control on frame 2^40");
    ck(evtchn(EVTCHNOP_set_priority, &sp), -EINVAL, "set_priority of port %u", NR_PORTS);
    ck(evtchn(EVTCHNOP_bind_ipi, &ipi), -ENOENT, "bind_ipi on vCPU 1");
    struct xen_evtchn_bind_vcpu bv = { .port = 1, .vcpu = 1 };
    ck(evtchn(EVTCHNOP_bind_vcpu, &bv), -ENOENT, "bind_vcpu to vCPU 1");
    ck(mm_pin(1, mm_bootstrap_l3()), -EINVAL, "our L3 is still only an L3 (pin as L1 refused)");
}

void case_evtchn_compat(void)
{
    struct xen_evtchn_op op = { .cmd = EVTCHNOP_reset };

    ck(HYPERVISOR_event_channel_op_compat(&op), -ENOSYS, "compat form of EVTCHNOP_reset (newer than 3.0)");
    op.cmd = 0x80000000u;
    ck(HYPERVISOR_event_channel_op_compat(&op), -ENOSYS, "compat form, cmd 0x80000000");
    ck(HYPERVISOR_event_channel_op_compat((void *)HOLE), -EFAULT, "compat form, record in the hole");
    op.cmd = EVTCHNOP_close, op.u.close.port = NR_PORTS;
    ck(HYPERVISOR_event_channel_op_compat(&op), -EINVAL, "compat close of port %u", NR_PORTS);
    ck(HYPERVISOR_event_channel_op(0x80000000, &op), -ENOSYS, "event_channel_op 0x80000000");
}

/* ---- sched_op ------------------------------------------------------------ */

void case_shutdown_reasons(void)
{
    static const uint32_t bad[] = { 6, 0xff, 0x100, 0x80000000u, 0xffffffffu };

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        ck(shutdown(bad[i]), -EINVAL, "SCHEDOP_shutdown reason 0x%x", bad[i]);
    ck(HYPERVISOR_sched_op(SCHEDOP_shutdown, (void *)HOLE), -EFAULT, "SCHEDOP_shutdown, record in the hole");
    ck(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, (void *)HOLE), -EFAULT, "SCHEDOP_shutdown_code, record in the hole");
    struct xen_sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
    ck(HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &sd), -EPERM, "SCHEDOP_shutdown_code (not offered)");
}

static long poll(const uint32_t *ports, uint32_t n, uint64_t timeout)
{
    struct xen_sched_poll p = { .nr_ports = n, .timeout = timeout };
    set_xen_guest_handle(p.ports, (uint32_t *)ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

/* XSA-221 class: a poll list is bounded, readable and in range before anything waits. */
void case_poll(void)
{
    static uint32_t ports[200];
    uint64_t soon = time_now_ns() + NS_PER_MS;

    for (unsigned i = 0; i < ARRAY_SIZE(ports); i++)
        ports[i] = 1;
    ck(poll(ports, 129, soon), -EINVAL, "poll of 129 ports (Xen's limit is 128)");
    ck(poll(ports, 0xffffffffu, soon), -EINVAL, "poll of 0xffffffff ports");
    ck(poll((uint32_t *)HOLE, 4, soon), -EFAULT, "poll with its port list in the hole");
    ck(poll((uint32_t *)(HYPERVISOR_VIRT_START - 8), 4, soon), -EFAULT, "poll with the list crossing into the hole");
    ports[3] = NR_PORTS;
    ck(poll(ports, 4, soon), -EINVAL, "poll of port %u", NR_PORTS);
    ports[3] = 0xffffffffu;
    ck(poll(ports, 4, soon), -EINVAL, "poll of port 0xffffffff");
    ports[3] = 1;
    ck(HYPERVISOR_sched_op(SCHEDOP_poll, (void *)HOLE), -EFAULT, "poll with its record in the hole");
    ck(poll(ports, 4, time_now_ns() + NS_PER_MS), 0, "a good poll of 4 free ports times out");
}

/* Our id: a port we leave unbound for DOMID_SELF names it in its status. */
static unsigned own_id(void)
{
    struct xen_evtchn_status st = { .dom = DOMID_SELF };
    long p = alloc_unbound(DOMID_SELF, DOMID_SELF);
    st.port = (uint32_t)p;
    if (p <= 0 || evtchn(EVTCHNOP_status, &st) || port_op(EVTCHNOP_close, (uint32_t)p))
        test_error("no port to learn our id from (%ld)", p);
    return st.u.unbound.dom;
}

void case_remote_shutdown(void)
{
    struct xen_sched_remote_shutdown rs = { .domain_id = VICTIM, .reason = SHUTDOWN_crash };

    ck(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EPERM, "remote_shutdown of the victim");
    rs.domain_id = (xen_domid_t)own_id();
    ck(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EPERM, "remote_shutdown of ourselves");
    rs.domain_id = NO_DOM;
    ck(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -ESRCH, "remote_shutdown of d%u", NO_DOM);
    rs.domain_id = DOMID_SELF;
    ck(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -ESRCH, "remote_shutdown of DOMID_SELF (not an id)");
    ck(HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, (void *)HOLE), -EFAULT, "remote_shutdown, record in the hole");
    ck(status_of(VICTIM, 0, NULL), -EPERM, "the victim still lives");
}

void case_sched_others(void)
{
    struct xen_sched_watchdog wd = { .id = 0, .timeout = 1 };

    ck(HYPERVISOR_sched_op(SCHEDOP_watchdog, &wd), -ENOSYS, "SCHEDOP_watchdog (not offered)");
    ck(HYPERVISOR_sched_op(7, NULL), -ENOSYS, "SCHEDOP_pin_override");
    ck(HYPERVISOR_sched_op(8, NULL), -ENOSYS, "sched_op 8");
    ck(HYPERVISOR_sched_op(-1, NULL), -ENOSYS, "sched_op -1");
    ck(hc(__HYPERVISOR_sched_op_compat, SCHEDOP_shutdown, SHUTDOWN_crash, 0), -ENOSYS,
       "sched_op_compat shutdown(crash) (hypercall 6 is not offered)");
}

/* ---- vcpu_op and timers ---------------------------------------------------- */

void case_vcpu_ids(void)
{
    static const uint32_t ids[] = { 1, 31, 0x80000000u, 0xffffffffu };
    struct xen_vcpu_runstate_info rs;

    for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
        ck(HYPERVISOR_vcpu_op(VCPUOP_is_up, ids[i], NULL), -ENOENT, "VCPUOP_is_up of vCPU 0x%x", ids[i]);
        ck(HYPERVISOR_vcpu_op(VCPUOP_up, ids[i], NULL), -ENOENT, "VCPUOP_up of vCPU 0x%x", ids[i]);
        ck(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, ids[i], &rs), -ENOENT,
           "get_runstate_info of vCPU 0x%x", ids[i]);
        ck(HYPERVISOR_vcpu_op(VCPUOP_initialise, ids[i], (void *)HOLE), -ENOENT,
           "VCPUOP_initialise of vCPU 0x%x", ids[i]);
    }
    ck(HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)HOLE), -EFAULT, "get_runstate_info into the hole");
    ck(HYPERVISOR_vcpu_op(0x80000000, 0, NULL), -ENOSYS, "vcpu_op 0x80000000");
    ck(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1, "vCPU 0 is up");
}

static long runstate_at(uint32_t va)
{
    struct xen_vcpu_register_runstate_memory_area a = { .addr.p = va };
    return HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &a);
}

/* The hypervisor writes the runstate area at every switch: never into the hole. */
void case_runstate_area(void)
{
    ck(runstate_at(HOLE), -EFAULT, "runstate area in the hole");
    ck(runstate_at(HYPERVISOR_VIRT_START - 8), -EFAULT, "runstate area crossing into the hole");
    ck(runstate_at(HOLE_END + 0xff0), -EFAULT, "runstate area wrapping past 4 GiB");
    ck(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, (void *)HOLE), -EFAULT,
       "runstate record itself in the hole");
    ck(runstate_at(0), 0, "no runstate area (a null handle)");
}

static long vcpu_info_at(uint64_t mfn, uint32_t offset)
{
    struct xen_vcpu_register_vcpu_info i = { .mfn = mfn, .offset = offset };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &i);
}

/* The hypervisor writes vcpu_info at every event: only a whole, writable frame of ours. */
void case_vcpu_info(void)
{
    uint32_t page = mm_va_to_mfn(spare_page(8));

    ck(vcpu_info_at(page, PAGE_SIZE - 32), -ENXIO, "vcpu_info crossing the end of its page");
    ck(vcpu_info_at(page, 2), -ENXIO, "vcpu_info at a misaligned offset");
    ck(vcpu_info_at(page, 0xfffffff0u), -EINVAL, "vcpu_info at offset 0xfffffff0 (the address wraps)");
    ck(vcpu_info_at(0x100, 0), -EINVAL, "vcpu_info in the hypervisor's frame 0x100");
    ck(vcpu_info_at(1ull << 40, 0), -EINVAL, "vcpu_info in frame 2^40");
    ck(vcpu_info_at(mm_bootstrap_l3(), 0), -EACCES, "vcpu_info in our L3 (a page table)");
    ck(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, NULL), -ENOENT, "vcpu_info of vCPU 1");
    ck(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)HOLE), -EFAULT, "vcpu_info record in the hole");
}

/* set_timer_op takes any 64-bit time (Xen: a wild one fires in 100 ms); the VCPUOP ones check. */
void case_timers(void)
{
    struct xen_vcpu_set_periodic_timer per = { .period_ns = 999999 };
    struct xen_vcpu_set_singleshot_timer one = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };

    ck(HYPERVISOR_set_timer_op(~0ull), 0, "set_timer_op(2^64 - 1)");
    ck(HYPERVISOR_set_timer_op(1ull << 63), 0, "set_timer_op(2^63)");
    ck(HYPERVISOR_set_timer_op(1), 0, "set_timer_op(1), long past");
    ck(HYPERVISOR_set_timer_op(0), 0, "set_timer_op(0) cancels");
    ck(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), -EINVAL, "a periodic timer of 999999 ns");
    per.period_ns = 1ull << 63;
    ck(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per), -EINVAL, "a periodic timer of 2^63 ns");
    ck(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &one), -ETIME, "a single-shot timer 'in the future' at 1 ns");
    ck(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, (void *)HOLE), -EFAULT, "periodic timer record in the hole");
    ck(HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL), 0, "stop the periodic timer");
    ck(HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0, "stop the single-shot timer");
    uint64_t t0 = time_now_ns();
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    ck(time_now_ns() > t0, 1, "system time still runs");
}

/* ---- physdev, xen_version, console_io, numbers ------------------------------- */

static uint32_t real_eflags(void)
{
    uint32_t f;
    __asm__ __volatile__("pushfl; popl %0" : "=r"(f));
    return f;
}

/* The virtual IOPL is a number the hypervisor keeps: the CPU's stays 0. */
void case_physdev(void)
{
    struct xen_physdev_set_iopl io = { .iopl = 4 };
    struct xen_physdev_set_iobitmap bm = { .nr_ports = 65536 };

    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), -EINVAL, "set_iopl 4");
    io.iopl = 0xffffffffu;
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), -EINVAL, "set_iopl 0xffffffff");
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, (void *)HOLE), -EFAULT, "set_iopl, record in the hole");
    set_xen_guest_handle(bm.bitmap, (uint8_t *)HOLE);
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &bm), -ENOSYS, "set_iobitmap of a bitmap in the hole");
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, (void *)HOLE), -ENOSYS, "set_iobitmap, record in the hole");
    ck(HYPERVISOR_physdev_op(0x80000000, NULL), -ENOSYS, "physdev_op 0x80000000");
    io.iopl = 3;
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0, "set_iopl 3 (virtual)");
    ck(real_eflags() & 0x3000, 0, "the CPU's IOPL is still 0");
    io.iopl = 1;
    ck(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0, "set_iopl 1 again");
}

/*
 * XSA-122 class: every string record is written whole, zero-padded, so no
 * byte of the hypervisor's stack reaches the guest; a record in the hole
 * is -EFAULT.
 */
void case_xen_version(void)
{
    static const struct { unsigned cmd; unsigned size; } rec[] = {
        { XENVER_extraversion, 16 }, { XENVER_compile_info, 144 }, { XENVER_capabilities, 1024 },
        { XENVER_changeset, 64 }, { XENVER_platform_parameters, 4 }, { XENVER_get_features, 8 },
        { XENVER_guest_handle, 16 },
    };
    static uint8_t buf[1024 + 16];
    struct xen_feature_info fi = { .submap_idx = 1 };

    for (unsigned i = 0; i < ARRAY_SIZE(rec); i++) {
        ck(HYPERVISOR_xen_version(rec[i].cmd, (void *)HOLE), -EFAULT, "xen_version %u into the hole", rec[i].cmd);
        ck(HYPERVISOR_xen_version(rec[i].cmd, (void *)(HYPERVISOR_VIRT_START - 2)), -EFAULT,
           "xen_version %u crossing into the hole", rec[i].cmd);
    }
    for (unsigned i = 0; i < 4; i++) {           /* the string records */
        unsigned cmd = rec[i].cmd, size = rec[i].size, stale = 0;
        memset(buf, 0xaa, sizeof(buf));
        ck(HYPERVISOR_xen_version(cmd, buf), 0, "xen_version %u", cmd);
        for (unsigned k = 0; k < size; k++)
            stale += buf[k] == 0xaa;
        ck(stale, 0, "... bytes of the %u-byte record left unwritten", size);
        ck(buf[size], 0xaa, "... nothing written past it");
    }
    ck(HYPERVISOR_xen_version(XENVER_get_features, &fi), -EINVAL, "get_features of submap 1");
    fi.submap_idx = 0xffffffffu;
    ck(HYPERVISOR_xen_version(XENVER_get_features, &fi), -EINVAL, "get_features of submap 0xffffffff");
    ck(HYPERVISOR_xen_version(XENVER_commandline, buf), -EPERM, "XENVER_commandline (privileged)");
    ck(HYPERVISOR_xen_version(11, buf), -ENOSYS, "xen_version 11");
    ck(HYPERVISOR_xen_version(0x80000000, buf), -ENOSYS, "xen_version 0x80000000");
}

void case_console_io(void)
{
    static const char line[] = "(a line the hostile guest wrote itself)";
    char in[4];

    ck(HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)HOLE), -EFAULT, "console write from the hole");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)(HYPERVISOR_VIRT_START - 8)), -EFAULT,
       "console write crossing into the hole");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 0x80000000u, (char *)line), -EINVAL, "console write of 2^31 bytes");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffu, (char *)line), -EINVAL, "console write of -1 bytes");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 16, (char *)unmapped_va()), -EFAULT, "console write from an unmapped page");
    ck(HYPERVISOR_console_io(CONSOLEIO_read, 0x80000000u, in), -E2BIG, "console read of 2^31 bytes");
    ck(HYPERVISOR_console_io(CONSOLEIO_read, 4, (char *)HOLE), -EFAULT, "console read into the hole");
    ck(HYPERVISOR_console_io(2, 4, in), -ENOSYS, "console_io 2");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 0, (char *)HOLE), -EFAULT, "console write of 0 bytes from the hole");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, 0, (char *)line), 0, "console write of 0 bytes");
    ck(HYPERVISOR_console_io(CONSOLEIO_write, sizeof(line) - 1, (char *)line), 0, "a good write still works");
}

/* Numbers outside the table, and the table's absent entries: -ENOSYS, nothing run. */
void case_unknown_hypercalls(void)
{
    static const uint32_t nrs[] = { 11, 43, 44, 45, 46, 47, 49, 55, 63, 64, 0x100, 0x80000000u,
                                    0xffffffffu, __HYPERVISOR_update_va_mapping_otherdomain,
                                    __HYPERVISOR_xsm_op, __HYPERVISOR_nmi_op, __HYPERVISOR_hvm_op,
                                    __HYPERVISOR_kexec_op, __HYPERVISOR_tmem_op, __HYPERVISOR_dm_op,
                                    __HYPERVISOR_set_segment_base };

    for (unsigned i = 0; i < ARRAY_SIZE(nrs); i++)
        ck(hc(nrs[i], 0, 0, 0), -ENOSYS, "hypercall 0x%x", nrs[i]);
    ck(hc(__HYPERVISOR_xen_version, XENVER_version, 0, 0), HYPERVISOR_xen_version(XENVER_version, NULL),
       "a raw int $0x82 with a good number still works");
}

void case_unknown_subops(void)
{
    static xen_mmuext_op_t op = { .cmd = 99 };
    unsigned done = 0;

    ck(HYPERVISOR_memory_op(99, NULL), -ENOSYS, "memory_op 99");
    ck(HYPERVISOR_mmuext_op(&op, 1, &done, DOMID_SELF), -ENOSYS, "mmuext_op 99");
    ck(HYPERVISOR_grant_table_op(99, NULL, 0), -ENOSYS, "grant_table_op 99");
    ck(HYPERVISOR_vm_assist(99, VMASST_TYPE_pae_extended_cr3), -ENOSYS, "vm_assist command 99");
    ck(HYPERVISOR_vm_assist(VMASST_CMD_enable, 99), -EINVAL, "vm_assist type 99");
    ck(HYPERVISOR_callback_op(99, NULL), -ENOSYS, "callback_op 99");
    ck(HYPERVISOR_xen_version(-1, NULL), -ENOSYS, "xen_version -1");
}
