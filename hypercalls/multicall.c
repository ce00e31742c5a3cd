/*
 * multicall.c - many hypercalls for the price of one trap.
 *
 * Each entry names a hypercall and its arguments; its result is written
 * back into the entry.  A multicall inside a batch gets -EINVAL and the
 * batch goes on (no nesting).  An iret entry ends the batch, as in Xen
 * since XSA-213: the iret pops the frame at the guest's ESP (it was the
 * multicall's caller who put one there), so the guest resumes where that
 * frame says - perhaps in ring 3 - and never sees the multicall return;
 * no entry after it may run in the context the iret left.  The batch also
 * ends if an entry ended the domain.
 *
 * A long batch continues later, as Xen's does: between two entries when
 * the tick is due, or when an entry itself continues (console_io,
 * mmu_update, ...).  That entry's new arguments are written back into the
 * guest's list, so the multicall resumes at the same entry, which resumes
 * where it stopped.  A guest that reuses its list must therefore refill
 * it, as under Xen.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/trace.h"
#include "hypervisor/continuation.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"

#define MULTICALL_MAX 1024

/* Continue from entry i of the list. */
static long continue_at(guest_ptr_t calls, unsigned int nr_calls, unsigned int i)
{
    uint32_t args[5] = { calls, nr_calls };
    continuation_list(args, 0, 1, sizeof(struct xen_multicall_entry), i);
    return hypercall_continue(__HYPERVISOR_multicall, args);
}

/*
 * calls and nr_calls are the guest's; each entry is copied in before use.
 * After an iret the trap frame is the one do_iret() wrote: we return the
 * iret's EAX for the dispatcher to put there, and store the entry's result
 * only as a courtesy (a failure to write it changes nothing, as in Xen).
 */
long do_multicall(guest_ptr_t calls, unsigned int nr_calls)
{
    if (nr_calls > MULTICALL_MAX)
        return -EINVAL;
    if (!guest_range_ok(calls, nr_calls * sizeof(struct xen_multicall_entry)))
        return -EFAULT;                           /* Xen checks the whole list before the first entry */
    for (unsigned int i = 0; i < nr_calls; i++) {
        struct xen_multicall_entry e;
        guest_ptr_t at = calls + i * sizeof(e);
        if (i && hypercall_preempt_check())
            return continue_at(calls, nr_calls, i);
        if (copy_from_guest(&e, at, sizeof(e)))
            return -EFAULT;
        hypercall_mc_begin(e.args);
        if (e.op == __HYPERVISOR_multicall)
            e.result = (uint32_t)-EINVAL;
        else
            e.result = (uint32_t)hypercall_dispatch(e.op, e.args);
        TRACE(TRACE_HYPERCALL, current, e.op, 1);   /* b = 1: an entry of a multicall */
        if (hypercall_mc_end()) {
            /* The entry continues: store its new arguments, resume at it (Xen: a
             * list we cannot write back to ends the batch with -EFAULT). */
            if (copy_to_guest(at, &e, sizeof(e)))
                return -EFAULT;
            return continue_at(calls, nr_calls, i);
        }
        guest_ptr_t result = at + offsetof(struct xen_multicall_entry, result);
        bool written = !copy_to_guest(result, &e.result, sizeof(e.result));
        if (e.op == __HYPERVISOR_iret)
            return (int32_t)e.result;
        if (!written)
            return -EFAULT;
        if (current->state != DOMAIN_RUNNABLE)
            break;
    }
    return 0;
}
