/*
 * io/ring.h - the shared request/response ring of Xen's split drivers.
 *
 * One page shared by a frontend (which grants it) and a backend (which maps
 * it).  Its head holds four free-running 32-bit indexes; the rest is an
 * array of slots, each a union of one request and one response, rounded
 * down to a power of two so an index masked by (size - 1) picks a slot:
 *   req_prod  written by the frontend: requests [.., req_prod) are posted
 *   rsp_prod  written by the backend:  responses [.., rsp_prod) are posted
 *   req_event / rsp_event: "notify me when the producer passes this"
 * Each side keeps its consumer index (req_cons, rsp_cons) private, in
 * Xen's front_ring/back_ring structs; the page holds only what the other
 * side must see.  Xen generates the per-device structs with the
 * DEFINE_RING_TYPES macro; we write out the one layout we use (blkif.h)
 * and keep only the page header and the size rule here.  The layout is
 * Xen's (xen/include/public/io/ring.h).
 */
#ifndef XEN_PUBLIC_IO_RING_H
#define XEN_PUBLIC_IO_RING_H

#include "../xen-types.h"

typedef uint32_t xen_ring_idx_t;

/* The page head: what DEFINE_RING_TYPES puts before ring[]. */
struct xen_sring_header {
    xen_ring_idx_t req_prod, req_event;
    xen_ring_idx_t rsp_prod, rsp_event;
    uint8_t pvt_pad[4];         /* Xen's "pvt" union (netif/tapif use it) */
    uint8_t pad[44];
};
XEN_ABI_SIZE(struct xen_sring_header, 64);
XEN_ABI_OFFSET(struct xen_sring_header, req_prod, 0);
XEN_ABI_OFFSET(struct xen_sring_header, req_event, 4);
XEN_ABI_OFFSET(struct xen_sring_header, rsp_prod, 8);
XEN_ABI_OFFSET(struct xen_sring_header, rsp_event, 12);
XEN_ABI_OFFSET(struct xen_sring_header, pvt_pad, 16);

/* Xen's __RD32: round down to a power of two. */
#define XEN_RD2(x)  (((x) & 0x00000002u) ? 0x2u : ((x) & 0x1u))
#define XEN_RD4(x)  (((x) & 0x0000000cu) ? XEN_RD2((x) >> 2) << 2 : XEN_RD2(x))
#define XEN_RD8(x)  (((x) & 0x000000f0u) ? XEN_RD4((x) >> 4) << 4 : XEN_RD4(x))
#define XEN_RD16(x) (((x) & 0x0000ff00u) ? XEN_RD8((x) >> 8) << 8 : XEN_RD8(x))
#define XEN_RD32(x) (((x) & 0xffff0000u) ? XEN_RD16((x) >> 16) << 16 : XEN_RD16(x))

/* Slots in a ring of `pages` pages whose slot is entry_size bytes (__CONST_RING_SIZE). */
#define XEN_RING_SIZE(entry_size, pages) \
    XEN_RD32((uint32_t)(((pages) * 4096u - sizeof(struct xen_sring_header)) / (entry_size)))

#endif
