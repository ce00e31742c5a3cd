/*
 * pump.h - serve one connection over its ring (pump.c).
 */
#ifndef XENSTORED_PUMP_H
#define XENSTORED_PUMP_H

#include "pvguest/xenstored/store.h"
#include "pvguest/lib/xs_ring.h"

enum xs_pump_result {
    XS_PUMP_IDLE,               /* nothing moved */
    XS_PUMP_MOVED,              /* bytes moved: notify the peer */
    XS_PUMP_BAD_RING,           /* impossible indexes: c was failed */
    XS_PUMP_BAD_MESSAGE,        /* an oversized message: c was failed */
};

/* Read what c takes from req, answer it, write what fits into rsp. */
int xs_pump(struct xs_store *s, struct xs_conn *c, struct xs_ring_dir *req,
            struct xs_ring_dir *rsp);

#endif
