/*
 * continuation.c - the argument encodings of Xen's hypercall continuations.
 *
 * Pure arithmetic on argument words (see continuation.h): which words a
 * preempted call rewrites, and how, for each family.  It must never read
 * a frame or guest memory; the handlers decide when to stop.
 */
#include "hypervisor/continuation.h"
#include "hypercalls/public/memory.h"

void continuation_batch(uint32_t args[5], uint32_t item_size, uint32_t count, uint32_t ran)
{
    args[1] = count;                               /* the real count, without the flag */
    continuation_list(args, 0, 1, item_size, ran);
    args[1] |= MMU_UPDATE_PREEMPTED;
}

uint32_t continuation_memop_start(uint32_t cmd)
{
    return cmd >> MEMOP_EXTENT_SHIFT;
}

bool continuation_memop_cmd(uint32_t cmd, uint32_t start, uint32_t *out)
{
    if (start > (~0u >> MEMOP_EXTENT_SHIFT))
        return false;                              /* would lose bits: Xen's -ENOSYS case */
    *out = (cmd & MEMOP_CMD_MASK) | (start << MEMOP_EXTENT_SHIFT);
    return true;
}

void continuation_list(uint32_t args[5], unsigned list, unsigned count, uint32_t item_size,
                       uint32_t ran)
{
    args[list] += ran * item_size;
    args[count] -= ran;
}

void continuation_bytes(uint32_t args[5], uint32_t ran)
{
    continuation_list(args, 2, 1, 1, ran);
}
