/*
 * continuation.h - how a preempted hypercall's arguments say where to resume.
 *
 * A long hypercall that stops early is re-issued by the guest itself: the
 * hypervisor moves the guest's EIP back onto its "int $0x82" and rewrites
 * the argument registers (hypercall_continue(), hypercall.c), so the same
 * instruction asks for "the rest".  These pure functions compute "the rest"
 * in each of Xen's encodings; nothing here touches a frame or guest memory,
 * so tests/unit/test_continuation.c checks them on the host.
 */
#ifndef HV_CONTINUATION_H
#define HV_CONTINUATION_H
#include "hypervisor/types.h"

/*
 * mmu_update and mmuext_op (Xen's asm/hypercall.h): the top bit of the
 * count says "this call resumes a preempted one", so *done is read back
 * from the guest and added to rather than overwritten.
 */
#define MMU_UPDATE_PREEMPTED 0x80000000u

/* The count a batch call really asks for; *resumed: the flag was set. */
static inline uint32_t continuation_batch_count(uint32_t count_arg, bool *resumed)
{
    *resumed = (count_arg & MMU_UPDATE_PREEMPTED) != 0;
    return count_arg & ~MMU_UPDATE_PREEMPTED;
}

/*
 * args = (items, count, done, foreigndom) of a batch that has run `ran` of
 * its `count` items (ran < count): advance the list, flag the count.
 */
void continuation_batch(uint32_t args[5], uint32_t item_size, uint32_t count, uint32_t ran);

/*
 * memory_op: the extent to start from rides in cmd's bits above
 * MEMOP_EXTENT_SHIFT (Xen's "start_extent").
 */
uint32_t continuation_memop_start(uint32_t cmd);
/* The cmd that resumes cmd at extent `start`; false if start does not fit. */
bool continuation_memop_cmd(uint32_t cmd, uint32_t start, uint32_t *out);

/*
 * A call whose args[list] points at an array of item_size-byte requests and
 * args[count] says how many, `ran` of them done: the rest.  multicall is
 * (calls, nr_calls); grant_table_op is (cmd, uops, count), resumed as
 * Xen's do_grant_table_op: between requests,
 *     if (i && hypercall_preempt_check()) {
 *         uint32_t args[5] = { cmd, uops, count };
 *         continuation_list(args, 1, 2, sizeof(struct gnttab_...), i);
 *         return hypercall_continue(__HYPERVISOR_grant_table_op, args);
 *     }
 */
void continuation_list(uint32_t args[5], unsigned list, unsigned count, uint32_t item_size,
                       uint32_t ran);

/* console_io write (cmd, count, buffer) that has written `ran` bytes: the rest. */
void continuation_bytes(uint32_t args[5], uint32_t ran);
#endif
