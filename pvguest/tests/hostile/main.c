/*
 * hostile - a guest that attacks the rules of direct paging, one case per run.
 *
 * Each case (cmdline "case=N"; "case=0" runs them all) breaks one rule of
 * hypervisor/mm/page_type.c and expects the hypervisor's error code, then
 * checks that nothing changed and that we are still alive to say SUCCESS.
 * It is booted after a `victim` domain, whose frames are the "other
 * domain's" frames here (found through the M2P: a frame with a pfn there
 * that our P2M does not name) and whose memory must be unchanged after.
 * The victim outlives every domain booted after it, so the M2P entries of
 * its frames are still its own when we look at them again.
 *   1 hypervisor frames       7 the hypervisor's L2 slots   13 batch stops at entry k
 *   2 another domain's frames 8 give back the L3 in CR3     14 nested multicall
 *   3 our tables, writable    9 give back frames in use     15 iret in a multicall
 *   4 writable -> table      10 M2P of a foreign frame      16 stale writable TLB entry
 *   5 tables with a bad entry 11 huge counts                17 shared_info as a table
 *   6 recursive tables       12 misaligned, repeated ptrs   18 frame bits above 2^44
 *  20 the hypervisor hole: stacks, handlers and callbacks aimed at it (20-22: hole.c)
 *  21 thousands of refused set_gdt calls: the log is rate-limited
 *  22 foreign domids in mmu_update, mmuext_op and memory_op
 * Case 19 switches to page tables that do not map us: Xen crashes such a
 * domain, and so must this hypervisor (halted, nobody else hurt); case=0
 * leaves it out.  Cases 16-18 were holes in the first version of the rules:
 * each of them, when it worked, printed "ESCAPE" with the hypervisor image
 * read through a page table the hypervisor had never checked.
 * Frames come from lib/mm.c's pool (unmapped spare frames); a table with
 * given contents is made by MMUEXT_COPY_PAGE from a template in our image.
 */
#include "pvguest/tests/hostile/hostile.h"

#define HV_IMAGE_MFN 0x100u                 /* the hypervisor is loaded at 1 MiB */
#define RW (PTE_PRESENT | PTE_RW | PTE_ACCESSED)
#define RO (PTE_PRESENT | PTE_ACCESSED)

uint64_t tmpl[512] __attribute__((aligned(PAGE_SIZE)));
static uint32_t extents[4096];
xen_mmu_update_t reqs[8];
static uint32_t foreign[8], nr_foreign, free_mfn;   /* another domain's; nobody's */
static uint32_t probe_addr, probe_val;
const xen_start_info_t *si;

PROBE(p_read, "", "movl (%[a]), %%eax\n\tmovl %%eax, %[v]", : [a] "c"(probe_addr),
      [v] "m"(probe_val) : "eax")
PROBE(p_write, "", "movl %[v], (%[a])", : [a] "c"(probe_addr), [v] "r"(probe_val) : "memory")

/* ---- small tools -------------------------------------------------------- */

uint32_t table_va(unsigned k) { return si->pt_base + k * PAGE_SIZE; }   /* 0 L3, 1-4 L2s, 5.. L1s */
uint32_t table_mfn(unsigned k) { return mm_va_to_mfn(table_va(k)); }
const volatile uint64_t *boot_l2(unsigned slot) { return (const volatile uint64_t *)table_va(1 + slot); }
static uint32_t boot_l3(void) { return table_mfn(0); }

uint32_t zmfn(void)                  /* a zeroed frame nothing maps */
{
    uint32_t pfn = mm_frame_alloc_zeroed();
    if (pfn == MFN_NONE) {
        test_error("out of spare frames");
        xtf_exit();
    }
    return mm_pfn_to_mfn(pfn);
}

void free_frame(uint32_t mfn) { mm_frame_free(mm_mfn_to_pfn(mfn)); }

/* A fresh frame holding tmpl (which is then cleared). */
uint32_t table_from_tmpl(void)
{
    uint32_t m = zmfn();
    long rc = mm_copy_page(m, mm_va_to_mfn((uint32_t)(uintptr_t)tmpl));
    memset(tmpl, 0, sizeof(tmpl));
    if (rc)
        test_error("copy_page into a fresh frame: %ld", rc);
    return m;
}

/*
 * Scratch VA i (0..7): a page of our initial mapping whose frame went to
 * the pool, so its bootstrap L1 entry is ours to fill.  Mapped to mfn with
 * flags unless flags is 0.  Every case leaves its scratch VAs unmapped.
 */
static uint32_t scratch_va[8];
uint32_t scratch(unsigned i, uint32_t mfn, uint64_t flags)
{
    if (!scratch_va[i] && !(scratch_va[i] = mm_va_slot())) {
        test_error("out of VA slots");
        xtf_exit();
    }
    if (flags && mm_map(scratch_va[i], mm_pte(mfn, flags)))
        test_error("mapping mfn 0x%x at scratch %u failed", mfn, i);
    return scratch_va[i];
}

static uint32_t mapped_mfn(uint32_t va)     /* what va maps now; MFN_NONE if nothing */
{
    uint64_t pte;
    return pt_lookup(va, &pte) ? PTE_MFN(pte) : MFN_NONE;
}

static bool faults(void (*probe)(void), uint32_t va)
{
    probe_addr = va;
    run_probe(1, probe);
    return exinfo.count && exinfo.vector == 14;
}

/* A guest-owned entry of the boot slot-3 L2 that is empty: for hooking an L1 in. */
unsigned free_l2_index(void)
{
    for (unsigned i = 427; i > 8; i--)
        if (!(boot_l2(3)[i] & PTE_PRESENT))
            return i;
    test_error("no free entry in the slot-3 L2");
    xtf_exit();
}

uint64_t l2e_ma(unsigned slot3_index) { return mm_entry_ma(table_mfn(4), slot3_index); }

/*
 * Frames the M2P gives a pfn that our P2M does not name: another domain's.
 * We take eight, 64 apart, from the lowest 449: the first domain's (the
 * builder takes frames upward, in boot order, and a domain has 1024 at
 * least).  That is the victim, which must be booted first and which does
 * not end before us (see pvguest/tests/victim), so their M2P entries can
 * change only if an attack here worked.
 */
static void find_foreign(void)
{
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    uint32_t found = 0, mfn;

    for (mfn = 0; mfn < (uint32_t)max; mfn++)
        if (M2P[mfn] != MFN_NONE && mm_mfn_to_pfn(mfn) == MFN_NONE && found++ % 64 == 0 &&
            nr_foreign < ARRAY_SIZE(foreign))
            foreign[nr_foreign++] = mfn;
    for (mfn = (uint32_t)max; mfn-- > 0x200;)
        if (M2P[mfn] == MFN_NONE && mfn != si->shared_info >> 12) {
            free_mfn = mfn;
            break;
        }
    printf("%u frames of other domains (using %u of them), frame 0x%x with no pfn\n", found,
           nr_foreign, free_mfn);
}

static bool need_foreign(void)
{
    if (!nr_foreign)
        test_error("no other domain's frame found: boot a victim next to this guest");
    return nr_foreign;
}

/* ---- 1, 2: frames that are not ours -------------------------------------- */

/*
 * Every way of reaching frame m must fail; its M2P entry must not move.
 * Xen's errors: in an L1 entry l1_rc (get_page_from_l1e: -EBUSY for RAM
 * that is not ours, -EPERM for what Xen calls I/O memory: the first MiB
 * and frames past RAM); everywhere else -EINVAL (get_page_from_mfn).
 */
static void not_ours(const char *what, uint32_t m, long l1_rc)
{
    uint32_t va = scratch(0, 0, 0), dst = zmfn(), m2p = mm_m2p(m);

    check(mm_map(va, mm_pte(m, RO)), l1_rc, "%s: map read-only", what);
    check(mm_map(va, mm_pte(m, RW)), l1_rc, "%s: map writable", what);
    check(mm_update(mm_l1e_ma(va), mm_pte(m, RW)), l1_rc, "%s: mmu_update of an L1 entry", what);
    check(mm_update(mm_entry_ma(m, 0), 0), -EINVAL, "%s: mmu_update with it as the table", what);
    check(mm_pin(1, m), -EINVAL, "%s: pin as L1", what);
    check(mm_pin(3, m), -EINVAL, "%s: pin as L3", what);
    check(mm_unpin(m), -EINVAL, "%s: unpin", what);
    check(mm_new_baseptr(m), -EINVAL, "%s: new_baseptr", what);
    check(mm_copy_page(dst, m), -EINVAL, "%s: copy_page from it", what);
    check(mm_copy_page(m, dst), -EINVAL, "%s: copy_page into it", what);
    check(mm_clear_page(m), -EINVAL, "%s: clear_page", what);
    check(mm_decrease(&m, 1), 0, "%s: decrease_reservation", what);
    check(mapped_mfn(va), MFN_NONE, "%s: our slot still maps nothing", what);
    check_hex("... and its M2P entry is unchanged", mm_m2p(m), m2p);
    free_frame(dst);
}

static void case_hypervisor_frames(void)
{
    uint32_t m2p_l1 = PTE_MFN(boot_l2(3)[428]);
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    not_ours("hypervisor image (mfn 0x100)", HV_IMAGE_MFN, -EBUSY);
    not_ours("the M2P's L1 (from our L2 entry 428)", m2p_l1, -EBUSY);
    not_ours("mfn 0 (BIOS)", 0, -EPERM);
    not_ours("a frame the M2P gives no pfn", free_mfn, -EBUSY);
    not_ours("past the end of RAM", (uint32_t)max + 5, -EPERM);
    not_ours("mfn 0xfffff", 0xfffff, -EPERM);
}

static void case_foreign_frames(void)
{
    char what[48];

    if (!need_foreign())
        return;
    for (unsigned i = 0; i < nr_foreign; i++) {
        snprintf(what, sizeof(what), "other domain's mfn 0x%x", foreign[i]);
        not_ours(what, foreign[i], -EBUSY);
    }
}

/* ---- 3, 4: writable and page table at once ------------------------------- */

static void case_tables_writable(void)
{
    static const char *const name[] = { "L3", "L2 slot 0", "L2 slot 1", "L2 slot 2",
                                        "L2 slot 3", "first L1" };
    uint32_t va = scratch(0, 0, 0);

    for (unsigned k = 0; k < 6; k++) {
        uint32_t m = table_mfn(k);
        check(mm_map(va, mm_pte(m, RW)), -EBUSY, "our %s: map writable", name[k]);
        check(mm_map(table_va(k), mm_pte(m, RW)), -EBUSY, "our %s: make its own mapping writable", name[k]);
        check(mm_map(va, mm_pte(m, RO)), 0, "our %s: map read-only (allowed)", name[k]);
        check_rc("... reads what the boot mapping shows",
                 *(volatile uint64_t *)va == *(volatile uint64_t *)table_va(k), 1);
        check(mm_map(va, 0), 0, "... unmap");
        check(mm_clear_page(m), -EINVAL, "our %s: clear_page", name[k]);
        check(mm_copy_page(m, mm_va_to_mfn((uint32_t)(uintptr_t)tmpl)), -EINVAL, "our %s: copy_page into it", name[k]);
    }
    probe_val = 0;
    check_rc("a plain write to our L1 faults (#PF)", faults(p_write, table_va(5)), 1);
    check_hex("... error code: present, write", exinfo.error & 3, 3);
}

static void case_writable_to_table(void)
{
    uint32_t m = zmfn(), va = scratch(0, m, RW), l3e0 = mm_entry_ma(boot_l3(), 0);
    unsigned idx = free_l2_index();

    *(volatile uint32_t *)va = 0;           /* used, and cached in the TLB */
    check(mm_pin(1, m), -EINVAL, "a writable-mapped frame: pin as L1");
    check(mm_pin(2, m), -EINVAL, "... pin as L2");
    check(mm_pin(3, m), -EINVAL, "... pin as L3");
    check(mm_new_baseptr(m), -EINVAL, "... new_baseptr");
    check(mm_update(l2e_ma(idx), mm_pte(m, RW)), -EINVAL, "... as an L1 under our L2");
    check(mm_update(l3e0, mm_pte(m, PTE_PRESENT)), -EINVAL, "... as an L2 in our L3");
    check(mm_map(va, mm_pte(m, RO)), 0, "map it read-only instead");
    check(mm_pin(1, m), 0, "... now it may become an L1");
    check(mm_map(va, mm_pte(m, RW)), -EBUSY, "a pinned L1: map writable");
    check(mm_clear_page(m), -EINVAL, "a pinned L1: clear_page");
    check(mm_unpin(m), 0, "unpin");
    check(mm_map(va, mm_pte(m, RW)), 0, "now it may be writable again");
    check(mm_map(va, 0), 0, "unmap");
    free_frame(m);
}

/* ---- 5, 6: tables whose entries break the rules --------------------------- */

/* Pin a table made from tmpl: want rc; afterwards the frame must be a plain frame again. */
static void pin_tmpl(unsigned level, long want, const char *what)
{
    uint32_t m = table_from_tmpl();
    long rc = mm_pin(level, m);

    check(rc, want, "pin L%u %s", level, what);
    if (rc == 0)
        mm_unpin(m);
    check(mm_clear_page(m), 0, "... and the frame is no table afterwards");
    free_frame(m);
}

static void case_bad_entries(void)
{
    uint32_t own = zmfn(), l1 = zmfn(), l2 = zmfn(), rw = zmfn(), va = scratch(0, rw, RW);
    static const struct { uint64_t bit; const char *name; } l1_bad[] = {
        { PTE_PWT, "PWT" }, { PTE_PCD, "PCD" }, { PTE_PSE, "PAT" }, { PTE_GLOBAL, "global" },
        { 1ull << 52, "reserved bit 52" },
    };

    for (unsigned i = 0; i < ARRAY_SIZE(l1_bad); i++) {
        tmpl[5] = mm_pte(own, RW | l1_bad[i].bit);
        pin_tmpl(1, -EINVAL, l1_bad[i].name);
    }
    tmpl[5] = mm_pte(HV_IMAGE_MFN, RO);
    pin_tmpl(1, -EBUSY, "mapping the hypervisor image");
    if (nr_foreign) {
        tmpl[5] = mm_pte(foreign[0], RO);
        pin_tmpl(1, -EBUSY, "mapping another domain's frame");
    }
    tmpl[5] = mm_pte(0, RO);
    pin_tmpl(1, -EPERM, "mapping mfn 0 (I/O memory to Xen)");
    tmpl[5] = mm_pte(boot_l3(), RW);
    pin_tmpl(1, -EBUSY, "mapping our L3 writable");
    for (unsigned i = 0; i < 5; i++)            /* good entries first: all undone */
        tmpl[i] = mm_pte(own, RW);
    tmpl[5] = mm_pte(HV_IMAGE_MFN, RO);
    pin_tmpl(1, -EBUSY, "with 5 good entries before the bad one");
    check(mm_pin(1, own), 0, "... the frame those 5 mapped writable holds no writable reference");
    mm_unpin(own);

    tmpl[0] = mm_pte(l1, RW | PTE_PSE);
    pin_tmpl(2, -EINVAL, "with a 2 MiB (PSE) entry");
    tmpl[0] = mm_pte(PTE_MFN(boot_l2(3)[428]), RW);
    pin_tmpl(2, -EINVAL, "pointing at the hypervisor's M2P L1");
    tmpl[0] = mm_pte(rw, RW);
    pin_tmpl(2, -EINVAL, "pointing at a frame mapped writable");
    tmpl[0] = mm_pte(boot_l3(), RW);
    pin_tmpl(2, -EINVAL, "pointing at our L3");
    tmpl[7] = mm_pte(HV_IMAGE_MFN, RO);          /* an L1 that is bad inside: its own error */
    tmpl[0] = mm_pte(table_from_tmpl(), RW);
    pin_tmpl(2, -EBUSY, "pointing at an L1 that maps the hypervisor");

    check(mm_pin(2, l2), 0, "pin an empty frame as a plain L2");
    tmpl[3] = mm_pte(l2, PTE_PRESENT);
    pin_tmpl(3, -EINVAL, "whose slot 3 is a plain (pinned) L2");
    mm_unpin(l2);
    tmpl[3] = 0;
    pin_tmpl(3, -EINVAL, "without slot 3 (the hypervisor's)");
    tmpl[0] = mm_pte(l1, PTE_PRESENT | PTE_NX);
    tmpl[3] = mm_pte(l2, PTE_PRESENT);
    pin_tmpl(3, -EINVAL, "with NX in slot 0");
    tmpl[0] = mm_pte(l1, PTE_PRESENT | PTE_PSE);
    tmpl[3] = mm_pte(l2, PTE_PRESENT);
    pin_tmpl(3, -EINVAL, "with PSE in slot 0");
    if (nr_foreign) {
        tmpl[3] = mm_pte(foreign[0], PTE_PRESENT);
        pin_tmpl(3, -EINVAL, "whose slot 3 is another domain's frame");
    }
    tmpl[3] = mm_pte(l2, PTE_PRESENT);
    pin_tmpl(3, 0, "with only slot 3, an empty L2 (allowed)");
    mm_map(va, 0);
    free_frame(rw);
    free_frame(own);
    free_frame(l1);
    free_frame(l2);
}

static void case_recursive(void)
{
    uint32_t l3 = boot_l3(), self = zmfn(), l1 = table_mfn(5), va = scratch(0, 0, 0);
    uint64_t slot0 = ((const volatile uint64_t *)table_va(0))[0];

    check(mm_update(mm_entry_ma(l3, 0), mm_pte(l3, PTE_PRESENT)), -EINVAL, "our L3 slot 0 -> our L3");
    check(mm_update(mm_entry_ma(l3, 3), mm_pte(l3, PTE_PRESENT)), -EINVAL, "our L3 slot 3 -> our L3");
    check(mm_update(mm_entry_ma(l3, 0), mm_pte(table_mfn(4), PTE_PRESENT)), -EINVAL,
          "our L3 slot 0 -> the slot-3 L2 (L2 and L2-with-hypervisor at once)");
    check_hex("... our L3 slot 0 unchanged", (uint32_t)((const volatile uint64_t *)table_va(0))[0],
          (uint32_t)slot0);
    tmpl[0] = mm_pte(self, PTE_PRESENT);       /* slot 0 -> the new L3 itself */
    tmpl[3] = ((const volatile uint64_t *)table_va(0))[3];   /* our slot-3 L2, shared */
    mm_copy_page(self, mm_va_to_mfn((uint32_t)(uintptr_t)tmpl));
    memset(tmpl, 0, sizeof(tmpl));
    check(mm_pin(3, self), -EINVAL, "a new L3 whose slot 0 is itself");
    check(mm_new_baseptr(self), -EINVAL, "... new_baseptr to it");
    check(mm_clear_page(self), 0, "... left a plain frame");
    free_frame(self);
    check(mm_update(mm_entry_ma(table_mfn(1), 7), mm_pte(table_mfn(1), RW)), -EINVAL,
          "our slot-0 L2 entry 7 -> that L2 (linear page table)");
    check(mm_update(mm_entry_ma(table_mfn(1), 7), mm_pte(l3, RW)), -EINVAL, "... -> our L3");
    check(mm_update(mm_entry_ma(table_mfn(1), 7), mm_pte(table_mfn(4), RW)), -EINVAL,
          "... -> the slot-3 L2");
    check(mm_map(va, mm_pte(l1, RW)), -EBUSY, "an L1 entry -> its own L1, writable");
    check(mm_map(va, mm_pte(l1, RO)), 0, "an L1 entry -> its own L1, read-only (allowed)");
    check(mm_map(va, 0), 0, "... unmap");
}

/* ---- 7, 8: the hypervisor's slots, and the L3 the CPU is using ------------- */

static void case_hypervisor_slots(void)
{
    uint32_t l2 = table_mfn(4), own = zmfn(), va = scratch(0, 0, 0), l2n = zmfn(), bad = 0;
    uint64_t e428 = boot_l2(3)[428];
    unsigned idx = free_l2_index();

    check(mm_update(mm_entry_ma(l2, 428), e428), -EPERM, "slot-3 L2 entry 428 (the M2P), rewritten as it is");
    check(mm_update(mm_entry_ma(l2, 428), 0), -EPERM, "... cleared");
    check(mm_update(mm_entry_ma(l2, 450), mm_pte(own, RW)), -EPERM, "entry 450 -> a frame of ours");
    check(mm_update(mm_entry_ma(l2, 511), 0), -EPERM, "entry 511 cleared");
    check_hex("... entry 428 unchanged", (uint32_t)boot_l2(3)[428], (uint32_t)e428);
    check(mm_update(mm_entry_ma(l2, idx), 0), 0, "entry %u, below the hypervisor (ours)", idx);
    check(HYPERVISOR_update_va_mapping(0xF5800000u, 0, 0), -EINVAL, "update_va_mapping of 0xf5800000");
    check(HYPERVISOR_update_va_mapping(0xFC100000u, mm_pte(own, RW), 0), -EINVAL,
          "update_va_mapping of 0xfc100000");
    check(mm_update(mm_entry_ma(boot_l3(), 3), 0), -EINVAL, "clear our L3's slot 3");
    check(mm_update(mm_entry_ma(boot_l3(), 3), ((const volatile uint64_t *)table_va(0))[3]), -EINVAL,
          "rewrite our L3's slot 3 as it is (Xen: slot 3 is never the guest's to update)");
    check(mm_update(mm_entry_ma(boot_l3(), 4), 0), -EINVAL, "our L3's entry 4 (past the PDPT)");

    tmpl[3] = mm_pte(l2n, PTE_PRESENT);
    uint32_t l3n = table_from_tmpl();
    check(mm_pin(3, l3n), 0, "pin a new L3 over an empty slot-3 L2");
    check(mm_map(va, mm_pte(l2n, RO)), 0, "... map that L2 read-only");
    for (unsigned i = 428; i < 512; i++)
        if (((((volatile uint64_t *)va)[i] ^ boot_l2(3)[i]) & ~(PTE_ACCESSED | PTE_DIRTY)) && bad++ < 4)
            printf("entry %u: 0x%llx, in our boot L2 0x%llx\n", i, ((volatile uint64_t *)va)[i],
                   boot_l2(3)[i]);
    check(bad, 0, "... validation gave it the hypervisor's entries 428-511: differing (but A/D)");
    check(mm_update(mm_entry_ma(l2n, 428), 0), -EPERM, "... and its entry 428 is not ours either");
    check(mm_map(va, 0), 0, "unmap");
    check(mm_unpin(l3n), 0, "unpin the new L3");
    free_frame(l3n);
    free_frame(l2n);
    free_frame(own);
}

/*
 * Xen's guest_remove_page: an L3 given back while pinned and in CR3 is
 * unpinned and out of the domain at once, stays a valid L3 while CR3
 * holds it (but takes no new reference), and is freed when we leave it.
 */
static void case_cr3(void)
{
    uint32_t l3 = boot_l3();
    tmpl[3] = ((const volatile uint64_t *)table_va(0))[3];     /* the kernel stays mapped */
    uint32_t n = table_from_tmpl(), pfn = mm_mfn_to_pfn(n), m = n;

    check(mm_pin(3, n), 0, "pin a new L3 sharing our slot-3 L2");
    check(mm_new_baseptr(n), 0, "switch to it");
    check(mm_decrease(&m, 1), 1, "decrease_reservation of our L3 (pinned, in CR3): taken, as Xen");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages - 1, "... one frame fewer");
    check(mm_unpin(n), -EINVAL, "... and unpinned with it");
    check(mm_update(mm_entry_ma(n, 0), 0), 0, "... it is still a valid L3 while CR3 holds it");
    check(mm_pin(3, n), -EINVAL, "... but takes no new reference: pin it again");
    check(mm_decrease(&m, 1), 0, "... nor is it given back twice");
    check(mm_new_baseptr(l3), 0, "switch back: its last reference goes, and the frame with it");
    check(mm_update(mm_entry_ma(n, 0), 0), -EINVAL, "... not our table any more");
    check(mm_refill(pfn), 0, "a new frame for its pfn");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation");
}

/* ---- 9, 10: giving back and renaming frames ------------------------------- */

/* As Xen: a frame still in use leaves the domain at once; its last reference frees it. */
static void case_give_back_mapped(void)
{
    uint32_t a = zmfn(), b = zmfn(), c = zmfn(), e = zmfn(), f = zmfn(), a0 = a;
    uint32_t va = scratch(0, a, RW), vb = scratch(1, b, RO), sh = si->shared_info >> 12;
    uint32_t pfn[4] = { mm_mfn_to_pfn(a), mm_mfn_to_pfn(b), mm_mfn_to_pfn(c), mm_mfn_to_pfn(e) };

    *(volatile uint32_t *)va = 0x600d600du;
    check(mm_decrease(&a, 1), 1, "decrease_reservation of a frame mapped writable: taken, as Xen");
    check(mm_decrease(&b, 1), 1, "... of a frame mapped read-only");
    check(mm_decrease(&sh, 1), 0, "... of our shared_info: not RAM, it stays");
    check(mm_pin(1, c), 0, "pin an L1 mapped nowhere");
    check(mm_decrease(&c, 1), 1, "... decrease_reservation of it: unpinned and freed, as Xen");
    check(mm_unpin(c), -EINVAL, "... so there is nothing to unpin");
    check_hex("the writable page still reads what we wrote", *(volatile uint32_t *)va, 0x600d600du);
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages - 3, "current_reservation: 3 fewer");
    check(mm_decrease(&a, 1), 0, "the same frame again: not ours to give");
    check(mm_map(scratch(2, 0, 0), mm_pte(a0, RO)), -EBUSY, "... nor to map again");
    check(mm_update(((uint64_t)a0 << 12) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "... nor its M2P entry ours");
    check(mm_map(va, 0), 0, "unmap it: its last reference, and it is freed");
    check(mm_map(vb, 0), 0, "... and the read-only one");

    extents[0] = e, extents[1] = a0, extents[2] = f;
    check(mm_decrease(extents, 3), 1, "a batch [ours, freed, ours]: stops at the one not ours");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages - 4, "... one frame fewer");
    check_hex("... the third is still ours", M2P[f], mm_mfn_to_pfn(f));
    for (unsigned i = 0; i < 4; i++)
        check(mm_refill(pfn[i]), 0, "a new frame for pfn %u", pfn[i]);
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation again");
    free_frame(f);
}

static void case_m2p_foreign(void)
{
    uint32_t own = zmfn(), pfn = mm_mfn_to_pfn(own);
    long max = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    check(mm_update(((uint64_t)HV_IMAGE_MFN << 12) | MMU_MACHPHYS_UPDATE, 0), -EINVAL,
          "MMU_MACHPHYS_UPDATE of the hypervisor image");
    check(mm_update(((uint64_t)free_mfn << 12) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "... of a frame the M2P gives no pfn");
    check_hex("... whose M2P entry stays invalid", M2P[free_mfn], MFN_NONE);
    check(mm_update(((uint64_t)(max + 5) << 12) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "... past the end of RAM");
    check(mm_update((1ull << 44) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "... of frame 2^32 (ptr bit 44)");
    for (unsigned i = 0; need_foreign() && i < nr_foreign; i++) {
        uint32_t before = M2P[foreign[i]];
        check(mm_update(((uint64_t)foreign[i] << 12) | MMU_MACHPHYS_UPDATE, pfn), -EINVAL,
              "... of another domain's mfn 0x%x", foreign[i]);
        check_hex("... its M2P entry unchanged", M2P[foreign[i]], before);
    }
    check(mm_update(((uint64_t)own << 12) | MMU_MACHPHYS_UPDATE, pfn), 0, "... of our own frame (allowed)");
    check_hex("... M2P entry", M2P[own], pfn);
    free_frame(own);
}

/* ---- 11-13: counts, pointers, partial batches ------------------------------ */

static void case_huge_counts(void)
{
    unsigned done = 0xdead;
    xen_mmuext_op_t op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
    xen_multicall_entry_t mc = { .op = __HYPERVISOR_xen_version };

    reqs[0] = (xen_mmu_update_t){ mm_l1e_ma(scratch(0, 0, 0)), 0 };
    check(HYPERVISOR_mmu_update(reqs, 0x7fffffffu, &done, DOMID_SELF), -EINVAL, "mmu_update count 0x7fffffff");
    check(HYPERVISOR_mmu_update(reqs, 0xffffffffu, &done, DOMID_SELF), -EINVAL, "mmu_update count 0xffffffff");
    check(HYPERVISOR_mmu_update(reqs, 4097, &done, DOMID_SELF), -EINVAL, "mmu_update count 4097");
    check(HYPERVISOR_mmu_update(reqs, 0, &done, DOMID_SELF), 0, "mmu_update count 0");
    check(done, 0, "... done");
    check(HYPERVISOR_mmuext_op(&op, 0x7fffffffu, NULL, DOMID_SELF), -EINVAL, "mmuext_op count 0x7fffffff");
    check(HYPERVISOR_mmuext_op(&op, 0xffffffffu, NULL, DOMID_SELF), -EINVAL, "mmuext_op count 0xffffffff");
    check(HYPERVISOR_multicall(&mc, 0x7fffffffu), -EINVAL, "multicall nr 0x7fffffff");
    check(HYPERVISOR_multicall(&mc, 0xffffffffu), -EINVAL, "multicall nr 0xffffffff");
    memset(extents, 0, sizeof(extents));        /* mfn 0 is never ours */
    check(mm_decrease(extents, 0x7fffffffu), 0, "decrease_reservation of 0x7fffffff extents");
    check(mm_increase(extents, 0x7fffffffu), 0, "increase_reservation of 0x7fffffff extents (at maximum)");
    check(HYPERVISOR_update_va_mapping(scratch(0, 0, 0), 0, 0xffffffffu), -EINVAL,
          "update_va_mapping flags 0xffffffff");
    check(mm_reservation(XENMEM_current_reservation), si->nr_pages, "current_reservation unchanged");
}

static void case_misaligned(void)
{
    uint32_t a = zmfn(), b = zmfn(), va = scratch(0, 0, 0);
    uint64_t ma = mm_l1e_ma(va);
    static uint64_t odd_buf[5];
    unsigned done;

    reqs[0] = (xen_mmu_update_t){ ma + 4, mm_pte(a, RW) };
    check(HYPERVISOR_mmu_update(reqs, 1, &done, DOMID_SELF), -EINVAL, "mmu_update ptr & 7 == 4");
    check(done, 0, "... done");
    check(mm_update(ma + 6, mm_pte(a, RW)), -EINVAL, "ptr & 7 == 6 (PRESERVE_AD, misaligned)");
    check(mm_update(ma + 3, mm_pte(a, RW)), -ENOSYS, "ptr & 3 == 3 (no such command here)");
    check(mapped_mfn(va), MFN_NONE, "... nothing mapped");
    check(mm_update(ma + 2, mm_pte(a, RW)), 0, "ptr & 3 == 2: PRESERVE_AD, aligned (allowed)");
    check(mapped_mfn(va), a, "... maps it");

    reqs[0] = (xen_mmu_update_t){ ma, mm_pte(a, RW) };
    reqs[1] = (xen_mmu_update_t){ ma, mm_pte(b, RW) };
    check(HYPERVISOR_mmu_update(reqs, 2, &done, DOMID_SELF), 0, "two updates of one entry in a batch");
    check(done, 2, "... done");
    check(mapped_mfn(va), b, "... the second one wins");
    check(mm_pin(1, a), 0, "... the first frame holds no writable reference: pin it as L1");
    check(mm_unpin(a), 0, "... unpin");
    reqs[0] = (xen_mmu_update_t){ ma, mm_pte(a, RW) };
    reqs[1] = (xen_mmu_update_t){ ma, mm_pte(HV_IMAGE_MFN, RW) };
    reqs[2] = (xen_mmu_update_t){ ma, mm_pte(b, RW) };
    check(HYPERVISOR_mmu_update(reqs, 3, &done, DOMID_SELF), -EBUSY, "[a, hypervisor, b] to one entry");
    check(done, 1, "... done");
    check(mapped_mfn(va), a, "... the entry holds a");
    xen_mmu_update_t *odd = (xen_mmu_update_t *)((char *)odd_buf + 4);
    *odd = (xen_mmu_update_t){ ma, 0 };
    check(HYPERVISOR_mmu_update(odd, 1, &done, DOMID_SELF), 0, "a request array at an address 4 mod 8");
    check(mapped_mfn(va), MFN_NONE, "... unmapped");
    free_frame(a), free_frame(b);
}

static void batch_stops_at(unsigned k)
{
    uint32_t va[6], m[6];
    unsigned done = 0, ok = 0;

    for (unsigned i = 0; i < 6; i++) {
        va[i] = scratch(i, 0, 0);
        m[i] = zmfn();
        mmu_queue(mm_l1e_ma(va[i]), i == k ? mm_pte(HV_IMAGE_MFN, RO) : mm_pte(m[i], RW));
    }
    check(mmu_flush(&done), -EBUSY, "a batch of 6 whose entry %u maps the hypervisor", k);
    check(done, k, "... done");
    for (unsigned i = 0; i < 6; i++)
        ok += mapped_mfn(va[i]) == (i < k ? m[i] : MFN_NONE);
    check(ok, 6, "... entries before it applied, it and those after not");
    for (unsigned i = 0; i < k; i++)
        mmu_queue(mm_l1e_ma(va[i]), 0);
    mmu_flush(NULL);
    for (unsigned i = 0; i < 6; i++)
        free_frame(m[i]);
}

static void case_partial_batch(void)
{
    batch_stops_at(3);
    batch_stops_at(0);
    batch_stops_at(5);
}

/* ---- 14, 15: multicall ------------------------------------------------------ */

static xen_multicall_entry_t mc[4], inner[1];
static char ran_inner[] = "BUG: the inner multicall ran\n", ran_after[] = "BUG: the entry after iret ran\n";

void mc_set(xen_multicall_entry_t *e, unsigned op, uint32_t a0, uint32_t a1, uint32_t a2)
{
    *e = (xen_multicall_entry_t){ .op = op, .result = 0xdeadbeefu, .args = { a0, a1, a2, DOMID_SELF } };
}

static void case_nested_multicall(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    mc_set(&inner[0], __HYPERVISOR_console_io, CONSOLEIO_write, strlen(ran_inner), (uint32_t)(uintptr_t)ran_inner);
    reqs[0] = (xen_mmu_update_t){ mm_l1e_ma(scratch(0, 0, 0)), mm_pte(HV_IMAGE_MFN, RO) };
    mc_set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    mc_set(&mc[1], __HYPERVISOR_multicall, (uint32_t)(uintptr_t)inner, 1, 0);
    mc_set(&mc[2], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    mc_set(&mc[3], __HYPERVISOR_mmu_update, (uint32_t)(uintptr_t)reqs, 1, 0);
    check(HYPERVISOR_multicall(mc, 4), 0, "multicall [version, multicall, version, bad mmu_update]");
    check(mc[0].result, version, "... entry 0");
    check(mc[1].result, -EINVAL, "... entry 1, the nested multicall");
    check_hex("... the inner batch never ran", inner[0].result, 0xdeadbeefu);
    check(mc[2].result, version, "... entry 2 ran after it");
    check(mc[3].result, -EBUSY, "... entry 3 (maps the hypervisor)");
}

static void case_multicall_iret(void)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    bool landed;

    mc_set(&mc[0], __HYPERVISOR_xen_version, XENVER_version, 0, 0);
    mc_set(&mc[1], __HYPERVISOR_iret, 0, 0, 0);
    mc_set(&mc[2], __HYPERVISOR_console_io, CONSOLEIO_write, strlen(ran_after), (uint32_t)(uintptr_t)ran_after);
    check_hex("multicall [version, iret, console_io]: EAX from the iret's frame",
              multicall_iret(mc, 3, 0x15, 0x2, &landed), 0x15);
    check_rc("... resumed where the frame says", landed, 1);
    check(mc[0].result, version, "... entry 0");
    check_hex("... entry 2 never ran", mc[2].result, 0xdeadbeefu);
}

/* ---- 16-18: writable paths the type system alone does not close ------------ */

/* After an unchecked entry reached a validated L1 at index i: read through it, then undo. */
static void show_escape(uint32_t l1, unsigned i, const char *how)
{
    unsigned idx = free_l2_index();
    uint32_t hv_va = 0xC0000000u + idx * 0x200000u + i * PAGE_SIZE;
    long rc = mm_update(l2e_ma(idx), mm_pte(l1, RW));

    probe_val = 0xdeadbeefu;
    if (rc == 0)
        faults(p_read, hv_va);
    printf("ESCAPE (%s): L1 hooked at L2 entry %u (rc %ld): hypervisor frame 0x%x reads "
           "0x%08x at 0x%08x\n", how, idx, rc, HV_IMAGE_MFN, probe_val, hv_va);
    test_fail("%s put an unchecked entry into a validated L1", how);
    if (rc == 0)
        mm_update(l2e_ma(idx), 0);
}

static void case_stale_tlb(void)
{
    uint32_t x = zmfn(), va = scratch(0, x, RW), peek = scratch(1, 0, 0);

    *(volatile uint64_t *)va = 0;                /* the TLB now holds va -> x, writable */
    check(HYPERVISOR_update_va_mapping(va, 0, UVMF_NONE), 0, "unmap a writable page, no TLB flush asked");
    check(mm_pin(1, x), 0, "make the frame an L1 (nothing maps it now)");
    probe_val = (HV_IMAGE_MFN << 12) | RO;
    bool fault = faults(p_write, va);
    check(fault, 1, "a write through the stale TLB entry faults (flushed when the type changed)");
    if (!fault) {
        show_escape(x, 0, "a stale writable TLB entry");
        probe_val = 0;
        faults(p_write, va);                     /* undo through the same stale entry */
    }
    mm_map(peek, mm_pte(x, RO));
    bool clean = *(volatile uint64_t *)peek == 0;
    mm_map(peek, 0);
    if (clean)
        check(mm_unpin(x), 0, "unpin");
    else
        printf("entry 0 could not be undone: the L1 stays pinned until we die\n");
    mm_tlb_flush();
}

static void case_shared_info_table(void)
{
    uint32_t sh = si->shared_info >> 12, at = spare_page(0);
    long rc;

    check(mm_pin(1, sh), -EINVAL, "shared_info, mapped writable: pin as L1");
    check(mm_map(at, mm_pte(sh, RO)), 0, "map shared_info read-only instead");
    rc = mm_pin(1, sh);
    check(rc, -EINVAL, "shared_info, mapped nowhere writable: pin as L1 (the hypervisor writes it)");
    check(mm_new_baseptr(sh), -EINVAL, "... new_baseptr to it");
    check(mm_pin(2, sh), -EINVAL, "... pin as L2");
    if (rc == 0) {
        /* vcpu_info[0].arch.cr2 is L1 entry 1: the hypervisor writes a #PF's address there. */
        faults(p_read, (HV_IMAGE_MFN << 12) | RO);
        show_escape(sh, 1, "a #PF's cr2 written into shared_info");
        faults(p_read, 0);                       /* cr2 = 0: entry 1 empty again */
        check(mm_unpin(sh), 0, "unpin shared_info");
    }
    check(mm_map(at, mm_pte(sh, RW)), 0, "map shared_info writable again");
}

static void case_high_frame_bits(void)
{
    uint32_t own = zmfn(), l1 = zmfn(), va = scratch(0, 0, 0);
    uint64_t slot0 = ((const volatile uint64_t *)table_va(0))[0];
    static const unsigned bits[] = { 44, 51 };
    long rc;

    for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
        uint64_t hi = 1ull << bits[i];
        if ((rc = mm_map(va, mm_pte(own, RW) | hi)) == 0)
            mm_map(va, 0);
        check(rc, -EINVAL, "an L1 entry with address bit %u set", bits[i]);
        if ((rc = mm_update(mm_entry_ma(table_mfn(1), 7), mm_pte(l1, RW) | hi)) == 0)
            mm_update(mm_entry_ma(table_mfn(1), 7), 0);
        check(rc, -EINVAL, "an L2 entry with address bit %u set", bits[i]);
        if ((rc = mm_update(mm_entry_ma(boot_l3(), 0), slot0 | hi)) == 0)
            mm_update(mm_entry_ma(boot_l3(), 0), slot0);
        check(rc, -EINVAL, "an L3 entry (in CR3) with address bit %u set", bits[i]);
    }
    free_frame(own), free_frame(l1);
}

/* An address space without our kernel: the next instruction cannot be fetched. */
static void case_lose_the_kernel(void)
{
    tmpl[3] = mm_pte(zmfn(), PTE_PRESENT);      /* only the hypervisor's entries */
    uint32_t l3 = table_from_tmpl();
    check(mm_pin(3, l3), 0, "pin an L3 that maps nothing of ours");
    printf("switching to it: the domain must be halted, and nothing else\n");
    long rc = mm_new_baseptr(l3);
    test_fail("still running after new_baseptr (rc %ld) to an L3 without our kernel", rc);
}

/* ---- the cases ------------------------------------------------------------ */

static const struct { const char *title; void (*run)(void); } cases[] = {
    { "map hypervisor frames", case_hypervisor_frames },
    { "map another domain's frames", case_foreign_frames },
    { "map our own page tables writable", case_tables_writable },
    { "turn a writable-mapped frame into a page table", case_writable_to_table },
    { "pin tables with a bad entry at each level", case_bad_entries },
    { "XSA-240: recursive and linear page tables", case_recursive },
    { "change the hypervisor's L2 entries", case_hypervisor_slots },
    { "give back the L3 in CR3", case_cr3 },
    { "give back frames still in use", case_give_back_mapped },
    { "MMU_MACHPHYS_UPDATE of frames not ours", case_m2p_foreign },
    { "XSA-45 class: huge counts", case_huge_counts },
    { "misaligned and repeated entry pointers", case_misaligned },
    { "a batch whose entry k is bad", case_partial_batch },
    { "a multicall inside a multicall", case_nested_multicall },
    { "XSA-213: iret inside a multicall", case_multicall_iret },
    { "XSA-286 class: write a new page table through a stale TLB entry", case_stale_tlb },
    { "make shared_info a page table", case_shared_info_table },
    { "frame numbers with bits above 32", case_high_frame_bits },
    { "switch to page tables without our kernel (Xen: the domain crashes)", case_lose_the_kernel },
    { "aim stacks, handlers and callbacks at the hypervisor hole", case_hole },
    { "5000 refused set_gdt calls in multicalls (rate-limited log)", case_log_storm },
    { "foreign domids where a domain may name only itself", case_foreign_domids },
    { "XSA-182: a flags-only PTE change cannot make a page table writable", case_fast_path_rw },
    { "XSA-148: superpage (PSE) entries in a live L2", case_superpage },
    { "PAE L3 entries with cache, PSE, global, NX or reserved bits", case_pae_l3_bits },
    { "XSA-299: an L2 refused part-way keeps no type on its good L1s", case_partial_l2 },
    { "XSA-310: an L3 refused part-way keeps no type on its L2 and L1s", case_partial_l3 },
    { "pin twice, pin at another level, unpin twice: the type count stays exact", case_pin_twice },
    { "a table pinned and hooked stays a table until both let go", case_pin_and_hook },
    { "new_baseptr to frames that are no L3 leaves CR3 alone", case_bad_baseptr },
    { "mmuext_op commands 32-bit Xen ignores or refuses", case_mmuext_commands },
    { "TLB_FLUSH_MULTI and INVLPG_MULTI with an unreadable vCPU mask", case_vcpumask },
    { "INVLPG of the hypervisor hole is a no-op", case_invlpg_hole },
    { "request lists of mmu_update, mmuext_op and multicall in the hole", case_lists_in_hole },
    { "writes to the read-only M2P fault and change nothing", case_m2p_readonly },
    { "a lie in our own M2P entries fools only us", case_m2p_lie },
    { "XSA-212 class: reservation extent lists in the hole", case_extents_in_hole },
    { "memory_op commands not offered (XSA-159/212 class: exchange)", case_memop_not_offered },
    { "memory_op answers aimed at the hole or at other domains", case_memop_answers_in_hole },
    { "give back frames not ours, or ours twice", case_give_back_not_ours },
    { "multicall entries naming no hypercall", case_multicall_bad_ops },
    { "multicall entries aimed at the hole", case_multicall_hole_args },
    { "start_info is the guest's: scribbling on it changes nothing", case_start_info },
    { "grant refs past the table, unused, and revoked", case_gnt_refs },
    { "a read-only grant mapped writable", case_gnt_readonly },
    { "XSA-227 class: grant map flags and PTE addresses not offered", case_gnt_map_flags },
    { "grants of other domains, none granted to us", case_gnt_foreign },
    { "grant maps at host addresses in the hole or without an L1", case_gnt_host_addr },
    { "grant copy with bad offsets and lengths", case_gnt_copy_args },
    { "grant copy by frame number from frames not ours", case_gnt_copy_frames },
    { "setup_table and query_size limits", case_gnt_setup },
    { "grant_table_op commands not offered (transfer, swap, v2)", case_gnt_not_offered },
    { "grant batches in the hole and huge counts", case_gnt_batches },
    { "XSA-224 class: unmap with handles not ours to give", case_gnt_unmap_handles },
    { "lists running into the hole run none of their entries", case_list_into_hole },
    { "mmu_update into a frame that is no page table", case_mmu_update_plain },
    { "the page-table owner in mmu_update's foreigndom", case_pt_owner },
};

void pvguest_main(const xen_start_info_t *start)
{
    unsigned n = cmdline_uint("case", 0);

    si = start;
    if (n > ARRAY_SIZE(cases) || PV_VIRT_BASE < 0x80000000u) {
        test_error("case=%u: there are cases 1-%u (0: all), for a high VIRT_BASE", n,
                   (unsigned)ARRAY_SIZE(cases));
        xtf_exit();
    }
    traps_init();
    find_foreign();
    for (unsigned i = n ? n - 1 : 0; i < (n ? n : ARRAY_SIZE(cases)); i++) {
        if (!n && cases[i].run == case_lose_the_kernel)
            continue;                               /* it ends us: only on its own */
        unsigned failed, before = test_checks(&failed), failed_before = failed;
        printf("case %u starts at %llu us\n", i + 1, time_now_ns() / 1000);   /* for the victim's gaps */
        printf("case %u: %s\n", i + 1, cases[i].title);
        cases[i].run();
        unsigned n_checks = test_checks(&failed) - before;
        failed -= failed_before;
        if (failed || !n_checks)
            printf("case %u %s: FAILED (%u of %u checks)\n", i + 1, cases[i].title, failed, n_checks);
        else
            printf("case %u %s: ok (%u checks)\n", i + 1, cases[i].title, n_checks);
    }
    printf("hostile: still alive after case %u\n", n);
    test_pass();
    xtf_exit();
}
