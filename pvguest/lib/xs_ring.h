/*
 * xs_ring.h - moving bytes through one side of a xenstore ring page.
 *
 * Both ends of a xenstore connection use these: the guest's xenbus client
 * (pvguest/lib/xenbus.c) produces requests and consumes replies, the
 * xenstored service domain (pvguest/xenstored/) the other way round.  The
 * other end is never trusted: it can write any index at any moment.  So
 * each side keeps its OWN index (the one it advances) in private memory,
 * copies it to the page only to publish it, and reads the peer's index
 * once per call.  If the two then claim more than a ring's worth of bytes
 * the page is corrupt and the caller must give up on the connection.
 * Pure memory operations: no hypercalls, so tests/unit builds this for the
 * host.
 */
#ifndef PVGUEST_XS_RING_H
#define PVGUEST_XS_RING_H

#include <stdbool.h>
#include <stdint.h>
#include "hypercalls/public/io/xs_wire.h"

/* One direction of a ring: the bytes, our private index, where we publish it. */
struct xs_ring_dir {
    volatile char *buf;                 /* XENSTORE_RING_SIZE bytes, shared */
    volatile uint32_t *ours;   /* our index in the shared page */
    volatile uint32_t *theirs; /* the peer's index in the shared page */
    uint32_t idx;              /* our index: the only copy we believe */
    bool producer;                      /* we write bytes (else we read them) */
};

/* Set up dir as producer or consumer, starting from the index now in the page. */
void xs_ring_dir_init(struct xs_ring_dir *d, volatile char *buf,
                      volatile uint32_t *ours, volatile uint32_t *theirs,
                      bool producer);
/* The two directions of an interface as the daemon (server) sees them. */
void xs_ring_server(struct xs_ring_dir *req, struct xs_ring_dir *rsp,
                    volatile struct xen_xenstore_domain_interface *intf);
/* ... and as a client sees them. */
void xs_ring_client(struct xs_ring_dir *req, struct xs_ring_dir *rsp,
                    volatile struct xen_xenstore_domain_interface *intf);

/*
 * Bytes we may move now: for a consumer, bytes the peer produced; for a
 * producer, free room.  -1 when the peer's index is impossible (more than
 * XENSTORE_RING_SIZE away from ours): a hostile or broken peer.
 */
int xs_ring_space(const struct xs_ring_dir *d);

/* Copy up to n bytes out of (consumer) or into (producer) the ring, publish
 * our index, and return the count moved, or -1 for a corrupt page. */
int xs_ring_read(struct xs_ring_dir *d, void *dst, uint32_t n);
int xs_ring_write(struct xs_ring_dir *d, const void *src, uint32_t n);

#endif
