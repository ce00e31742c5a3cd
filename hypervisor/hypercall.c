/*
 * hypercall.c - hypercall dispatch: from a number to a handler.
 *
 * This file owns the one decision every hypercall passes through: is the
 * number one we implement?  The table it consults is generated from
 * hypercalls/hypercalls.tbl.  It must never interpret arguments (each
 * handler validates its own) and never touch guest memory.
 */
#include "hypervisor/hypercall.h"
#include "hypercalls/public/errno.h"

/* The row of every number this hypervisor does not implement. */
long hc_not_implemented(const uint32_t args[5])
{
    (void)args;
    return -ENOSYS;
}

const char *hypercall_name(uint32_t nr)
{
    if (nr >= NR_HYPERCALLS || hypercall_table[nr].name == NULL)
        return "unknown";
    return hypercall_table[nr].name;
}
