/*
 * pump.c - moving one connection's bytes between its ring and the core.
 *
 * The only code that reads a guest's request ring for xenstored.  It asks
 * the core how many bytes the connection takes now (xs_conn_wants: the
 * rest of the header or payload in hand, or 0 while it may not start a new
 * request) and reads no more, so bytes are never taken off the ring and
 * then refused; a message split across the ring's end, or written a byte
 * at a time, is simply assembled as it comes.  Replies go out as the ring
 * has room.  A ring whose indexes are impossible fails the connection
 * here; a message the core rejects (an oversized header) fails it there.
 * Pure memory work, so tests/unit drives it with a fake page.
 */
#include "pvguest/xenstored/pump.h"

static char chunk[XENSTORE_RING_SIZE];

int xs_pump(struct xs_store *s, struct xs_conn *c, struct xs_ring_dir *req,
            struct xs_ring_dir *rsp)
{
    bool moved = false;
    uint32_t want;
    const char *out;
    int n;

    if (c->dead)
        return XS_PUMP_IDLE;
    while ((want = xs_conn_wants(s, c)) != 0) {
        n = xs_ring_read(req, chunk, want < sizeof(chunk) ? want : (uint32_t)sizeof(chunk));
        if (n <= 0)
            break;
        moved = true;
        if (xs_conn_input(s, c, chunk, (uint32_t)n) < 0)
            return XS_PUMP_BAD_MESSAGE;         /* the core failed c */
    }
    for (uint32_t k; (k = xs_conn_output(c, &out)) != 0; ) {
        n = xs_ring_write(rsp, out, k);
        if (n <= 0)
            break;
        xs_conn_sent(c, (uint32_t)n);
        moved = true;
    }
    if (xs_ring_space(req) < 0 || xs_ring_space(rsp) < 0) {
        xs_conn_fail(s, c);
        return XS_PUMP_BAD_RING;
    }
    return moved ? XS_PUMP_MOVED : XS_PUMP_IDLE;
}
