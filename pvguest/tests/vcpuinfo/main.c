/*
 * vcpuinfo - VCPUOP_register_vcpu_info: vCPU 0's vcpu_info moves out of shared_info.
 *
 * First every refusal, with Xen's error: an unreadable argument -EFAULT;
 * a frame address that does not hold together (offset past the page, frame
 * number too big) -EINVAL; 64 bytes across the page end or not 4-aligned
 * -ENXIO; a frame that is not ours -EINVAL; one of our page tables -EACCES.
 * Then the move, to the last offset that fits in a spare frame of ours
 * mapped writable, and what must follow it:
 *  - the new vcpu_info starts as a copy of the old (our event mask), with
 *    every event selector and the upcall flag set, as Xen does;
 *  - a second move is -EBUSY (after the -EINVAL checks, in Xen's order);
 *  - shared_info's slot is no longer used: we fill it with 0x5a and it
 *    stays so while the hypervisor updates the time, raises events,
 *    delivers an upcall, bounces a #PF (cr2) and emulates cli/sti;
 *  - each of those shows up in the new place instead: time.version
 *    advances, an event raised while masked sets evtchn_upcall_pending and
 *    waits for the unmask, cr2 is the address that faulted, the frame's
 *    saved mask is ours, cli and sti set and clear our mask;
 *  - the frame is held: unmapped from our page tables it still cannot be
 *    pinned as a page table (the hypervisor writes it); given back with
 *    decrease_reservation it leaves our memory but lives on (Xen's way),
 *    no longer ours to map.
 * With "halt=1" we then execute hlt, so that the domain dies holding the
 * frame: the test checks that every frame still comes back.
 */
#include "pvguest/lib/pvguest.h"

#define HOLE 0xf5800000u
#define INFO 64u

static volatile unsigned timer_events;
static void on_timer(unsigned port, void *arg) { (void)port, (void)arg; timer_events++; }

static long move(uint64_t mfn, uint32_t offset)
{
    struct xen_vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset };
    return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, &r);
}

uint32_t probe_addr;
PROBE(p_read, "", "movl (%[a]), %%eax", : [a] "c"(probe_addr) : "eax")
PROBE(p_cli, "", "cli")
PROBE(p_sti, "", "sti")

static void refusals(uint32_t mfn, const xen_start_info_t *si)
{
    check_rc("a NULL argument", HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, NULL), -EFAULT);
    check_rc("an argument in the hole",
             HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 0, (void *)HOLE), -EFAULT);
    check_rc("vCPU 1", HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, NULL), -ENOENT);
    check_rc("offset 4096", move(mfn, 4096), -EINVAL);
    check_rc("offset 0xffffffff", move(mfn, 0xffffffffu), -EINVAL);
    check_rc("frame 2^52", move(1ull << 52, 0), -EINVAL);
    check_rc("frame 2^64 - 1 at offset 0xfff (address ~0)", move(~0ull, 0xfff), -EINVAL);
    check_rc("offset 4036: 64 bytes across the page end", move(mfn, 4036), -ENXIO);
    check_rc("offset 2: not 4-aligned", move(mfn, 2), -ENXIO);
    check_rc("frame 0, not ours", move(0, 0), -EINVAL);
    check_rc("frame 2^32, beyond any machine", move(1ull << 32, 0), -EINVAL);
    check_rc("our L3 page table", move(mm_va_to_mfn(si->pt_base), 0), -EACCES);
}

/* The slot in shared_info, filled with 0x5a: how many of its bytes changed? */
static unsigned slot_changes(void)
{
    const volatile uint8_t *b = (const volatile uint8_t *)&shared_info->vcpu_info[0];
    unsigned n = 0;
    for (unsigned i = 0; i < INFO; i++)
        n += b[i] != 0x5a;
    return n;
}

static void followers(volatile xen_vcpu_info_t *vi)
{
    struct xen_physdev_set_iopl io = { .iopl = 1 };
    memset((void *)&shared_info->vcpu_info[0], 0x5a, INFO);
    uint32_t version = vi->time.version;
    for (unsigned i = 0; i < 20 && vi->time.version == version; i++)
        time_sleep_ns(5 * NS_PER_MS);                /* each real block ends in a reschedule */
    check_rc("time.version advanced in the new place", vi->time.version != version, 1);
    check_rc("and is even", vi->time.version & 1, 0);
    set_event_mask(1);
    unsigned before = timer_events;
    time_set_timer(time_now_ns());                   /* VIRQ_TIMER at once, while masked */
    check_rc("an event raised while masked: upcall pending in the new place",
             vi->evtchn_upcall_pending, 1);
    check_rc("and not delivered", timer_events - before, 0);
    set_event_mask(0);
    HYPERVISOR_xen_version(XENVER_version, NULL);    /* the way back delivers it */
    check_rc("delivered once unmasked", timer_events - before, 1);
    probe_addr = mm_va_slot();                       /* nothing mapped there */
    set_event_mask(1);
    run_probe(1, p_read);
    check_hex("a #PF's cr2 in the new place", exinfo.cr2, probe_addr);
    check_rc("the #PF frame's saved mask is ours", exinfo.saved_mask, 1);
    check_rc("set_iopl 1", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0);
    run_probe(1, p_sti);
    check_rc("sti clears the mask in the new place", vi->evtchn_upcall_mask, 0);
    run_probe(1, p_cli);
    check_rc("cli sets it", vi->evtchn_upcall_mask, 1);
    check_rc("shared_info's slot was never written", slot_changes(), 0);
}

/* The hypervisor keeps writing the frame: it must never become a page table or go back. */
static void held(uint32_t mfn, uint32_t va)
{
    check_rc("unmap the frame from our page tables", mm_map(va, 0), 0);
    long rc = mm_pin(1, mfn);
    check_rc("pinning it as an L1: busy being writable (Xen: -EINVAL)", rc, -EINVAL);
    if (!rc)
        mm_unpin(mfn);
    uint32_t other = mm_frame_alloc_zeroed();
    rc = mm_pin(1, mm_pfn_to_mfn(other));
    check_rc("while an unmapped frame never moved to is pinned", rc, 0);
    mm_unpin(mm_pfn_to_mfn(other));
    check_rc("decrease_reservation takes it out of our memory, as Xen", mm_decrease(&mfn, 1), 1);
    check_rc("... vcpu_info's reference keeps it: not ours to map again",
             mm_map(va, mm_pte(mfn, PTE_PRESENT | PTE_RW)), -EBUSY);
}

void pvguest_main(const xen_start_info_t *si)
{
    traps_init();
    if (evtchn_init() || evtchn_bind_virq(VIRQ_TIMER, on_timer, NULL) < 0) {
        test_error("cannot bind VIRQ_TIMER");
        xtf_exit();
    }
    uint32_t pfn = mm_frame_alloc(), va = mm_va_slot(), mfn = mm_pfn_to_mfn(pfn);
    if (pfn == MFN_NONE || !va || mm_map(va, mm_pte(mfn, PTE_PRESENT | PTE_RW))) {
        test_error("no spare frame to move vcpu_info to");
        xtf_exit();
    }
    refusals(mfn, si);
    set_event_mask(1);
    volatile xen_vcpu_info_t *vi = (volatile xen_vcpu_info_t *)(va + PAGE_SIZE - INFO);
    memset((void *)vi, 0, INFO);
    if (!check_rc("move vcpu_info to the last 64 bytes of a frame of ours", vcpu_info_move(vi), 0))
        xtf_exit();                                  /* nothing below means anything then */
    check_rc("it starts with our event mask", vi->evtchn_upcall_mask, 1);
    check_hex("every event selector set", vi->evtchn_pending_sel, 0xffffffffu);
    check_rc("and the upcall flag", vi->evtchn_upcall_pending, 1);
    check_rc("the time is there", vi->time.tsc_to_system_mul != 0, 1);
    check_rc("a second move, offset 4096", move(mfn, 4096), -EINVAL);
    check_rc("a second move", move(mfn, 0), -EBUSY);
    followers(vi);
    held(mfn, va);
    if (cmdline_uint("halt", 0)) {                   /* die holding it: the frame must come back */
        printf("executing hlt with vcpu_info moved\n");
        console_flush();
        __asm__ volatile("hlt");
    }
    test_pass();
    xtf_exit();
}
