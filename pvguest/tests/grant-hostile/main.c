/*
 * grant-hostile - a mapping domain that attacks the grant rules, one case per run.
 *
 * It is booted after a `victim` (whose memory must not change) and a
 * `grant role=lender` (peer= its id, cmdline lender=), whose grants it
 * maps: ref 8 writable (the mailbox), 9 read-only, 10 a spare frame
 * writable, 11 the lender's own grant-table frame writable, 12 ref 9's
 * frame again, read-only.  Each case
 * (case=N) is one class of Xen's grant-table advisories; every step
 * expects Xen's status, and the lender checks its side (pins, flags):
 *   1 XSA-224 class: reference counts on unmap - a handle unmapped twice,
 *     handles out of range, a PTE removed behind the grant's back and a
 *     foreign frame written back by mmu_update, unmap_and_replace with no
 *     replacement, a wrong bus address;
 *   2 XSA-234 class: unmap checks that the PTE is present and exactly as
 *     writable as the mapping - a read-only handle unmapping a writable
 *     PTE of the same frame, and the other way round, a non-present PTE,
 *     a grant PTE made writable by mmu_update;
 *   3 XSA-255 class: the grant table's own frames - never a page table,
 *     never given back, intact across a refused version change, and a
 *     frame of ours mapped through our own grant as we die;
 *   4 the grantor dies (lender die=...) while we map its pages: they stay
 *     readable and writable, untouched, and are never handed out again
 *     until we unmap; its grants are gone for new maps and copies;
 *   5 as 4, but we end with the mappings still in place.
 */
#include "pvguest/lib/pvguest.h"

#define REF_RW  8u
#define REF_RO  9u
#define REF_PT  10u
#define REF_GT  11u
#define REF_RO2 12u                  /* ref 9's frame, granted a second time */
#define HOST    GNTMAP_host_map
#define RO      (GNTMAP_host_map | GNTMAP_readonly)
#define WAITS   2000000ul
#define RWPTE   (PTE_PRESENT | PTE_RW | PTE_ACCESSED)

static unsigned lender;
static volatile uint32_t *box;
static uint32_t va[6];
static uint32_t probe_addr, probe_val;
static uint32_t extents[2048];

PROBE(p_read, "", "movl (%[a]), %%eax\n\tmovl %%eax, %[v]", : [a] "c"(probe_addr),
      [v] "m"(probe_val) : "eax")

static bool faults(uint32_t addr)
{
    probe_addr = addr;
    run_probe(1, p_read);
    return exinfo.count && exinfo.vector == 14;
}

static uint8_t pat(unsigned who, unsigned i) { return (uint8_t)(who * 37u + i * 7u + 1u); }   /* as grant */
static long gop(unsigned cmd, void *arg, unsigned count) { return HYPERVISOR_grant_table_op(cmd, arg, count); }

static bool lives(unsigned dom)
{
    struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = 0 };
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == -EPERM;
}

/* Ask the lender for check `stage` (1: the frame is pinned writable by us; 2: it is not). */
static void ask(uint32_t stage)
{
    box[0] = stage;
    for (unsigned long i = 0; box[1] < stage; i++) {
        if (i == WAITS) {
            test_fail("the lender did not answer request %u", stage);
            xtf_exit();
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* Map the mailbox (ref 8) at va[0], waiting until the lender has granted it. */
static xen_grant_handle_t map_mailbox(void)
{
    xen_grant_handle_t h = 0;
    int16_t st;
    for (unsigned long i = 0; (st = gnttab_map(lender, REF_RW, va[0], HOST, &h, NULL)) == GNTST_general_error &&
                              i < WAITS; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(st, GNTST_okay, "map the lender's mailbox (ref 8)");
    box = (volatile uint32_t *)va[0];
    return h;
}

/* ---- 1: XSA-224 class ---------------------------------------------------------------- */

static void case_refcounts(void)
{
    xen_grant_handle_t h, h2;
    uint64_t bus;
    check(gnttab_map(lender, REF_PT, va[1], HOST, &h, &bus), GNTST_okay, "map ref 10 writable");
    check(gnttab_unmap(va[1], h, 0), GNTST_okay, "unmap it");
    check(gnttab_unmap(va[1], h, 0), GNTST_bad_handle, "unmap the same handle again");
    check(gnttab_unmap(va[1], 0xffffffffu, 0), GNTST_bad_handle, "unmap handle 0xffffffff");
    check(gnttab_unmap(va[1], 4096, 0), GNTST_bad_handle, "unmap handle 4096 (past the records)");

    check(gnttab_map(lender, REF_PT, va[1], HOST, &h, &bus), GNTST_okay, "map ref 10 writable again");
    check(gnttab_unmap(va[1], h, bus ^ 0x1000), GNTST_general_error, "unmap with the wrong bus address");
    check(mm_map(va[1], 0), 0, "clear its PTE with update_va_mapping (behind the grant's back)");
    check(mm_map(va[1], mm_pte((uint32_t)(bus >> 12), RWPTE)), -EBUSY,
          "... put the frame back with update_va_mapping");
    check(mm_update(mm_l1e_ma(va[1]), mm_pte((uint32_t)(bus >> 12), RWPTE)), -EBUSY,
          "... put the frame back with mmu_update");
    check(faults(va[1]), 1, "... the address stays empty: #PF");
    check(gnttab_unmap(va[1], h, 0), GNTST_general_error, "unmap the handle whose PTE is gone");
    ask(1);                       /* our record still holds the writable reference */

    check(gnttab_map(lender, REF_RO, va[2], RO, &h2, NULL), GNTST_okay, "map ref 9 read-only");
    struct xen_gnttab_unmap_and_replace r = { .host_addr = va[2], .new_addr = 0, .handle = h2 };
    check(gop(GNTTABOP_unmap_and_replace, &r, 1), 0, "unmap_and_replace with no replacement");
    check(r.status, GNTST_okay, "... status");
    check(faults(va[2]), 1, "... the address is empty: #PF");
    check(gnttab_unmap(va[2], h2, 0), GNTST_bad_handle, "... the handle is gone");
    /* The record of the first mapping stays until we die: the lender checks after us. */
}

/* ---- 2: XSA-234 class ---------------------------------------------------------------- */

static void case_unmap_checks(void)
{
    xen_grant_handle_t hr, hw, h;
    uint64_t bus;
    check(gnttab_map(lender, REF_PT, va[1], RO, &hr, &bus), GNTST_okay, "map ref 10 read-only at A");
    check(gnttab_map(lender, REF_PT, va[2], HOST, &hw, NULL), GNTST_okay, "map ref 10 writable at B");
    check(gnttab_unmap(va[2], hr, 0), GNTST_general_error, "unmap the read-only handle at B (writable)");
    check(gnttab_unmap(va[1], hw, 0), GNTST_general_error, "unmap the writable handle at A (read-only)");
    ask(1);
    check(mm_map(va[1], mm_pte((uint32_t)(bus >> 12), RWPTE)), -EBUSY, "make A writable with update_va_mapping");
    check(mm_update(mm_l1e_ma(va[1]), mm_pte((uint32_t)(bus >> 12), RWPTE)), -EBUSY,
          "make A writable with mmu_update");
    check(gnttab_unmap(va[1], hr, 0), GNTST_okay, "unmap the read-only handle at A");
    check(gnttab_unmap(va[2], hw, 0), GNTST_okay, "unmap the writable handle at B");
    check(gnttab_map(lender, REF_PT, va[1], HOST, &h, NULL), GNTST_okay, "map ref 10 writable at A");
    check(gnttab_unmap(va[3], h, 0), GNTST_general_error, "unmap it at C, where nothing is mapped");
    check(gnttab_unmap(va[1], h, 0), GNTST_okay, "unmap it at A");
    ask(2);                       /* no writable reference may be left behind */
}

/* ---- 3: XSA-255 class ---------------------------------------------------------------- */

static void case_table_frames(void)
{
    uint32_t frames[2];
    xen_grant_handle_t h;
    check(gnttab_setup(2, frames), 0, "setup_table: two frames, mapped writable");
    gnttab_grant(20, 0x1234, 0x5678, true);
    check(mm_pin(1, frames[1]), -EINVAL, "pin our table's frame 1 as an L1");
    check(mm_pin(1, frames[0]), -EINVAL, "pin our table's frame 0 as an L1");
    extents[0] = frames[1];
    check(mm_decrease(extents, 1), 0, "give our table's frame 1 back (decrease_reservation)");
    struct xen_gnttab_set_version sv = { .version = 2 };
    check(gop(GNTTABOP_set_version, &sv, 1), -ENOSYS, "set_version 2");
    check_hex("... our entry 20 is intact", gnttab_entry(20)->frame, 0x5678);
    struct xen_gnttab_get_status_frames gs = { .nr_frames = 1, .dom = DOMID_SELF };
    check(gop(GNTTABOP_get_status_frames, &gs, 1), -ENOSYS, "get_status_frames");
    unsigned self = 0;
    while (self < 128 && lives(self))
        self++;                                          /* EVTCHNOP_status of ourselves is an answer */
    gnttab_grant(21, self, frames[1], false);
    check(gnttab_map(self, 21, va[1], HOST, &h, NULL), GNTST_okay, "map our table's frame 1 through our own grant");
    check(mm_pin(1, frames[1]), -EINVAL, "... pin it as an L1 now");
    /* We end with it mapped: our death must still give every frame back. */
}

/* ---- 4, 5: the grantor dies ----------------------------------------------------------- */

static void case_grantor_dies(bool unmap)
{
    xen_grant_handle_t h[4];
    uint64_t bus[4];
    check(gnttab_map(lender, REF_RO, va[1], RO, &h[1], &bus[1]), GNTST_okay, "map ref 9 read-only");
    check(gnttab_map(lender, REF_RO2, va[4], RO, &h[3], &bus[3]), GNTST_okay,
          "map ref 12, the same frame, read-only");
    check(gnttab_map(lender, REF_GT, va[2], HOST, &h[2], &bus[2]), GNTST_okay, "map ref 11 (its table frame)");
    bus[0] = (uint64_t)box[8] << 12;
    box[0] = 1;                                          /* the lender dies at this */
    for (unsigned long i = 0; lives(lender); i++)
        if (i < WAITS)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    printf("grant-hostile: the lender has ended\n");
    unsigned bad = 0;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        bad += ((volatile uint8_t *)va[1])[i] != pat(1, i);
    check(bad, 0, "bytes of its read-only page changed after its death");
    check(*(volatile uint8_t *)(va[4] + 9), pat(1, 9), "... the same page through ref 12");
    box[100] = 0xabcd1234u;
    check_hex("its mailbox, still ours to write", box[100], 0xabcd1234u);
    volatile xen_grant_entry_v1_t *e = (volatile xen_grant_entry_v1_t *)va[2];
    check_hex("its table frame: entry 8 still says mapped", e[REF_RW].flags,
              GTF_permit_access | GTF_reading | GTF_writing);
    unsigned n = mm_frames_free() < ARRAY_SIZE(extents) ? mm_frames_free() : ARRAY_SIZE(extents), reused = 0;
    for (unsigned i = 0; i < n; i++)
        extents[i] = mm_pfn_to_mfn(mm_frame_alloc());
    check(mm_decrease(extents, n), n, "give %u frames back", n);
    check(mm_increase(extents, n), n, "take %u new frames", n);
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < 4; k++)
            reused += extents[i] == (uint32_t)(bus[k] >> 12);
    check(reused, 0, "new frames that are the dead lender's mapped ones");
    for (unsigned i = reused = 0; i < n; i++)
        reused += extents[i] - (box[9] - 4096) < 8192;   /* near its image: its freed memory */
    check(reused > 0, 1, "new frames from the dead lender's freed memory (it is reused)");
    xen_grant_handle_t x;
    check(gnttab_map(lender, REF_RO, va[3], RO, &x, NULL), GNTST_bad_domain, "map from the dead lender");
    struct xen_gnttab_copy c = { .source = { .u.ref = REF_RO, .domid = (xen_domid_t)lender },
                                 .dest = { .u.gmfn = extents[0], .domid = DOMID_SELF },
                                 .len = 8, .flags = GNTCOPY_source_gref };
    check(gnttab_copy(&c), GNTST_bad_domain, "copy from the dead lender's grant");
    if (!unmap)
        return;                                          /* case 5: our death cleans up */
    check(gnttab_unmap(va[1], h[1], 0), GNTST_okay, "unmap ref 9");
    check(gnttab_unmap(va[2], h[2], 0), GNTST_okay, "unmap ref 11");
    check(*(volatile uint8_t *)(va[4] + 9), pat(1, 9), "... ref 9's page still mapped through ref 12");
    check(gnttab_unmap(va[4], h[3], 0), GNTST_okay, "unmap ref 12");
    check(faults(va[1]), 1, "... its page is gone from us: #PF");
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned c = (unsigned)cmdline_uint("case", 0);
    (void)si;
    lender = (unsigned)cmdline_uint("lender", 1);
    traps_init();
    for (unsigned i = 0; i < ARRAY_SIZE(va); i++)
        va[i] = mm_va_slot();
    xen_grant_handle_t mailbox = c == 3 ? 0 : map_mailbox();
    printf("case %u starts at %llu us\n", c, time_now_ns() / 1000);   /* for the victim's gaps */
    printf("case %u:\n", c);
    switch (c) {
    case 1: case_refcounts(); break;
    case 2: case_unmap_checks(); break;
    case 3: case_table_frames(); break;
    case 4: case_grantor_dies(true); break;
    case 5: case_grantor_dies(false); break;
    default: test_error("case=1..5, not %u", c); xtf_exit();
    }
    if (c <= 2)
        check(gnttab_unmap(va[0], mailbox, 0), GNTST_okay, "unmap the mailbox");
    else if (c == 4)
        check(gnttab_unmap(va[0], mailbox, 0), GNTST_okay, "unmap the dead lender's mailbox");
    printf("grant-hostile: still alive after case %u\n", c);
    test_pass();
    xtf_exit();
}
