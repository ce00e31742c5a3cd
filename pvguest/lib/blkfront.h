/*
 * blkfront.h - a guest's block device client (Xen's blkif protocol).
 *
 * blkfront_connect() does the frontend's half of Xen's handshake with a
 * blkback service domain (docs/sharing.md, "A split block device"):
 *   1. find our first device under device/vbd/, which the toolstack (the
 *      hypervisor, for a domain booted with dom.disk=1) wrote before we
 *      ran as Xen's xl does: backend, backend-id, state = Initialising;
 *   2. grant the backend our ring page, allocate an event channel for it;
 *   3. wait for the backend's state InitWait, then write ring-ref,
 *      event-channel, protocol and, last, state = Initialised;
 *   4. wait for Connected, read sectors, sector-size and info, and say
 *      Connected ourselves.
 * blkfront_disconnect() closes it (Closing, Closed, then our grants and
 * port ended), after which blkfront_connect() may open it again: a new life,
 * which says Initialising to the backend and goes through 3 and 4 with the
 * same pages and grant references.
 * Data
 * moves through BLKFRONT_SEGS bounce pages granted to the backend once at
 * connect; each request names them by grant reference.  One request is in
 * flight at a time (blkfront_io waits for its answer), except that the raw
 * calls let a test post anything.  Needs xenbus_init() first.
 */
#ifndef PVGUEST_BLKFRONT_H
#define PVGUEST_BLKFRONT_H

#include "pvguest/lib/pvguest.h"
#include "hypercalls/public/io/blkif.h"

#define BLKFRONT_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST
#define BLKFRONT_MAX_BYTES (BLKFRONT_SEGS * PAGE_SIZE)

struct blkfront {
    unsigned backend, id, self;
    volatile struct xen_blkif_sring *ring;
    xen_grant_ref_t ring_ref, data_ref[BLKFRONT_SEGS];
    uint8_t *data[BLKFRONT_SEGS];       /* the bounce pages the refs grant */
    uint32_t ring_mfn, data_mfn[BLKFRONT_SEGS];     /* granted again each life */
    unsigned port;
    uint32_t req_prod_pvt, rsp_cons;
    uint64_t sectors;                   /* from the backend, at Connected */
    unsigned sector_size, info;
    uint64_t next_id;
    char path[64], backend_path[80], state_path[96];
};

/* 0, or -errno (the step that failed is printed).  f zeroed, or disconnected. */
long blkfront_connect(struct blkfront *f);
/* Closing -> the backend's Closing -> Closed -> its Closed; end our grants and port. */
long blkfront_disconnect(struct blkfront *f);

/*
 * Read or write nsect 512-byte sectors at sector through the bounce pages
 * (nsect <= BLKFRONT_MAX_BYTES / 512): the response's BLKIF_RSP_* status,
 * or -ETIME when no answer came.
 */
long blkfront_io(struct blkfront *f, uint8_t op, uint64_t sector, void *buf, unsigned nsect);

/* Wait until the backend's state is at least want (io/xenbus.h): that state, or -ETIME. */
long blkfront_wait_backend(struct blkfront *f, unsigned want);

/* Raw: copy req into the next slot and publish it (no checks), notify. */
void blkfront_post(struct blkfront *f, const struct xen_blkif_request *req);
/* Raw: wait for the next response: 0 and *rsp, -ETIME, or -EIO for impossible indexes. */
long blkfront_response(struct blkfront *f, struct xen_blkif_response *rsp);

#endif
