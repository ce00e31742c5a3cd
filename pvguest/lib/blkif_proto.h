/*
 * blkif_proto.h - the blkif rules both ends need, free of hypercalls.
 *
 * Ring arithmetic and request checks for Xen's block protocol
 * (hypercalls/public/io/blkif.h).  blkback (pvguest/blkback/) treats the
 * ring page as hostile: the frontend may write any index or any request
 * byte at any moment.  So the backend reads req_prod ONCE per pass
 * (blkif_back_pending says how many requests that value allows, or that
 * it is impossible), copies each request out of the page before looking at
 * it (blkif_copy_request), and decides everything from the copy
 * (blkif_check_request).  blkfront (pvguest/lib/blkfront.c) uses the same
 * arithmetic for responses.  Pure memory operations: tests/unit builds this
 * file for the host (tests/test_unit_blkif.py).
 */
#ifndef PVGUEST_BLKIF_PROTO_H
#define PVGUEST_BLKIF_PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include "hypercalls/public/io/blkif.h"

/*
 * Requests the backend may consume now, given the req_prod it read once,
 * its private req_cons, and rsp_prod_pvt (responses it has produced).
 * Every request between rsp_prod_pvt and req_prod holds a slot, so more
 * than a ring's worth is impossible (Xen's RING_REQUEST_PROD_OVERFLOW):
 * -1, and the backend stops serving that ring.
 */
int blkif_back_pending(uint32_t req_prod, uint32_t req_cons, uint32_t rsp_prod_pvt);

/* Responses the frontend may consume: rsp_prod read once, its rsp_cons,
 * and req_prod_pvt (requests it posted).  -1 if the backend claims more
 * responses than requests outstanding. */
int blkif_front_pending(uint32_t rsp_prod, uint32_t rsp_cons, uint32_t req_prod_pvt);

/* Free request slots for the frontend: ring size minus those still in flight. */
uint32_t blkif_front_free(uint32_t req_prod_pvt, uint32_t rsp_cons);

/* Copy slot idx's request out of a (shared, volatile) ring: one pass over the bytes. */
void blkif_copy_request(struct xen_blkif_request *dst,
                        const volatile struct xen_blkif_sring *ring, uint32_t idx);

/*
 * What a checked request asks for: the byte range on the disk and, per
 * segment, the grant, the byte offset in that page and the length.
 */
struct blkif_plan {
    uint8_t op;                 /* BLKIF_OP_READ, _WRITE or _FLUSH_DISKCACHE */
    unsigned nseg;
    uint64_t disk_offset;       /* bytes from the start of the disk */
    uint32_t bytes;             /* total */
    struct { uint32_t gref, page_offset, len; } seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/*
 * Check a request (already copied out of the ring) against a disk of
 * disk_sectors 512-byte sectors; fill *plan.  Returns BLKIF_RSP_OKAY,
 * BLKIF_RSP_EOPNOTSUPP for an operation we do not offer, or
 * BLKIF_RSP_ERROR for anything malformed: 0 or more than 11 segments,
 * a sector range outside a page, a disk range past the end (no overflow).
 * *why names the first rule broken (for the backend's log).
 */
int blkif_check_request(const struct xen_blkif_request *req, uint64_t disk_sectors,
                        struct blkif_plan *plan, const char **why);

#endif
