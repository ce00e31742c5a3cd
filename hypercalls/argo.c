/*
 * argo.c - argo_op: register and unregister rings, send messages, ask about rings.
 *
 * This file reads each command's records from the guest once, checks
 * their shape in the order Xen's xen/common/argo.c does (so each mistake
 * gets Xen's errno), and hands the work to hypervisor/argo_ring.c.  Argo is
 * off unless the hypervisor was booted with argo=1: every command is then
 * -EOPNOTSUPP, as in Xen.  There is no XSM here; its default policy lets
 * any domain send to any ring whose partner it is, which is what we do.
 * Wildcard rings (partner XEN_ARGO_DOMID_ANY) are -EPERM unless argo's
 * mac-permissive option is on, as in Xen.  Every count a guest gives is
 * bounded before it is used: 4096 ring pages, 8 iovs, 256 notify entries.
 * It must never touch guest memory except by copy_from_guest/copy_to_guest.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/share/argo_ring.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/event/event.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/mm/page_type.h"
#include "hypercalls/public/errno.h"

#define MAX_NOTIFY_COUNT 256u           /* Xen's cap on notify's nent */
#define MAX_RING_PAGES   (XEN_ARGO_MAX_RING_SIZE >> PAGE_SHIFT)

/*
 * Contract: reg_p, gfns, npages and flags are the guest's.  npages is
 * bounded before the gfn array is checked; the record's len must be a
 * slot multiple from 48 bytes (a header and two slots) to 16 MiB filling
 * exactly npages pages, and the partner a live domain (or ANY, if allowed).
 */
static long register_ring(guest_ptr_t reg_p, guest_ptr_t gfns, unsigned long npages, unsigned long flags)
{
    struct xen_argo_register_ring reg;
    if (npages > MAX_RING_PAGES)
        return -EINVAL;
    if (!guest_range_ok(gfns, npages * sizeof(xen_argo_gfn_t)))
        return -EFAULT;
    if (flags & ~(unsigned long)XEN_ARGO_REGISTER_FLAG_FAIL_EXIST)
        return -EINVAL;
    if (copy_from_guest(&reg, reg_p, sizeof(reg)))
        return -EFAULT;
    if (reg.len < ARGO_HDR + 2 * XEN_ARGO_MSG_SLOT_SIZE || reg.len > XEN_ARGO_MAX_RING_SIZE ||
        reg.len % XEN_ARGO_MSG_SLOT_SIZE || ARGO_NPAGES(reg.len) != npages || reg.pad)
        return -EINVAL;
    if (reg.partner_id == XEN_ARGO_DOMID_ANY && !hv_opts.argo_mac_permissive)
        return -EPERM;
    if (reg.partner_id != XEN_ARGO_DOMID_ANY && !event_domain(reg.partner_id))
        return -ESRCH;                  /* as Xen, DOMID_SELF is not a domain here */
    return argo_ring_register(current, &reg, gfns, (uint32_t)npages, (uint32_t)flags);
}

static long unregister_ring(guest_ptr_t p)
{
    struct xen_argo_unregister_ring u;
    if (copy_from_guest(&u, p, sizeof(u)))
        return -EFAULT;
    return u.pad ? -EINVAL : argo_ring_unregister(current, u.aport, u.partner_id);
}

/* The payload length of niov (<= 8) copied-in iovs: each and the sum at most ARGO_MAX_MSG. */
static int iov_total(const struct xen_argo_iov *iov, unsigned niov, uint32_t *len)
{
    uint32_t sum = 0;
    for (unsigned i = 0; i < niov; i++) {
        if (iov[i].pad || iov[i].iov_len > ARGO_MAX_MSG)
            return -EINVAL;
        if ((sum += iov[i].iov_len) > ARGO_MAX_MSG)
            return -EMSGSIZE;
    }
    *len = sum;
    return 0;
}

/*
 * Contract: addr_p, iov_p, niov and type are the guest's.  The sender may
 * speak only for itself; niov is at most XEN_ARGO_MAXIOV before any iov is
 * read; the iovs are checked only once the ring is found, as in Xen.
 * *done: where a continued send resumes (argo_ring_send checks it).
 */
static long sendv(guest_ptr_t addr_p, guest_ptr_t iov_p, unsigned long niov, unsigned long type,
                  uint32_t *done)
{
    struct xen_argo_send_addr a;
    struct xen_argo_iov iov[XEN_ARGO_MAXIOV];
    uint32_t len;
    if (copy_from_guest(&a, addr_p, sizeof(a)))
        return -EFAULT;
    if (niov > XEN_ARGO_MAXIOV)
        return -EINVAL;
    if (niov && copy_from_guest(iov, iov_p, niov * sizeof(iov[0])))
        return -EFAULT;
    if (a.src.pad || a.dst.pad)
        return -EINVAL;
    if (a.src.domain_id == XEN_ARGO_DOMID_ANY)
        a.src.domain_id = (xen_domid_t)current->id;
    if (a.src.domain_id != current->id)
        return -EPERM;                  /* nobody sends on another's behalf */
    struct domain *to = event_domain(a.dst.domain_id);
    if (!to)
        return -ESRCH;
    struct argo_ring *r = argo_ring_find(to, a.dst.aport, a.src.domain_id);
    if (!r)
        return -ECONNREFUSED;
    int rc = iov_total(iov, (unsigned)niov, &len);
    return rc ? rc : argo_ring_send(to, r, &a.src, iov, (unsigned)niov, (uint32_t)type, len, done);
}

/* One xen_argo_ring_data_ent at p: only its flags and max_message_size are written back. */
static long notify_one(guest_ptr_t p)
{
    struct xen_argo_ring_data_ent e;
    if (copy_from_guest(&e, p, sizeof(e)))
        return -EFAULT;
    struct domain *to = event_domain(e.ring.domain_id);
    struct argo_ring *r = to ? argo_ring_find(to, e.ring.aport, (uint16_t)current->id) : NULL;
    e.flags = r ? argo_ring_query(r, (uint16_t)current->id, e.space_required, &e.max_message_size) : 0;
    if (copy_to_guest(p + offsetof(struct xen_argo_ring_data_ent, flags), &e.flags, sizeof(e.flags)) ||
        copy_to_guest(p + offsetof(struct xen_argo_ring_data_ent, max_message_size),
                      &e.max_message_size, sizeof(e.max_message_size)))
        return -EFAULT;
    return 0;
}

/*
 * Contract: p (may be 0) is the guest's.  First, senders waiting for
 * space in our own rings are told if it is there now; then each of at most
 * 256 entries is answered.
 */
static long notify(guest_ptr_t p)
{
    struct xen_argo_ring_data rd;
    argo_ring_wake_senders(current);
    if (!p)
        return 0;
    if (copy_from_guest(&rd, p, sizeof(rd)))
        return -EFAULT;
    if (rd.nent > MAX_NOTIFY_COUNT)
        return -EACCES;
    guest_ptr_t ent = p + (guest_ptr_t)offsetof(struct xen_argo_ring_data, data);
    if (!guest_range_ok(ent, rd.nent * sizeof(struct xen_argo_ring_data_ent)))
        return -EFAULT;
    long rc = 0;
    for (uint32_t i = 0; i < rd.nent && !rc; i++)
        rc = notify_one(ent + i * (guest_ptr_t)sizeof(struct xen_argo_ring_data_ent));
    return rc;
}

long do_argo_op(unsigned int cmd, guest_ptr_t arg1, guest_ptr_t arg2, unsigned long arg3, unsigned long arg4)
{
    if (!hv_opts.argo)
        return -EOPNOTSUPP;
    switch (cmd) {
    case XEN_ARGO_OP_register_ring:
        return register_ring(arg1, arg2, arg3, arg4);
    case XEN_ARGO_OP_unregister_ring:
        return arg2 || arg3 || arg4 ? -EINVAL : unregister_ring(arg1);
    case XEN_ARGO_OP_sendv: {
        /* A continued send: the bytes already in the ring ride above niov (< 2^24). */
        uint32_t done = (uint32_t)arg3 >> 8;
        long rc = sendv(arg1, arg2, arg3 & 0xff, arg4, &done);
        uint32_t args[5] = { cmd, arg1, arg2, (uint32_t)(arg3 & 0xff) | done << 8, (uint32_t)arg4 };
        return rc == -ERESTART ? hypercall_continue(__HYPERVISOR_argo_op, args) : rc;
    }
    case XEN_ARGO_OP_notify:
        return arg2 || arg3 || arg4 ? -EINVAL : notify(arg1);
    default:
        return -EOPNOTSUPP;
    }
}
