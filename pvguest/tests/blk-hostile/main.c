/*
 * blk-hostile - a blkfront that sends blkback everything it should not.
 *
 * Booted as "dom.disk=1 -- [tell=G] [die=1]" beside blkback B and
 * xenstored (and usually a good frontend G, blk-rw with wait=).  It
 * connects as a normal frontend, then posts, each on its own, requests
 * that must be answered BLKIF_RSP_ERROR (or EOPNOTSUPP): grant references
 * past our table or never granted, sectors past the end of its disk or
 * wrapping 2^64, 0, 12 and 255 segments, segments outside a page, an
 * unknown operation; then a whole ring of bad requests at once.  A good
 * write between them shows the backend still serves us.  Then req_prod is
 * set 1000 past the ring: the backend must drop our connection (its state
 * Closing, as Xen's xenbus_dev_fatal) and nothing else.  Then it notifies
 * G (binding G's first port): G then checks its own sectors are intact.
 * Last it closes the dropped connection and opens a new one, which must
 * serve it again: a ring once corrupt is no reason to refuse a new life.
 * With die=1 it instead fills the ring with good writes, notifies, and
 * crashes at once: the backend must notice and clean up.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/blkfront.h"
#include "pvguest/lib/xenbus.h"
#include "hypercalls/public/io/xenbus.h"

#define NONE 0xffffu

static struct blkfront f;

/* A well-formed request over our bounce pages, in one static record the caller may spoil. */
static struct xen_blkif_request *req_for(uint8_t op, uint64_t sector, unsigned nseg)
{
    static struct xen_blkif_request r;
    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = (uint8_t)nseg;
    r.sector_number = sector;
    r.handle = (xen_blkif_vdev_t)f.id;
    for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.seg[i].gref = f.data_ref[i];
        r.seg[i].last_sect = 7;
    }
    return &r;
}

/* Post one request, wait for its answer, check its status and id. */
static void expect(const char *what, struct xen_blkif_request *r, int16_t want)
{
    struct xen_blkif_response rsp;
    static uint64_t id = 1000;
    r->id = ++id;
    blkfront_post(&f, r);
    if (!check(blkfront_response(&f, &rsp), 0, "answer to %s", what))
        return;
    check(rsp.status, want, "%s", what);
    check(rsp.id == r->id, 1, "%s: response id", what);
}

static void bad_requests(void)
{
    struct xen_blkif_request *r = req_for(BLKIF_OP_WRITE, 0, 1);

    r->seg[0].gref = 100000;
    expect("grant ref past our table", r, BLKIF_RSP_ERROR);
    r->seg[0].gref = 5;                                  /* an entry we never filled */
    expect("grant ref never granted", r, BLKIF_RSP_ERROR);
    r = req_for(BLKIF_OP_READ, 0, 2);
    r->seg[1].gref = 4;
    expect("second segment's grant bad", r, BLKIF_RSP_ERROR);
    expect("sector past the end", req_for(BLKIF_OP_WRITE, f.sectors, 1), BLKIF_RSP_ERROR);
    expect("last sector and 7 more", req_for(BLKIF_OP_WRITE, f.sectors - 1, 1), BLKIF_RSP_ERROR);
    expect("sector wrapping 2^64", req_for(BLKIF_OP_READ, 0xfffffffffffffff8ull, 1), BLKIF_RSP_ERROR);
    expect("0 segments", req_for(BLKIF_OP_WRITE, 0, 0), BLKIF_RSP_ERROR);
    r = req_for(BLKIF_OP_WRITE, 0, 11);
    r->nr_segments = 12;
    expect("12 segments", r, BLKIF_RSP_ERROR);
    r->nr_segments = 255;
    expect("255 segments", r, BLKIF_RSP_ERROR);
    r = req_for(BLKIF_OP_WRITE, 0, 1);
    r->seg[0].first_sect = 6;
    r->seg[0].last_sect = 2;
    expect("last_sect before first_sect", r, BLKIF_RSP_ERROR);
    r->seg[0].first_sect = 0;
    r->seg[0].last_sect = 8;
    expect("a ninth sector in a page", r, BLKIF_RSP_ERROR);
    expect("discard", req_for(BLKIF_OP_DISCARD, 0, 1), BLKIF_RSP_EOPNOTSUPP);
    expect("operation 200", req_for(200, 0, 1), BLKIF_RSP_EOPNOTSUPP);
    memset(f.data[0], 0xaa, PAGE_SIZE);
    expect("a good write between them", req_for(BLKIF_OP_WRITE, 8, 1), BLKIF_RSP_OKAY);
}

/* A whole ring of bad requests posted before one notify: every one answered. */
static void full_ring(void)
{
    struct xen_blkif_response rsp;
    unsigned errors = 0, answers = 0;
    for (unsigned i = 0; i < XEN_BLKIF_RING_SIZE; i++) {
        struct xen_blkif_request *r = req_for(BLKIF_OP_WRITE, f.sectors + i, 1);
        r->id = i;
        blkfront_post(&f, r);
    }
    while (answers < XEN_BLKIF_RING_SIZE && blkfront_response(&f, &rsp) == 0) {
        answers++;
        errors += rsp.status == BLKIF_RSP_ERROR;
    }
    check(answers, XEN_BLKIF_RING_SIZE, "answers to a full ring");
    check(errors, XEN_BLKIF_RING_SIZE, "errors among them");
}

static void scribble_ring(void)
{
    printf("blk-hostile: req_prod set 1000 past the ring\n");
    f.ring->h.req_prod = f.req_prod_pvt + 1000;
    evtchn_send(f.port);
    check(blkfront_wait_backend(&f, XenbusStateClosing), XenbusStateClosing,
          "backend state after the scribble");
}

/* Close the dropped connection, open a new one, write and read a sector. */
static void start_over(void)
{
    static uint8_t sector[XEN_BLKIF_SECTOR_SIZE];
    if (!check(blkfront_disconnect(&f), 0, "disconnect after the scribble") ||
        !check(blkfront_connect(&f), 0, "connect after the scribble"))
        return;
    memset(sector, 0x5a, sizeof(sector));
    check(blkfront_io(&f, BLKIF_OP_WRITE, 1, sector, 1), BLKIF_RSP_OKAY, "write in the new life");
    memset(sector, 0, sizeof(sector));
    check(blkfront_io(&f, BLKIF_OP_READ, 1, sector, 1), BLKIF_RSP_OKAY, "read in the new life");
    check(sector[0] == 0x5a && sector[sizeof(sector) - 1] == 0x5a, 1, "the sector read back");
    check(blkfront_disconnect(&f), 0, "disconnect of the new life");
}

static void die_mid_request(void)
{
    for (unsigned i = 0; i < XEN_BLKIF_RING_SIZE; i++) {
        struct xen_blkif_request *r = req_for(BLKIF_OP_WRITE, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST);
        r->id = i;
        blkfront_post(&f, r);
    }
    printf("blk-hostile: dying with %u requests in flight\n", XEN_BLKIF_RING_SIZE);
    shutdown(SHUTDOWN_crash);
}

static void tell(unsigned g)
{
    for (int tries = 0; tries < 100; tries++) {
        long port = evtchn_bind_interdomain(g, 1);
        if (port >= 0) {
            evtchn_send((unsigned)port);
            printf("blk-hostile: told d%u\n", g);
            return;
        }
        time_sleep_ns(10 * 1000 * 1000);
    }
    test_error("cannot bind to d%u's port 1", g);
}

void pvguest_main(const xen_start_info_t *si)
{
    unsigned g = (unsigned)cmdline_uint("tell", NONE);

    (void)si;
    traps_init();
    if (xenbus_test_ready() && check(blkfront_connect(&f), 0, "connect")) {
        if (cmdline_uint("die", 0))
            die_mid_request();
        bad_requests();
        full_ring();
        scribble_ring();
        if (g != NONE)
            tell(g);
        start_over();
        test_pass();
    }
    xtf_exit();
}
