/* argo_ring.h - Argo rings: who offers which pages for whose messages (argo_ring.c). */
#ifndef HV_ARGO_RING_H
#define HV_ARGO_RING_H
#include "hypervisor/domain/domain.h"
#include "hypercalls/public/argo.h"

#define ARGO_MAX_RINGS    128u     /* per domain: Xen's MAX_RINGS_PER_DOMAIN */
#define ARGO_MAX_PENDING  32u      /* senders waiting for space on one ring: MAX_PENDING_PER_RING */
#define ARGO_HDR          sizeof(struct xen_argo_ring_message_header)
#define ARGO_ROUNDUP(n)   ALIGN_UP((uint32_t)(n), XEN_ARGO_MSG_SLOT_SIZE)
/* The largest payload the largest ring takes: one header and one slot stay free. */
#define ARGO_MAX_MSG      (XEN_ARGO_MAX_RING_SIZE - ARGO_HDR - XEN_ARGO_MSG_SLOT_SIZE)
/* Pages a ring of len bytes takes, with its 64-byte xen_argo_ring head (Xen's NPAGES_RING). */
#define ARGO_NPAGES(len)  ((ARGO_ROUNDUP(len) + sizeof(struct xen_argo_ring) + PAGE_SIZE - 1) >> PAGE_SHIFT)

struct argo_ring;

/*
 * Register (or, with the same length, re-register) d's ring (aport,
 * partner) on the npages frames listed at guest address gfns.  The caller
 * has checked the record's shape (length, pad, flags) and that the
 * partner may be named.  0, or -ENOSPC, -EEXIST, -EFAULT, -EINVAL, -ENOMEM.
 */
int argo_ring_register(struct domain *d, const struct xen_argo_register_ring *reg,
                       guest_ptr_t gfns, uint32_t npages, uint32_t flags);
/* Drop d's ring (aport, partner) and its pages: 0 or -ENOENT. */
int argo_ring_unregister(struct domain *d, uint32_t aport, uint16_t partner);

/* The ring of d that a message from domain `from` to aport goes to (exact partner, then ANY). */
struct argo_ring *argo_ring_find(struct domain *d, uint32_t aport, uint16_t from);

/*
 * Write one message of len payload bytes (the sum of the iovs, checked by
 * the caller) from src into ring r of domain to, and raise VIRQ_ARGO
 * there.  len, or -EMSGSIZE (never fits), -EAGAIN (not now; src's domain is
 * queued to be told when it does), -EBUSY (too many queued), -EFAULT, or
 * -ERESTART: call again with *done as it left it (0 for a new message).
 */
long argo_ring_send(struct domain *to, struct argo_ring *r, const struct xen_argo_addr *src,
                    const struct xen_argo_iov *iov, unsigned niov, uint32_t type, uint32_t len,
                    uint32_t *done);

/* notify's answer about r to domain `from`: XEN_ARGO_RING_* flags and *max_msg. */
uint16_t argo_ring_query(struct argo_ring *r, uint16_t from, uint32_t space_required, uint32_t *max_msg);

/* d has read from its rings: raise VIRQ_ARGO in each sender whose wait is over. */
void argo_ring_wake_senders(struct domain *d);

/* d is dying: its rings go, and so do other domains' rings for d alone. */
void argo_domain_dies(struct domain *d);
#endif
