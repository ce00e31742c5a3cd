/*
 * grant_flags.c - the grant entry's flags: what a mapping checks and sets.
 *
 * The grantor writes an entry (GTF_permit_access, a domid, a frame) and
 * revokes it by swapping the header back to 0 - but only if the
 * hypervisor's bits, GTF_reading and GTF_writing, are clear: they say a
 * mapping or copy is using the frame.  So the hypervisor sets them, with
 * one compare-and-swap of the header against the value it checked, before
 * it lets anyone at the frame, and clears them when the last user goes.
 * The rules here are Xen's _set_status_v1 and the clear_flags steps of its
 * unmap; they are pure, so tests/unit runs them on the host.
 */
#include "hypervisor/share/grant_flags.h"
#include "hypercalls/public/grant_table.h"

int grant_flags_pin(uint32_t hdr, bool pinned, bool readonly, bool map, uint16_t ldomid,
                    uint32_t *out)
{
    uint16_t flags = GRANT_HDR_FLAGS(hdr);
    /* A v1 entry has no sub-page grants: a map refuses the bit, as Xen does. */
    uint16_t mask = GTF_type_mask | (map ? GTF_sub_page : 0);
    if (!pinned && ((flags & mask) != GTF_permit_access || GRANT_HDR_DOMID(hdr) != ldomid))
        return GNTST_general_error;
    if (!readonly && (flags & GTF_readonly))
        return GNTST_general_error;          /* a writable pin of a read-only grant */
    flags |= GTF_reading | (readonly ? 0 : GTF_writing);
    *out = GRANT_HDR(flags, GRANT_HDR_DOMID(hdr));
    return GNTST_okay;
}

uint16_t grant_flags_unpin(unsigned pins_w, unsigned pins_r, bool readonly)
{
    uint16_t clear = 0;
    if (!readonly && pins_w == 0)
        clear |= GTF_writing;
    if (pins_w == 0 && pins_r == 0)
        clear |= GTF_reading;
    return clear;
}
