/* grant_flags.h - the grantor's entry header and how a pin changes it (grant_flags.c). */
#ifndef HV_GRANT_FLAGS_H
#define HV_GRANT_FLAGS_H
#include "hypervisor/types.h"

/*
 * A v1 entry's first 32 bits, read and swapped as one word, as Xen's
 * union grant_combo: flags in bits 0-15, domid in bits 16-31.
 */
#define GRANT_HDR(flags, domid)  ((uint32_t)(uint16_t)(flags) | (uint32_t)(uint16_t)(domid) << 16)
#define GRANT_HDR_FLAGS(h)       ((uint16_t)(h))
#define GRANT_HDR_DOMID(h)       ((uint16_t)((h) >> 16))

/*
 * The header a pin writes over `hdr` (GTF_reading, and GTF_writing for a
 * writable pin) for domain ldomid, or why not: GNTST_okay, or
 * GNTST_general_error when the entry does not permit access to ldomid (if
 * not pinned already: the type, GTF_sub_page for a map, and the domid are
 * checked) or is read-only and the pin is writable.  Pure: the caller
 * swaps the result in with compare-and-swap, and retries on a change.
 */
int grant_flags_pin(uint32_t hdr, bool pinned, bool readonly, bool map, uint16_t ldomid,
                    uint32_t *out);

/*
 * The flags to clear once a pin is gone, given the pins left: GTF_writing
 * when the last writable one went, GTF_reading when the last of all did.
 */
uint16_t grant_flags_unpin(unsigned pins_w, unsigned pins_r, bool readonly);
#endif
