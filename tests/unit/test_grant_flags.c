/*
 * test_grant_flags.c - the grant entry's flags, as Xen's _set_status_v1 and unmap set and clear them.
 *
 * Links hypervisor/share/grant_flags.c alone: grant_flags_pin() checks an
 * entry header (flags, domid) for a pin by one domain and gives the header
 * to swap in; grant_flags_unpin() says which flags to clear once a pin is
 * gone.  The hypervisor does the swap and the clear atomically; these are
 * the rules it applies.
 */
#include "tests/unit/check.h"
#include "hypervisor/share/grant_flags.h"
#include "hypercalls/public/grant_table.h"

#define PERMIT GTF_permit_access
#define ME     7u

static int pin(uint16_t flags, uint16_t domid, bool pinned, bool ro, bool map, uint32_t *out)
{
    *out = 0xdeadbeefu;
    return grant_flags_pin(GRANT_HDR(flags, domid), pinned, ro, map, ME, out);
}

static void a_first_pin_needs_permit_access_for_us(void)
{
    uint32_t out;
    CHECK(pin(PERMIT, ME, false, true, true, &out) == GNTST_okay);
    CHECKF(out == GRANT_HDR(PERMIT | GTF_reading, ME), "0x%08x", out);
    CHECK(pin(PERMIT, ME + 1, false, true, true, &out) == GNTST_general_error);   /* another domid */
    CHECK(pin(GTF_invalid, ME, false, true, true, &out) == GNTST_general_error);
    CHECK(pin(GTF_accept_transfer, ME, false, true, true, &out) == GNTST_general_error);
    CHECK(pin(GTF_transitive, ME, false, true, false, &out) == GNTST_general_error);   /* v2 only */
    CHECK(out == 0xdeadbeefu);                           /* nothing to swap in on a refusal */
}

static void a_writable_pin_sets_writing_and_refuses_a_readonly_grant(void)
{
    uint32_t out;
    CHECK(pin(PERMIT, ME, false, false, true, &out) == GNTST_okay);
    CHECKF(out == GRANT_HDR(PERMIT | GTF_reading | GTF_writing, ME), "0x%08x", out);
    CHECK(pin(PERMIT | GTF_readonly, ME, false, false, true, &out) == GNTST_general_error);
    CHECK(pin(PERMIT | GTF_readonly, ME, false, true, true, &out) == GNTST_okay);
    CHECKF(out == GRANT_HDR(PERMIT | GTF_readonly | GTF_reading, ME), "0x%08x", out);
    /* Already pinned read-only: a writable pin still checks the readonly flag, not the domid. */
    CHECK(pin(PERMIT | GTF_readonly | GTF_reading, 99, true, false, true, &out) == GNTST_general_error);
    CHECK(pin(PERMIT | GTF_reading, 99, true, false, true, &out) == GNTST_okay);
    CHECKF(out == GRANT_HDR(PERMIT | GTF_reading | GTF_writing, 99), "0x%08x", out);
}

static void a_map_refuses_the_sub_page_bit_a_copy_ignores(void)
{
    uint32_t out;
    CHECK(pin(PERMIT | GTF_sub_page, ME, false, true, true, &out) == GNTST_general_error);
    CHECK(pin(PERMIT | GTF_sub_page, ME, false, true, false, &out) == GNTST_okay);
    CHECKF(out == GRANT_HDR(PERMIT | GTF_sub_page | GTF_reading, ME), "0x%08x", out);
}

static void the_last_pin_clears_reading_the_last_writable_writing(void)
{
    CHECK(grant_flags_unpin(0, 0, true) == GTF_reading);
    CHECK(grant_flags_unpin(0, 0, false) == (GTF_reading | GTF_writing));
    CHECK(grant_flags_unpin(0, 2, false) == GTF_writing);    /* read-only pins stay */
    CHECK(grant_flags_unpin(1, 0, false) == 0);              /* a writable one stays */
    CHECK(grant_flags_unpin(1, 3, true) == 0);
    CHECK(grant_flags_unpin(0, 1, true) == 0);               /* a read-only unpin never clears writing */
}

static void random_headers_never_gain_bits_other_than_reading_and_writing(void)
{
    for (int i = 0; i < 100000; i++) {
        uint32_t hdr = check_random(), out = 0;
        bool pinned = hdr & 0x10000000u, ro = hdr & 0x20000000u, map = hdr & 0x40000000u;
        hdr = GRANT_HDR(hdr, (hdr >> 16) & 0x0f);           /* domids 0..15, some of them ME */
        if (grant_flags_pin(hdr, pinned, ro, map, ME, &out) != GNTST_okay)
            continue;
        uint32_t added = out & ~hdr;
        CHECKF((added & ~(uint32_t)(GTF_reading | GTF_writing)) == 0 && (out & hdr) == hdr,
               "0x%08x -> 0x%08x", hdr, out);
        CHECKF(ro ? !(added & GTF_writing) : (out & GTF_writing) && !(hdr & GTF_readonly),
               "0x%08x -> 0x%08x ro %d", hdr, out, ro);
        CHECKF(pinned || (GRANT_HDR_DOMID(hdr) == ME && (hdr & GTF_type_mask) == PERMIT),
               "0x%08x accepted unpinned", hdr);
    }
}

static const struct group groups[] = {
    { "a_first_pin_needs_permit_access_for_us", a_first_pin_needs_permit_access_for_us },
    { "a_writable_pin_sets_writing_and_refuses_a_readonly_grant",
      a_writable_pin_sets_writing_and_refuses_a_readonly_grant },
    { "a_map_refuses_the_sub_page_bit_a_copy_ignores", a_map_refuses_the_sub_page_bit_a_copy_ignores },
    { "the_last_pin_clears_reading_the_last_writable_writing",
      the_last_pin_clears_reading_the_last_writable_writing },
    { "random_headers_never_gain_bits_other_than_reading_and_writing",
      random_headers_never_gain_bits_other_than_reading_and_writing },
};
CHECK_MAIN(groups)
