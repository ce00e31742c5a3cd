/*
 * test_continuation.c - the argument encodings of hypercall continuations
 * (hypervisor/continuation.c), against Xen's: MMU_UPDATE_PREEMPTED in the
 * count of mmu_update/mmuext_op, the start extent in memory_op's cmd, the
 * rest of a console_io write.
 */
#include "hypervisor/continuation.h"
#include "hypercalls/public/memory.h"
#include "tests/unit/check.h"

static void batch_count_flag(void)
{
    bool resumed = true;
    CHECK(continuation_batch_count(7, &resumed) == 7);
    CHECK(!resumed);
    CHECK(continuation_batch_count(0x80000007u, &resumed) == 7);
    CHECK(resumed);
    CHECK(continuation_batch_count(0xffffffffu, &resumed) == 0x7fffffffu);   /* still refused: > max */
    CHECK(MMU_UPDATE_PREEMPTED == (~(~0u >> 1)));                             /* Xen's spelling */
}

static void batch_advances_list_and_flags_count(void)
{
    uint32_t args[5] = { 0x1000, 10, 0x2000, 0x7ff0, 0xdead };
    continuation_batch(args, 16, 10, 3);
    CHECKF(args[0] == 0x1000 + 3 * 16, "list 0x%x", args[0]);
    CHECKF(args[1] == (7 | MMU_UPDATE_PREEMPTED), "count 0x%x", args[1]);
    CHECK(args[2] == 0x2000 && args[3] == 0x7ff0 && args[4] == 0xdead);   /* untouched */
    /* A resumed batch resumes again: the count it sees is the rest. */
    bool resumed;
    uint32_t count = continuation_batch_count(args[1], &resumed);
    continuation_batch(args, 16, count, 6);
    CHECKF(args[0] == 0x1000 + 9 * 16 && args[1] == (1 | MMU_UPDATE_PREEMPTED),
           "list 0x%x count 0x%x", args[0], args[1]);
}

static void memop_start_extent(void)
{
    uint32_t cmd = 0;
    CHECK(continuation_memop_start(XENMEM_decrease_reservation) == 0);
    CHECK(continuation_memop_cmd(XENMEM_decrease_reservation, 100, &cmd));
    CHECKF(cmd == (XENMEM_decrease_reservation | (100u << MEMOP_EXTENT_SHIFT)), "cmd 0x%x", cmd);
    CHECK((cmd & MEMOP_CMD_MASK) == XENMEM_decrease_reservation);
    CHECK(continuation_memop_start(cmd) == 100);
    /* Re-encoding a resumed cmd replaces the old start. */
    CHECK(continuation_memop_cmd(cmd, 200, &cmd) && continuation_memop_start(cmd) == 200);
    CHECK((cmd & MEMOP_CMD_MASK) == XENMEM_decrease_reservation);
    /* The largest start that fits, and one past it. */
    CHECK(continuation_memop_cmd(XENMEM_increase_reservation, ~0u >> MEMOP_EXTENT_SHIFT, &cmd));
    CHECK(continuation_memop_start(cmd) == (~0u >> MEMOP_EXTENT_SHIFT));
    CHECK(!continuation_memop_cmd(XENMEM_increase_reservation, (~0u >> MEMOP_EXTENT_SHIFT) + 1, &cmd));
}

static void bytes_rest(void)
{
    uint32_t args[5] = { 0 /* CONSOLEIO_write */, 1000, 0x40000000, 0, 0 };
    continuation_bytes(args, 256);
    CHECK(args[0] == 0 && args[1] == 744 && args[2] == 0x40000100);
    continuation_bytes(args, 744);
    CHECK(args[1] == 0 && args[2] == 0x400003e8);
}

static void list_rest(void)
{
    /* grant_table_op (cmd, uops, count) after 5 of 12 requests of 24 bytes. */
    uint32_t args[5] = { 3, 0x8000, 12, 0x55, 0x66 };
    continuation_list(args, 1, 2, 24, 5);
    CHECK(args[0] == 3 && args[1] == 0x8000 + 5 * 24 && args[2] == 7);
    CHECK(args[3] == 0x55 && args[4] == 0x66);
    /* multicall (calls, nr_calls): 32-byte entries, resumed at entry 1000 of 1024. */
    uint32_t mc[5] = { 0xc0010000u, 1024 };
    continuation_list(mc, 0, 1, 32, 1000);
    CHECK(mc[0] == 0xc0010000u + 32000 && mc[1] == 24);
}

static const struct group groups[] = {
    { "list_rest", list_rest },
    { "batch_count_flag", batch_count_flag },
    { "batch_advances_list_and_flags_count", batch_advances_list_and_flags_count },
    { "memop_start_extent", memop_start_extent },
    { "bytes_rest", bytes_rest },
};
CHECK_MAIN(groups)
