/*
 * aspace - a user task's address space under direct paging, 200 times over.
 *
 * What a PV kernel does at every fork and exec, done with Xen's calls:
 *  1. take spare frames (lib/mm.c: unmapped, because a frame mapped
 *     writable anywhere can never become a page table);
 *  2. one mmuext_op: clear the new table frames, write the new L3 by
 *     MMUEXT_COPY_PAGE from a template in our image, copy the parent's
 *     data pages into the child's (fork), and pin the L3 - which validates
 *     the four L2s below it; the one in slot 3 gets the hypervisor's
 *     entries 428..511 from the hypervisor itself;
 *  3. one mmu_update for all the rest: the kernel's entries of the slot-3
 *     L2 (shared with our boot L2: same L1s), the user L2 entry, and an L1
 *     entry per data page;
 *  4. NEW_BASEPTR to it, check the user pages, take a demand-zero fault
 *     (our #PF handler fills the L1 entry by mmu_update), and back;
 *  5. unpin: the hypervisor drops every reference the tables held, and
 *     the frames go back to the pool as plain frames again.
 * It first checks memory_op (maximum_ram_page, current and maximum
 * reservation, a decrease/increase round trip with the P2M and M2P
 * updated by MMU_MACHPHYS_UPDATE) and at the end gives every frame the
 * loop used back to the hypervisor in one decrease_reservation, which only
 * works if nothing still refers to any of them, then takes them back.
 * cmdline: loops=N (default 200).
 */
#include "pvguest/lib/pvguest.h"

#define USER_VA     0x40000000u     /* L3 slot 1, L2 entry 0: the task's pages */
#define DATA_PAGES  6
#define DEMAND_IDX  100             /* the L1 entry a fault fills on demand */
#define MAX_DEMAND  4
#define USER_L2E    (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define USER_L1E    (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)

struct space {
    uint32_t l3, l2[4], l1;         /* pfns of the tables */
    uint32_t data[DATA_PAGES];      /* pfns of the task's pages */
    uint32_t demand[MAX_DEMAND];    /* pfns the #PF handler mapped */
    unsigned nr_demand;
};

static uint64_t l3_template[512] __attribute__((aligned(PAGE_SIZE)));
static uint32_t parent[DATA_PAGES][PAGE_SIZE / 4] __attribute__((aligned(PAGE_SIZE)));
static struct space *volatile active;   /* whose user pages fault in on demand */
static unsigned bad;                /* mismatches inside the loop, reported once */

static uint32_t mfn(uint32_t pfn) { return mm_pfn_to_mfn(pfn); }
static volatile uint32_t *user_page(unsigned i) { return (volatile uint32_t *)(USER_VA + i * PAGE_SIZE); }

static void check_true(const char *what, bool ok) { check_rc(what, ok, 1); }

/* A fault on the active space's user range: map a zeroed frame there. */
static bool demand_zero(struct trap_frame *f)
{
    uint32_t va = exinfo.cr2 & ~(PAGE_SIZE - 1), pfn;
    (void)f;
    if (!active || va < USER_VA || va >= USER_VA + 0x200000u || active->nr_demand == MAX_DEMAND)
        return false;
    if ((pfn = mm_frame_alloc_zeroed()) == MFN_NONE)
        return false;
    active->demand[active->nr_demand++] = pfn;
    return mm_update(mm_entry_ma(mfn(active->l1), (va >> 12) & 511), mm_pte(mfn(pfn), USER_L1E)) == 0;
}

static bool alloc_space(struct space *s)
{
    uint32_t *all[] = { &s->l3, &s->l2[0], &s->l2[1], &s->l2[2], &s->l2[3], &s->l1 };
    memset(s, 0, sizeof(*s));
    for (unsigned i = 0; i < ARRAY_SIZE(all); i++)
        if ((*all[i] = mm_frame_alloc()) == MFN_NONE)
            return false;
    for (unsigned i = 0; i < DATA_PAGES; i++)
        if ((s->data[i] = mm_frame_alloc()) == MFN_NONE)
            return false;
    return true;
}

static void free_space(struct space *s)
{
    uint32_t tables[] = { s->l3, s->l2[0], s->l2[1], s->l2[2], s->l2[3], s->l1 };
    for (unsigned i = 0; i < ARRAY_SIZE(tables); i++)
        mm_frame_free(tables[i]);
    for (unsigned i = 0; i < DATA_PAGES; i++)
        mm_frame_free(s->data[i]);
    for (unsigned i = 0; i < s->nr_demand; i++)
        mm_frame_free(s->demand[i]);
}

/* Steps 2 and 3: one mmuext_op, then one mmu_update of *nr entries. */
static bool build_space(struct space *s, unsigned *nr)
{
    xen_mmuext_op_t ops[5 + 1 + DATA_PAGES + 1];
    uint32_t tables[] = { s->l2[0], s->l2[1], s->l2[2], s->l2[3], s->l1 };
    unsigned n = 0, done = 0;
    long rc;

    for (unsigned k = 0; k < 4; k++)
        l3_template[k] = mm_pte(mfn(s->l2[k]), PTE_PRESENT);
    for (unsigned i = 0; i < ARRAY_SIZE(tables); i++)
        ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = mfn(tables[i]) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = mfn(s->l3),
                                  .arg2.src_mfn = mm_va_to_mfn((uint32_t)(uintptr_t)l3_template) };
    for (unsigned i = 0; i < DATA_PAGES; i++)
        ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_COPY_PAGE, .arg1.mfn = mfn(s->data[i]),
                                      .arg2.src_mfn = mm_va_to_mfn((uint32_t)(uintptr_t)parent[i]) };
    ops[n++] = (xen_mmuext_op_t){ .cmd = MMUEXT_PIN_L3_TABLE, .arg1.mfn = mfn(s->l3) };
    if ((rc = HYPERVISOR_mmuext_op(ops, n, &done, DOMID_SELF)) || done != n) {
        test_fail("mmuext_op batch: rc %ld, %u of %u done", rc, done, n);
        return false;
    }

    /* The kernel's part of the top GiB: the same L1s as our boot slot-3 L2's. */
    const volatile uint64_t *boot_l3 = (const volatile uint64_t *)pvguest_start_info->pt_base;
    const volatile uint64_t *boot_l2 = (const volatile uint64_t *)mm_mfn_to_va(PTE_MFN(boot_l3[3]));
    *nr = 0;
    for (unsigned i = 0; i < 428; i++)
        if (boot_l2[i] & PTE_PRESENT) {
            mmu_queue(mm_entry_ma(mfn(s->l2[3]), i), boot_l2[i]);
            ++*nr;
        }
    mmu_queue(mm_entry_ma(mfn(s->l2[1]), 0), mm_pte(mfn(s->l1), USER_L2E));
    for (unsigned i = 0; i < DATA_PAGES; i++)
        mmu_queue(mm_entry_ma(mfn(s->l1), i), mm_pte(mfn(s->data[i]), USER_L1E));
    *nr += 1 + DATA_PAGES;
    if ((rc = mmu_flush(&done)) || done != *nr) {
        test_fail("mmu_update batch: rc %ld, %u of %u done", rc, done, *nr);
        return false;
    }
    return true;
}

static uint32_t read_cr3(void)
{
    uint32_t v;
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));   /* emulated: the guest's view */
    return v;
}

PROBE(p_user_read, "", "movl 0x40000000, %%eax", : : "eax")

static void mismatch(bool ok, unsigned iter, const char *what)
{
    if (ok)
        return;
    if (bad++ < 10)
        printf("iteration %u: %s\n", iter, what);
}

/* Step 4 inside the new space: the child's pages, and one demand-zero fault. */
static void use_space(struct space *s, unsigned iter, bool verbose)
{
    for (unsigned i = 0; i < DATA_PAGES; i++) {
        volatile uint32_t *p = user_page(i);
        mismatch(p[0] == parent[i][0] && p[1023] == parent[i][1023], iter,
                 "child page differs from the parent's it was copied from");
        p[0] = 0xc41d0000u | iter;                   /* the child's write... */
    }
    active = s;
    volatile uint32_t *dz = user_page(DEMAND_IDX);
    uint32_t nonzero = 0;
    for (unsigned w = 0; w < PAGE_SIZE / 4; w++)    /* the first read faults */
        nonzero |= dz[w];
    dz[7] = 0xd0d0d0d0u ^ iter;
    active = NULL;
    mismatch(nonzero == 0, iter, "demand-zero page was not zero");
    mismatch(s->nr_demand == 1, iter, "not exactly one demand-zero fault");
    mismatch(dz[7] == (0xd0d0d0d0u ^ iter), iter, "demand-zero page lost a write");
    if (verbose) {
        check_rc("demand-zero faults in the new space", s->nr_demand, 1);
        check_hex("cr3 (emulated mov) names the new L3", read_cr3(), xen_pfn_to_cr3(mfn(s->l3)));
    }
}

/* One life: build, pin, switch, use, switch back, unpin, free.  False: stop. */
static bool one_space(unsigned iter, bool verbose)
{
    struct space s;
    unsigned nr = 0;
    long rc;

    for (unsigned i = 0; i < DATA_PAGES; i++)
        for (unsigned w = 0; w < PAGE_SIZE / 4; w += 1023)
            parent[i][w] = (iter << 16) ^ (i << 8) ^ w ^ 0x5a5a0000u;
    if (!alloc_space(&s)) {
        test_error("iteration %u: the frame pool ran out", iter);
        return false;
    }
    if (!build_space(&s, &nr))
        return false;
    if ((rc = mm_new_baseptr(mfn(s.l3)))) {
        test_fail("iteration %u: new_baseptr to the new L3: %ld", iter, rc);
        return false;
    }
    use_space(&s, iter, verbose);
    rc = mm_new_baseptr(mm_bootstrap_l3());
    if (verbose) {
        printf("one mmu_update built the space: %u entries\n", nr);
        check_true("... the kernel's L2 entries, the user L2 entry and the L1 entries",
                   nr > 1 + DATA_PAGES);
        check_rc("new_baseptr back to the boot L3", rc, 0);
        check_hex("cr3 names the boot L3 again", read_cr3(), xen_pfn_to_cr3(mm_bootstrap_l3()));
        run_probe(1, p_user_read);
        check_rc("the task's pages are not in the boot space: #PF", exinfo.vector, 14);
    }
    mismatch(rc == 0, iter, "new_baseptr back failed");
    mismatch(parent[0][0] == ((iter << 16) ^ 0x5a5a0000u), iter, "the child's write reached the parent");
    rc = mm_unpin(mfn(s.l3));
    mismatch(rc == 0, iter, "unpin of the L3 failed");
    if (verbose)
        check_rc("unpin of the L3", rc, 0);
    free_space(&s);
    return rc == 0;
}

/* memory_op: the numbers, and one frame given back and taken again. */
static void memory_checks(const xen_start_info_t *si)
{
    uint32_t top = 0, pfn = mm_frame_alloc(), old = mfn(pfn), got = 0, more = 0;
    long max_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);

    for (uint32_t p = 0; p < si->nr_pages; p++)
        top = mfn(p) > top ? mfn(p) : top;
    printf("maximum_ram_page 0x%lx, our highest mfn 0x%x\n", max_page, top);
    check_true("maximum_ram_page is above every frame of ours", max_page > (long)top);
    check_rc("current_reservation", mm_reservation(XENMEM_current_reservation), si->nr_pages);
    check_rc("maximum_reservation", mm_reservation(XENMEM_maximum_reservation), si->nr_pages);

    check_rc("decrease_reservation of an unmapped spare frame", mm_decrease(&old, 1), 1);
    check_rc("current_reservation one lower", mm_reservation(XENMEM_current_reservation),
             si->nr_pages - 1);
    check_hex("the M2P forgets the frame given back", M2P[old], MFN_NONE);
    mm_set_p2m(pfn, MFN_NONE);
    check_rc("increase_reservation of one frame", mm_increase(&got, 1), 1);
    check_rc("current_reservation back", mm_reservation(XENMEM_current_reservation), si->nr_pages);
    check_rc("increase_reservation at the maximum gets nothing", mm_increase(&more, 1), 0);
    check_rc("MMU_MACHPHYS_UPDATE of the new frame to our pfn",
             mm_update(((uint64_t)got << 12) | MMU_MACHPHYS_UPDATE, pfn), 0);
    mm_set_p2m(pfn, got);
    check_hex("M2P of the new frame", M2P[got], pfn);
    check_hex("pfn -> mfn -> pfn", mm_mfn_to_pfn(mfn(pfn)), pfn);

    uint32_t va = mm_va_slot(), nonzero = 0;
    check_rc("map the new frame read-only", mm_map(va, mm_pte(got, PTE_PRESENT)), 0);
    for (unsigned w = 0; w < PAGE_SIZE / 4; w++)
        nonzero |= ((volatile uint32_t *)va)[w];
    check_hex("the new frame is zeroed", nonzero, 0);
    check_rc("and unmap it", mm_map(va, 0), 0);
    mm_frame_free(pfn);
}

/*
 * The frames the loop used are the top of the pool (it is a stack).  Give
 * them all back in one decrease_reservation: the hypervisor takes a frame
 * only if no reference to it is left, so all of them going proves that
 * 200 lives left nothing behind.  Then take as many again.
 */
#define GIVE_BACK 16
static void give_back_and_take(const xen_start_info_t *si)
{
    uint32_t pfns[GIVE_BACK], mfns[GIVE_BACK];
    unsigned done = 0;

    for (unsigned i = 0; i < GIVE_BACK; i++) {
        pfns[i] = mm_frame_alloc();
        mfns[i] = mfn(pfns[i]);
        mm_set_p2m(pfns[i], MFN_NONE);
    }
    check_rc("decrease_reservation of the loop's frames, all at once", mm_decrease(mfns, GIVE_BACK),
             GIVE_BACK);
    check_rc("current_reservation", mm_reservation(XENMEM_current_reservation),
             si->nr_pages - GIVE_BACK);
    check_rc("increase_reservation of as many", mm_increase(mfns, GIVE_BACK), GIVE_BACK);
    for (unsigned i = 0; i < GIVE_BACK; i++) {
        mmu_queue(((uint64_t)mfns[i] << 12) | MMU_MACHPHYS_UPDATE, pfns[i]);
        mm_set_p2m(pfns[i], mfns[i]);
    }
    check_rc("one mmu_update of their M2P entries", mmu_flush(&done), 0);
    check_rc("... all done", done, GIVE_BACK);
    for (unsigned i = 0; i < GIVE_BACK; i++)
        mm_frame_free(pfns[i]);
    check_rc("current_reservation at the end", mm_reservation(XENMEM_current_reservation),
             si->nr_pages);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned loops = cmdline_uint("loops", 200), i;

    if (PV_VIRT_BASE < 0x80000000u) {
        test_skip("the task's pages at 0x40000000 would overlap the kernel");
        xtf_exit();
    }
    traps_init();
    trap_set_hook(14, demand_zero);
    printf("aspace: %u address spaces from %u spare frames\n", loops, mm_frames_free());
    memory_checks(si);

    unsigned pool = mm_frames_free();
    long reserved = mm_reservation(XENMEM_current_reservation);
    for (i = 0; i < loops; i++)
        if (!one_space(i, i == 0))
            break;
    check_rc("address spaces built, used and torn down", i, loops);
    check_rc("mismatches inside the loop", bad, 0);
    check_rc("spare frames after the loop", mm_frames_free(), pool);
    check_rc("current_reservation after the loop", mm_reservation(XENMEM_current_reservation),
             reserved);
    give_back_and_take(si);
    test_pass();
    xtf_exit();
}
