/*
 * argo.h - argo_op: messages between domains, copied by the hypervisor.
 *
 * This file owns the XEN_ARGO_OP_* commands of hypercall 39 (argo_op), the
 * records they take, the layout of a ring in guest memory and the header
 * the hypervisor writes before each message.  A domain offers a ring of its
 * own pages for (port, partner); a sender names (domain, port) and the
 * hypervisor copies the message into that ring.  Numbers and layouts are
 * Xen's xen/include/public/argo.h for a 32-bit guest (the "compat" ABI, in
 * which a guest handle is 32 bits).  It must never describe delivery
 * policy; that is hypervisor/share/argo_ring.c's.
 *
 *   argo_op(register_ring,   xen_argo_register_ring *, xen_argo_gfn_t[npages], npages, flags)
 *   argo_op(unregister_ring, xen_argo_unregister_ring *, NULL, 0, 0)
 *   argo_op(sendv,           xen_argo_send_addr *, xen_argo_iov[niov], niov, message_type)
 *   argo_op(notify,          xen_argo_ring_data * or NULL, NULL, 0, 0)
 *
 * Argo is off unless the hypervisor is booted with argo=1; until then
 * every command is -EOPNOTSUPP.
 */
#ifndef XEN_PUBLIC_ARGO_H
#define XEN_PUBLIC_ARGO_H

#include "xen.h"

#define XEN_ARGO_OP_register_ring    1
#define XEN_ARGO_OP_unregister_ring  2
#define XEN_ARGO_OP_sendv            3
#define XEN_ARGO_OP_notify           4

/* register_ring flags: refuse to replace a ring that is already there. */
#define XEN_ARGO_REGISTER_FLAG_FAIL_EXIST  0x1

/* A ring open to every domain (needs argo=1,mac-permissive=1, as in Xen). */
#define XEN_ARGO_DOMID_ANY       DOMID_INVALID

/* A ring (its data, not counting the 64-byte xen_argo_ring) is at most 16 MiB. */
#define XEN_ARGO_MAX_RING_SIZE   0x1000000u
/* Messages are padded to a multiple of this; ring lengths are multiples of it. */
#define XEN_ARGO_MSG_SLOT_SIZE   0x10
/* sendv takes at most this many iovs. */
#define XEN_ARGO_MAXIOV          8u

/* notify's answer about one ring (xen_argo_ring_data_ent.flags). */
#define XEN_ARGO_RING_EXISTS      (1u << 0)   /* the ring is there for us */
#define XEN_ARGO_RING_SHARED      (1u << 1)   /* its partner is XEN_ARGO_DOMID_ANY */
#define XEN_ARGO_RING_EMPTY       (1u << 2)
#define XEN_ARGO_RING_SUFFICIENT  (1u << 3)   /* space_required fits now */
#define XEN_ARGO_RING_EMSGSIZE    (1u << 4)   /* space_required never fits */
#define XEN_ARGO_RING_EBUSY       (1u << 5)   /* too many domains wait on it */

#ifndef __ASSEMBLER__

typedef uint32_t xen_argo_port_t;
typedef uint64_t xen_argo_gfn_t;     /* a frame of ours: an MFN, for a PV guest */

struct xen_argo_addr {
    xen_argo_port_t aport;
    xen_domid_t domain_id;
    uint16_t pad;                    /* must be 0 */
};
typedef struct xen_argo_addr xen_argo_addr_t;
XEN_ABI_SIZE(struct xen_argo_addr, 8);
XEN_ABI_OFFSET(struct xen_argo_addr, aport, 0);
XEN_ABI_OFFSET(struct xen_argo_addr, domain_id, 4);
XEN_ABI_OFFSET(struct xen_argo_addr, pad, 6);

/* sendv: from src (domain_id ours, or XEN_ARGO_DOMID_ANY for "us") to dst. */
struct xen_argo_send_addr {
    struct xen_argo_addr src;
    struct xen_argo_addr dst;
};
typedef struct xen_argo_send_addr xen_argo_send_addr_t;
XEN_ABI_SIZE(struct xen_argo_send_addr, 16);
XEN_ABI_OFFSET(struct xen_argo_send_addr, src, 0);
XEN_ABI_OFFSET(struct xen_argo_send_addr, dst, 8);

struct xen_argo_iov {
    xen_guest_handle_t iov_hnd;      /* -> uint8_t[iov_len] */
    uint32_t iov_len;
    uint32_t pad;                    /* must be 0 */
};
typedef struct xen_argo_iov xen_argo_iov_t;
XEN_ABI_SIZE(struct xen_argo_iov, 12);
XEN_ABI_OFFSET(struct xen_argo_iov, iov_hnd, 0);
XEN_ABI_OFFSET(struct xen_argo_iov, iov_len, 4);
XEN_ABI_OFFSET(struct xen_argo_iov, pad, 8);

/*
 * The head of the ring's first page.  ring[] follows, len bytes over as
 * many pages as it takes.  The hypervisor writes messages at tx_ptr and
 * moves it; the receiver reads at rx_ptr and moves it.  Each is an offset
 * into ring[], a multiple of XEN_ARGO_MSG_SLOT_SIZE.
 */
struct xen_argo_ring {
    uint32_t rx_ptr;
    uint32_t tx_ptr;
    uint8_t reserved[56];
    uint8_t ring[];
};
typedef struct xen_argo_ring xen_argo_ring_t;
XEN_ABI_SIZE(struct xen_argo_ring, 64);
XEN_ABI_OFFSET(struct xen_argo_ring, rx_ptr, 0);
XEN_ABI_OFFSET(struct xen_argo_ring, tx_ptr, 4);
XEN_ABI_OFFSET(struct xen_argo_ring, ring, 64);

/* register_ring: the ring is for messages from partner_id (or ANY) to aport. */
struct xen_argo_register_ring {
    xen_argo_port_t aport;
    xen_domid_t partner_id;
    uint16_t pad;                    /* must be 0 */
    uint32_t len;                    /* bytes of ring[] */
};
typedef struct xen_argo_register_ring xen_argo_register_ring_t;
XEN_ABI_SIZE(struct xen_argo_register_ring, 12);
XEN_ABI_OFFSET(struct xen_argo_register_ring, aport, 0);
XEN_ABI_OFFSET(struct xen_argo_register_ring, partner_id, 4);
XEN_ABI_OFFSET(struct xen_argo_register_ring, pad, 6);
XEN_ABI_OFFSET(struct xen_argo_register_ring, len, 8);

struct xen_argo_unregister_ring {
    xen_argo_port_t aport;
    xen_domid_t partner_id;
    uint16_t pad;                    /* must be 0 */
};
typedef struct xen_argo_unregister_ring xen_argo_unregister_ring_t;
XEN_ABI_SIZE(struct xen_argo_unregister_ring, 8);
XEN_ABI_OFFSET(struct xen_argo_unregister_ring, aport, 0);
XEN_ABI_OFFSET(struct xen_argo_unregister_ring, partner_id, 4);
XEN_ABI_OFFSET(struct xen_argo_unregister_ring, pad, 6);

/* notify: one question about the ring at `ring`; flags and max_message_size are OUT. */
struct xen_argo_ring_data_ent {
    struct xen_argo_addr ring;
    uint16_t flags;                  /* OUT: XEN_ARGO_RING_* */
    uint16_t pad;
    uint32_t space_required;         /* IN: payload bytes we want to send */
    uint32_t max_message_size;       /* OUT: the largest payload the ring takes */
};
typedef struct xen_argo_ring_data_ent xen_argo_ring_data_ent_t;
XEN_ABI_SIZE(struct xen_argo_ring_data_ent, 20);
XEN_ABI_OFFSET(struct xen_argo_ring_data_ent, ring, 0);
XEN_ABI_OFFSET(struct xen_argo_ring_data_ent, flags, 8);
XEN_ABI_OFFSET(struct xen_argo_ring_data_ent, pad, 10);
XEN_ABI_OFFSET(struct xen_argo_ring_data_ent, space_required, 12);
XEN_ABI_OFFSET(struct xen_argo_ring_data_ent, max_message_size, 16);

struct xen_argo_ring_data {
    uint32_t nent;                   /* at most 256 */
    uint32_t pad;
    struct xen_argo_ring_data_ent data[];
};
typedef struct xen_argo_ring_data xen_argo_ring_data_t;
XEN_ABI_SIZE(struct xen_argo_ring_data, 8);
XEN_ABI_OFFSET(struct xen_argo_ring_data, nent, 0);
XEN_ABI_OFFSET(struct xen_argo_ring_data, data, 8);

/* What the hypervisor writes before each message; len counts this header too. */
struct xen_argo_ring_message_header {
    uint32_t len;
    struct xen_argo_addr source;
    uint32_t message_type;
    uint8_t data[];
};
typedef struct xen_argo_ring_message_header xen_argo_ring_message_header_t;
XEN_ABI_SIZE(struct xen_argo_ring_message_header, 16);
XEN_ABI_OFFSET(struct xen_argo_ring_message_header, len, 0);
XEN_ABI_OFFSET(struct xen_argo_ring_message_header, source, 4);
XEN_ABI_OFFSET(struct xen_argo_ring_message_header, message_type, 12);
XEN_ABI_OFFSET(struct xen_argo_ring_message_header, data, 16);

#endif /* !__ASSEMBLER__ */
#endif
