/*
 * grant_table.c - grant_table_op: set up one's table, map, unmap and copy through grants.
 *
 * This file reads each record from the guest once, answers the questions
 * about a table (setup_table, query_size, get_version, set_version) and
 * hands every map, unmap and copy record to hypervisor/share/grant.c.  The
 * error values are Xen's (xen/common/grant_table.c): the hypercall returns
 * 0 or -errno for the call as a whole, and each record's status field a
 * GNTST_* code.  Only version 1 is offered, as a Xen booted with
 * gnttab=max-ver:1: set_version(2) is -ENOSYS.  No domain is privileged
 * over another here, so a call naming another domain's table is refused
 * as Xen's XSM refuses an unprivileged one.  Batches are loops over an
 * explicit index, bounded by GRANT_BATCH_MAX, and continue later when the tick is due.
 * It must never touch guest memory except by copy_from_guest/copy_to_guest.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/share/grant.h"
#include "hypervisor/continuation.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"

#define GNTTABOP_CMD_MASK 0xfffu        /* above: a continuation's argument, cache_flush only */
#define GRANT_BATCH_MAX   4096u         /* a larger count is refused, not walked */

/* The table a query names: 0 and *d for ours; else a GNTST_* code, as Xen's XSM_TARGET. */
static int16_t target(domid_t dom, struct domain **d)
{
    *d = current;
    if (dom == DOMID_SELF || dom == current->id)
        return GNTST_okay;
    return dom < nr_domains && domains[dom]->state == DOMAIN_RUNNABLE ? GNTST_permission_denied
                                                                        : GNTST_bad_domain;
}

/*
 * Contract: the record, its frame_list and nr_frames are the guest's.  The
 * list must fit the guest's half whole before anything is done (-EFAULT,
 * Xen's guest_handle_okay); past the maximum is a status, not an errno.
 */
static long setup_table(guest_ptr_t uop, unsigned int count)
{
    struct xen_gnttab_setup_table op;
    struct domain *d;
    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    uint64_t bytes = (uint64_t)op.nr_frames * sizeof(xen_pfn_t);
    if (bytes > 0xffffffffull || !guest_range_ok(op.frame_list, (size_t)bytes))
        return -EFAULT;
    if ((op.status = target(op.dom, &d)) == GNTST_okay) {
        if (op.nr_frames > grant_max_frames(d) || grant_table_grow(d, op.nr_frames))
            op.status = GNTST_general_error;
        for (uint32_t i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
            xen_pfn_t f = mfn_x(grant_frame(d, i));
            if (copy_to_guest(op.frame_list + i * sizeof(f), &f, sizeof(f)))
                op.status = GNTST_bad_virt_addr;
        }
    }
    return copy_to_guest(uop + offsetof(struct xen_gnttab_setup_table, status), &op.status,
                         sizeof(op.status)) ? -EFAULT : 0;
}

static long query_size(guest_ptr_t uop, unsigned int count)
{
    struct xen_gnttab_query_size op;
    struct domain *d;
    if (count != 1)
        return -EINVAL;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    if ((op.status = target(op.dom, &d)) == GNTST_okay) {
        op.nr_frames = grant_nr_frames(d);
        op.max_nr_frames = grant_max_frames(d);
    }
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* get_version answers in errnos: -ESRCH for no domain, -EPERM for another one. */
static long get_version(guest_ptr_t uop)
{
    struct xen_gnttab_get_version op;
    struct domain *d;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    int16_t st = target(op.dom, &d);
    if (st != GNTST_okay)
        return st == GNTST_permission_denied ? -EPERM : -ESRCH;
    op.version = 1;
    return copy_to_guest(uop + offsetof(struct xen_gnttab_get_version, version), &op.version,
                         sizeof(op.version)) ? -EFAULT : 0;
}

/* Version 1 stays; the record always comes back holding the version in force. */
static long set_version(guest_ptr_t uop)
{
    struct xen_gnttab_set_version op;
    if (copy_from_guest(&op, uop, sizeof(op)))
        return -EFAULT;
    long rc = op.version == 1 ? 0 : op.version == 2 ? -ENOSYS : -EINVAL;
    op.version = 1;
    return copy_to_guest(uop, &op, sizeof(op)) ? -EFAULT : rc;
}

/*
 * The batches: one record at a time, read, done, its result written back.
 * A record that cannot be read or written back ends the call with -EFAULT
 * (the records before it are done, as in Xen).  Unmaps flush the TLB once
 * at the end of the batch, before the guest can run.
 *
 * Between two records, when the tick is due, the call continues later from
 * the first record not done (Xen's do_grant_table_op): the guest's own
 * "int $0x82" is re-issued with the list moved on and the count reduced.
 */
static bool preempted(unsigned int cmd, guest_ptr_t uop, unsigned int count, unsigned int i,
                      uint32_t size, long *rc)
{
    if (!i || !hypercall_preempt_check())
        return false;
    uint32_t args[5] = { cmd, uop, count };
    continuation_list(args, 1, 2, size, i);
    *rc = hypercall_continue(__HYPERVISOR_grant_table_op, args);
    return true;
}

static long map_batch(guest_ptr_t uop, unsigned int count)
{
    long rc;
    for (unsigned int i = 0; i < count; i++) {
        struct xen_gnttab_map_grant_ref op;
        if (preempted(GNTTABOP_map_grant_ref, uop, count, i, sizeof(op), &rc))
            return rc;
        guest_ptr_t p = uop + i * sizeof(op);
        if (copy_from_guest(&op, p, sizeof(op)))
            return -EFAULT;
        grant_map(current, &op);
        if (copy_to_guest(p, &op, sizeof(op)))
            return -EFAULT;
    }
    return 0;
}

static long unmap_batch(guest_ptr_t uop, unsigned int count, bool replace)
{
    long rc = 0;
    for (unsigned int i = 0; i < count && !rc; i++) {
        struct xen_gnttab_unmap_grant_ref u;
        struct xen_gnttab_unmap_and_replace r;
        guest_ptr_t p = uop + i * sizeof(u);
        if (preempted(replace ? GNTTABOP_unmap_and_replace : GNTTABOP_unmap_grant_ref,
                      uop, count, i, sizeof(u), &rc))
            break;                               /* the flush below still happens */
        _Static_assert(sizeof(u) == sizeof(r) && offsetof(struct xen_gnttab_unmap_grant_ref, status) ==
                       offsetof(struct xen_gnttab_unmap_and_replace, status), "one loop for both");
        int16_t st = GNTST_okay;
        if (replace ? copy_from_guest(&r, p, sizeof(r)) : copy_from_guest(&u, p, sizeof(u)))
            rc = -EFAULT;
        else if (replace)
            st = grant_unmap(current, r.host_addr, 0, r.handle, r.new_addr);
        else
            st = grant_unmap(current, u.host_addr, u.dev_bus_addr, u.handle, 0);
        if (!rc && copy_to_guest(p + offsetof(struct xen_gnttab_unmap_grant_ref, status), &st, sizeof(st)))
            rc = -EFAULT;
    }
    grant_flush();
    return rc;
}

static long copy_batch(guest_ptr_t uop, unsigned int count)
{
    long rc;
    for (unsigned int i = 0; i < count; i++) {
        struct xen_gnttab_copy op;
        if (preempted(GNTTABOP_copy, uop, count, i, sizeof(op), &rc))
            return rc;
        guest_ptr_t p = uop + i * sizeof(op);
        if (copy_from_guest(&op, p, sizeof(op)))
            return -EFAULT;
        op.status = grant_copy(current, &op);
        if (copy_to_guest(p + offsetof(struct xen_gnttab_copy, status), &op.status, sizeof(op.status)))
            return -EFAULT;
    }
    return 0;
}

/* Xen checks the whole array of a batch before the first record (guest_handle_okay). */
static bool batch_ok(guest_ptr_t uop, unsigned int count, size_t size)
{
    return guest_range_ok(uop, (size_t)count * size);
}

long do_grant_table_op(unsigned int cmd, guest_ptr_t uop, unsigned int count)
{
    if ((int)count < 0 || ((cmd & ~GNTTABOP_CMD_MASK) && (cmd & GNTTABOP_CMD_MASK) != GNTTABOP_cache_flush))
        return -EINVAL;
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_unmap_and_replace:
    case GNTTABOP_copy:
        if (count > GRANT_BATCH_MAX)
            return -EINVAL;
        break;
    }
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return batch_ok(uop, count, sizeof(struct xen_gnttab_map_grant_ref)) ? map_batch(uop, count) : -EFAULT;
    case GNTTABOP_unmap_grant_ref:
        return batch_ok(uop, count, sizeof(struct xen_gnttab_unmap_grant_ref)) ? unmap_batch(uop, count, false)
                                                                                : -EFAULT;
    case GNTTABOP_unmap_and_replace:
        return batch_ok(uop, count, sizeof(struct xen_gnttab_unmap_and_replace)) ? unmap_batch(uop, count, true)
                                                                                  : -EFAULT;
    case GNTTABOP_copy:
        return batch_ok(uop, count, sizeof(struct xen_gnttab_copy)) ? copy_batch(uop, count) : -EFAULT;
    case GNTTABOP_setup_table:
        return setup_table(uop, count);
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_get_version:
        return get_version(uop);
    case GNTTABOP_set_version:
        return set_version(uop);
    default:
        return -ENOSYS;         /* dump_table, transfer, status frames, swap, cache_flush */
    }
}
