/*
 * grants.c - the hostile guest's grant-table cases (main.c has the list).
 *
 * Grants here are our own, granted to ourselves (a domain may map its own
 * grant by its domid, never by DOMID_SELF), so they run in the same boot
 * as every other case; grant-hostile has the cases that need a second
 * domain's grants.  Each status is Xen's (xen/common/grant_table.c), and
 * after each refusal the entry's flags show that nothing stayed pinned.
 */
#include "pvguest/tests/hostile/hostile.h"

#define HOLE   0xFC100000u
#define HOST   GNTMAP_host_map
#define RO     (GNTMAP_host_map | GNTMAP_readonly)
#define RWPTE  (PTE_PRESENT | PTE_RW | PTE_ACCESSED)
#define REF    40u                          /* our refs for these cases: 40.. */

static uint32_t frames[1];
static unsigned self;
static bool set_up;

static long gop(unsigned cmd, void *arg, unsigned count) { return HYPERVISOR_grant_table_op(cmd, arg, count); }

/* Our table (one frame), set up once; our domid. */
static void table(void)
{
    if (set_up)
        return;
    if (gnttab_setup(1, frames))
        test_error("setup_table of one frame failed");
    self = own_domid();
    set_up = true;
}

static unsigned entries(void)
{
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    gop(GNTTABOP_query_size, &q, 1);
    return q.nr_frames * (PAGE_SIZE / sizeof(xen_grant_entry_v1_t));
}

static uint16_t flags_of(unsigned ref) { return gnttab_entry(ref)->flags; }

void case_gnt_refs(void)
{
    uint32_t f = zmfn(), va = scratch(0, 0, 0);
    xen_grant_handle_t h;

    table();
    check(gnttab_map(self, entries(), va, HOST, &h, NULL), GNTST_bad_gntref, "map ref %u (past our table)", entries());
    check(gnttab_map(self, 0xffffffffu, va, HOST, &h, NULL), GNTST_bad_gntref, "map ref 0xffffffff");
    check(gnttab_map(self, REF + 9, va, HOST, &h, NULL), GNTST_general_error, "map a ref never granted");
    gnttab_grant(REF, 0, f, false);
    check(gnttab_map(self, REF, va, HOST, &h, NULL), GNTST_general_error, "map a ref granted to the victim, not us");
    gnttab_grant(REF + 1, self, f, false);
    check(gnttab_revoke(REF + 1), 0, "grant a ref to ourselves, then revoke it");
    check(gnttab_map(self, REF + 1, va, HOST, &h, NULL), GNTST_general_error, "... map the revoked ref");
    check(flags_of(REF), GTF_permit_access, "... the victim's entry: no reading or writing flag left");
    check(mm_map(va, 0), 0, "... our slot maps nothing (clear it)");
    gnttab_revoke(REF);
    free_frame(f);
}

void case_gnt_readonly(void)
{
    uint32_t f = zmfn(), va = scratch(0, 0, 0);
    xen_grant_handle_t h;
    struct xen_gnttab_copy c = { .source = { .u.gmfn = f, .domid = DOMID_SELF },
                                 .dest = { .u.ref = REF + 2, .domid = (xen_domid_t)self },
                                 .len = 8, .flags = GNTCOPY_dest_gref };

    table();
    gnttab_grant(REF + 2, self, f, true);
    check(gnttab_map(self, REF + 2, va, HOST, &h, NULL), GNTST_general_error, "map a read-only grant writable");
    check(flags_of(REF + 2), GTF_permit_access | GTF_readonly, "... its flags: nothing pinned");
    c.dest.domid = (xen_domid_t)self;
    check(gnttab_copy(&c), GNTST_general_error, "copy into a read-only grant");
    check(gnttab_map(self, REF + 2, va, RO, &h, NULL), GNTST_okay, "map it read-only (allowed)");
    check(flags_of(REF + 2), GTF_permit_access | GTF_readonly | GTF_reading, "... its flags say reading");
    uint64_t pte = 0;
    check(pt_lookup(va, &pte), 1, "... mapped");
    check_u64("... and read-only", pte & PTE_RW, 0);
    check(gnttab_unmap(va, h, 0), GNTST_okay, "unmap it");
    check(gnttab_revoke(REF + 2), 0, "... and revoke: no pin left");
    free_frame(f);
}

/* XSA-227 class: a PTE address must be aligned and ours; we offer only linear host mappings. */
void case_gnt_map_flags(void)
{
    uint32_t f = zmfn(), va = scratch(0, 0, 0);
    xen_grant_handle_t h;

    table();
    gnttab_grant(REF + 3, self, f, false);
    check(gnttab_map(self, REF + 3, va, 0, &h, NULL), GNTST_bad_gntref, "map with neither host_map nor device_map");
    check(gnttab_map(self, REF + 3, (uint32_t)(mm_l1e_ma(va) + 3), HOST | GNTMAP_contains_pte, &h, NULL),
          GNTST_general_error, "map with contains_pte at a misaligned PTE address (XSA-227)");
    check(gnttab_map(self, REF + 3, va, GNTMAP_device_map, &h, NULL), GNTST_general_error,
          "map for a device (differences.md)");
    check(flags_of(REF + 3), GTF_permit_access, "... nothing pinned");
    check(gnttab_revoke(REF + 3), 0, "revoke");
    free_frame(f);
}

void case_gnt_foreign(void)
{
    uint32_t va = scratch(0, 0, 0);
    xen_grant_handle_t h;
    struct xen_gnttab_copy c = { .source = { .u.ref = 8, .domid = 0 },
                                 .dest = { .u.gmfn = zmfn(), .domid = DOMID_SELF },
                                 .len = 8, .flags = GNTCOPY_source_gref };

    table();
    check(gnttab_map(0, 8, va, RO, &h, NULL), GNTST_general_error, "map the victim's ref 8 (not granted to us)");
    check(gnttab_copy(&c), GNTST_general_error, "copy from the victim's ref 8");
    check(gnttab_map(250, 8, va, RO, &h, NULL), GNTST_bad_domain, "map from d250 (no such domain)");
    check(gnttab_map(DOMID_SELF, 8, va, RO, &h, NULL), GNTST_bad_domain, "map from DOMID_SELF");
    check(gnttab_map(DOMID_XEN, 8, va, RO, &h, NULL), GNTST_bad_domain, "map from DOMID_XEN");
    check(mm_map(va, 0), 0, "our slot maps nothing");
    free_frame(c.dest.u.gmfn);
}

void case_gnt_host_addr(void)
{
    static const uint32_t bad[] = { HOLE, 0xF5800000u, 0xFFFFF000u, 0x1000u };
    uint32_t f = zmfn(), va = scratch(0, 0, 0);
    xen_grant_handle_t h;

    table();
    gnttab_grant(REF + 4, self, f, false);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
        check(gnttab_map(self, REF + 4, bad[i], HOST, &h, NULL), GNTST_general_error, "map at host address 0x%08x",
              bad[i]);
    check(flags_of(REF + 4), GTF_permit_access, "... nothing pinned");
    check(mm_map(va, mm_pte(f, RWPTE)), 0, "... the frame holds no grant reference: map it writable");
    check(mm_map(va, 0), 0, "... unmap");
    check(gnttab_revoke(REF + 4), 0, "revoke");
    free_frame(f);
}

static int16_t copy(uint32_t src, unsigned soff, uint32_t dst, unsigned doff, unsigned len)
{
    struct xen_gnttab_copy c = { .source = { .u.gmfn = src, .domid = DOMID_SELF, .offset = (uint16_t)soff },
                                 .dest = { .u.gmfn = dst, .domid = DOMID_SELF, .offset = (uint16_t)doff },
                                 .len = (uint16_t)len };
    return gnttab_copy(&c);
}

void case_gnt_copy_args(void)
{
    uint32_t a = mm_va_to_mfn((uint32_t)(uintptr_t)tmpl), b = zmfn(), vb = scratch(1, 0, 0);

    table();
    tmpl[511] = 0x1122334455667788ull;
    check(copy(a, 4095, b, 0, 2), GNTST_bad_copy_arg, "copy 2 bytes from source offset 4095");
    check(copy(a, 0, b, 4095, 2), GNTST_bad_copy_arg, "copy 2 bytes to dest offset 4095");
    check(copy(a, 0, b, 0, 4097), GNTST_bad_copy_arg, "copy 4097 bytes");
    check(copy(a, 0xffff, b, 0, 1), GNTST_bad_copy_arg, "copy from source offset 0xffff");
    check(copy(a, 0, b, 0xffff, 0xffff), GNTST_bad_copy_arg, "copy 0xffff bytes to offset 0xffff");
    check(mm_map(vb, mm_pte(b, RWPTE & ~PTE_RW)), 0, "map the destination read-only");
    check_u64("... nothing was copied", ((volatile uint64_t *)vb)[0] | ((volatile uint64_t *)vb)[511], 0);
    check(copy(a, 4088, b, 4088, 8), GNTST_okay, "copy the last 8 bytes (allowed)");
    check_u64("... they arrived", ((volatile uint64_t *)vb)[511], 0x1122334455667788ull);
    tmpl[511] = 0;
    mm_map(vb, 0);
    free_frame(b);
}

void case_gnt_copy_frames(void)
{
    uint32_t own = zmfn(), l1 = table_mfn(5), before = (uint32_t)boot_l2(0)[0];
    struct xen_gnttab_copy c = { .source = { .u.gmfn = own, .domid = 0 },
                                 .dest = { .u.gmfn = own, .domid = DOMID_SELF }, .len = 8 };

    table();
    check(copy(0x100, 0, own, 0, 8), GNTST_bad_page, "copy from the hypervisor image by frame");
    check(copy(own, 0, 0x100, 0, 8), GNTST_bad_page, "copy into the hypervisor image by frame");
    check(copy(0xfffff, 0, own, 0, 8), GNTST_bad_page, "copy from mfn 0xfffff");
    check(gnttab_copy(&c), GNTST_permission_denied, "copy by frame from the victim's domid");
    check(copy(own, 0, l1, 0, 8), GNTST_general_error, "copy into our L1 (a page table)");
    check(copy(own, 0, table_mfn(0), 0, 8), GNTST_general_error, "copy into our L3");
    check_hex("... the L2 we read through is unchanged", (uint32_t)boot_l2(0)[0], before);
    free_frame(own);
}

void case_gnt_setup(void)
{
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    struct xen_gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 1 };
    static uint32_t list[4];

    table();
    check(gop(GNTTABOP_query_size, &q, 1), 0, "query_size");
    uint32_t nr = q.nr_frames, max = q.max_nr_frames;
    set_xen_guest_handle(s.frame_list, list);
    check(gop(GNTTABOP_setup_table, &s, 2), -EINVAL, "setup_table with count 2");
    s.nr_frames = max + 1;
    check(gop(GNTTABOP_setup_table, &s, 1), 0, "setup_table of max + 1 frames");
    check(s.status, GNTST_general_error, "... status");
    s.nr_frames = 1;
    set_xen_guest_handle(s.frame_list, (uint32_t *)HOLE);
    check(gop(GNTTABOP_setup_table, &s, 1), -EFAULT, "setup_table, frame list at 0xfc100000");
    set_xen_guest_handle(s.frame_list, list);
    s.dom = 0;
    check(gop(GNTTABOP_setup_table, &s, 1), 0, "setup_table of the victim's table");
    check(s.status, GNTST_permission_denied, "... status");
    s.dom = 250;
    check(gop(GNTTABOP_setup_table, &s, 1), 0, "setup_table of d250");
    check(s.status, GNTST_bad_domain, "... status");
    q.dom = 0;
    check(gop(GNTTABOP_query_size, &q, 1), 0, "query_size of the victim");
    check(q.status, GNTST_permission_denied, "... status");
    check(gop(GNTTABOP_query_size, &q, 2), -EINVAL, "query_size with count 2");
    q.dom = DOMID_SELF;
    gop(GNTTABOP_query_size, &q, 1);
    check(q.nr_frames, nr, "our table's size is unchanged");
}

void case_gnt_not_offered(void)
{
    static uint8_t buf[64];
    static const struct named_cmd cmds[] = {
        { GNTTABOP_transfer, "transfer" }, { GNTTABOP_swap_grant_ref, "swap_grant_ref" },
        { GNTTABOP_dump_table, "dump_table" }, { GNTTABOP_cache_flush, "cache_flush" },
        { GNTTABOP_get_status_frames, "get_status_frames (v2)" }, { 13, "command 13" },
    };
    struct xen_gnttab_set_version v = { .version = 2 };

    table();
    gnttab_grant(REF + 5, self, 0x4321, false);
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        check(gop(cmds[i].cmd, buf, 1), -ENOSYS, "grant_table_op %s", cmds[i].name);
    check(gop(GNTTABOP_set_version, &v, 1), -ENOSYS, "set_version 2 (Xen with max-ver 1)");
    v.version = 3;
    check(gop(GNTTABOP_set_version, &v, 1), -EINVAL, "set_version 3");
    check(v.version, 1, "... the record says version 1");
    check(gop(GNTTABOP_map_grant_ref | 0x1000, buf, 1), -EINVAL, "map_grant_ref with bits above the command");
    check(gop(GNTTABOP_copy, buf, 0x80000000u), -EINVAL, "copy with a negative count");
    check_hex("our entry is intact", gnttab_entry(REF + 5)->frame, 0x4321);
    gnttab_revoke(REF + 5);
}

void case_gnt_batches(void)
{
    static struct xen_gnttab_copy none[1];

    table();
    check(gop(GNTTABOP_map_grant_ref, (void *)HOLE, 1), -EFAULT, "map_grant_ref, records at 0xfc100000");
    check(gop(GNTTABOP_unmap_grant_ref, (void *)(0xF5800000u - 8), 1), -EFAULT, "unmap_grant_ref straddling the hole");
    check(gop(GNTTABOP_copy, (void *)0xFFFFFFF0u, 1), -EFAULT, "copy, a record wrapping past 4 GiB");
    check(gop(GNTTABOP_map_grant_ref, none, 4097), -EINVAL, "map_grant_ref of 4097 records (differences.md)");
    check(gop(GNTTABOP_copy, none, 0), 0, "copy of 0 records");
}

/* XSA-224 class: a handle unmaps its own mapping, at its own address, once. */
void case_gnt_unmap_handles(void)
{
    uint32_t f = zmfn(), va = scratch(0, 0, 0), other = scratch(1, 0, 0);
    xen_grant_handle_t h;
    uint64_t bus;

    table();
    gnttab_grant(REF + 6, self, f, false);
    check(gnttab_unmap(va, 100, 0), GNTST_bad_handle, "unmap handle 100 (never issued)");
    check(gnttab_map(self, REF + 6, va, HOST, &h, &bus), GNTST_okay, "map our own grant");
    check(gnttab_unmap(other, h, 0), GNTST_general_error, "unmap it at another address");
    check(gnttab_unmap(va, h, bus + 0x1000), GNTST_general_error, "unmap it with another bus address");
    check(gnttab_unmap(HOLE, h, 0), GNTST_general_error, "unmap it at 0xfc100000");
    check(flags_of(REF + 6), GTF_permit_access | GTF_reading | GTF_writing, "... still mapped");
    check(gnttab_unmap(va, h, 0), GNTST_okay, "unmap it");
    check(gnttab_unmap(va, h, 0), GNTST_bad_handle, "... again");
    check(gnttab_revoke(REF + 6), 0, "revoke: nothing pinned");
    check(mm_map(va, mm_pte(f, RWPTE)), 0, "the frame maps writable as before");
    check(mm_map(va, 0), 0, "... unmap");
    free_frame(f);
}
