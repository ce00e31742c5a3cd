/*
 * batch.c - one loop for mmu_update and mmuext_op: requests, done, resume.
 *
 * Both hypercalls take (list, count, done, foreigndom) and share Xen's
 * rules: stop at the first failing request, report how many ran, and,
 * when the tick is due between two requests, continue later from the
 * first request not run (or from the one whose page-table validation
 * stopped part way: page_type.c's -ERESTART).  Tables let go by the
 * requests are devalidated in steps between them, and before the batch
 * returns (page_type_finish_puts).  *done then accumulates across the pieces: each
 * piece adds what it ran to what the guest's word already says.  The
 * guest may rewrite that word (or the list) between pieces; it only
 * misleads itself, since every request is copied in and checked anew.
 * As in Xen, a list that reaches the hole is refused before any of it
 * runs, and a done word we cannot write does not undo the work done.
 */
#include "hypercalls/batch.h"
#include "hypervisor/continuation.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/event.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"

long batch_run(const struct batch *b, guest_ptr_t items, uint32_t count_arg,
               guest_ptr_t pdone, unsigned int foreigndom)
{
    struct domain *d = current;
    bool resumed;
    uint32_t count = continuation_batch_count(count_arg, &resumed), done = 0, i;
    uint64_t item[BATCH_ITEM_MAX / 8];
    long rc = 0;
    /* mmu_update's high half names the tables' owner + 1: only we, else as Xen's XSM or no such domain. */
    unsigned pt_dom = b->op == __HYPERVISOR_mmu_update ? foreigndom >> 16 : 0;
    if (pt_dom && pt_dom - 1 != current->id)
        return event_domain(pt_dom - 1) ? -EPERM : -ESRCH;
    if ((rc = domain_check_pg_owner((uint16_t)foreigndom)))
        return rc;                                /* Xen's get_pg_owner() of the low half: -EPERM or -ESRCH */
    if (count > b->max)
        return -EINVAL;
    if (!guest_range_ok(items, count * b->item_size))
        return -EFAULT;                           /* Xen's guest_handle_okay: the whole list, before any of it */
    if (resumed && pdone)
        copy_from_guest(&done, pdone, sizeof(done));   /* as Xen, a done word we cannot reach is ignored */
    for (i = 0; ; i++) {
        rc = d->nr_puts ? page_type_finish_puts(d) : 0;   /* an unpin's tables, let go in steps */
        if (!rc && i == count)
            break;
        if (!rc && i && hypercall_preempt_check())
            rc = -ERESTART;
        else if (!rc && copy_from_guest(item, items + i * b->item_size, b->item_size))
            rc = -EFAULT;
        else if (!rc)
            rc = b->one(d, item);            /* -ERESTART: a table's validation stopped */
        if (rc == -ERESTART) {
            uint32_t args[5] = { items, count_arg, pdone, foreigndom };
            continuation_batch(args, b->item_size, count, i);
            rc = hypercall_continue(b->op, args);
        }
        if (rc)
            break;
    }
    done += i;
    if (pdone)
        copy_to_guest(pdone, &done, sizeof(done));
    return rc;
}
