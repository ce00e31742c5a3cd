/*
 * test_blkif.c - host checks of pvguest/lib/blkif_proto.c: the blkif ring
 * arithmetic and request checks that blkback applies to a hostile ring.
 */
#include "tests/unit/check.h"
#include "pvguest/lib/blkif_proto.h"

#define RS XEN_BLKIF_RING_SIZE

/* Backend: how many requests a req_prod allows, across the 2^32 wrap. */
static void back_pending_counts_and_refuses_overflow(void)
{
    CHECK(RS == 32);
    CHECK(blkif_back_pending(0, 0, 0) == 0);
    CHECK(blkif_back_pending(5, 0, 0) == 5);
    CHECK(blkif_back_pending(RS, 0, 0) == RS);
    CHECK(blkif_back_pending(RS + 1, 0, 0) == -1);          /* one past a full ring */
    CHECK(blkif_back_pending(0x7fffffff, 0, 0) == -1);      /* far past */
    CHECK(blkif_back_pending(3, 0xfffffffeu, 0xfffffffeu) == 5);  /* wrap */
    CHECK(blkif_back_pending(0xfffffffeu + RS, 0xfffffffeu, 0xfffffffeu) == RS);
    CHECK(blkif_back_pending(0xfffffffeu + RS + 1, 0xfffffffeu, 0xfffffffeu) == -1);
    CHECK(blkif_back_pending(9, 10, 10) == -1);             /* req_prod went back */
    CHECK(blkif_back_pending(10, 10, 10) == 0);
    /* Requests consumed but not answered still hold their slots. */
    CHECK(blkif_back_pending(RS + 4, 8, 4) == RS - 4);
    CHECK(blkif_back_pending(RS + 5, 8, 4) == -1);
}

/* Frontend: responses for requests it posted, and free slots. */
static void front_pending_and_free(void)
{
    CHECK(blkif_front_pending(0, 0, 0) == 0);
    CHECK(blkif_front_pending(3, 0, 3) == 3);
    CHECK(blkif_front_pending(4, 0, 3) == -1);              /* more answers than asks */
    CHECK(blkif_front_pending(1, 2, 3) == -1);              /* rsp_prod went back */
    CHECK(blkif_front_pending(2, 0xffffffffu, 5) == 3);     /* wrap */
    CHECK(blkif_front_free(0, 0) == RS);
    CHECK(blkif_front_free(RS, 0) == 0);
    CHECK(blkif_front_free(RS + 3, 3) == 0);
    CHECK(blkif_front_free(7, 3) == RS - 4);
    CHECK(blkif_front_free(2, 0xfffffffeu) == RS - 4);
    CHECK(blkif_front_free(100, 0) == 0);                   /* never "negative" room */
}

static struct xen_blkif_request rw(uint8_t op, uint64_t sector, unsigned nseg)
{
    struct xen_blkif_request r;
    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = (uint8_t)nseg;
    r.sector_number = sector;
    r.id = 0x1122334455667788ull;
    for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.seg[i].gref = 100 + i;
        r.seg[i].first_sect = 0;
        r.seg[i].last_sect = 7;
    }
    return r;
}

static void good_requests_give_their_plan(void)
{
    struct blkif_plan p;
    const char *why;
    struct xen_blkif_request r = rw(BLKIF_OP_WRITE, 8, 2);
    r.seg[1].first_sect = 2;
    r.seg[1].last_sect = 3;
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_OKAY);
    CHECK(p.op == BLKIF_OP_WRITE && p.nseg == 2);
    CHECK(p.disk_offset == 8 * 512);
    CHECK(p.bytes == 10 * 512);
    CHECK(p.seg[0].gref == 100 && p.seg[0].page_offset == 0 && p.seg[0].len == 4096);
    CHECK(p.seg[1].gref == 101 && p.seg[1].page_offset == 1024 && p.seg[1].len == 1024);
    r = rw(BLKIF_OP_READ, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST);
    CHECK(blkif_check_request(&r, 88, &p, &why) == BLKIF_RSP_OKAY);   /* exactly to the end */
    CHECK(p.bytes == 88 * 512 && p.nseg == 11);
    r = rw(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_OKAY && p.nseg == 0);
}

static void bad_requests_get_error(void)
{
    struct blkif_plan p;
    const char *why;
    struct xen_blkif_request r = rw(BLKIF_OP_READ, 0, 0);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    CHECKF(!strcmp(why, "no segments"), "%s", why);
    r = rw(BLKIF_OP_READ, 0, 11);
    r.nr_segments = 12;
    CHECK(blkif_check_request(&r, 1000, &p, &why) == BLKIF_RSP_ERROR);
    CHECKF(!strcmp(why, "too many segments"), "%s", why);
    r.nr_segments = 255;
    CHECK(blkif_check_request(&r, 1000, &p, &why) == BLKIF_RSP_ERROR);
    r = rw(BLKIF_OP_WRITE, 0, 1);
    r.seg[0].first_sect = 5;
    r.seg[0].last_sect = 4;
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 8;                                 /* a ninth sector in a page */
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    CHECKF(!strcmp(why, "segment sectors outside a page"), "%s", why);
    r = rw(BLKIF_OP_WRITE, 57, 1);                          /* 57..64 on a 64-sector disk */
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    CHECKF(!strcmp(why, "sectors past the end of the disk"), "%s", why);
    r = rw(BLKIF_OP_WRITE, 56, 1);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_OKAY);
    r = rw(BLKIF_OP_READ, 0xfffffffffffffffcull, 1);        /* would wrap to 4 */
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    r = rw(BLKIF_OP_READ, 65, 1);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_ERROR);
    r = rw(BLKIF_OP_DISCARD, 0, 1);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_EOPNOTSUPP);
    r = rw(BLKIF_OP_INDIRECT, 0, 1);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_EOPNOTSUPP);
    r = rw(200, 0, 1);
    CHECK(blkif_check_request(&r, 64, &p, &why) == BLKIF_RSP_EOPNOTSUPP);
}

/* The copy takes the slot the index masks to, and only the request's bytes. */
static void copy_takes_the_masked_slot(void)
{
    static struct xen_blkif_sring ring;
    struct xen_blkif_request r;
    memset(&ring, 0xee, sizeof(ring));
    ring.ring[3].req = rw(BLKIF_OP_WRITE, 42, 1);
    blkif_copy_request(&r, &ring, 3 + 5 * RS);
    CHECK(r.sector_number == 42 && r.operation == BLKIF_OP_WRITE && r.nr_segments == 1);
    CHECK(r.id == 0x1122334455667788ull && r.seg[0].gref == 100);
    ring.ring[3].req.sector_number = 7;                     /* the page changes after */
    CHECK(r.sector_number == 42);
}

static const struct group groups[] = {
    { "back_pending_counts_and_refuses_overflow", back_pending_counts_and_refuses_overflow },
    { "front_pending_and_free", front_pending_and_free },
    { "good_requests_give_their_plan", good_requests_give_their_plan },
    { "bad_requests_get_error", bad_requests_get_error },
    { "copy_takes_the_masked_slot", copy_takes_the_masked_slot },
};
CHECK_MAIN(groups)
