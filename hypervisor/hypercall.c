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

long hypercall_dispatch(uint32_t nr, const uint32_t args[5])
{
    /* nr comes straight from the guest's EAX: check it before indexing. */
    if (nr >= NR_HYPERCALLS || hypercall_table[nr].call == NULL)
        return -ENOSYS;
    return hypercall_table[nr].call(args);
}

const char *hypercall_name(uint32_t nr)
{
    if (nr >= NR_HYPERCALLS || hypercall_table[nr].name == NULL)
        return "unknown";
    return hypercall_table[nr].name;
}
