/*
 * test_guest_access.c - hypervisor/mm/guest_access.c: the hole checks.
 *
 * The range, entry-point and stack checks decide, without any segment
 * limit, whether a guest address may be used by the hypervisor or by the
 * CPU; each is checked here at its boundaries.  arch_copy (usercopy.S in
 * the hypervisor) is replaced by a stub that counts calls: a refused
 * range must never reach it.
 *
 *   test_guest_access [GROUP | --list]
 */
#include "hypervisor/mm/guest_access.h"
#include "hypercalls/public/errno.h"

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define HOLE 0xF5800000u

static unsigned copies;
uint32_t arch_copy(void *dst, const void *src, size_t n);
uint32_t arch_copy(void *dst, const void *src, size_t n)
{
    (void)dst, (void)src, (void)n;
    copies++;
    return 0;                       /* never touches the made-up addresses */
}

static void ranges_stop_below_the_hole(void)
{
    CHECK(guest_range_ok(0, 1));
    CHECK(guest_range_ok(HOLE - 1, 1));
    CHECK(guest_range_ok(HOLE - 16, 16));
    CHECK(!guest_range_ok(HOLE - 15, 16));
    CHECK(!guest_range_ok(HOLE, 1));
    CHECK(!guest_range_ok(0xFFFFFFF0u, 0x20));          /* wraps past 4 GiB */
    CHECK(!guest_range_ok(0, HOLE + 1));
    CHECK(guest_range_ok(0, HOLE));
}

static void handlers_lie_below_the_hole(void)
{
    CHECK(guest_code_ok(0));
    CHECK(guest_code_ok(HOLE - 1));
    CHECK(!guest_code_ok(HOLE));
    CHECK(!guest_code_ok(0xFC100000u));                  /* the hypervisor image */
    CHECK(!guest_code_ok(0xFFFFFFFFu));
}

static void stacks_leave_room_for_a_frame(void)
{
    CHECK(guest_stack_ok(HOLE));                         /* the frame goes below it */
    CHECK(!guest_stack_ok(HOLE + 4));
    CHECK(!guest_stack_ok(0xFC101000u));                 /* issue 14's write into the image */
    CHECK(!guest_stack_ok(0xFFFFFFF0u));
    CHECK(guest_stack_ok(GUEST_STACK_FRAME_MAX));
    CHECK(!guest_stack_ok(GUEST_STACK_FRAME_MAX - 1));   /* the frame would wrap below 0 */
    CHECK(!guest_stack_ok(0));
    CHECK(!guest_stack_ok(24));                          /* a 31-parameter call gate's 140 bytes would wrap */
    CHECK(guest_stack_ok(0xC0001000u));
}

static void refused_copies_never_touch_memory(void)
{
    char buf[16];
    copies = 0;
    CHECK(copy_from_guest(buf, HOLE, 1) == -EFAULT);
    CHECK(copy_to_guest(HOLE - 8, buf, 16) == -EFAULT);
    CHECK(copy_to_guest(0xFFFFFFF8u, buf, 16) == -EFAULT);
    CHECKF(copies == 0, "%u copies reached arch_copy", copies);
    CHECK(copy_from_guest(buf, HOLE - 16, 16) == 0);
    CHECK(copies == 1);
}

static const struct group groups[] = {
    { "ranges_stop_below_the_hole", ranges_stop_below_the_hole },
    { "handlers_lie_below_the_hole", handlers_lie_below_the_hole },
    { "stacks_leave_room_for_a_frame", stacks_leave_room_for_a_frame },
    { "refused_copies_never_touch_memory", refused_copies_never_touch_memory },
};

CHECK_MAIN(groups)
