/*
 * multicall.c - many hypercalls for the price of one trap.
 *
 * Each entry names a hypercall and its arguments; its result is written
 * back into the entry.  Two calls may not run inside a batch: multicall
 * itself (no unbounded nesting), and iret, which rewrites the very frame
 * the batch is running on (Xen's XSA-213): an iret entry gets -EINVAL and
 * ends the batch.  The batch also ends if an entry ended the domain.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain.h"
#include "hypervisor/guest_access.h"
#include "hypervisor/hypercall.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"

#define MULTICALL_MAX 1024

long do_multicall(guest_ptr_t calls, unsigned int nr_calls)
{
    if (nr_calls > MULTICALL_MAX)
        return -EINVAL;
    for (unsigned int i = 0; i < nr_calls; i++) {
        struct xen_multicall_entry e;
        guest_ptr_t at = calls + i * sizeof(e);
        if (copy_from_guest(&e, at, sizeof(e)))
            return -EFAULT;
        bool stop = e.op == __HYPERVISOR_iret;
        if (e.op == __HYPERVISOR_multicall || stop)
            e.result = (uint32_t)-EINVAL;
        else
            e.result = (uint32_t)hypercall_dispatch(e.op, e.args);
        guest_ptr_t result = at + offsetof(struct xen_multicall_entry, result);
        if (copy_to_guest(result, &e.result, sizeof(e.result)))
            return -EFAULT;
        if (stop || current->state != DOMAIN_RUNNABLE)
            break;
    }
    return 0;
}
