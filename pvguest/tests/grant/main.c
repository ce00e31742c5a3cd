/*
 * grant - grant tables between two domains: one grants, the other maps and copies.
 *
 * Roles (cmdline role=, peer= the other's id):
 *  - grantor: sets up its table (one frame, then two) and checks the
 *    questions about it (query_size, versions, another domain's table),
 *    then grants pages to the peer: ref 8 writable (also the mailbox the
 *    two talk through), 9 read-only, 10 writable (copy target), 11 to a
 *    domain that does not exist, 12 the copy target again read-only, 13 a
 *    spare frame writable.  While the peer maps them it checks the flags
 *    the hypervisor set in its entries (GTF_reading, GTF_writing), that the
 *    frame mapped writable elsewhere cannot become a page table, and that
 *    they clear again at the last unmap; then it makes frame 13 a page
 *    table and checks what the peer copied.  keys=1: it waits for "go" on
 *    its console before letting the peer unmap (so the debug keys can be
 *    looked at while the mappings stand).
 *  - mapper: maps (waiting until the grantor is ready), reads and writes,
 *    is refused what Xen refuses, each with Xen's GNTST_* code (bad refs,
 *    other domains' grants, writable maps of read-only grants and of page
 *    tables, bad addresses and handles...), copies through grants and its
 *    own frames, unmaps, and checks the sub-ops this hypervisor leaves out.
 *    max=N: the maximum its own query_size must say (dom.max_grant_frames).
 *  - lender: the granting side for pvguest/tests/grant-hostile (peer= its
 *    id): grants ref 8 writable (the mailbox), 9 read-only, 10 a spare
 *    frame writable, 11 its own grant-table frame writable, 12 the
 *    read-only page again (two grants of one frame), and serves
 *    requests until the attacker has ended: 1, "I hold a writable mapping
 *    of ref 10" (it checks that the frame then cannot be pinned as an
 *    L1, -EBUSY), 2, "I hold none" (it must pin then, and unpins).  With
 *    die=shutdown or die=halt it ends at request 1 instead, its grants
 *    still mapped.  Afterwards: no flag left set, its pages as it wrote
 *    them, the spare frame a page table again if asked.
 * Stages go through the mailbox: word 0 is the mapper's, word 1 the
 * grantor's; words 8-11 hold the grantor's frame numbers.
 */
#include "pvguest/lib/pvguest.h"

#define ALIGNED   __attribute__((aligned(PAGE_SIZE)))
#define REF_RW    8u
#define REF_RO    9u
#define REF_CP    10u
#define REF_OTHER 11u
#define REF_CP_RO 12u
#define REF_PT    13u
#define NOBODY    77u
#define WAITS     2000000ul
#define DONE      0x656e6f64u               /* "done", copied to ref 10 at the very end */
#define HOST      GNTMAP_host_map
#define RO        (GNTMAP_host_map | GNTMAP_readonly)

static uint8_t p_rw[PAGE_SIZE] ALIGNED, p_ro[PAGE_SIZE] ALIGNED, p_cp[PAGE_SIZE] ALIGNED;
static uint8_t p_own[PAGE_SIZE] ALIGNED, p_in[PAGE_SIZE] ALIGNED;
static volatile uint32_t *box;
static unsigned peer;
static uint32_t probe_addr, probe_val;

PROBE(p_read, "", "movl (%[a]), %%eax\n\tmovl %%eax, %[v]", : [a] "c"(probe_addr),
      [v] "m"(probe_val) : "eax")
PROBE(p_write, "", "movl %[v], (%[a])", : [a] "c"(probe_addr), [v] "r"(probe_val) : "memory")

static bool faults(void (*probe)(void), uint32_t va)
{
    probe_addr = va;
    run_probe(1, probe);
    return exinfo.count && exinfo.vector == 14;
}

static uint8_t pat(unsigned who, unsigned i) { return (uint8_t)(who * 37u + i * 7u + 1u); }
/* The two copies into ref 10: the mapper's page at 100 (50 bytes), ref 9's at 200 (64). */
static unsigned copied_wrong(const uint8_t *page)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < 50; i++)
        bad += page[100 + i] != pat(2, i);
    for (unsigned i = 0; i < 64; i++)
        bad += page[200 + i] != pat(1, i);
    return bad;
}

static uint32_t mfn_of(const void *p) { return mm_va_to_mfn((uint32_t)(uintptr_t)p); }
static long op(unsigned cmd, void *arg, unsigned count) { return HYPERVISOR_grant_table_op(cmd, arg, count); }
static uint16_t flags_of(xen_grant_ref_t ref) { return gnttab_entry(ref)->flags; }

static void wait_for(volatile uint32_t *word, uint32_t want, const char *what)
{
    for (unsigned long i = 0; *word < want; i++) {
        if (i == WAITS) {
            test_fail("waited too long for %s", what);
            xtf_exit();
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

/* ---- the grantor ------------------------------------------------------------- */

static void table_questions(unsigned max)
{
    struct xen_gnttab_get_version gv = { .dom = DOMID_SELF };
    struct xen_gnttab_set_version sv = { .version = 2 };
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    check(op(GNTTABOP_get_version, &gv, 1), 0, "get_version");
    check(gv.version, 1, "... the version");
    check(op(GNTTABOP_set_version, &sv, 1), -ENOSYS, "set_version 2 (version 1 only, as max-ver:1)");
    check(sv.version, 1, "... the version in force comes back");
    sv.version = 3;
    check(op(GNTTABOP_set_version, &sv, 1), -EINVAL, "set_version 3");
    sv.version = 1;
    check(op(GNTTABOP_set_version, &sv, 1), 0, "set_version 1");
    check(op(GNTTABOP_query_size, &q, 1), 0, "query_size");
    check(q.status, GNTST_okay, "... status");
    check(q.nr_frames, 1, "... frames");
    check(q.max_nr_frames, max, "... maximum");
    gv.dom = (xen_domid_t)peer;
    check(op(GNTTABOP_get_version, &gv, 1), -EPERM, "get_version of the peer's table");
    gv.dom = NOBODY;
    check(op(GNTTABOP_get_version, &gv, 1), -ESRCH, "get_version of no domain");
}

static void setup_questions(uint32_t *frames, unsigned max)
{
    uint32_t more[2];
    struct xen_gnttab_setup_table s = { .dom = (xen_domid_t)peer, .nr_frames = 1 };
    set_xen_guest_handle(s.frame_list, more);
    check(op(GNTTABOP_setup_table, &s, 1), 0, "setup_table of the peer's table");
    check(s.status, GNTST_permission_denied, "... status");
    s.dom = NOBODY;
    check(op(GNTTABOP_setup_table, &s, 1), 0, "setup_table of no domain");
    check(s.status, GNTST_bad_domain, "... status");
    s.dom = DOMID_SELF;
    s.nr_frames = max + 1;
    check(op(GNTTABOP_setup_table, &s, 1), 0, "setup_table past the maximum");
    check(s.status, GNTST_general_error, "... status");
    check(op(GNTTABOP_setup_table, &s, 2), -EINVAL, "setup_table with count 2");
    s.nr_frames = 1;
    set_xen_guest_handle(s.frame_list, (void *)0xF5800000u);
    check(op(GNTTABOP_setup_table, &s, 1), -EFAULT, "setup_table into the hypervisor hole");
    check(gnttab_setup(2, more), 0, "setup_table: grow to two frames");
    check_hex("... frame 0 stays where it was", more[0], frames[0]);
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    check(op(GNTTABOP_query_size, &q, 1) ?: (long)q.nr_frames, 2, "query_size: frames now");
}

static void wait_for_go(void)
{
    char buf[16];
    unsigned have = 0;
    printf("grantor: waiting for go on the console\n");
    for (unsigned long i = 0; have < 2 || memcmp(buf, "go", 2); i++) {
        long n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf) - have, buf + have);
        if (n > 0)
            have += (unsigned)n;
        if (have >= sizeof(buf) || i == WAITS * 10)
            break;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    check(have >= 2 && !memcmp(buf, "go", 2), 1, "grantor: go read from the console");
}

static void grantor(void)
{
    uint32_t frames[2];
    unsigned max = (unsigned)cmdline_uint("max", 64);
    check(gnttab_setup(1, frames), 0, "setup_table: one frame");
    table_questions(max);
    check_hex("entry 0 (console), no services", gnttab_entry(0)->flags | gnttab_entry(0)->frame, 0);
    check_hex("entry 1 (xenstore), no services", gnttab_entry(1)->flags | gnttab_entry(1)->frame, 0);
    setup_questions(frames, max);

    box = (volatile uint32_t *)p_rw;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        p_ro[i] = pat(1, i);
    uint32_t pt_pfn = mm_frame_alloc_zeroed(), pt = mm_pfn_to_mfn(pt_pfn);
    box[8] = mfn_of(p_rw), box[9] = mfn_of(p_ro), box[10] = mfn_of(p_cp), box[11] = pt;
    gnttab_grant(REF_RO, peer, mfn_of(p_ro), true);
    gnttab_grant(REF_CP, peer, mfn_of(p_cp), false);
    gnttab_grant(REF_OTHER, NOBODY, mfn_of(p_cp), false);
    gnttab_grant(REF_CP_RO, peer, mfn_of(p_cp), true);
    gnttab_grant(REF_PT, peer, pt, false);
    gnttab_grant(REF_RW, peer, mfn_of(p_rw), false);
    printf("grantor: granted refs 8-13 to d%u\n", peer);

    wait_for(&box[0], 1, "the peer's mappings");
    check_hex("entry 8 while mapped writable", flags_of(REF_RW),
              GTF_permit_access | GTF_reading | GTF_writing);
    check_hex("entry 9 while mapped read-only", flags_of(REF_RO),
              GTF_permit_access | GTF_readonly | GTF_reading);
    check_hex("entry 13 while mapped writable", flags_of(REF_PT),
              GTF_permit_access | GTF_reading | GTF_writing);
    check_hex("entry 10, never mapped", flags_of(REF_CP), GTF_permit_access);
    check_hex("revoke entry 9 while mapped: refused, it is being read", gnttab_revoke(REF_RO),
              GTF_permit_access | GTF_readonly | GTF_reading);
    check_hex("the peer's write through its mapping", box[16], 0xfeedf00du);
    check(mm_pin(1, pt), -EINVAL, "pin frame 13 as an L1 while the peer maps it writable");
    if (cmdline_uint("keys", 0))
        wait_for_go();
    box[1] = 2;

    wait_for(&box[0], 3, "the peer's unmaps");
    check_hex("entry 9 after its unmap", flags_of(REF_RO), GTF_permit_access | GTF_readonly);
    check_hex("entry 13 after its unmap", flags_of(REF_PT), GTF_permit_access);
    check_hex("entry 8, still mapped", flags_of(REF_RW), GTF_permit_access | GTF_reading | GTF_writing);
    check(mm_pin(1, pt), 0, "pin frame 13 as an L1 once unmapped");
    box[1] = 4;

    wait_for(&box[0], 5, "the peer's copies");
    check(copied_wrong(p_cp), 0, "bytes the peer copied into ref 10 that are wrong");
    check_hex("entry 10 after the copies", flags_of(REF_CP), GTF_permit_access);
    check_hex("entry 12 after a refused copy", flags_of(REF_CP_RO), GTF_permit_access | GTF_readonly);
    check(mm_unpin(pt), 0, "unpin frame 13");
    box[1] = 6;

    wait_for((volatile uint32_t *)(p_cp + 4092), DONE, "the peer's last copy");
    check_hex("entry 8 after the last unmap", flags_of(REF_RW), GTF_permit_access);
    unsigned busy = 0;
    for (xen_grant_ref_t r = REF_RW; r <= REF_PT; r++)
        busy += gnttab_revoke(r) != 0;
    check(busy, 0, "grants still in use when revoked");
    mm_frame_free(pt_pfn);
}

/* ---- the lender ------------------------------------------------------------- */

/* EVTCHNOP_status of another domain: -EPERM while it lives, -ESRCH once it has ended. */
static bool lives(unsigned dom)
{
    struct xen_evtchn_status st = { .dom = (xen_domid_t)dom, .port = 0 };
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == -EPERM;
}

static void die_now(const char *how)
{
    printf("lender: ending (%s) with our grants mapped\n", how);
    console_flush();
    if (!strcmp(how, "halt"))
        __asm__ volatile("hlt");         /* a privileged instruction: the hypervisor halts us */
    shutdown(SHUTDOWN_poweroff);
}

static void lender(void)
{
    uint32_t frames[1], pt_pfn = mm_frame_alloc_zeroed(), pt = mm_pfn_to_mfn(pt_pfn);
    char die[16] = "";
    cmdline_get("die", die, sizeof(die));
    check(gnttab_setup(1, frames), 0, "lender: setup_table");
    box = (volatile uint32_t *)p_rw;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        p_ro[i] = pat(1, i);
    box[8] = mfn_of(p_rw), box[9] = mfn_of(p_ro), box[10] = pt, box[11] = frames[0];
    gnttab_grant(REF_RO, peer, mfn_of(p_ro), true);
    gnttab_grant(REF_CP, peer, pt, false);
    gnttab_grant(REF_OTHER, peer, frames[0], false);
    gnttab_grant(REF_CP_RO, peer, mfn_of(p_ro), true);  /* the read-only page once more */
    gnttab_grant(REF_RW, peer, mfn_of(p_rw), false);
    printf("lender: granted refs 8-12 to d%u\n", peer);
    for (unsigned long i = 0; lives(peer) || i == 0; i++) {
        if (box[0] == 1 && box[1] < 1) {
            if (die[0])
                die_now(die);
            check(mm_pin(1, pt), -EINVAL, "lender: pin ref 10's frame while mapped writable");
            box[1] = 1;
        }
        if (box[0] == 2 && box[1] < 2) {
            check(mm_pin(1, pt), 0, "lender: pin ref 10's frame with no writable mapping");
            check(mm_unpin(pt), 0, "lender: ... unpin it");
            box[1] = 2;
        }
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    printf("lender: d%u has ended\n", peer);
    for (xen_grant_ref_t r = REF_RW; r <= REF_CP_RO; r++)
        check_hex("lender: flags left in its entry", flags_of(r) & (GTF_reading | GTF_writing), 0);
    unsigned bad = 0;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        bad += p_ro[i] != pat(1, i);
    check(bad, 0, "lender: bytes of the read-only page changed");
    check(mm_pin(1, pt), 0, "lender: ref 10's frame can be a page table again");
    check(mm_unpin(pt), 0, "lender: ... unpinned");
    mm_frame_free(pt_pfn);
}

/* ---- the mapper --------------------------------------------------------------- */

static void bad_maps(uint32_t va)
{
    xen_grant_handle_t h;
    check(gnttab_map(peer, REF_OTHER, va, HOST, &h, NULL), GNTST_general_error, "map a grant for another domain");
    check(gnttab_map(peer, 5000, va, HOST, &h, NULL), GNTST_bad_gntref, "map ref 5000 (past the table)");
    check(gnttab_map(peer, 0, va, RO, &h, NULL), GNTST_general_error, "map the empty entry 0");
    check(gnttab_map(peer, REF_RO, va, HOST, &h, NULL), GNTST_general_error, "map a read-only grant writable");
    check(gnttab_map(NOBODY, REF_RW, va, HOST, &h, NULL), GNTST_bad_domain, "map from no domain");
    check(gnttab_map(DOMID_SELF, REF_RW, va, HOST, &h, NULL), GNTST_bad_domain, "map from DOMID_SELF");
    check(gnttab_map(peer, REF_RW, va, 0, &h, NULL), GNTST_bad_gntref, "map with no GNTMAP_host_map");
    check(gnttab_map(peer, REF_RW, va, GNTMAP_device_map, &h, NULL), GNTST_general_error,
          "map with GNTMAP_device_map (not offered)");
    check(gnttab_map(peer, REF_RW, 0xF5800000u, HOST, &h, NULL), GNTST_general_error,
          "map at the hypervisor hole");
    check(gnttab_map(peer, REF_RW, 0x40000000u, HOST, &h, NULL), GNTST_general_error,
          "map where there is no L1");
    struct xen_gnttab_map_grant_ref two[2] = {
        { .host_addr = va, .flags = HOST, .ref = 5000, .dom = (xen_domid_t)peer },
        { .host_addr = va, .flags = RO, .ref = REF_RO, .dom = (xen_domid_t)peer },
    };
    check(op(GNTTABOP_map_grant_ref, two, 2), 0, "a batch of two maps");
    check(two[0].status, GNTST_bad_gntref, "... the first, a bad ref");
    check(two[1].status, GNTST_okay, "... the second");
    check(gnttab_unmap(va, two[1].handle, 0), GNTST_okay, "... unmapped");
}

static void bad_unmaps(uint32_t va_rw, uint32_t va_ro, xen_grant_handle_t h8, uint64_t bus8)
{
    check(gnttab_unmap(va_ro, 99999, 0), GNTST_bad_handle, "unmap handle 99999");
    check(gnttab_unmap(va_ro, h8, 0), GNTST_general_error, "unmap ref 8's handle at another address");
    check(gnttab_unmap(va_rw, h8, bus8 + PAGE_SIZE), GNTST_general_error, "unmap with the wrong bus address");
    check(gnttab_unmap(0, h8, 0), GNTST_okay, "unmap with host_addr 0 (Xen: nothing done)");
    check(box[8] != 0, 1, "... ref 8 still mapped: the mailbox reads");
}

static void copies(void)
{
    struct xen_gnttab_copy c = { .source = { .u.gmfn = mfn_of(p_own), .domid = DOMID_SELF },
                                 .dest = { .u.ref = REF_CP, .domid = (xen_domid_t)peer, .offset = 100 },
                                 .len = 50, .flags = GNTCOPY_dest_gref };
    check(gnttab_copy(&c), GNTST_okay, "copy our frame into ref 10 at 100");
    c.source = (struct xen_gnttab_copy_ptr){ .u.ref = REF_RO, .domid = (xen_domid_t)peer };
    c.dest.offset = 200, c.len = 64, c.flags = GNTCOPY_source_gref | GNTCOPY_dest_gref;
    check(gnttab_copy(&c), GNTST_okay, "copy read-only ref 9 into ref 10 at 200");
    c = (struct xen_gnttab_copy){ .source = { .u.ref = REF_CP, .domid = (xen_domid_t)peer },
                                  .dest = { .u.gmfn = mfn_of(p_in), .domid = DOMID_SELF },
                                  .len = 300, .flags = GNTCOPY_source_gref };
    check(gnttab_copy(&c), GNTST_okay, "copy ref 10 into our frame");
    check(copied_wrong(p_in), 0, "... bytes read back wrong");
    c.dest.offset = 4000, c.len = 200;
    check(gnttab_copy(&c), GNTST_bad_copy_arg, "copy past the end of the destination page");
    c.dest.offset = 0, c.source.offset = 4095, c.len = 2;
    check(gnttab_copy(&c), GNTST_bad_copy_arg, "copy past the end of the source page");
    c.source.offset = 0, c.len = 8;
    c.source.u.ref = 5000;
    check(gnttab_copy(&c), GNTST_bad_gntref, "copy from ref 5000");
    c.source.u.ref = REF_OTHER;
    check(gnttab_copy(&c), GNTST_general_error, "copy from a grant for another domain");
    c.source.domid = NOBODY;
    check(gnttab_copy(&c), GNTST_bad_domain, "copy from a grant of no domain");
    c.source = (struct xen_gnttab_copy_ptr){ .u.gmfn = box[9], .domid = DOMID_SELF };
    c.flags = 0;
    check(gnttab_copy(&c), GNTST_bad_page, "copy from the peer's frame named as ours");
    c.source.domid = (xen_domid_t)peer;
    check(gnttab_copy(&c), GNTST_permission_denied, "copy from the peer's frame by number");
    c = (struct xen_gnttab_copy){ .source = { .u.gmfn = mfn_of(p_own), .domid = DOMID_SELF },
                                  .dest = { .u.ref = REF_CP_RO, .domid = (xen_domid_t)peer },
                                  .len = 8, .flags = GNTCOPY_dest_gref };
    check(gnttab_copy(&c), GNTST_general_error, "copy into a read-only grant");
    c.dest.u.ref = REF_PT;
    check(gnttab_copy(&c), GNTST_general_error, "copy into a granted page table");
}

static void replace(uint32_t va_x, uint32_t va_y)
{
    xen_grant_handle_t h;
    check(gnttab_map(peer, REF_RO, va_x, RO, &h, NULL), GNTST_okay, "map ref 9 again");
    check(mm_map(va_y, mm_pte(mfn_of(p_own), PTE_PRESENT | PTE_RW | PTE_ACCESSED)), 0, "map our page beside it");
    struct xen_gnttab_unmap_and_replace r = { .host_addr = va_x, .new_addr = va_y, .handle = h };
    check(op(GNTTABOP_unmap_and_replace, &r, 1), 0, "unmap_and_replace");
    check(r.status, GNTST_okay, "... status");
    check(*(volatile uint8_t *)(va_x + 5), pat(2, 5), "... the old address now shows our page");
    check(faults(p_read, va_y), 1, "... the new address is empty: #PF");
    check(gnttab_unmap(va_x, h, 0), GNTST_bad_handle, "... the handle is gone");
    check(mm_map(va_x, 0), 0, "... our page unmapped there");
}

static void other_ops(uint32_t va)
{
    static const unsigned absent[] = { GNTTABOP_dump_table, GNTTABOP_transfer, GNTTABOP_get_status_frames,
                                       GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush, 13 };
    uint32_t scratch[8] = { 0 };
    for (unsigned i = 0; i < ARRAY_SIZE(absent); i++)
        check(op(absent[i], scratch, 1), -ENOSYS, "sub-op %u (not offered)", absent[i]);
    check(op(GNTTABOP_query_size | 1u << 12, scratch, 1), -EINVAL, "a continuation argument on query_size");
    check(op(GNTTABOP_copy, scratch, 0x80000000u), -EINVAL, "copy with a negative count");
    check(op(GNTTABOP_map_grant_ref, (void *)0xF5800000u, 1), -EFAULT, "map records in the hypervisor hole");
    check(op(GNTTABOP_unmap_grant_ref, scratch, 4097), -EINVAL, "4097 unmaps in one call");
    check(op(GNTTABOP_unmap_grant_ref, scratch, 0), 0, "no unmaps");
    (void)va;
}

static void mapper(void)
{
    uint32_t va_rw = mm_va_slot(), va_ro = mm_va_slot(), va_pt = mm_va_slot();
    uint32_t va_x = mm_va_slot(), va_y = mm_va_slot(), frames[1];
    xen_grant_handle_t h8, h9, h13;
    uint64_t bus8, bus;
    int16_t st;
    traps_init();
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        p_own[i] = pat(2, i);
    check(gnttab_setup(1, frames), 0, "setup_table: our own");
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    check(op(GNTTABOP_query_size, &q, 1) ?: (long)q.max_nr_frames, (long)cmdline_uint("max", 64),
          "query_size: our maximum (dom.max_grant_frames)");

    for (unsigned long i = 0; (st = gnttab_map(peer, REF_RW, va_rw, HOST, &h8, &bus8)) == GNTST_general_error &&
                              i < WAITS; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);     /* until the grantor has granted */
    check(st, GNTST_okay, "map ref 8 writable");
    box = (volatile uint32_t *)va_rw;
    check_hex("... dev_bus_addr is the granted frame", (uint32_t)(bus8 >> 12), box[8]);
    box[16] = 0xfeedf00du;
    check(gnttab_map(peer, REF_RO, va_ro, RO, &h9, &bus), GNTST_okay, "map ref 9 read-only");
    check(*(volatile uint8_t *)(va_ro + 77), pat(1, 77), "... reads the grantor's page");
    check(faults(p_write, va_ro), 1, "... a write to it: #PF");
    check(gnttab_map(peer, REF_PT, va_pt, HOST, &h13, NULL), GNTST_okay, "map ref 13 writable");
    bad_maps(va_x);
    box[0] = 1;

    wait_for(&box[1], 2, "the grantor's checks");
    check(gnttab_unmap(va_ro, h9, 0), GNTST_okay, "unmap ref 9");
    check(gnttab_unmap(va_ro, h9, 0), GNTST_bad_handle, "unmap ref 9 again");
    check(faults(p_read, va_ro), 1, "... its address is empty: #PF");
    check(gnttab_unmap(va_pt, h13, 0), GNTST_okay, "unmap ref 13");
    bad_unmaps(va_rw, va_ro, h8, bus8);
    box[0] = 3;

    wait_for(&box[1], 4, "frame 13 to become a page table");
    check(gnttab_map(peer, REF_PT, va_pt, HOST, &h13, NULL), GNTST_general_error, "map a granted page table writable");
    check(gnttab_map(peer, REF_PT, va_pt, RO, &h13, NULL), GNTST_okay, "map it read-only");
    check(*(volatile uint32_t *)(va_pt + 8), 0, "... reads the empty table");
    check(gnttab_unmap(va_pt, h13, 0), GNTST_okay, "... unmapped");
    copies();
    replace(va_x, va_y);
    other_ops(va_x);
    box[0] = 5;

    wait_for(&box[1], 6, "the grantor's copy checks");
    check(gnttab_unmap(va_rw, h8, bus8), GNTST_okay, "unmap ref 8 (with its bus address)");
    static const uint32_t done = DONE;
    struct xen_gnttab_copy c = { .source = { .u.gmfn = mfn_of(&done), .domid = DOMID_SELF,
                                             .offset = (uint16_t)((uint32_t)(uintptr_t)&done & (PAGE_SIZE - 1)) },
                                 .dest = { .u.ref = REF_CP, .domid = (xen_domid_t)peer, .offset = 4092 },
                                 .len = 4, .flags = GNTCOPY_dest_gref };
    check(gnttab_copy(&c), GNTST_okay, "copy the last word into ref 10");
}

void pvguest_main(const xen_start_info_t *si)
{
    char role[16] = "";
    (void)si;
    cmdline_get("role", role, sizeof(role));
    peer = (unsigned)cmdline_uint("peer", 1);
    if (!strcmp(role, "grantor"))
        grantor();
    else if (!strcmp(role, "mapper"))
        mapper();
    else if (!strcmp(role, "lender"))
        lender();
    else
        test_error("role=grantor, mapper or lender, not '%s'", role);
    printf("grant: %s done\n", role);
    test_pass();
    xtf_exit();
}
