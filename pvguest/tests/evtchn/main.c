/*
 * evtchn - every event_channel_op command, and block/poll, from the inside.
 *
 * Boot two copies: the tester "-- peer=1" and a partner "-- role=partner
 * peer=0".  The partner makes port 1 for itself and port 2 for the tester,
 * then echoes every event it gets on port 2 until the tester is gone; a
 * live second domain is what "foreign domain" checks need.  The tester
 * checks, with Xen's error codes:
 *  - the FIFO ABI is absent (init_control of a good frame, expand_array,
 *    set_priority: -ENOSYS; pvguest/tests/fifo checks their arguments) and
 *    so are unknown commands; every record behind a bad pointer is -EFAULT;
 *  - alloc_unbound: lowest port first from 1; a `dom` of another live
 *    domain is -EPERM, of none -ESRCH (also for status and reset);
 *  - bind_interdomain: only to an unbound port offered to us, never to
 *    ports 0, 1024 or beyond; the new port starts pending (Xen's "maybe
 *    something was sent"); a send reaches the partner and its echo wakes
 *    us from SCHEDOP_poll (events masked) and from SCHEDOP_block;
 *  - a loopback channel to ourselves, and what closing one end does;
 *  - bind_virq once per VIRQ (-EEXIST), vCPU rules, no send on a VIRQ;
 *  - bind_ipi; the 2-level delivery rules with masks: a masked port is
 *    pending without an upcall, unmask raises it, the callback takes it;
 *  - close, send, status, unmask, bind_vcpu on bad and free ports;
 *  - the legacy event_channel_op_compat;
 *  - 1023 ports, then -ENOSPC for every kind of bind, then all closed;
 *  - SCHEDOP_poll's argument checks, SCHEDOP_block returning at once when
 *    an upcall is already pending, a poll's timeout; shutdown_code and
 *    remote_shutdown refused;
 *  - reset closes everything, and the partner's port can be bound again.
 * At the end the tester powers off; the partner, blocked, must be woken by
 * that death, find its port unbound, and end too.
 */
#include "pvguest/lib/pvguest.h"

#define BAD_PTR   ((void *)0xF5800000u)   /* the hypervisor hole */
#define NOBODY    77u                     /* no such domain */
#define WAITS_MAX 10000u
#define MS        1000000ull

static unsigned peer, self_id;
static volatile unsigned upcalls, taken[EVTCHN_PORTS];

static long op(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static void count_port(unsigned port, void *arg)
{
    (void)arg;
    taken[port]++;
}

/* The event callback: count it, then the library's demultiplexer. */
static bool on_upcall(struct trap_frame *f)
{
    (void)f;
    upcalls++;
    evtchn_do_upcall();
    return true;
}

static bool bit(volatile const xen_ulong_t *words, unsigned port)
{
    return words[port / 32] & (1u << (port % 32));
}

static void clear_pending(unsigned port)
{
    __asm__ __volatile__("lock btrl %1, %0" : "+m"(shared_info->evtchn_pending[port / 32])
                         : "Ir"(port % 32) : "memory", "cc");
}

/*
 * Take every pending event now, as the callback would, so that a check
 * starts from a clean selector: in the 2-level ABI a selector bit already
 * set means no new upcall for that word, by design.
 */
static void drain(void)
{
    set_event_mask(1);
    shared_info->vcpu_info[0].evtchn_upcall_pending = 1;
    evtchn_do_upcall();
}

static long status(unsigned dom, unsigned port, struct xen_evtchn_status *st)
{
    st->dom = (xen_domid_t)dom;
    st->port = port;
    return op(EVTCHNOP_status, st);
}

static unsigned state_of(unsigned port)
{
    struct xen_evtchn_status st;
    long rc = status(DOMID_SELF, port, &st);
    return rc ? 0xdead : st.status;
}

static long alloc_unbound(unsigned dom, unsigned remote)
{
    struct xen_evtchn_alloc_unbound a = { .dom = (xen_domid_t)dom, .remote_dom = (xen_domid_t)remote };
    long rc = op(EVTCHNOP_alloc_unbound, &a);
    return rc ? rc : (long)a.port;
}

static long bind_virq(unsigned virq, unsigned vcpu)
{
    struct xen_evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
    long rc = op(EVTCHNOP_bind_virq, &b);
    return rc ? rc : (long)b.port;
}

static long bind_ipi(unsigned vcpu)
{
    struct xen_evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = op(EVTCHNOP_bind_ipi, &b);
    return rc ? rc : (long)b.port;
}

static long unmask(unsigned port)
{
    struct xen_evtchn_unmask u = { .port = port };
    return op(EVTCHNOP_unmask, &u);
}

static long bind_vcpu(unsigned port, unsigned vcpu)
{
    struct xen_evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };
    return op(EVTCHNOP_bind_vcpu, &b);
}

static long reset(unsigned dom)
{
    struct xen_evtchn_reset r = { .dom = (xen_domid_t)dom };
    return op(EVTCHNOP_reset, &r);
}

static long poll(const xen_evtchn_port_t *ports, unsigned n, uint64_t timeout)
{
    struct xen_sched_poll p = { .nr_ports = n, .timeout = timeout };
    set_xen_guest_handle(p.ports, ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void absent_and_bad(void)
{
    static uint8_t block[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    struct xen_evtchn_init_control ic = { .control_gfn = mm_va_to_mfn((uint32_t)(uintptr_t)block) };
    struct xen_evtchn_expand_array ea = { 0 };
    struct xen_evtchn_set_priority sp = { .port = 1 };
    static const int cmds[] = {
        EVTCHNOP_alloc_unbound, EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq,
        EVTCHNOP_bind_ipi, EVTCHNOP_bind_pirq, EVTCHNOP_close, EVTCHNOP_send,
        EVTCHNOP_status, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset,
    };
    char name[60];

    check_rc("FIFO init_control", op(EVTCHNOP_init_control, &ic), -ENOSYS);
    check_rc("FIFO expand_array", op(EVTCHNOP_expand_array, &ea), -ENOSYS);
    check_rc("FIFO set_priority", op(EVTCHNOP_set_priority, &sp), -ENOSYS);
    check_rc("command 99", op(99, NULL), -ENOSYS);
    check_rc("command -1", op(-1, NULL), -ENOSYS);
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++) {
        snprintf(name, sizeof(name), "command %d, record in the hypervisor hole", cmds[i]);
        check_rc(name, op(cmds[i], BAD_PTR), -EFAULT);
    }
    struct xen_evtchn_bind_pirq bp = { .pirq = 1 };
    check_rc("bind_pirq (no physical IRQs here)", op(EVTCHNOP_bind_pirq, &bp), -EPERM);
}

/* Also learns our own domain id, from what DOMID_SELF became. */
static void unbound_and_foreign(void)
{
    struct xen_evtchn_status st;

    check_rc("alloc_unbound(self, self): port 1", alloc_unbound(DOMID_SELF, DOMID_SELF), 1);
    check_rc("status of port 1", status(DOMID_SELF, 1, &st), 0);
    check_rc("... unbound", st.status, EVTCHNSTAT_unbound);
    self_id = st.u.unbound.dom;
    printf("our domain id: %u (from DOMID_SELF in port 1)\n", self_id);
    check_rc("... our id is a real one", self_id < DOMID_FIRST_RESERVED && self_id != peer, 1);
    check_rc("alloc_unbound(our id, peer): port 2", alloc_unbound(self_id, peer), 2);
    check_rc("... remote is the peer", status(self_id, 2, &st) == 0 && st.u.unbound.dom == peer, 1);
    check_rc("alloc_unbound for a domain yet to exist (as Xen)", alloc_unbound(DOMID_SELF, 500), 3);
    check_rc("alloc_unbound in the peer", alloc_unbound(peer, DOMID_SELF), -EPERM);
    check_rc("alloc_unbound in no domain", alloc_unbound(NOBODY, DOMID_SELF), -ESRCH);
    check_rc("alloc_unbound in DOMID_IO", alloc_unbound(DOMID_IO, DOMID_SELF), -ESRCH);
    check_rc("status in the peer", status(peer, 1, &st), -EPERM);
    check_rc("status in no domain", status(NOBODY, 1, &st), -ESRCH);
    check_rc("reset of the peer", reset(peer), -EPERM);
    check_rc("reset of no domain", reset(NOBODY), -ESRCH);
    for (unsigned p = 1; p <= 3; p++)
        evtchn_close(p);
}

/* The partner offers port 2 to us (and keeps port 1 for itself). */
static long bind_partner(void)
{
    long p = -EINVAL;

    for (unsigned i = 0; i < WAITS_MAX && p == -EINVAL; i++) {
        p = evtchn_bind_interdomain(peer, 2);
        if (p == -EINVAL)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    return p;
}

/* Send to the partner; wait for its echo with poll (masked) or block. */
static bool echo(unsigned lport, bool by_poll)
{
    xen_evtchn_port_t ports[1] = { lport };
    unsigned before = taken[lport];

    evtchn_send(lport);
    for (unsigned i = 0; i < WAITS_MAX; i++) {
        set_event_mask(1);
        if (by_poll && bit(shared_info->evtchn_pending, lport)) {
            clear_pending(lport);
            return true;
        }
        if (!by_poll && taken[lport] != before)
            return true;
        if (by_poll)
            poll(ports, 1, 0);
        else
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    }
    return false;
}

static unsigned interdomain(void)
{
    struct xen_evtchn_bind_interdomain b = { .remote_dom = NOBODY, .remote_port = 1 };
    struct xen_evtchn_status st;
    long lport;

    check_rc("bind_interdomain to no domain", op(EVTCHNOP_bind_interdomain, &b), -ESRCH);
    lport = bind_partner();
    if (!check_rc("bind_interdomain(peer, 2): our lowest free port", lport, 1))
        return 0;
    check_rc("... the new port starts pending (as Xen)", bit(shared_info->evtchn_pending, 1), 1);
    clear_pending(1);
    check_rc("status: interdomain", status(DOMID_SELF, 1, &st) == 0 &&
             st.status == EVTCHNSTAT_interdomain, 1);
    check_rc("... to the peer's port 2", st.u.interdomain.dom == peer && st.u.interdomain.port == 2, 1);
    check_rc("bind to the partner's own port 1", evtchn_bind_interdomain(peer, 1), -EINVAL);
    check_rc("bind to port 2 again (no longer unbound)", evtchn_bind_interdomain(peer, 2), -EINVAL);
    check_rc("bind to port 0", evtchn_bind_interdomain(peer, 0), -EINVAL);
    check_rc("bind to port 1024", evtchn_bind_interdomain(peer, 1024), -EINVAL);
    check_rc("bind to port 0xffffffff", evtchn_bind_interdomain(peer, 0xffffffffu), -EINVAL);
    check_rc("bind to port 500 (free)", evtchn_bind_interdomain(peer, 500), -EINVAL);
    evtchn_set_handler(1, count_port, NULL);
    check_rc("send; the echo wakes SCHEDOP_poll (events masked)", echo(1, true), 1);
    check_rc("send; the echo wakes SCHEDOP_block", echo(1, false), 1);
    return 1;
}

static void loopback(void)
{
    struct xen_evtchn_status st;
    long a = alloc_unbound(DOMID_SELF, DOMID_SELF), b;

    b = evtchn_bind_interdomain(DOMID_SELF, (unsigned)a);
    check_rc("loopback: alloc_unbound(self) then bind to it", a > 0 && b > a, 1);
    clear_pending((unsigned)b);
    check_rc("loopback: ends name each other", status(DOMID_SELF, (unsigned)a, &st) == 0 &&
             st.u.interdomain.dom == self_id && st.u.interdomain.port == (unsigned)b, 1);
    check_rc("loopback: send on one end", evtchn_send((unsigned)b), 0);
    check_rc("... the other end is pending", bit(shared_info->evtchn_pending, (unsigned)a), 1);
    check_rc("... not the sender's", bit(shared_info->evtchn_pending, (unsigned)b), 0);
    check_rc("loopback: close one end", evtchn_close((unsigned)a), 0);
    check_rc("... its pending bit is cleared", bit(shared_info->evtchn_pending, (unsigned)a), 0);
    check_rc("... the other end is unbound, for us", status(DOMID_SELF, (unsigned)b, &st) == 0 &&
             st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == self_id, 1);
    check_rc("... a send on it is dropped (rc 0, as Xen)", evtchn_send((unsigned)b), 0);
    check_rc("... and it can be bound again", evtchn_bind_interdomain(DOMID_SELF, (unsigned)b), a);
    evtchn_close((unsigned)a);
    evtchn_close((unsigned)b);
}

static void virqs(void)
{
    long p = bind_virq(VIRQ_TIMER, 0), c;

    check_rc("bind_virq TIMER", p > 0, 1);
    check_rc("bind_virq TIMER again", bind_virq(VIRQ_TIMER, 0), -EEXIST);
    check_rc("bind_virq TIMER on vCPU 1", bind_virq(VIRQ_TIMER, 1), -ENOENT);
    check_rc("bind_virq CONSOLE (global) on vCPU 1", bind_virq(VIRQ_CONSOLE, 1), -EINVAL);
    check_rc("bind_virq 24 (NR_VIRQS)", bind_virq(NR_VIRQS, 0), -EINVAL);
    check_rc("bind_virq 0xffffffff", bind_virq(0xffffffffu, 0), -EINVAL);
    check_rc("status: virq TIMER", state_of((unsigned)p), EVTCHNSTAT_virq);
    check_rc("send on a VIRQ port", evtchn_send((unsigned)p), -EINVAL);
    check_rc("bind_vcpu of a per-vCPU VIRQ", bind_vcpu((unsigned)p, 0), -EINVAL);
    c = bind_virq(VIRQ_CONSOLE, 0);
    check_rc("bind_virq CONSOLE", c > p, 1);
    check_rc("bind_vcpu of a global VIRQ to vCPU 0", bind_vcpu((unsigned)c, 0), 0);
    check_rc("bind_virq DEBUG", bind_virq(VIRQ_DEBUG, 0) > c, 1);
    check_rc("close TIMER", evtchn_close((unsigned)p), 0);
    check_rc("bind_virq TIMER after close: the same port", bind_virq(VIRQ_TIMER, 0), p);
    for (long q = p; q <= c + 1; q++)
        evtchn_close((unsigned)q);
}

/* The 2-level rules: a masked port pends quietly; unmask raises the upcall. */
static void ipi_and_masks(void)
{
    volatile xen_vcpu_info_t *vi = &shared_info->vcpu_info[0];
    long p = bind_ipi(0);

    check_rc("bind_ipi on vCPU 1", bind_ipi(1), -ENOENT);
    check_rc("bind_ipi", p > 0 && p < (long)EVTCHN_PORTS, 1);
    check_rc("status: ipi", state_of((unsigned)p), EVTCHNSTAT_ipi);
    evtchn_set_handler((unsigned)p, count_port, NULL);
    drain();
    upcalls = 0;
    check_rc("send to ourselves, events masked", evtchn_send((unsigned)p), 0);
    check_rc("... port pending", bit(shared_info->evtchn_pending, (unsigned)p), 1);
    check_rc("... selector bit", !!(vi->evtchn_pending_sel & (1u << (p / 32))), 1);
    check_rc("... upcall pending", vi->evtchn_upcall_pending, 1);
    check_rc("... no callback while masked", upcalls, 0);
    set_event_mask(0);
    HYPERVISOR_xen_version(XENVER_version, NULL);
    set_event_mask(1);
    check_rc("unmasked: one callback", upcalls, 1);
    check_rc("... which took the port", taken[p], 1);

    evtchn_mask((unsigned)p);
    check_rc("send on a masked port", evtchn_send((unsigned)p), 0);
    check_rc("... pending", bit(shared_info->evtchn_pending, (unsigned)p), 1);
    check_rc("... no selector bit", !!(vi->evtchn_pending_sel & (1u << (p / 32))), 0);
    check_rc("... no upcall", vi->evtchn_upcall_pending, 0);
    set_event_mask(0);
    check_rc("EVTCHNOP_unmask; its return delivers the upcall", unmask((unsigned)p), 0);
    set_event_mask(1);
    check_rc("... mask bit clear", bit(shared_info->evtchn_mask, (unsigned)p), 0);
    check_rc("... one more callback", upcalls, 2);
    check_rc("... which took the port", taken[p], 2);
    check_rc("unmask port 1024", unmask(1024), -EINVAL);
    check_rc("unmask a free port (as Xen)", unmask(900), 0);

    evtchn_mask((unsigned)p);
    evtchn_send((unsigned)p);
    check_rc("close clears a pending bit", evtchn_close((unsigned)p) == 0 &&
             !bit(shared_info->evtchn_pending, (unsigned)p), 1);
    evtchn_unmask((unsigned)p);
}

static void bad_ports(void)
{
    struct xen_evtchn_status st;
    long u = alloc_unbound(DOMID_SELF, peer);
    static const unsigned bad[] = { 0, 900, 1023, 1024, 0x10000, 0xffffffffu };
    char name[60];
    long rc;

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        snprintf(name, sizeof(name), "close port %u", bad[i]);
        check_rc(name, evtchn_close(bad[i]), -EINVAL);
        snprintf(name, sizeof(name), "send on port %u", bad[i]);
        check_rc(name, evtchn_send(bad[i]), -EINVAL);
        snprintf(name, sizeof(name), "status of port %u", bad[i]);
        rc = status(DOMID_SELF, bad[i], &st);
        check_rc(name, rc ? rc : (long)st.status, bad[i] < 1024 ? EVTCHNSTAT_closed : -EINVAL);
    }
    check_rc("send on an unbound port (dropped)", evtchn_send((unsigned)u), 0);
    check_rc("bind_vcpu of an unbound port to vCPU 0", bind_vcpu((unsigned)u, 0), 0);
    check_rc("bind_vcpu to vCPU 1", bind_vcpu((unsigned)u, 1), -ENOENT);
    check_rc("bind_vcpu of a free port", bind_vcpu(900, 0), -EINVAL);
    evtchn_close((unsigned)u);
}

static void compat(void)
{
    struct xen_evtchn_op o = { .cmd = EVTCHNOP_alloc_unbound };

    o.u.alloc_unbound.dom = DOMID_SELF;
    o.u.alloc_unbound.remote_dom = DOMID_SELF;
    check_rc("compat alloc_unbound", HYPERVISOR_event_channel_op_compat(&o), 0);
    check_rc("... port written into the record", state_of(o.u.alloc_unbound.port), EVTCHNSTAT_unbound);
    o.cmd = EVTCHNOP_close;
    o.u.close.port = o.u.alloc_unbound.port;
    check_rc("compat close", HYPERVISOR_event_channel_op_compat(&o), 0);
    o.cmd = EVTCHNOP_reset;
    check_rc("compat reset (not a Xen 3.0 command)", HYPERVISOR_event_channel_op_compat(&o), -ENOSYS);
    o.cmd = EVTCHNOP_init_control;
    check_rc("compat init_control", HYPERVISOR_event_channel_op_compat(&o), -ENOSYS);
    check_rc("compat, record in the hole", HYPERVISOR_event_channel_op_compat(BAD_PTR), -EFAULT);
}

/* XSA-317's shape: fill the table to the last port, then every bind fails cleanly. */
static void exhaustion(unsigned lport)
{
    unsigned made = 0, first = 0, closed = 0;
    long rc;

    while ((rc = alloc_unbound(DOMID_SELF, DOMID_SELF)) > 0) {
        if (!first)
            first = (unsigned)rc;
        made++;
    }
    printf("allocated %u ports from port %u until rc %ld\n", made, first, rc);
    check_rc("the table fills up with -ENOSPC", rc, -ENOSPC);
    check_rc("... after port 1023: all 1023 in use", state_of(1023), EVTCHNSTAT_unbound);
    check_rc("bind_ipi when full", bind_ipi(0), -ENOSPC);
    check_rc("bind_virq when full", bind_virq(VIRQ_DEBUG, 0), -ENOSPC);
    check_rc("bind_interdomain when full", evtchn_bind_interdomain(DOMID_SELF, 1023), -ENOSPC);
    for (unsigned p = 1; p < 1024; p++)
        if (p != lport)
            closed += evtchn_close(p) == 0;
    check_rc("closed every one of them", closed, made);
    rc = alloc_unbound(DOMID_SELF, DOMID_SELF);
    check_rc("the next one is the lowest free port again", rc, lport == 1 ? 2 : 1);
    evtchn_close((unsigned)rc);
}

static void sched_ops(void)
{
    volatile xen_vcpu_info_t *vi = &shared_info->vcpu_info[0];
    static xen_evtchn_port_t ports[129];
    struct xen_sched_poll bad = { .nr_ports = 1 };
    struct xen_sched_shutdown sd = { .reason = SHUTDOWN_crash };
    struct xen_sched_remote_shutdown rs = { .domain_id = (xen_domid_t)peer };
    long p = bind_ipi(0);

    check_rc("poll 129 ports", poll(ports, 129, 0), -EINVAL);
    check_rc("poll, record in the hole", HYPERVISOR_sched_op(SCHEDOP_poll, BAD_PTR), -EFAULT);
    bad.ports = (xen_guest_handle_t)(uintptr_t)BAD_PTR;
    check_rc("poll, port list in the hole", HYPERVISOR_sched_op(SCHEDOP_poll, &bad), -EFAULT);
    ports[0] = (xen_evtchn_port_t)p;
    ports[1] = 1024;
    check_rc("poll with port 1024 listed", poll(ports, 2, 0), -EINVAL);
    evtchn_mask((unsigned)p);
    evtchn_send((unsigned)p);
    check_rc("poll on a pending (masked) port returns at once", poll(ports, 1, 0), 0);
    clear_pending((unsigned)p);
    evtchn_unmask((unsigned)p);

    drain();
    evtchn_send((unsigned)p);
    upcalls = 0;
    if (!check_rc("masked events, a send to ourselves: upcall pending", vi->evtchn_upcall_pending, 1))
        return;                         /* a block now would never end */
    check_rc("block with an upcall already pending returns at once",
             HYPERVISOR_sched_op(SCHEDOP_block, NULL), 0);
    check_rc("... and delivers it (block unmasked events)", upcalls, 1);
    set_event_mask(1);
    check_rc("... upcall taken", vi->evtchn_upcall_pending, 0);

    if (time_ticking()) {
        uint64_t start = time_now_ns(), end;
        check_rc("poll, nothing pending, 20 ms timeout", poll(ports, 1, start + 20 * MS), 0);
        end = time_now_ns();
        printf("poll timed out after %lu us\n", (unsigned long)((end - start) / 1000));
        check_rc("... not before its timeout", end >= start + 20 * MS, 1);
    } else {
        printf("no clock: poll timeout not checked\n");
    }
    check_rc("SCHEDOP_shutdown_code", HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &sd), -EPERM);
    check_rc("remote_shutdown of the peer", HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -EPERM);
    rs.domain_id = NOBODY;
    check_rc("remote_shutdown of no domain", HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -ESRCH);
    rs.domain_id = DOMID_SELF;
    check_rc("remote_shutdown of DOMID_SELF", HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs), -ESRCH);
    evtchn_close((unsigned)p);
}

/* Last: reset drops the partner's channel too, so bind it again for the end. */
static void reset_all(void)
{
    struct xen_evtchn_status st;

    check_rc("bind_ipi before reset: port 2", bind_ipi(0), 2);
    check_rc("bind_virq before reset: port 3", bind_virq(VIRQ_TIMER, 0), 3);
    check_rc("reset(self)", reset(DOMID_SELF), 0);
    check_rc("... port 1 (the partner's channel) closed", state_of(1), EVTCHNSTAT_closed);
    check_rc("... port 2 closed", state_of(2), EVTCHNSTAT_closed);
    check_rc("... port 3 closed", state_of(3), EVTCHNSTAT_closed);
    check_rc("... the VIRQ can be bound again: port 1", bind_virq(VIRQ_TIMER, 0), 1);
    check_rc("... the partner's port can be bound again: port 2", bind_partner(), 2);
    check_rc("... and is connected to the partner's port 2", status(DOMID_SELF, 2, &st) == 0 &&
             st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == peer &&
             st.u.interdomain.port == 2, 1);
    clear_pending(2);
}

/* Echo on port 2 until the tester is gone; then check what it left. */
static void partner(void)
{
    struct xen_evtchn_status st;
    unsigned echoes = 0;

    check_rc("partner: port 1 for ourselves", alloc_unbound(DOMID_SELF, DOMID_SELF), 1);
    check_rc("partner: port 2 for the tester", alloc_unbound(DOMID_SELF, peer), 2);
    evtchn_set_handler(2, count_port, NULL);
    for (unsigned i = 0; i < 100 * WAITS_MAX; i++) {
        set_event_mask(1);
        if (!taken[2]) {
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
            continue;
        }
        taken[2] = 0;
        if (state_of(2) == EVTCHNSTAT_interdomain) {
            evtchn_send(2);
            echoes++;
            continue;
        }
        printf("partner: %u echoes; the tester is gone\n", echoes);
        check_rc("port 2 is unbound again", status(DOMID_SELF, 2, &st) == 0 &&
                 st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == peer, 1);
        check_rc("status in the dead tester", status(peer, 1, &st), -ESRCH);
        return;
    }
    test_fail("partner: the tester never went away");
}

void pvguest_main(const xen_start_info_t *si)
{
    char role[16] = "";

    (void)si;
    traps_init();
    peer = (unsigned)cmdline_uint("peer", 1);
    cmdline_get("role", role, sizeof(role));
    evtchn_init();
    trap_set_hook(TRAP_EVENT, on_upcall);
    if (!strcmp(role, "partner")) {
        partner();
        test_pass();
        xtf_exit();
    }
    absent_and_bad();
    unbound_and_foreign();
    if (!interdomain()) {
        test_fail("no channel to the partner d%u", peer);
        xtf_exit();
    }
    loopback();
    virqs();
    ipi_and_masks();
    bad_ports();
    compat();
    exhaustion(1);
    sched_ops();
    reset_all();
    test_pass();
    xtf_exit();
}
