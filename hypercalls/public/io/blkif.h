/*
 * io/blkif.h - Xen's block device protocol (blkfront <-> blkback).
 *
 * The frontend grants the backend one ring page (io/ring.h) and posts
 * requests in it; each request names up to 11 segments, each a grant
 * reference to one of the frontend's pages and the 512-byte sectors
 * [first_sect, last_sect] inside it.  The backend copies (or maps) those
 * pages, does the I/O on the disk and posts a response with the request's
 * id and a status.  The handshake that sets this up goes through xenstore
 * (io/xenbus.h states; node names in the comment at the end).  Layouts are
 * Xen's x86_32 ones (xen/include/public/io/blkif.h and the
 * blkif_x86_32_request of xen-blkback's common.h): 64-bit fields 4-aligned.
 */
#ifndef XEN_PUBLIC_IO_BLKIF_H
#define XEN_PUBLIC_IO_BLKIF_H

#include "../xen-types.h"
#include "ring.h"

typedef uint16_t xen_blkif_vdev_t;
typedef xen_u64_t xen_blkif_sector_t;

#define BLKIF_OP_READ              0
#define BLKIF_OP_WRITE             1
#define BLKIF_OP_WRITE_BARRIER     2
#define BLKIF_OP_FLUSH_DISKCACHE   3
#define BLKIF_OP_RESERVED_1        4
#define BLKIF_OP_DISCARD           5
#define BLKIF_OP_INDIRECT          6

/* Segments one direct request may carry. */
#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11

/* The protocol's sector: always 512 bytes, whatever sector-size says. */
#define XEN_BLKIF_SECTOR_SHIFT 9
#define XEN_BLKIF_SECTOR_SIZE  512

struct xen_blkif_request_segment {
    uint32_t gref;          /* grant reference of the frontend's page */
    uint8_t first_sect;     /* first sector in the page, 0..7 */
    uint8_t last_sect;      /* last sector in the page, first_sect..7 */
    uint16_t pad;
};
XEN_ABI_SIZE(struct xen_blkif_request_segment, 8);
XEN_ABI_OFFSET(struct xen_blkif_request_segment, gref, 0);
XEN_ABI_OFFSET(struct xen_blkif_request_segment, first_sect, 4);
XEN_ABI_OFFSET(struct xen_blkif_request_segment, last_sect, 5);

struct xen_blkif_request {
    uint8_t operation;                  /* BLKIF_OP_* */
    uint8_t nr_segments;                /* 1..11 for read/write */
    xen_blkif_vdev_t handle;            /* only for read/write requests */
    xen_u64_t id;                       /* private guest value, echoed in the response */
    xen_blkif_sector_t sector_number;   /* start sector on the disk */
    struct xen_blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
XEN_ABI_SIZE(struct xen_blkif_request, 108);
XEN_ABI_OFFSET(struct xen_blkif_request, operation, 0);
XEN_ABI_OFFSET(struct xen_blkif_request, nr_segments, 1);
XEN_ABI_OFFSET(struct xen_blkif_request, handle, 2);
XEN_ABI_OFFSET(struct xen_blkif_request, id, 4);
XEN_ABI_OFFSET(struct xen_blkif_request, sector_number, 12);
XEN_ABI_OFFSET(struct xen_blkif_request, seg, 20);

struct xen_blkif_response {
    xen_u64_t id;           /* copied from the request */
    uint8_t operation;      /* copied from the request */
    int16_t status;         /* BLKIF_RSP_* */
};
XEN_ABI_SIZE(struct xen_blkif_response, 12);
XEN_ABI_OFFSET(struct xen_blkif_response, id, 0);
XEN_ABI_OFFSET(struct xen_blkif_response, operation, 8);
XEN_ABI_OFFSET(struct xen_blkif_response, status, 10);

#define BLKIF_RSP_EOPNOTSUPP  -2    /* operation not supported */
#define BLKIF_RSP_ERROR       -1    /* the request failed */
#define BLKIF_RSP_OKAY         0

/* One slot of the ring page (DEFINE_RING_TYPES' union blkif_sring_entry). */
union xen_blkif_sring_entry {
    struct xen_blkif_request req;
    struct xen_blkif_response rsp;
};
XEN_ABI_SIZE(union xen_blkif_sring_entry, 108);

/* (4096 - 64) / 108 = 37, rounded down to 32 slots. */
#define XEN_BLKIF_RING_SIZE XEN_RING_SIZE(sizeof(union xen_blkif_sring_entry), 1)
_Static_assert(XEN_BLKIF_RING_SIZE == 32, "ABI: a one-page blkif ring has 32 slots");

struct xen_blkif_sring {
    struct xen_sring_header h;
    union xen_blkif_sring_entry ring[32];
};
XEN_ABI_OFFSET(struct xen_blkif_sring, ring, 64);
_Static_assert(sizeof(struct xen_blkif_sring) <= 4096, "ABI: the ring fits its page");

/*
 * xenstore nodes (Xen's blkif.h, "Feature and Parameter Negotiation"):
 *   backend  /local/domain/<be>/backend/vbd/<fe>/<id>/
 *            frontend, frontend-id, sectors, sector-size, info,
 *            feature-flush-cache, state
 *   frontend /local/domain/<fe>/device/vbd/<id>/
 *            backend, backend-id, ring-ref, event-channel, protocol, state
 * "info" is VDISK_* flags; 0 for a plain writable disk.
 */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

#define XEN_IO_PROTO_ABI_X86_32 "x86_32-abi"

#endif
