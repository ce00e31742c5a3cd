/*
 * fifo - the FIFO event ABI is absent, but its commands check as Xen's do.
 *
 * Xen 4.4 and later offer FIFO event channels; this hypervisor keeps to
 * the 2-level ABI and answers -ENOSYS, the answer of a Xen without FIFO,
 * so a guest falls back.  Before that answer each command checks its
 * record as a Xen with FIFO does, in Xen's order and with its errors:
 *  - init_control: the record readable (-EFAULT), then the vCPU (-ENOENT),
 *    then the offset, which must leave the 72-byte control block inside the
 *    page and be 8-byte aligned (-EINVAL), then the frame, which must be
 *    ours and able to be mapped writable (-EINVAL): not the hypervisor's,
 *    not another domain's, not beyond RAM or 32 bits, not a page table.  A
 *    record that passes gets -ENOSYS, and its link_bits stays unwritten;
 *  - XSA-188's shape, a bad frame twice and then expand_array, leaves
 *    nothing behind: the same answers every time;
 *  - the frame is only tested, never kept: one that init_control accepted
 *    can become a page table next, and one that is a table is refused;
 *  - set_priority: -EINVAL for a port past the 2-level ports, else -ENOSYS;
 *    expand_array: -EFAULT for a bad record, else -ENOSYS.
 * Then the 2-level ABI works as before.  Boot it beside a `victim`, whose
 * frames are the "another domain's frame" here.
 */
#include "pvguest/lib/pvguest.h"

#define HV_IMAGE_MFN 0x100u                   /* the hypervisor is loaded at 1 MiB */
#define BAD_PTR ((void *)0xF5800000u)
#define LAST_OFFSET (PAGE_SIZE - sizeof(struct xen_evtchn_fifo_control_block))   /* 4024 */

static uint8_t block[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static uint32_t mine;                         /* the frame of `block` */

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu)
{
    struct xen_evtchn_init_control ic = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic);

    if (ic.link_bits)
        test_fail("init_control (rc %ld) wrote link_bits %u", rc, ic.link_bits);
    return rc;
}

/* A frame of another domain: one the M2P names a pfn for, and our P2M does not. */
static uint32_t foreign_frame(void)
{
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    for (uint32_t mfn = 0x200; mfn < (uint32_t)max; mfn++)
        if (M2P[mfn] != MFN_NONE && mm_mfn_to_pfn(mfn) == MFN_NONE)
            return mfn;
    test_error("no other domain's frame: boot a victim beside this guest");
    return MFN_NONE;
}

static void init_control_checks(const xen_start_info_t *si)
{
    struct xen_evtchn_init_control ic = { .control_gfn = mine };

    check(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, BAD_PTR), -EFAULT,
          "init_control, record in the hypervisor hole");
    check(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, (void *)(mm_map_end() - 8)),
          -EFAULT, "init_control, record running off our mapping");
    check(init_control(mine, 0, 0), -ENOSYS, "init_control, our frame, offset 0, vCPU 0");
    check(init_control(mine, LAST_OFFSET, 0), -ENOSYS, "init_control, offset %u (the last that fits)",
          (unsigned)LAST_OFFSET);
    check(HYPERVISOR_event_channel_op(EVTCHNOP_init_control, &ic), -ENOSYS,
          "init_control, a record we read back");
    check(ic.link_bits, 0, "... its link_bits stays unwritten");

    check(init_control(mine, 0, 1), -ENOENT, "init_control, vCPU 1");
    check(init_control(mine, 0, 0xffffffffu), -ENOENT, "init_control, vCPU 0xffffffff");
    check(init_control(HV_IMAGE_MFN, 4, 1), -ENOENT,
          "init_control, all three bad: the vCPU is checked first");
    check(init_control(mine, LAST_OFFSET + 8, 0), -EINVAL, "init_control, offset %u (runs off the page)",
          (unsigned)LAST_OFFSET + 8);
    check(init_control(mine, 0xfffffff8u, 0), -EINVAL, "init_control, offset 0xfffffff8");
    check(init_control(mine, 4, 0), -EINVAL, "init_control, offset 4 (not 8-byte aligned)");
    check(init_control(mine, LAST_OFFSET - 4, 0), -EINVAL, "init_control, offset %u (fits, not aligned)",
          (unsigned)LAST_OFFSET - 4);

    check(init_control(HV_IMAGE_MFN, 0, 0), -EINVAL, "init_control, the hypervisor's frame 0x100");
    check(init_control(0, 0, 0), -EINVAL, "init_control, frame 0");
    check(init_control(foreign_frame(), 0, 0), -EINVAL, "init_control, another domain's frame");
    check(init_control(0x7fffffffu, 0, 0), -EINVAL, "init_control, frame 0x7fffffff (beyond RAM)");
    check(init_control((1ull << 32) | mine, 0, 0), -EINVAL, "init_control, our frame plus bit 32");
    check(init_control(mm_bootstrap_l3(), 0, 0), -EINVAL, "init_control, our L3 (a page table)");
    check(init_control(si->shared_info >> 12, 0, 0), -ENOSYS,
          "init_control, shared_info (ours and writable, as in Xen)");
}

/* XSA-188: a bad frame freed state a second call then used. */
static void xsa188_shape(void)
{
    struct xen_evtchn_expand_array ea = { .array_gfn = mine };

    check(init_control(~0ull, 0, 0), -EINVAL, "XSA-188: init_control, frame ~0");
    check(init_control(~0ull, 0, 0), -EINVAL, "XSA-188: ... again");
    check(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea), -ENOSYS,
          "XSA-188: ... then expand_array");
    check(init_control(mine, 0, 0), -ENOSYS, "XSA-188: ... then a good init_control");
}

/* A frame init_control accepted can be a page table next; a table it refuses. */
static void frame_not_kept(void)
{
    uint32_t pfn = mm_frame_alloc_zeroed(), mfn = mm_pfn_to_mfn(pfn);

    if (pfn == MFN_NONE) {
        test_error("no spare frame");
        return;
    }
    check(init_control(mfn, 0, 0), -ENOSYS, "init_control, a spare frame");
    check(mm_pin(1, mfn), 0, "... then pin it as an L1");
    check(init_control(mfn, 0, 0), -EINVAL, "init_control, that pinned L1");
    check(mm_unpin(mfn), 0, "... unpin it");
    check(init_control(mfn, 0, 0), -ENOSYS, "init_control, the frame again");
    check(mm_pin(1, mfn), 0, "... and pin it again: nothing kept it writable");
    check(mm_unpin(mfn), 0, "... unpin it");
    mm_frame_free(pfn);
}

static void other_commands(void)
{
    struct xen_evtchn_set_priority sp = { .port = 1, .priority = EVTCHN_FIFO_PRIORITY_MAX };
    struct xen_evtchn_expand_array ea = { .array_gfn = ~0ull };

    check(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp), -ENOSYS, "set_priority, port 1");
    sp.port = 1023;
    check(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp), -ENOSYS, "set_priority, port 1023");
    sp.port = 1024;
    check(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp), -EINVAL, "set_priority, port 1024");
    sp.port = 0xffffffffu;
    check(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, &sp), -EINVAL,
          "set_priority, port 0xffffffff");
    check(HYPERVISOR_event_channel_op(EVTCHNOP_set_priority, BAD_PTR), -EFAULT,
          "set_priority, record in the hole");
    check(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, &ea), -ENOSYS,
          "expand_array, frame ~0 (nothing is checked first)");
    check(HYPERVISOR_event_channel_op(EVTCHNOP_expand_array, BAD_PTR), -EFAULT,
          "expand_array, record in the hole");
}

static void two_level_still_works(void)
{
    volatile xen_shared_info_t *s = map_shared_info();
    long p = evtchn_alloc_unbound(DOMID_SELF), q = evtchn_bind_interdomain(DOMID_SELF, p);

    check(p > 0 && q > 0, 1, "2-level: a loopback channel (ports %ld and %ld)", p, q);
    check(evtchn_send(q), 0, "2-level: send on it");
    check(!!(s->evtchn_pending[p / 32] & (1u << (p % 32))), 1, "2-level: ... the other end pends");
}

void pvguest_main(const xen_start_info_t *si)
{
    traps_init();
    mine = mm_va_to_mfn((uint32_t)(uintptr_t)block);
    init_control_checks(si);
    xsa188_shape();
    frame_not_kept();
    other_commands();
    two_level_still_works();
    test_pass();
    xtf_exit();
}
