/*
 * blkif_proto.c - blkif ring arithmetic and request checks (blkif_proto.h).
 *
 * Indexes are free-running 32-bit counters; "how far apart" is their
 * unsigned difference, which stays right across the 2^32 wrap.  A slot is
 * index & (XEN_BLKIF_RING_SIZE - 1).
 */
#include "pvguest/lib/blkif_proto.h"

#define PAGE_SECTORS (4096 / XEN_BLKIF_SECTOR_SIZE)

int blkif_back_pending(uint32_t req_prod, uint32_t req_cons, uint32_t rsp_prod_pvt)
{
    if (req_prod - rsp_prod_pvt > XEN_BLKIF_RING_SIZE)
        return -1;                      /* more requests in flight than slots */
    /* req_cons is between rsp_prod_pvt and req_prod unless req_prod went back. */
    if (req_prod - req_cons > req_prod - rsp_prod_pvt)
        return -1;
    return (int)(req_prod - req_cons);
}

int blkif_front_pending(uint32_t rsp_prod, uint32_t rsp_cons, uint32_t req_prod_pvt)
{
    if (rsp_prod - rsp_cons > req_prod_pvt - rsp_cons)
        return -1;                      /* answers to requests never posted */
    return (int)(rsp_prod - rsp_cons);
}

uint32_t blkif_front_free(uint32_t req_prod_pvt, uint32_t rsp_cons)
{
    uint32_t used = req_prod_pvt - rsp_cons;
    return used >= XEN_BLKIF_RING_SIZE ? 0 : XEN_BLKIF_RING_SIZE - used;
}

void blkif_copy_request(struct xen_blkif_request *dst,
                        const volatile struct xen_blkif_sring *ring, uint32_t idx)
{
    const volatile uint8_t *src = (const volatile uint8_t *)&ring->ring[idx & (XEN_BLKIF_RING_SIZE - 1)].req;
    uint8_t *d = (uint8_t *)dst;
    for (unsigned i = 0; i < sizeof(*dst); i++)
        d[i] = src[i];
}

static int bad(const char **why, const char *rule)
{
    *why = rule;
    return BLKIF_RSP_ERROR;
}

int blkif_check_request(const struct xen_blkif_request *req, uint64_t disk_sectors,
                        struct blkif_plan *plan, const char **why)
{
    uint64_t sectors = 0;

    *why = "";
    plan->op = req->operation;
    plan->nseg = 0;
    plan->bytes = 0;
    plan->disk_offset = 0;
    if (req->operation == BLKIF_OP_FLUSH_DISKCACHE)
        return BLKIF_RSP_OKAY;          /* a RAM disk has no cache: nothing to do */
    if (req->operation != BLKIF_OP_READ && req->operation != BLKIF_OP_WRITE) {
        *why = "operation not offered";
        return BLKIF_RSP_EOPNOTSUPP;
    }
    if (req->nr_segments == 0)
        return bad(why, "no segments");
    if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return bad(why, "too many segments");
    for (unsigned i = 0; i < req->nr_segments; i++) {
        const struct xen_blkif_request_segment *s = &req->seg[i];
        if (s->first_sect >= PAGE_SECTORS || s->last_sect >= PAGE_SECTORS ||
            s->last_sect < s->first_sect)
            return bad(why, "segment sectors outside a page");
        uint32_t n = (uint32_t)(s->last_sect - s->first_sect + 1);
        plan->seg[i].gref = s->gref;
        plan->seg[i].page_offset = (uint32_t)s->first_sect * XEN_BLKIF_SECTOR_SIZE;
        plan->seg[i].len = n * XEN_BLKIF_SECTOR_SIZE;
        sectors += n;
    }
    /* sector_number + sectors > disk_sectors, written so it cannot overflow. */
    if (req->sector_number > disk_sectors || sectors > disk_sectors - req->sector_number)
        return bad(why, "sectors past the end of the disk");
    plan->nseg = req->nr_segments;
    plan->bytes = (uint32_t)(sectors * XEN_BLKIF_SECTOR_SIZE);
    plan->disk_offset = req->sector_number * XEN_BLKIF_SECTOR_SIZE;
    return BLKIF_RSP_OKAY;
}
