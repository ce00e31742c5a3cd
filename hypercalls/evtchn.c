/*
 * evtchn.c - event_channel_op: make, connect, signal and close event channels.
 *
 * Each command's record is copied in once, acted on, and (for the ones
 * with OUT fields) copied back whole, as Xen does.  A command that made a
 * port and then cannot write its number back closes the port again, so a
 * bad pointer never leaks one (Xen leaves it open: "cleaning up here would
 * be a mess"; here it is one call).  The rules about ports live in
 * hypervisor/event/event_port.c and event.c; this file only checks who may ask:
 *  - a `dom` field (alloc_unbound, status, reset) must be DOMID_SELF or the
 *    caller's own id.  No domain here is privileged over another, so any
 *    other live domain is -EPERM (Xen's XSM_TARGET check) and a domain that
 *    does not exist, or no longer does, is -ESRCH;
 *  - a remote_dom (bind_interdomain) must be a live domain, else -ESRCH.
 * Only the 2-level ABI is offered, to keep ring 0 small: the FIFO ABI
 * would have the hypervisor keep queues in guest frames.  Its commands end
 * in -ENOSYS, what Xen before 4.4 answered, so a Linux guest falls back to
 * 2-level - but first each checks what a Xen with FIFO checks before it
 * would take the ABI on, with Xen's errors: init_control's vCPU (-ENOENT),
 * its offset (in the page, 8-byte aligned: -EINVAL) and its frame (ours,
 * and able to be writable: -EINVAL); set_priority's port (-EINVAL past the
 * 2-level ports); for expand_array only that its record can be read.  The
 * checks keep no state, so a bad frame cannot leave a stale pointer behind
 * for the next call (Xen's XSA-188).  No domain owns a physical IRQ:
 * bind_pirq is -EPERM.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/event.h"
#include "hypervisor/event/event_port.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/mm/page_type.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/event_channel.h"

/* The ops that make a port: each returns the port or a negative errno. */
static int alloc_unbound(struct xen_evtchn_alloc_unbound *a)
{
    long rc = domain_check_self(a->dom);
    if (rc)
        return (int)rc;
    struct evtchn *t = event_table_alloc(current);
    if (!t)
        return -ENOMEM;
    /* As in Xen the peer need not exist yet; DOMID_SELF means "us". */
    return event_port_alloc_unbound(t, a->remote_dom == DOMID_SELF ? current->id : a->remote_dom);
}

static int bind_interdomain(struct xen_evtchn_bind_interdomain *b)
{
    unsigned rdom = b->remote_dom == DOMID_SELF ? current->id : b->remote_dom;
    if (!event_domain(rdom))
        return -ESRCH;
    struct evtchn *t = event_table_alloc(current);
    if (!t)
        return -ENOMEM;
    int port = event_port_bind_interdomain(t, current->id, rdom, b->remote_port);
    /* As Xen: sends to the unbound end were dropped, so say "maybe something happened". */
    if (port > 0)
        event_set_pending(current, (uint32_t)port);
    return port;
}

static int bind_virq(struct xen_evtchn_bind_virq *b)
{
    struct evtchn *t = event_table_alloc(current);
    return t ? event_port_bind_virq(t, b->virq, b->vcpu) : -ENOMEM;
}

static int bind_ipi(struct xen_evtchn_bind_ipi *b)
{
    struct evtchn *t = event_table_alloc(current);
    return t ? event_port_bind_ipi(t, b->vcpu) : -ENOMEM;
}

/* A made port goes into *field and the record back to the guest. */
static long port_made(guest_ptr_t arg, void *rec, size_t size, uint32_t *field, int port)
{
    if (port < 0)
        return port;
    *field = (uint32_t)port;
    if (copy_to_guest(arg, rec, size)) {
        event_close(current, (uint32_t)port);
        return -EFAULT;
    }
    return 0;
}

static long status(guest_ptr_t arg, struct xen_evtchn_status *st)
{
    long rc = domain_check_self(st->dom);
    if (!rc)
        rc = event_port_status(current->evtchn, st->port, st);
    if (!rc && copy_to_guest(arg, st, sizeof(*st)))
        rc = -EFAULT;
    return rc;
}

/* EVTCHNOP_reset on ourselves: close every port, as after a fresh boot. */
static long reset(const struct xen_evtchn_reset *r)
{
    long rc = domain_check_self(r->dom);
    if (rc)
        return rc;
    for (uint32_t p = 1; p < EVTCHN_NR_PORTS && event_ports_in_use(current); p++)
        event_close(current, p);
    return 0;
}

/*
 * All of init_control's record is the guest's.  The order is Xen's
 * evtchn_fifo_init_control(); a PV guest's gfn is a machine frame, and
 * the frame is only tested (typed writable and let go), never kept.
 */
static long fifo_init_control(const struct xen_evtchn_init_control *ic)
{
    if (ic->vcpu != 0)
        return -ENOENT;                               /* vCPU 0 is all we have */
    if (ic->offset > PAGE_SIZE - sizeof(struct xen_evtchn_fifo_control_block) ||
        (ic->offset & 7))
        return -EINVAL;
    mfn_t m = _mfn((uint32_t)ic->control_gfn);
    if (ic->control_gfn >> 32 || page_type_get(current, m, PGT_WRITABLE))
        return -EINVAL;                               /* not ours, or a table */
    page_type_put(current, m);
    return -ENOSYS;                                   /* valid: but no FIFO here */
}

long do_event_channel_op(int cmd, guest_ptr_t arg)
{
    union {
        struct xen_evtchn_alloc_unbound alloc_unbound;
        struct xen_evtchn_bind_interdomain bind_interdomain;
        struct xen_evtchn_bind_virq bind_virq;
        struct xen_evtchn_bind_ipi bind_ipi;
        struct xen_evtchn_bind_pirq bind_pirq;
        struct xen_evtchn_close close;
        struct xen_evtchn_send send;
        struct xen_evtchn_status status;
        struct xen_evtchn_bind_vcpu bind_vcpu;
        struct xen_evtchn_unmask unmask;
        struct xen_evtchn_reset reset;
        struct xen_evtchn_init_control init_control;
        struct xen_evtchn_expand_array expand_array;
        struct xen_evtchn_set_priority set_priority;
    } op;
#define COPY_IN(f) do { if (copy_from_guest(&op.f, arg, sizeof(op.f))) return -EFAULT; } while (0)
#define MADE(f) port_made(arg, &op.f, sizeof(op.f), &op.f.port, f(&op.f))
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        COPY_IN(alloc_unbound);
        return MADE(alloc_unbound);
    case EVTCHNOP_bind_interdomain:
        COPY_IN(bind_interdomain);
        return port_made(arg, &op.bind_interdomain, sizeof(op.bind_interdomain),
                         &op.bind_interdomain.local_port, bind_interdomain(&op.bind_interdomain));
    case EVTCHNOP_bind_virq:
        COPY_IN(bind_virq);
        return MADE(bind_virq);
    case EVTCHNOP_bind_ipi:
        COPY_IN(bind_ipi);
        return MADE(bind_ipi);
    case EVTCHNOP_bind_pirq:
        COPY_IN(bind_pirq);
        return -EPERM;
    case EVTCHNOP_close:
        COPY_IN(close);
        return event_close(current, op.close.port);
    case EVTCHNOP_send:
        COPY_IN(send);
        return event_send(current, op.send.port);
    case EVTCHNOP_status:
        COPY_IN(status);
        return status(arg, &op.status);
    case EVTCHNOP_bind_vcpu:
        COPY_IN(bind_vcpu);
        return event_port_bind_vcpu(current->evtchn, op.bind_vcpu.port, op.bind_vcpu.vcpu);
    case EVTCHNOP_unmask:
        COPY_IN(unmask);
        return event_unmask(current, op.unmask.port);
    case EVTCHNOP_reset:
        COPY_IN(reset);
        return reset(&op.reset);
    case EVTCHNOP_init_control:
        COPY_IN(init_control);
        return fifo_init_control(&op.init_control);
    case EVTCHNOP_set_priority:
        COPY_IN(set_priority);
        return op.set_priority.port >= EVTCHN_NR_PORTS ? -EINVAL : -ENOSYS;
    case EVTCHNOP_expand_array:
        COPY_IN(expand_array);
        return -ENOSYS;
    default:
        return -ENOSYS;
    }
#undef COPY_IN
#undef MADE
}

/*
 * The legacy form (hypercall 16): one record, the command first.  As in
 * Xen, the whole record must be readable, the commands are those of Xen
 * 3.0 (0..9), and each works on the union that follows the command.
 */
long do_event_channel_op_compat(guest_ptr_t uop)
{
    struct xen_evtchn_op op;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if (op.cmd > EVTCHNOP_unmask)
        return -ENOSYS;
    return do_event_channel_op((int)op.cmd, uop + (guest_ptr_t)offsetof(struct xen_evtchn_op, u));
}
