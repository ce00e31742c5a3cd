/*
 * memop - memory_op's questions, answered as Xen answers a PV domain.
 *
 * A kernel built for Xen asks at boot how much memory it has and may have
 * (current/maximum_reservation), where its RAM is (memory_map: Xen's
 * toolstack gives a PV domain one RAM entry from 0 to its maximum), where
 * the read-only M2P is (machphys_mapping) and, for save and restore, its
 * highest pfn (maximum_gpfn: one less than the max_pfn it wrote in
 * shared_info).  Checked, with Xen's errors:
 *  - a domid argument may name us (DOMID_SELF or our id, self=N on the
 *    command line); another live domain (peer=N) is -EPERM, a domain that
 *    does not exist, DOMID_IO or DOMID_XEN -ESRCH;
 *  - a start extent in cmd's upper bits is -EINVAL for these four;
 *  - every record or buffer in the hole, the M2P, unmapped or read-only is
 *    -EFAULT; a map buffer of 0 entries is never touched;
 *  - decrease_reservation takes a frame out of our memory as Xen's
 *    guest_remove_page does, even one still mapped or pinned: a pinned
 *    table is unpinned, a mapped frame lives on, taking no new reference,
 *    until its last one goes; extents of order above 0 (our max order)
 *    are none done, as Xen answers above its memop-max-order.
 * Boot it beside a `victim` (the peer).
 */
#include "pvguest/lib/pvguest.h"

#define HOLE ((void *)0xF5800000u)

static unsigned self, peer;
static struct xen_memory_map ro_map[PAGE_SIZE / sizeof(struct xen_memory_map)]
    __attribute__((aligned(PAGE_SIZE)));
static const xen_start_info_t *si;

static long ask(unsigned cmd, unsigned domid)
{
    struct xen_memory_domain who = { .domid = (xen_domid_t)domid };

    return HYPERVISOR_memory_op(cmd, &who);
}

static void reservations(void)
{
    static const struct { unsigned cmd; const char *name; } q[] = {
        { XENMEM_current_reservation, "current_reservation" },
        { XENMEM_maximum_reservation, "maximum_reservation" },
        { XENMEM_maximum_gpfn, "maximum_gpfn" },
    };
    long nr = (long)si->nr_pages;

    check(ask(XENMEM_current_reservation, DOMID_SELF), nr, "current_reservation of DOMID_SELF");
    check(ask(XENMEM_maximum_reservation, DOMID_SELF), nr, "maximum_reservation of DOMID_SELF");
    check(ask(XENMEM_maximum_reservation, self), nr, "maximum_reservation of our id %u", self);
    for (unsigned i = 0; i < ARRAY_SIZE(q); i++) {
        check(ask(q[i].cmd, peer), -EPERM, "%s of the peer d%u", q[i].name, peer);
        check(ask(q[i].cmd, 7), -ESRCH, "%s of d7 (no such domain)", q[i].name);
        check(ask(q[i].cmd, DOMID_IO), -ESRCH, "%s of DOMID_IO", q[i].name);
        check(ask(q[i].cmd, DOMID_XEN), -ESRCH, "%s of DOMID_XEN", q[i].name);
        check(ask(q[i].cmd, 0xffff), -ESRCH, "%s of 0xffff", q[i].name);
        check(HYPERVISOR_memory_op(q[i].cmd, HOLE), -EFAULT, "%s, domid in the hole", q[i].name);
        check(ask(q[i].cmd | 1u << MEMOP_EXTENT_SHIFT, DOMID_SELF), -EINVAL,
              "%s with a start extent", q[i].name);
    }
    check(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | 1u << MEMOP_EXTENT_SHIFT, NULL), -EINVAL,
          "maximum_ram_page with a start extent");
}

static void maximum_gpfn(void)
{
    volatile xen_shared_info_t *s = map_shared_info();

    check(s->arch.max_pfn, 0, "shared_info max_pfn at boot");
    check(ask(XENMEM_maximum_gpfn, DOMID_SELF), 0, "maximum_gpfn with max_pfn 0");
    s->arch.max_pfn = si->nr_pages;
    check(ask(XENMEM_maximum_gpfn, self), (long)si->nr_pages - 1,
          "maximum_gpfn with max_pfn %lu (nr_pages)", (unsigned long)si->nr_pages);
    s->arch.max_pfn = 0xffffffffu;
    check_hex("maximum_gpfn with max_pfn 0xffffffff", (uint32_t)ask(XENMEM_maximum_gpfn, self),
              0xfffffffeu);
    s->arch.max_pfn = si->nr_pages;
}

static void memory_map(void)
{
    static struct xen_e820_entry e[4];
    struct xen_memory_map map = { .nr_entries = ARRAY_SIZE(e), .buffer = (uintptr_t)e };
    const uint64_t ram = (uint64_t)si->nr_pages * PAGE_SIZE;

    memset(e, 0xaa, sizeof(e));
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0, "memory_map, room for 4");
    check(map.nr_entries, 1, "... one entry");
    check_hex("... at 0", (uint32_t)e[0].addr | (uint32_t)(e[0].addr >> 32), 0);
    check_hex("... as long as our maximum (MiB)", (uint32_t)(e[0].size >> 20), (uint32_t)(ram >> 20));
    check(e[0].size == ram, 1, "... to the byte");
    check(e[0].type, XEN_E820_RAM, "... of RAM");
    check_hex("... the second entry untouched", e[1].type, 0xaaaaaaaau);

    map = (struct xen_memory_map){ .nr_entries = 0xffffffffu, .buffer = (uintptr_t)e };
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0, "memory_map, room for 0xffffffff");
    check(map.nr_entries, 1, "... one entry");
    map = (struct xen_memory_map){ .nr_entries = 0, .buffer = 0xfffff000u };
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), 0,
          "memory_map, room for 0 at 0xfffff000 (never touched)");
    check(map.nr_entries, 0, "... no entry");
    map.nr_entries = 1;
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT, "memory_map, buffer at 0xfffff000");
    map.buffer = (uintptr_t)HOLE;
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT, "memory_map, buffer in the M2P");
    map.buffer = HYPERVISOR_VIRT_START - 8;
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT,
          "memory_map, buffer across the hole");
    map.buffer = si->pt_base;
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT,
          "memory_map, buffer on our read-only L3");
    check(HYPERVISOR_memory_op(XENMEM_memory_map, HOLE), -EFAULT, "memory_map, record in the hole");
    ro_map->nr_entries = 0;
    if (check(mm_map_rw(ro_map, false), 0, "map a page holding a record read-only"))
        check(HYPERVISOR_memory_op(XENMEM_memory_map, ro_map), -EFAULT,
              "memory_map, record read-only (0 entries, but nr_entries goes back)");
    mm_map_rw(ro_map, true);
    check(HYPERVISOR_memory_op(XENMEM_memory_map, (void *)(mm_map_end() - 4)), -EFAULT,
          "memory_map, record running off our mapping");
}

static void machphys_mapping(void)
{
    struct xen_machphys_mapping m;
    uint32_t mfn = mm_pfn_to_mfn(0);

    memset(&m, 0, sizeof(m));
    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &m), 0, "machphys_mapping");
    check_hex("... v_start", m.v_start, MACH2PHYS_VIRT_START);
    check_hex("... v_end", m.v_end, MACH2PHYS_VIRT_END);
    check_hex("... max_mfn: the window's last entry", m.max_mfn, MACH2PHYS_NR_ENTRIES - 1);
    check_hex("... and the table there says our pfn 0 is pfn 0",
              ((const volatile uint32_t *)m.v_start)[mfn], 0);
    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, HOLE), -EFAULT,
          "machphys_mapping, output in the M2P");
    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)(uintptr_t)si->pt_base), -EFAULT,
          "machphys_mapping, output on our read-only L3");
}


static uint64_t l2_tmpl[512] __attribute__((aligned(PAGE_SIZE)));

/* A pinned L2 given back is unpinned, and let go in steps (page_type_finish_puts). */
static void give_back_l2(void)
{
    uint32_t pl2 = mm_frame_alloc_zeroed(), pl1 = mm_frame_alloc_zeroed();
    uint32_t l2 = mm_pfn_to_mfn(pl2), l1 = mm_pfn_to_mfn(pl1), va = mm_va_slot();
    l2_tmpl[0] = mm_pte(l1, PTE_PRESENT);
    check(mm_copy_page(l2, mm_va_to_mfn((uint32_t)(uintptr_t)l2_tmpl)), 0, "an L2 whose entry 0 is an L1");
    check(mm_pin(2, l2), 0, "... pinned");
    check(mm_pin(1, l1), 0, "... its L1 pinned too");
    check(mm_decrease(&l2, 1), 1, "decrease_reservation of the pinned L2: done, as Xen");
    check(mm_unpin(l1), 0, "... its L1 is ours to unpin still");
    check(mm_map(va, mm_pte(l1, PTE_PRESENT | PTE_RW)), 0, "... and no L2 holds it: it maps writable");
    mm_map(va, 0);
    check(mm_refill(pl2), 0, "a new frame for the L2's pfn");
    mm_frame_free(pl1);
}

static void give_back(void)
{
    uint32_t pa = mm_frame_alloc_zeroed(), pb = mm_frame_alloc_zeroed(), va = mm_va_slot();
    uint32_t both[2] = { mm_pfn_to_mfn(pa), mm_pfn_to_mfn(pb) }, m = both[0];
    long pages = mm_reservation(XENMEM_current_reservation);
    struct xen_memory_reservation r = { .nr_extents = 1, .extent_order = 1, .domid = DOMID_SELF };
    set_xen_guest_handle(r.extent_start, both);

    check(HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r), 0,
          "decrease_reservation of order 1: none done (above max_order, as Xen)");
    check(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0, "increase_reservation of order 1: likewise");
    check(mm_map(va, mm_pte(m, PTE_PRESENT | PTE_RW)), 0, "map a spare frame writable");
    *(volatile uint32_t *)va = 0x5a5a5a5au;
    check(mm_pin(1, both[1]), 0, "pin another as an L1");
    check(mm_decrease(both, 2), 2, "decrease_reservation of both: 2 done, as Xen");
    check(mm_reservation(XENMEM_current_reservation), pages - 2, "... two frames fewer");
    check_hex("... the mapped one still holds what we wrote", *(volatile uint32_t *)va, 0x5a5a5a5au);
    check(mm_unpin(both[1]), -EINVAL, "... the L1 was unpinned (and freed)");
    check(mm_map(mm_va_slot(), mm_pte(m, PTE_PRESENT)), -EBUSY, "... the mapped one takes no new mapping");
    check(mm_update(((uint64_t)m << 12) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "... nor an M2P entry from us");
    check(mm_decrease(&m, 1), 0, "... nor is it given back twice");
    check(mm_map(va, 0), 0, "unmap it: its last reference, and it is freed");
    check(mm_refill(pa) | mm_refill(pb), 0, "new frames for their pfns");
    give_back_l2();
    check(mm_reservation(XENMEM_current_reservation), pages, "current_reservation as before");
}

void pvguest_main(const xen_start_info_t *start)
{
    si = start;
    self = cmdline_uint("self", 0);
    peer = cmdline_uint("peer", 1);
    traps_init();
    reservations();
    maximum_gpfn();
    memory_map();
    machphys_mapping();
    give_back();
    test_pass();
    xtf_exit();
}
