/*
 * argo_ring.c - Argo rings: the pages a domain offers, and messages into them.
 *
 * A ring is npages of the registering domain's own RAM: a 64-byte
 * xen_argo_ring head (rx_ptr, tx_ptr) on the first page, then len bytes of
 * ring[].  For as long as it is registered the hypervisor holds a
 * PGT_WRITABLE type reference on every page, as Xen's argo does with
 * get_page_and_type: the page cannot become a page table or a GDT, and
 * decrease_reservation cannot give it back (memory.c refuses any frame with
 * references), so nothing else can ever be written there.  Messages reach a
 * ring only through map_domain_page of those frames, never through a guest
 * pointer into another domain.  The owner controls rx_ptr and may write any
 * word of the ring at any time, so rx_ptr is rounded and range-checked each
 * time it is read, and tx_ptr is the hypervisor's own copy (the one in the
 * page is only written).  Each domain's rings are listed in one directmapped
 * page (struct argo_domain), made on first use and freed at death, and each
 * ring's own record takes one page or a few contiguous ones.  Every loop is
 * bounded: 128 rings a domain, 32 waiting senders a ring, 4096 pages a ring,
 * and one message is at most 16 MiB, as in Xen, copied a page at a time
 * with a continuation when the tick is due (Xen copies it in one go).
 */
#include "hypervisor/share/argo_ring.h"
#include "hypervisor/event/event.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/lib.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/page_type.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/paging.h"

struct argo_ring {
    uint32_t aport;
    uint16_t partner;             /* a domain id, or XEN_ARGO_DOMID_ANY */
    uint16_t npending;
    uint32_t len;                 /* bytes of ring[] */
    uint32_t tx_ptr;              /* ours: where the next message goes */
    uint32_t npages;              /* frames held in mfn[] */
    uint32_t record_pages;        /* this record's own frames */
    struct { uint16_t domid; uint32_t space; } pending[ARGO_MAX_PENDING];
    uint16_t part_from;           /* a send stopped part way: whose, of what */
    uint32_t part_len, part_done; /*   payload, after how many bytes (0: none) */
    mfn_t mfn[];
};

struct argo_domain {
    struct argo_ring *ring[ARGO_MAX_RINGS];
    unsigned count;
};
_Static_assert(sizeof(struct argo_domain) <= PAGE_SIZE, "a domain's ring list fits a page");

static void *new_record(uint32_t pages)
{
    mfn_t m = pages == 1 ? frame_alloc_low() : frame_alloc_low_range(pages);
    if (mfn_eq(m, INVALID_MFN))
        return NULL;
    void *p = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    memset(p, 0, pages * PAGE_SIZE);
    return p;
}

static void free_record(void *p, uint32_t pages)
{
    uint32_t first = (uint32_t)(directmap_pa(p) >> PAGE_SHIFT);
    for (uint32_t i = 0; i < pages; i++)
        frame_free(_mfn(first + i));
}

static int slot_of(const struct argo_domain *a, uint32_t aport, uint16_t partner)
{
    for (unsigned i = 0; a && i < ARGO_MAX_RINGS; i++)
        if (a->ring[i] && a->ring[i]->aport == aport && a->ring[i]->partner == partner)
            return (int)i;
    return -1;
}

struct argo_ring *argo_ring_find(struct domain *d, uint32_t aport, uint16_t from)
{
    int i = slot_of(d->argo, aport, from);
    if (i < 0)
        i = slot_of(d->argo, aport, XEN_ARGO_DOMID_ANY);
    return i < 0 ? NULL : d->argo->ring[i];
}

static void drop_pages(struct domain *d, struct argo_ring *r)
{
    for (uint32_t i = 0; i < r->npages; i++)
        page_type_put(d, r->mfn[i]);
    r->npages = 0;
}

static void remove_ring(struct domain *d, unsigned slot)
{
    struct argo_ring *r = d->argo->ring[slot];
    drop_pages(d, r);
    free_record(r, r->record_pages);
    d->argo->ring[slot] = NULL;
    d->argo->count--;
}

/*
 * Take a writable type reference on each frame listed at guest address
 * gfns (guest-controlled: each must be d's own RAM and not a page table or
 * descriptor page, else -EINVAL as Xen's find_ring_mfn).  All or nothing.
 */
static int take_pages(struct domain *d, struct argo_ring *r, guest_ptr_t gfns, uint32_t npages)
{
    int rc = 0;
    for (uint32_t i = 0; i < npages && !rc; i++) {
        xen_argo_gfn_t gfn;
        if (copy_from_guest(&gfn, gfns + i * (uint32_t)sizeof(gfn), sizeof(gfn)))
            rc = -EFAULT;
        else if (gfn >> 32 || page_type_get(d, _mfn((uint32_t)gfn), PGT_WRITABLE))
            rc = -EINVAL;
        else
            r->mfn[r->npages++] = _mfn((uint32_t)gfn);
    }
    if (rc)
        drop_pages(d, r);
    return rc;
}

/* The owner's rx_ptr, made safe to use: a slot boundary inside the ring. */
static uint32_t rx_ptr(const struct argo_ring *r)
{
    const volatile struct xen_argo_ring *h = map_domain_page(r->mfn[0]);
    uint32_t rx = ARGO_ROUNDUP(h->rx_ptr);
    unmap_domain_page((const void *)h);
    return rx >= r->len ? 0 : rx;
}

static void set_tx_ptr(struct argo_ring *r, uint32_t tx)
{
    volatile struct xen_argo_ring *h = map_domain_page(r->mfn[0]);
    h->tx_ptr = tx;
    unmap_domain_page((const void *)h);
    r->tx_ptr = tx;
}

/* Bytes free from tx_ptr up to rx_ptr; equal pointers mean an empty ring. */
static uint32_t free_bytes(const struct argo_ring *r)
{
    uint32_t rx = rx_ptr(r);
    return rx > r->tx_ptr ? rx - r->tx_ptr : r->len - r->tx_ptr + rx;
}

/* The largest payload that fits now: one header and one slot always stay free. */
static uint32_t payload_space(const struct argo_ring *r)
{
    uint32_t f = free_bytes(r);
    return f > ARGO_HDR + XEN_ARGO_MSG_SLOT_SIZE ? f - ARGO_HDR - XEN_ARGO_MSG_SLOT_SIZE : 0;
}

/*
 * Contract: reg (copied in) has a valid shape and partner; gfns and npages
 * are guest-controlled and checked in take_pages.  As in Xen the 128-ring
 * limit counts before a ring is looked up, and a re-registration that
 * fails leaves no ring at all.
 */
int argo_ring_register(struct domain *d, const struct xen_argo_register_ring *reg,
                       guest_ptr_t gfns, uint32_t npages, uint32_t flags)
{
    if (!d->argo && !(d->argo = new_record(1)))
        return -ENOMEM;
    struct argo_domain *a = d->argo;
    if (a->count >= ARGO_MAX_RINGS)
        return -ENOSPC;
    int slot = slot_of(a, reg->aport, reg->partner_id);
    if (slot >= 0) {
        if ((flags & XEN_ARGO_REGISTER_FLAG_FAIL_EXIST) || a->ring[slot]->len != reg->len)
            return -EEXIST;
        drop_pages(d, a->ring[slot]);
    } else {
        uint32_t pages = (sizeof(struct argo_ring) + npages * sizeof(mfn_t) + PAGE_SIZE - 1) / PAGE_SIZE;
        struct argo_ring *r = new_record(pages);
        if (!r)
            return -ENOMEM;
        *r = (struct argo_ring){ .aport = reg->aport, .partner = reg->partner_id,
                                 .len = reg->len, .record_pages = pages };
        for (slot = 0; a->ring[slot]; slot++)
            ;
        a->ring[slot] = r;
        a->count++;
    }
    struct argo_ring *r = a->ring[slot];
    int rc = take_pages(d, r, gfns, npages);
    if (rc) {
        remove_ring(d, (unsigned)slot);
        return rc;
    }
    /* Keep the guest's tx_ptr if it makes sense, else start at its rx_ptr. */
    const volatile struct xen_argo_ring *h = map_domain_page(r->mfn[0]);
    uint32_t tx = h->tx_ptr;
    unmap_domain_page((const void *)h);
    r->tx_ptr = tx;
    if (tx >= r->len || tx % XEN_ARGO_MSG_SLOT_SIZE)
        set_tx_ptr(r, rx_ptr(r));
    return 0;
}

int argo_ring_unregister(struct domain *d, uint32_t aport, uint16_t partner)
{
    int slot = slot_of(d->argo, aport, partner);
    if (slot < 0)
        return -ENOENT;
    remove_ring(d, (unsigned)slot);
    return 0;
}

/*
 * Copy n bytes to ring[pos..pos+n), which the caller keeps inside the ring,
 * from hypervisor memory (k) or else from the sender's guest address g
 * (guest-controlled: a bad one is -EFAULT).  One mapped page at a time.
 */
static int ring_copy(struct argo_ring *r, uint32_t pos, const uint8_t *k, guest_ptr_t g, uint32_t n)
{
    uint32_t off = (uint32_t)sizeof(struct xen_argo_ring) + pos;
    while (n) {
        uint32_t chunk = MIN(n, PAGE_SIZE - off % PAGE_SIZE), page = off / PAGE_SIZE;
        BUG_ON(page >= r->npages);
        uint8_t *dst = (uint8_t *)map_domain_page(r->mfn[page]) + off % PAGE_SIZE;
        int rc = 0;
        if (k)
            memcpy(dst, k, chunk), k += chunk;
        else
            rc = copy_from_guest(dst, g, chunk), g += chunk;
        unmap_domain_page(dst);
        if (rc)
            return rc;
        off += chunk, n -= chunk;
    }
    return 0;
}

/* Remember that domid waits for `space` payload bytes in r (one entry each, the largest wish). */
static int pending_add(struct argo_ring *r, uint16_t domid, uint32_t space)
{
    for (unsigned i = 0; i < r->npending; i++)
        if (r->pending[i].domid == domid) {
            r->pending[i].space = MAX(r->pending[i].space, space);
            return 0;
        }
    if (r->npending == ARGO_MAX_PENDING)
        return -EBUSY;
    r->pending[r->npending].domid = domid;
    r->pending[r->npending++].space = space;
    return 0;
}

static void pending_drop(struct argo_ring *r, unsigned i)
{
    r->pending[i] = r->pending[--r->npending];
}

static void pending_cancel(struct argo_ring *r, uint16_t domid)
{
    for (unsigned i = r->npending; i-- > 0;)
        if (r->pending[i].domid == domid)
            pending_drop(r, i);
}

/*
 * Contract: src names the sender (checked by the caller), iov and niov
 * (<= XEN_ARGO_MAXIOV) were copied in and sum to len <= ARGO_MAX_MSG; each
 * iov's buffer is guest-controlled and checked by copy_from_guest.  The
 * header goes at tx_ptr (slot-aligned, so it never wraps), the data after
 * it, wrapping at the end of the ring, a page at a time: when the tick is
 * due it stops with -ERESTART and *done bytes of the message in the ring
 * past tx_ptr, unseen until tx_ptr moves.  *done (the guest's, from the
 * continuation) is trusted only if r says this sender stopped there with
 * this len and nobody has sent since; otherwise the copy starts again.
 */
long argo_ring_send(struct domain *to, struct argo_ring *r, const struct xen_argo_addr *src,
                    const struct xen_argo_iov *iov, unsigned niov, uint32_t type, uint32_t len,
                    uint32_t *done)
{
    if (r->len <= ARGO_HDR + ARGO_ROUNDUP(len))
        return -EMSGSIZE;
    if (ARGO_HDR + ARGO_ROUNDUP(len) >= free_bytes(r))
        return pending_add(r, src->domain_id, len) ?: -EAGAIN;
    struct xen_argo_ring_message_header h = {
        .len = len + ARGO_HDR, .source = { .aport = src->aport, .domain_id = src->domain_id },
        .message_type = type };
    uint32_t at = 0, from = *done;
    if (from != r->part_done || r->part_from != src->domain_id || r->part_len != len)
        from = 0;
    r->part_done = 0;
    int rc = 0;
    for (unsigned i = 0; i <= niov && !rc; at += i ? iov[i - 1].iov_len : ARGO_HDR, i++) {
        uint32_t n = i ? iov[i - 1].iov_len : ARGO_HDR;
        for (uint32_t k = MIN(from - MIN(from, at), n); k < n && !rc;) {
            uint32_t pos = (r->tx_ptr + at + k) % r->len;
            uint32_t chunk = MIN(MIN(n - k, PAGE_SIZE), r->len - pos);
            if (at + k > from && hypercall_preempt_check()) {
                r->part_from = src->domain_id, r->part_len = len, r->part_done = *done = at + k;
                return -ERESTART;
            }
            rc = ring_copy(r, pos, i ? NULL : (const uint8_t *)&h + k, i ? iov[i - 1].iov_hnd + k : 0, chunk);
            k += chunk;
        }
    }
    if (rc)
        return rc;                       /* tx_ptr unmoved: the message was never sent */
    set_tx_ptr(r, ARGO_ROUNDUP(r->tx_ptr + at) % r->len);
    event_send_virq(to, VIRQ_ARGO);
    return len;
}

uint16_t argo_ring_query(struct argo_ring *r, uint16_t from, uint32_t space_required, uint32_t *max_msg)
{
    uint16_t flags = XEN_ARGO_RING_EXISTS;
    uint32_t space = payload_space(r);
    *max_msg = r->len - ARGO_HDR - XEN_ARGO_MSG_SLOT_SIZE;
    if (r->partner == XEN_ARGO_DOMID_ANY)
        flags |= XEN_ARGO_RING_SHARED;
    if (space_required > *max_msg)
        flags |= XEN_ARGO_RING_EMSGSIZE;
    else if (space >= space_required) {
        pending_cancel(r, from);
        flags |= XEN_ARGO_RING_SUFFICIENT;
    } else if (pending_add(r, from, space_required))
        flags |= XEN_ARGO_RING_EBUSY;
    if (space == *max_msg)
        flags |= XEN_ARGO_RING_EMPTY;
    return flags;
}

void argo_ring_wake_senders(struct domain *d)
{
    for (unsigned s = 0; d->argo && s < ARGO_MAX_RINGS; s++) {
        struct argo_ring *r = d->argo->ring[s];
        uint32_t space = r && r->npending ? payload_space(r) : 0;
        for (unsigned i = r ? r->npending : 0; space && i-- > 0;)
            if (r->pending[i].space <= space) {
                struct domain *w = event_domain(r->pending[i].domid);
                if (w)
                    event_send_virq(w, VIRQ_ARGO);
                pending_drop(r, i);
            }
    }
}

/* Xen's argo_destroy: d's rings, the rings others made for d alone, d's waits. */
void argo_domain_dies(struct domain *d)
{
    for (unsigned o = 0; o < nr_domains; o++) {
        struct domain *od = domains[o];
        for (unsigned s = 0; od->argo && s < ARGO_MAX_RINGS; s++) {
            struct argo_ring *r = od->argo->ring[s];
            if (r && (od == d || r->partner == d->id))
                remove_ring(od, s);
            else if (r)
                pending_cancel(r, (uint16_t)d->id);
        }
    }
    if (d->argo) {
        BUG_ON(d->argo->count);
        free_record(d->argo, 1);
        d->argo = NULL;
    }
}
