/*
 * xs_ring.c - one side of a xenstore ring, safe against a hostile peer.
 *
 * The peer's index is read once per call into a local; everything after
 * uses that local, so the peer changing it mid-call changes nothing.  Our
 * own index lives in struct xs_ring_dir and is only ever written to the
 * page: a peer scribbling on "our" index in the page cannot move us.  Each
 * byte's slot is MASK_XENSTORE_IDX(index), so no index can point outside
 * the ring.  Ordering: a consumer reads the bytes after it has read the
 * producer's index and publishes its own index after copying them; a
 * producer writes the bytes before publishing.  On x86 stores are not
 * reordered with stores nor loads with loads, so compiler barriers are
 * enough, exactly as in Xen's own rings for x86.
 */
#include "pvguest/lib/xs_ring.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

void xs_ring_dir_init(struct xs_ring_dir *d, volatile char *buf,
                      volatile uint32_t *ours, volatile uint32_t *theirs,
                      bool producer)
{
    d->buf = buf;
    d->ours = ours;
    d->theirs = theirs;
    d->idx = *ours;
    d->producer = producer;
}

void xs_ring_server(struct xs_ring_dir *req, struct xs_ring_dir *rsp,
                    volatile struct xen_xenstore_domain_interface *intf)
{
    xs_ring_dir_init(req, intf->req, &intf->req_cons, &intf->req_prod, false);
    xs_ring_dir_init(rsp, intf->rsp, &intf->rsp_prod, &intf->rsp_cons, true);
}

void xs_ring_client(struct xs_ring_dir *req, struct xs_ring_dir *rsp,
                    volatile struct xen_xenstore_domain_interface *intf)
{
    xs_ring_dir_init(req, intf->req, &intf->req_prod, &intf->req_cons, true);
    xs_ring_dir_init(rsp, intf->rsp, &intf->rsp_cons, &intf->rsp_prod, false);
}

/* The space as seen with the peer's index `theirs` (read once by the caller). */
static int space_with(const struct xs_ring_dir *d, uint32_t theirs)
{
    /* Bytes in flight: producer index minus consumer index, mod 2^32. */
    uint32_t used = d->producer ? d->idx - theirs : theirs - d->idx;

    if (used > XENSTORE_RING_SIZE)
        return -1;
    return (int)(d->producer ? XENSTORE_RING_SIZE - used : used);
}

int xs_ring_space(const struct xs_ring_dir *d)
{
    return space_with(d, *d->theirs);
}

/* Move n bytes between buf and the ring at our index (the caller checked room). */
static void move(struct xs_ring_dir *d, char *mem, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        volatile char *slot = &d->buf[MASK_XENSTORE_IDX(d->idx + i)];
        if (d->producer)
            *slot = mem[i];
        else
            mem[i] = *slot;
    }
    barrier();
    d->idx += n;
    *d->ours = d->idx;
}

static int transfer(struct xs_ring_dir *d, char *mem, uint32_t n)
{
    uint32_t theirs = *d->theirs;      /* read once */
    int room;

    barrier();
    room = space_with(d, theirs);
    if (room < 0)
        return -1;
    if (n > (uint32_t)room)
        n = (uint32_t)room;
    move(d, mem, n);
    return (int)n;
}

int xs_ring_read(struct xs_ring_dir *d, void *dst, uint32_t n)
{
    return d->producer ? -1 : transfer(d, dst, n);
}

int xs_ring_write(struct xs_ring_dir *d, const void *src, uint32_t n)
{
    return d->producer ? transfer(d, (char *)src, n) : -1;
}
