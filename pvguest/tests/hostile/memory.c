/*
 * memory.c - the hostile guest's cases on page-table edge rules, mmuext_op,
 * memory_op, multicall, the M2P and start_info (main.c has the list).
 *
 * Each case is one invariant, most after a class of Xen's advisories for
 * 32-bit PV guests (the XSA is named in the case's title in main.c), and
 * each expects Xen's own answer, then re-reads what the attack aimed at to
 * show that nothing changed.
 */
#include "pvguest/tests/hostile/hostile.h"

#define RW   (PTE_PRESENT | PTE_RW | PTE_ACCESSED)
#define RO   (PTE_PRESENT | PTE_ACCESSED)
#define HOLE 0xFC100000u                    /* the hypervisor's image, in the hole */

static uint32_t probe_addr, probe_val;
PROBE(p_store, "", "movl %[v], (%[a])", : [a] "c"(probe_addr), [v] "r"(probe_val) : "memory")

static bool write_faults(uint32_t va)
{
    probe_addr = va;
    run_probe(1, p_store);
    return exinfo.count && exinfo.vector == 14;
}

static uint64_t l3e(unsigned i) { return ((const volatile uint64_t *)table_va(0))[i]; }

static uint64_t pte_at(uint32_t va)
{
    uint64_t pte = 0;
    pt_lookup(va, &pte);
    return pte;
}

static long ext(unsigned cmd, uint32_t arg1, uint32_t arg2)
{
    xen_mmuext_op_t op = { .cmd = cmd, .arg1.mfn = arg1, .arg2.nr_ents = arg2 };
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* ---- entries changed in place ------------------------------------------ */

/* XSA-182: Xen's fast path for a flags-only change once let RW onto a page table. */
void case_fast_path_rw(void)
{
    uint32_t l1 = table_mfn(5), va = scratch(0, l1, RO);
    uint64_t ma = mm_l1e_ma(va);

    check(mm_update(ma, mm_pte(l1, RW)), -EBUSY, "our L1 mapped read-only: flags-only change to RW (mmu_update)");
    check(HYPERVISOR_update_va_mapping(va, mm_pte(l1, RW), UVMF_INVLPG), -EBUSY, "... (update_va_mapping)");
    check(mm_update(ma, mm_pte(l1, RW | PTE_DIRTY)), -EBUSY, "... to RW with Dirty set");
    check(mm_update(ma, mm_pte(l1, RO | PTE_DIRTY)), 0, "... Dirty alone (allowed)");
    check(mm_update(ma, mm_pte(l1, RO | PTE_PCD)), -EINVAL, "... PCD alone (the fast path checks the bits)");
    check_u64("... the entry is still read-only", pte_at(va) & PTE_RW, 0);
    check(write_faults(va), 1, "... a write through it faults");
    check(mm_map(va, 0), 0, "unmap");
    /* The fast path takes and lets go of nothing: no writable type is left behind, none dropped twice. */
    uint32_t f = zmfn(), fva = scratch(1, f, RW);
    check(mm_update(mm_l1e_ma(fva), mm_pte(f, RW | PTE_ACCESSED)), 0, "a data page mapped RW: Accessed alone");
    check(mm_update(mm_l1e_ma(fva), mm_pte(f, RW | PTE_DIRTY)), 0, "... then Dirty alone");
    check(mm_map(fva, 0), 0, "... unmapped");
    check(ext(MMUEXT_PIN_L1_TABLE, f, 0), 0, "... no writable type is left: it pins as an L1");
    check(ext(MMUEXT_UNPIN_TABLE, f, 0), 0, "... and unpins");
    free_frame(f);
}

/* XSA-148: a superpage in a PV L2 entry maps 2 MiB that were never checked. */
void case_superpage(void)
{
    uint32_t own = zmfn();
    unsigned idx = free_l2_index();
    uint64_t ma = l2e_ma(idx);

    check(mm_update(ma, mm_pte(own & ~511u, RW | PTE_PSE)), -EINVAL, "a live L2 entry with PSE (2 MiB) set");
    check(mm_update(ma, mm_pte(0x200, RO | PTE_PSE)), -EINVAL, "... PSE over the hypervisor's 2 MiB");
    check(HYPERVISOR_update_va_mapping(0xC0000000u + idx * 0x200000u, mm_pte(0x100, RO | PTE_PSE), 0), -EINVAL,
          "update_va_mapping with PSE where no L1 is");
    check_u64("... the L2 entry is still empty", boot_l2(3)[idx], 0);
    free_frame(own);
}

/* PAE's L3: a 32-bit guest's entry may not carry cache, PSE, global or NX bits (Xen: 0xFFFFF198). */
void case_pae_l3_bits(void)
{
    static const struct { uint64_t bit; const char *name; } bad[] = {
        { PTE_PWT, "PWT" }, { PTE_PCD, "PCD" }, { PTE_PSE, "PSE" }, { PTE_GLOBAL, "global" },
        { PTE_NX, "NX" }, { 1ull << 52, "bit 52" },
    };
    uint64_t ma = mm_entry_ma(table_mfn(0), 0), slot0 = l3e(0);

    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        check(mm_update(ma, slot0 | bad[i].bit), -EINVAL, "our L3's slot 0 (in CR3) with %s", bad[i].name);
    check(mm_update(ma, slot0 | PTE_RW | PTE_USER), 0, "... with RW and User (allowed: the PDPT drops them)");
    check(mm_update(ma, slot0), 0, "... as it was");
    check_u64("... slot 0 unchanged", l3e(0), slot0);
    check(mm_update(mm_entry_ma(table_mfn(0), 1), l3e(1) | PTE_PCD), -EINVAL, "slot 1 with PCD");
    uint32_t l1 = zmfn();
    unsigned idx = free_l2_index();
    check(mm_update(l2e_ma(idx), mm_pte(l1, RW | PTE_PWT)), -EINVAL, "an L2 entry with PWT (Xen: L2s too)");
    check(mm_update(l2e_ma(idx), mm_pte(l1, RW | PTE_PCD)), -EINVAL, "an L2 entry with PCD");
    check_u64("... the L2 entry is still empty", boot_l2(3)[idx], 0);
    free_frame(l1);
}

/* ---- validation left half done (PGT_partial) ----------------------------- */

/*
 * XSA-299/310 class: a table refused part-way through its entries keeps
 * no type reference on the tables it had already taken.  Each good entry
 * names a fresh L1; the last one names an L1 that maps the hypervisor.
 */
static void partial(unsigned level, unsigned good)
{
    uint32_t l1[8], l2 = 0, top, ok = 0;
    uint64_t *t = tmpl;

    for (unsigned i = 0; i < good; i++)
        l1[i] = zmfn();
    t[7] = mm_pte(0x100, RO);                            /* the bad L1's one entry */
    uint32_t bad = table_from_tmpl();
    for (unsigned i = 0; i < good; i++)
        t[i] = mm_pte(l1[i], RW);
    t[good] = mm_pte(bad, RW);
    top = table_from_tmpl();
    if (level == 3) {                                    /* that L2 is slot 0 of an L3 */
        l2 = top;
        t[0] = mm_pte(l2, PTE_PRESENT);
        t[3] = mm_pte(zmfn(), PTE_PRESENT);
        top = table_from_tmpl();
    }
    check(mm_pin(level, top), -EBUSY, "pin an L%u whose L2 has %u good L1s, then one mapping the hypervisor",
          level, good);
    for (unsigned i = 0; i < good; i++)
        ok += mm_map(scratch(1, l1[i], RW), 0) == 0 && mm_map(scratch(1, 0, 0), 0) == 0;
    check(ok, good, "... the good L1s hold no type: each maps writable");
    check(mm_clear_page(top), 0, "... the refused table is a plain frame: clear it");
    if (l2)
        check(mm_clear_page(l2), 0, "... and its L2 too");
    check(mm_clear_page(bad), 0, "... and the bad L1");
    for (unsigned i = 0; i < good; i++)
        free_frame(l1[i]);
    free_frame(bad), free_frame(top);
    if (l2)
        free_frame(l2);
}

void case_partial_l2(void) { partial(2, 6); partial(2, 0); }
void case_partial_l3(void) { partial(3, 5); }

/* ---- pins and type counts ------------------------------------------------ */

void case_pin_twice(void)
{
    uint32_t m = zmfn(), va = scratch(0, 0, 0);

    check(mm_pin(1, m), 0, "pin a fresh frame as L1");
    check(mm_pin(1, m), -EINVAL, "... pin it as L1 again (Xen: already pinned)");
    check(mm_pin(2, m), -EINVAL, "... pin it as L2 (another type)");
    check(mm_pin(3, m), -EINVAL, "... pin it as L3");
    check(mm_unpin(m), 0, "unpin once");
    check(mm_unpin(m), -EINVAL, "unpin again (Xen: not pinned)");
    check(mm_map(va, mm_pte(m, RW)), 0, "... no type is left: it maps writable");
    check(mm_map(va, 0), 0, "... unmap");
    free_frame(m);
}

/* A table used twice, pinned and hooked under an L2, stays a table until both let go. */
void case_pin_and_hook(void)
{
    uint32_t m = zmfn(), va = scratch(0, 0, 0);
    unsigned idx = free_l2_index();

    check(mm_pin(1, m), 0, "pin a fresh L1");
    check(mm_update(l2e_ma(idx), mm_pte(m, RW)), 0, "... hook it under our L2 too");
    check(mm_unpin(m), 0, "unpin it");
    check(mm_map(va, mm_pte(m, RW)), -EBUSY, "... still an L1 (hooked): map writable");
    check(mm_update(l2e_ma(idx), 0), 0, "unhook it");
    check(mm_map(va, mm_pte(m, RW)), 0, "... now it maps writable");
    check(mm_map(va, 0), 0, "... unmap");
    free_frame(m);
}

/* A NEW_BASEPTR that fails leaves CR3 where it was. */
void case_bad_baseptr(void)
{
    uint32_t cr3 = mm_read_cr3(), w = zmfn(), va = scratch(0, w, RW);

    check(mm_new_baseptr(table_mfn(5)), -EINVAL, "new_baseptr to our L1");
    check(mm_new_baseptr(table_mfn(1)), -EINVAL, "new_baseptr to our slot-0 L2");
    check(mm_new_baseptr(w), -EINVAL, "new_baseptr to a frame mapped writable");
    check(mm_new_baseptr(0x100), -EINVAL, "new_baseptr to the hypervisor image");
    check(mm_new_baseptr(0xfffff), -EINVAL, "new_baseptr to mfn 0xfffff");
    check_hex("... cr3 unchanged", mm_read_cr3(), cr3);
    check(mm_map(va, 0), 0, "unmap");
    free_frame(w);
}

/* ---- mmuext_op commands and arguments ------------------------------------- */

/* Every command 32-bit Xen has but does not do for an unprivileged PV guest, with its answer. */
void case_mmuext_commands(void)
{
    uint32_t m = zmfn(), va = scratch(0, 0, 0);

    check(ext(MMUEXT_PIN_L4_TABLE, m, 0), 0, "PIN_L4_TABLE (Xen ignores it for a 32-bit guest)");
    check(mm_map(va, mm_pte(m, RW)), 0, "... nothing was pinned: the frame maps writable");
    check(mm_map(va, 0), 0, "... unmap");
    check(ext(MMUEXT_MARK_SUPER, m, 0), -EOPNOTSUPP, "MARK_SUPER");
    check(ext(MMUEXT_UNMARK_SUPER, m, 0), -EOPNOTSUPP, "UNMARK_SUPER");
    check(ext(MMUEXT_FLUSH_CACHE, 0, 0), -EACCES, "FLUSH_CACHE (no cache-flush permission)");
    check(ext(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -EINVAL, "FLUSH_CACHE_GLOBAL");
    check(ext(14, m, 0), -ENOSYS, "command 14 (none)");
    check(ext(21, m, 0), -ENOSYS, "command 21 (none)");
    check(ext(0xffffffffu, m, 0), -ENOSYS, "command 0xffffffff");
    check(mm_pin(1, m), 0, "the frame is still plain: pin as L1");
    check(mm_unpin(m), 0, "... unpin");
    free_frame(m);
}

/* The *_MULTI commands read a vCPU mask from the guest: one it cannot read is -EINVAL. */
void case_vcpumask(void)
{
    static uint32_t mask = 1;
    xen_mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_MULTI };

    static const uint32_t bad[] = { HOLE, 0xF5800000u - 2, 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        op.cmd = MMUEXT_TLB_FLUSH_MULTI;
        op.arg2.vcpumask = bad[i];
        check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -EINVAL, "TLB_FLUSH_MULTI, vcpumask at 0x%08x",
              bad[i]);
        op.cmd = MMUEXT_INVLPG_MULTI;
        op.arg1.linear_addr = HOLE;
        check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), -EINVAL, "INVLPG_MULTI, vcpumask at 0x%08x",
              bad[i]);
    }
    op.arg2.vcpumask = (uint32_t)(uintptr_t)&mask;
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF), 0, "INVLPG_MULTI of the hole with a good mask (a no-op)");
}

/* INVLPG of the hole's addresses is a no-op: the hypervisor's mappings stay. */
void case_invlpg_hole(void)
{
    uint32_t m2p0 = M2P[0x100];

    check(ext(MMUEXT_INVLPG_LOCAL, HOLE, 0), 0, "INVLPG_LOCAL of 0xfc100000");
    check(ext(MMUEXT_INVLPG_ALL, 0xF5800000u, 0), 0, "INVLPG_ALL of the M2P");
    check(ext(MMUEXT_INVLPG_LOCAL, 0xFFFFF000u, 0), 0, "INVLPG_LOCAL of 0xfffff000");
    check_hex("... the M2P still reads", M2P[0x100], m2p0);
}

/* Lists and done counts in the hole: the request array is checked before use. */
void case_lists_in_hole(void)
{
    unsigned done = 0xdead;

    check(HYPERVISOR_mmu_update((void *)HOLE, 1, &done, DOMID_SELF), -EFAULT, "mmu_update, requests at 0xfc100000");
    check(HYPERVISOR_mmu_update((void *)(0xF5800000u - 8), 2, &done, DOMID_SELF), -EFAULT,
          "mmu_update, requests straddling 0xf5800000");
    check(HYPERVISOR_mmuext_op((void *)HOLE, 1, &done, DOMID_SELF), -EFAULT, "mmuext_op, ops at 0xfc100000");
    check(HYPERVISOR_multicall((void *)HOLE, 1), -EFAULT, "multicall, list at 0xfc100000");
    check(HYPERVISOR_multicall((void *)0xFFFFFFF0u, 2), -EFAULT, "multicall, list wrapping past 4 GiB");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation unchanged");
}

/* ---- the M2P ------------------------------------------------------------- */

void case_m2p_readonly(void)
{
    uint32_t before = M2P[0x100];

    probe_val = 0;
    check(write_faults(MACH2PHYS_VIRT_START + 0x400), 1, "a write to the M2P (read-only to us)");
    check_hex("... error code: present, write", exinfo.error & 3, 3);
    check_hex("... the M2P entry unchanged", M2P[0x100], before);
    check(write_faults(MACH2PHYS_VIRT_END - 4), 1, "a write to the M2P's last word");
}

/*
 * MMU_MACHPHYS_UPDATE of our own frame may say anything: it is our M2P
 * entry.  A lie there fools nobody but us: the hypervisor finds the
 * frame's pfn in its own list when we give it back.
 */
void case_m2p_lie(void)
{
    uint32_t own = zmfn(), pfn = mm_mfn_to_pfn(own), got = 0;

    check(mm_update(((uint64_t)own << 12) | MMU_MACHPHYS_UPDATE, 0x7fffffffu), 0, "our frame's M2P entry := 0x7fffffff");
    check_hex("... reads back", M2P[own], 0x7fffffffu);
    check(mm_update(((uint64_t)own << 12) | MMU_MACHPHYS_UPDATE, 0), 0, "... := pfn 0 (another frame's)");
    check(mm_decrease(&own, 1), 1, "give the frame back: the hypervisor finds its real pfn");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages - 1, "... one frame fewer");
    check(mm_increase(&got, 1), 1, "increase_reservation: one back");
    check(mm_update(((uint64_t)got << 12) | MMU_MACHPHYS_UPDATE, pfn), 0, "... M2P entry set");
    mm_set_p2m(pfn, got);
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation as before");
    mm_frame_free(pfn);
}

/* ---- memory_op ----------------------------------------------------------- */

static long reserve(unsigned cmd, uint32_t extents, uint32_t n, unsigned order, unsigned dom)
{
    struct xen_memory_reservation r = { .nr_extents = n, .extent_order = order, .domid = (xen_domid_t)dom };
    set_xen_guest_handle(r.extent_start, (uint32_t *)extents);
    return HYPERVISOR_memory_op(cmd, &r);
}

/* XSA-212 class: extent lists the hypervisor cannot reach. */
void case_extents_in_hole(void)
{
    static uint32_t zero;
    long cur = mm_reservation(XENMEM_current_reservation);

    check(reserve(XENMEM_decrease_reservation, HOLE, 4, 0, DOMID_SELF), 0,
          "decrease_reservation, extents at 0xfc100000 (Xen: nothing done)");
    check(reserve(XENMEM_increase_reservation, HOLE, 4, 0, DOMID_SELF), 0,
          "increase_reservation, extents at 0xfc100000 (Xen: nothing done)");
    check(reserve(XENMEM_increase_reservation, 0xF5800000u - 4, 2, 0, DOMID_SELF), 0,
          "increase_reservation, extents straddling the hole");
    check(mm_reservation(XENMEM_current_reservation), cur, "current_reservation unchanged");
    /* Xen answers the start extent above its max_order; ours is 0 (differences.md). */
    check(reserve(XENMEM_decrease_reservation, (uint32_t)(uintptr_t)&zero, 1, 1, DOMID_SELF), 0,
          "decrease_reservation of order 1: none done");
    check(reserve(XENMEM_increase_reservation, (uint32_t)(uintptr_t)&zero, 1, 31, DOMID_SELF), 0,
          "increase_reservation of order 31: none done");
    check(mm_reservation(XENMEM_current_reservation), cur, "current_reservation still unchanged");
}

/* memory_op commands we do not offer: -ENOSYS, and nothing changes. */
void case_memop_not_offered(void)
{
    static uint32_t buf[16];
    static const struct named_cmd cmds[] = {
        { XENMEM_populate_physmap, "populate_physmap" }, { XENMEM_exchange, "exchange (XSA-159/212 class)" },
        { XENMEM_add_to_physmap, "add_to_physmap" }, { XENMEM_machphys_mfn_list, "machphys_mfn_list" },
        { XENMEM_remove_from_physmap, "remove_from_physmap" }, { 99, "command 99" },
    };
    long cur = mm_reservation(XENMEM_current_reservation);

    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        check(HYPERVISOR_memory_op(cmds[i].cmd, buf), -ENOSYS, "memory_op %s", cmds[i].name);
    check(HYPERVISOR_memory_op(XENMEM_current_reservation | (1u << 6), buf), -EINVAL,
          "current_reservation with a start extent in cmd");
    check(mm_reservation(XENMEM_current_reservation), cur, "current_reservation unchanged");
}

/* The answers go where the guest says, and only if it can be written there. */
void case_memop_answers_in_hole(void)
{
    struct xen_memory_map map = { .nr_entries = 1 };
    struct xen_memory_domain other = { .domid = 0 }, none = { .domid = 250 };

    check(HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)HOLE), -EFAULT, "machphys_mapping into 0xfc100000");
    set_xen_guest_handle(map.buffer, (void *)HOLE);
    check(HYPERVISOR_memory_op(XENMEM_memory_map, &map), -EFAULT, "memory_map, buffer at 0xfc100000");
    check(HYPERVISOR_memory_op(XENMEM_memory_map, (void *)HOLE), -EFAULT, "memory_map, record at 0xfc100000");
    check(HYPERVISOR_memory_op(XENMEM_current_reservation, &other), -EPERM, "current_reservation of the victim (d0)");
    check(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &other), -EPERM, "maximum_gpfn of the victim");
    check(HYPERVISOR_memory_op(XENMEM_maximum_reservation, &none), -ESRCH, "maximum_reservation of d250");
}

/* Giving back what is not ours, or the same frame twice, gives nothing. */
void case_give_back_not_ours(void)
{
    static uint32_t ext[4];
    uint32_t own = zmfn(), pfn = mm_mfn_to_pfn(own), got = 0;
    long cur = mm_reservation(XENMEM_current_reservation);

    ext[0] = 0x100;
    check(mm_decrease(ext, 1), 0, "decrease_reservation of the hypervisor image");
    ext[0] = 0xfffff;
    check(mm_decrease(ext, 1), 0, "... of mfn 0xfffff");
    ext[0] = own, ext[1] = own;
    check(mm_decrease(ext, 2), 1, "[ours, ours again]: the second is no longer ours");
    check(mm_reservation(XENMEM_current_reservation), cur - 1, "... one frame fewer");
    check(mm_pin(1, own), -EINVAL, "... it is no longer ours to pin");
    check(mm_increase(&got, 1), 1, "one back");
    mm_set_p2m(pfn, got);
    check(mm_update(((uint64_t)got << 12) | MMU_MACHPHYS_UPDATE, pfn), 0, "... M2P entry set");
    mm_frame_free(pfn);
    check(mm_reservation(XENMEM_current_reservation), cur, "current_reservation as before");
}

/* ---- multicall ---------------------------------------------------------- */

static xen_multicall_entry_t calls[4];

void case_multicall_bad_ops(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    mc_set(&calls[0], 64, 0, 0, 0);
    mc_set(&calls[1], 0xffffffffu, 0, 0, 0);
    mc_set(&calls[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    mc_set(&calls[3], 63, 0, 0, 0);
    check(HYPERVISOR_multicall(calls, 4), 0, "multicall [op 64, op 0xffffffff, version, op 63]");
    check(calls[0].result, -ENOSYS, "... op 64 (past the table)");
    check(calls[1].result, -ENOSYS, "... op 0xffffffff");
    check(calls[2].result, version, "... the entry after them still ran");
    check(calls[3].result, -ENOSYS, "... op 63 (no such hypercall)");
    check(HYPERVISOR_multicall(calls, 0), 0, "multicall of 0 entries");
}

/* A multicall's entries reach only what each call would reach on its own. */
void case_multicall_hole_args(void)
{
    unsigned done = 0xdead;

    mc_set(&calls[0], __HYPERVISOR_mmu_update, HOLE, 1, (uint32_t)(uintptr_t)&done);
    mc_set(&calls[1], __HYPERVISOR_memory_op, XENMEM_machphys_mapping, HOLE, 0);
    mc_set(&calls[2], __HYPERVISOR_update_va_mapping, HOLE, 0, 0);
    mc_set(&calls[3], __HYPERVISOR_mmuext_op, (uint32_t)(uintptr_t)calls, 1, 0);   /* {1, HOLE}: a pin */
    check(HYPERVISOR_multicall(calls, 4), 0, "multicall of calls aimed at the hole");
    check(calls[0].result, -EFAULT, "... mmu_update with requests at 0xfc100000");
    check(calls[1].result, -EFAULT, "... machphys_mapping into 0xfc100000");
    check(calls[2].result, -EINVAL, "... update_va_mapping of 0xfc100000");
    check(calls[3].result, -EINVAL, "... mmuext_op reading the list: PIN_L2_TABLE (op 1) of mfn 0xfc100000");
}

/* ---- start_info and shared_info ---------------------------------------- */

/* start_info is the guest's page: the hypervisor never reads it back. */
void case_start_info(void)
{
    xen_start_info_t *s = (xen_start_info_t *)si;
    static xen_start_info_t saved;
    long cur = mm_reservation(XENMEM_current_reservation);

    saved = *s;
    s->nr_pages = 1, s->shared_info = 0x100000, s->pt_base = HOLE, s->mfn_list = HOLE;
    s->store_mfn = 0x100, s->console.domU.mfn = 0x100;
    check(mm_reservation(XENMEM_current_reservation), cur, "start_info scribbled on: current_reservation");
    check(mm_reservation(XENMEM_maximum_reservation), saved.nr_pages, "... maximum_reservation");
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(mm_pin(1, saved.shared_info >> 12), -EINVAL, "... the real shared_info (mapped writable) is still no table");
    *s = saved;
    check(mm_pin(1, mm_va_to_mfn((uint32_t)(uintptr_t)si)), -EINVAL, "start_info (mapped writable): pin as L1");
    check(mm_new_baseptr(mm_va_to_mfn((uint32_t)(uintptr_t)si)), -EINVAL, "... new_baseptr");
}

/*
 * A list whose first entries are good but whose end reaches the hole runs
 * none of them: Xen checks the whole list first (guest_handle_okay).  The
 * lists sit in the last page below the hole, mapped through an L1 we hook
 * at the slot-3 L2's last guest entry.  A done word in the hole is only
 * not written: the work stands, as in Xen.
 */
void case_list_into_hole(void)
{
    uint32_t l1 = zmfn(), page = zmfn(), target = zmfn(), pin = zmfn(), va = scratch(0, 0, 0);
    const uint32_t top = HYPERVISOR_VIRT_START - PAGE_SIZE, end = HYPERVISOR_VIRT_START;
    unsigned done = 0xdead;

    check(free_l2_index(), 427, "the slot-3 L2's last guest entry (427, below the hole) is free");
    check(mm_update(l2e_ma(427), mm_pte(l1, RW)), 0, "hook an L1 there");
    check(mm_map(top, mm_pte(page, RW)), 0, "map a page at 0x%08x", top);

    xen_mmu_update_t *r = (xen_mmu_update_t *)(end - sizeof(*r));
    *r = (xen_mmu_update_t){ mm_l1e_ma(va), mm_pte(target, RW) };
    check(HYPERVISOR_mmu_update(r, 2, &done, DOMID_SELF), -EFAULT, "mmu_update of [good, one past the hole]");
    check_hex("... done untouched", done, 0xdead);
    check_u64("... the good entry was not applied", pte_at(va), 0);
    check(HYPERVISOR_mmu_update(r, 1, (unsigned *)HOLE, DOMID_SELF), 0, "the good one alone, done at 0xfc100000");
    check(PTE_MFN(pte_at(va)), target, "... applied");
    check(mm_map(va, 0), 0, "... unmap");

    xen_mmuext_op_t *op = (xen_mmuext_op_t *)(end - sizeof(*op));
    *op = (xen_mmuext_op_t){ .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = pin };
    check(HYPERVISOR_mmuext_op(op, 2, NULL, DOMID_SELF), -EFAULT, "mmuext_op of [pin, one past the hole]");
    check(mm_unpin(pin), -EINVAL, "... nothing was pinned");

    xen_multicall_entry_t *mc = (xen_multicall_entry_t *)(end - sizeof(*mc));
    mc_set(mc, __HYPERVISOR_mmuext_op, (uint32_t)(uintptr_t)op, 1, 0);
    check(HYPERVISOR_multicall(mc, 2), -EFAULT, "multicall of [the pin, one past the hole]");
    check_hex("... entry 0 never ran", mc->result, 0xdeadbeefu);
    check(mm_unpin(pin), -EINVAL, "... nothing was pinned");

    check(mm_map(top, 0), 0, "unmap the page below the hole");
    check(mm_update(l2e_ma(427), 0), 0, "unhook the L1");
    free_frame(l1), free_frame(page), free_frame(target), free_frame(pin);
}

/* mmu_update names page-table entries only (differences.md: Xen writes a plain frame too). */
void case_mmu_update_plain(void)
{
    uint32_t f = zmfn(), va = scratch(0, f, RO);

    check(mm_update(mm_entry_ma(f, 5), 0x1234), -EINVAL, "mmu_update of word 5 of a plain frame of ours");
    check(mm_update(mm_entry_ma(f, 5) | MMU_PT_UPDATE_PRESERVE_AD, 0x1234), -EINVAL, "... with PRESERVE_AD");
    check_u64("... the frame is unchanged", ((volatile uint64_t *)va)[5], 0);
    check(mm_map(va, 0), 0, "unmap");
    free_frame(f);
}

/*
 * mmu_update's foreigndom carries, in its high half, the owner of the
 * tables plus one (Xen's pt_dom): ours may be named, another domain's are
 * refused as Xen's XSM refuses them, and mmuext_op reads the low half only.
 */
void case_pt_owner(void)
{
    uint32_t f = zmfn(), va = scratch(0, 0, 0);
    unsigned done, me = own_domid();
    xen_mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };

    reqs[0] = (xen_mmu_update_t){ mm_l1e_ma(va), mm_pte(f, RW) };
    check(HYPERVISOR_mmu_update(reqs, 1, &done, 1u << 16 | DOMID_SELF), -EPERM,
          "mmu_update of the victim's tables (high half: d0 + 1)");
    check(HYPERVISOR_mmu_update(reqs, 1, &done, 251u << 16 | DOMID_SELF), -ESRCH, "... of d250's tables");
    check(HYPERVISOR_mmu_update(reqs, 1, &done, (DOMID_SELF + 1u) << 16 | DOMID_SELF), -ESRCH,
          "... of DOMID_SELF's (no domain has that id)");
    check_u64("... our entry is still empty", pte_at(va), 0);
    check(HYPERVISOR_mmu_update(reqs, 1, &done, (me + 1) << 16 | DOMID_SELF), 0,
          "... of our own tables, named by our id + 1 (allowed)");
    check(PTE_MFN(pte_at(va)), f, "... applied");
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, 1u << 16 | DOMID_SELF), 0, "mmuext_op with a high half (Xen reads 16 bits)");
    check(mm_map(va, 0), 0, "unmap");
    free_frame(f);
}
