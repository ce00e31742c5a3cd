/*
 * blkfront.c - the frontend half of Xen's split block device (blkfront.h).
 *
 * The pages we share are spare frames of ours (mm_frame_alloc_zeroed),
 * mapped at scratch VAs: per device one ring page and BLKFRONT_SEGS bounce
 * pages, granted to the backend by fixed references (entries 0 and 1 are
 * the builder's console and store).  The
 * backend is another guest: its answers are checked as a backend checks
 * our requests - rsp_prod is read once and must not claim more answers
 * than we asked (blkif_front_pending in blkif_proto.c).
 */
#include "pvguest/lib/blkfront.h"
#include "pvguest/lib/blkif_proto.h"
#include "pvguest/lib/xenbus.h"
#include "hypercalls/public/io/xenbus.h"

#define BLKFRONT_DEVICES 2
#define FIRST_REF 8                     /* after the builder's reserved entries */
#define WAIT_NS (30ull * NS_PER_SEC)    /* only a guard against a dead backend */

static unsigned devices;
static bool table_ready;

static long fail(const char *step, long rc)
{
    printf("blkfront: %s: %ld (%s)\n", step, rc, xenbus_last_error);
    return rc < 0 ? rc : -EIO;
}

/* Wait until the backend's state is in lo..hi: that state, or -ETIME. */
static long wait_backend(struct blkfront *f, unsigned lo, unsigned hi)
{
    static char p[XENBUS_EVENT_MAX], t[XENBUS_EVENT_MAX];
    uint64_t deadline = time_now_ns() + WAIT_NS;
    unsigned long state = 0;

    while (time_now_ns() < deadline) {
        if (!xs_read_number(f->backend_path, "state", &state) && state >= lo && state <= hi)
            return (long)state;
        if (!xs_next_event(p, sizeof(p), t, sizeof(t), true))
            break;
    }
    printf("blkfront: vbd %u: backend state %lu, waited for %u..%u\n", f->id, state, lo, hi);
    return -ETIME;
}

long blkfront_wait_backend(struct blkfront *f, unsigned want)
{
    return wait_backend(f, want, ~0u);
}

/* A zeroed frame of ours mapped writable at a scratch VA; its mfn in *mfn.  NULL when out. */
static uint8_t *new_page(uint32_t *mfn)
{
    uint32_t pfn = mm_frame_alloc_zeroed(), va = pfn == MFN_NONE ? 0 : mm_va_slot();
    if (!va)
        return NULL;
    *mfn = mm_pfn_to_mfn(pfn);
    if (mm_map(va, mm_pte(*mfn, PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)))
        return NULL;
    return (uint8_t *)(uintptr_t)va;
}

/* Our ring page and bounce pages, once per device: a second life reuses them. */
static long alloc_pages(struct blkfront *f)
{
    uint32_t frames[1];
    unsigned dev = devices;

    if (dev == BLKFRONT_DEVICES)
        return -ENOSPC;
    if (!table_ready) {
        long rc = gnttab_setup(1, frames);
        if (rc)
            return fail("grant table setup", rc);
        table_ready = true;
    }
    devices++;
    if (!(f->ring = (volatile struct xen_blkif_sring *)new_page(&f->ring_mfn)))
        return fail("ring page", -ENOMEM);
    f->ring_ref = FIRST_REF + dev * (1 + BLKFRONT_SEGS);
    for (unsigned i = 0; i < BLKFRONT_SEGS; i++) {
        if (!(f->data[i] = new_page(&f->data_mfn[i])))
            return fail("bounce page", -ENOMEM);
        f->data_ref[i] = f->ring_ref + 1 + i;
    }
    return 0;
}

/* Each life: an empty ring, our pages granted to the backend, a new port. */
static long share(struct blkfront *f)
{
    memset((void *)f->ring, 0, PAGE_SIZE);
    f->ring->h.req_event = 1;           /* SHARED_RING_INIT */
    f->ring->h.rsp_event = 1;
    f->req_prod_pvt = f->rsp_cons = 0;  /* FRONT_RING_INIT */
    gnttab_grant(f->ring_ref, f->backend, f->ring_mfn, false);
    for (unsigned i = 0; i < BLKFRONT_SEGS; i++)
        gnttab_grant(f->data_ref[i], f->backend, f->data_mfn[i], false);
    long port = evtchn_alloc_unbound(f->backend);
    if (port < 0)
        return fail("event channel", port);
    f->port = (unsigned)port;
    evtchn_mask(f->port);               /* we poll it: an upcall must not eat its pending bit */
    return 0;
}

/*
 * Step 3: our half of the ring's address, state last.  Linux does this in
 * one transaction; this xenstored fails a transaction whenever anything in
 * the store changed meanwhile (EAGAIN), which with several guests busy is
 * often.  Writing state last gives the backend the same guarantee: it
 * reads ring-ref and event-channel only once it sees Initialised.
 */
static long publish_ring(struct blkfront *f)
{
    long rc;
    if ((rc = xs_printf(f->path, "ring-ref", "%u", f->ring_ref)) < 0 ||
        (rc = xs_printf(f->path, "event-channel", "%u", f->port)) < 0 ||
        (rc = xs_printf(f->path, "protocol", "%s", XEN_IO_PROTO_ABI_X86_32)) < 0 ||
        (rc = xs_printf(f->path, "state", "%u", XenbusStateInitialised)) < 0)
        return fail("ring nodes", rc);
    return 0;
}

/* The first life: the toolstack's nodes (dom.disk=1), our first device and its backend. */
static long find_device(struct blkfront *f)
{
    char ids[64], node[80];
    unsigned long v;
    long rc;

    if ((rc = xs_read_number("", "domid", &v)) < 0)
        return fail("our domid", rc);
    f->self = (unsigned)v;
    if ((rc = xs_directory(0, "device/vbd", ids, sizeof(ids))) <= 0 || !parse_uint(ids, &v))
        return fail("no device/vbd (the domain needs dom.disk=1)", rc < 0 ? rc : -ENODEV);
    f->id = (unsigned)v;
    snprintf(f->path, sizeof(f->path), "device/vbd/%u", f->id);
    snprintf(node, sizeof(node), "%s/backend", f->path);
    if ((rc = xs_read_number(f->path, "backend-id", &v)) < 0 ||
        (rc = xs_read(0, node, f->backend_path, sizeof(f->backend_path))) < 0)
        return fail("the device's backend-id and backend", rc);
    f->backend = (unsigned)v;
    snprintf(f->state_path, sizeof(f->state_path), "%s/state", f->backend_path);
    return alloc_pages(f);
}

long blkfront_connect(struct blkfront *f)
{
    unsigned long v;
    long rc;

    if (!f->ring) {
        memset(f, 0, sizeof(*f));
        if ((rc = find_device(f)) < 0)
            return rc;
    }
    if ((rc = share(f)) < 0)
        return rc;
    /*
     * A second life (ours, or a kernel's after GRUB's): say Initialising,
     * which a Closed backend answers with InitWait.  Its state may still
     * say Closed, from the last life, so wait for InitWait itself.
     */
    if ((rc = xs_read_number(f->path, "state", &v)) < 0 ||
        (v != XenbusStateInitialising &&
         (rc = xs_printf(f->path, "state", "%u", XenbusStateInitialising)) < 0))
        return fail("state Initialising", rc);
    if ((rc = xs_watch(f->state_path, "blkfront")) < 0)
        return fail("watch on the backend's state", rc);
    if ((rc = wait_backend(f, XenbusStateInitWait, XenbusStateInitWait)) < 0)
        return rc;
    if ((rc = publish_ring(f)) < 0)
        return rc;
    if ((rc = blkfront_wait_backend(f, XenbusStateConnected)) != XenbusStateConnected)
        return fail("backend did not connect", rc < 0 ? rc : -EIO);

    unsigned long sectors, ssize, info;
    if ((rc = xs_read_number(f->backend_path, "sectors", &sectors)) < 0 ||
        (rc = xs_read_number(f->backend_path, "sector-size", &ssize)) < 0 ||
        (rc = xs_read_number(f->backend_path, "info", &info)) < 0)
        return fail("backend's disk nodes", rc);
    f->sectors = sectors;
    f->sector_size = (unsigned)ssize;
    f->info = (unsigned)info;
    if ((rc = xs_printf(f->path, "state", "%u", XenbusStateConnected)) < 0)
        return fail("state Connected", rc);
    return 0;
}

/*
 * Closing, and the backend's Closing; Closed, and the backend's Closed:
 * by then it has unmapped our ring (Xen's classic blkback does at Closing,
 * Linux's at Closed), so we end our grants, idle, and our port.  After
 * that blkfront_connect may start a new life.
 */
long blkfront_disconnect(struct blkfront *f)
{
    long rc;
    if ((rc = xs_printf(f->path, "state", "%u", XenbusStateClosing)) < 0)
        return fail("state Closing", rc);
    if ((rc = blkfront_wait_backend(f, XenbusStateClosing)) < 0)
        return rc;
    if ((rc = xs_printf(f->path, "state", "%u", XenbusStateClosed)) < 0)
        return fail("state Closed", rc);
    if ((rc = wait_backend(f, XenbusStateClosed, XenbusStateClosed)) < 0)
        return rc;
    xs_unwatch(f->state_path, "blkfront");
    uint16_t busy = gnttab_revoke(f->ring_ref);
    for (unsigned i = 0; i < BLKFRONT_SEGS; i++)
        busy |= gnttab_revoke(f->data_ref[i]);
    evtchn_close(f->port);
    return busy ? fail("grants still in use after Closed", -EBUSY) : 0;
}

void blkfront_post(struct blkfront *f, const struct xen_blkif_request *req)
{
    volatile struct xen_blkif_request *slot =
        &f->ring->ring[f->req_prod_pvt & (XEN_BLKIF_RING_SIZE - 1)].req;
    const uint8_t *src = (const uint8_t *)req;
    volatile uint8_t *dst = (volatile uint8_t *)slot;
    for (unsigned i = 0; i < sizeof(*req); i++)
        dst[i] = src[i];
    f->req_prod_pvt++;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the request before the index */
    f->ring->h.req_prod = f->req_prod_pvt;
    evtchn_send(f->port);
}

long blkfront_response(struct blkfront *f, struct xen_blkif_response *rsp)
{
    uint64_t deadline = time_now_ns() + WAIT_NS;
    xen_evtchn_port_t p = f->port;

    for (;;) {
        uint32_t prod = f->ring->h.rsp_prod;        /* read once */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        int n = blkif_front_pending(prod, f->rsp_cons, f->req_prod_pvt);
        if (n < 0)
            return -EIO;
        if (n > 0) {
            volatile struct xen_blkif_response *r =
                &f->ring->ring[f->rsp_cons & (XEN_BLKIF_RING_SIZE - 1)].rsp;
            rsp->id = r->id;
            rsp->operation = r->operation;
            rsp->status = r->status;
            f->rsp_cons++;
            f->ring->h.rsp_event = f->rsp_cons + 1;
            return 0;
        }
        if (time_now_ns() > deadline)
            return -ETIME;
        struct xen_sched_poll poll = { .nr_ports = 1, .timeout = deadline };
        set_xen_guest_handle(poll.ports, &p);
        HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
        __atomic_fetch_and(&shared_info->evtchn_pending[p / 32], ~(1u << (p % 32)),
                           __ATOMIC_SEQ_CST);
    }
}

long blkfront_io(struct blkfront *f, uint8_t op, uint64_t sector, void *buf, unsigned nsect)
{
    struct xen_blkif_request req;
    struct xen_blkif_response rsp;
    uint32_t bytes = nsect * XEN_BLKIF_SECTOR_SIZE;
    uint8_t *b = buf;
    long rc;

    if (!nsect || bytes > BLKFRONT_MAX_BYTES)
        return -EINVAL;
    memset(&req, 0, sizeof(req));
    req.operation = op;
    req.handle = (xen_blkif_vdev_t)f->id;
    req.id = ++f->next_id;
    req.sector_number = sector;
    for (uint32_t done = 0; done < bytes; req.nr_segments++) {
        uint32_t len = bytes - done < PAGE_SIZE ? bytes - done : PAGE_SIZE;
        struct xen_blkif_request_segment *s = &req.seg[req.nr_segments];
        s->gref = f->data_ref[req.nr_segments];
        s->first_sect = 0;
        s->last_sect = (uint8_t)(len / XEN_BLKIF_SECTOR_SIZE - 1);
        if (op == BLKIF_OP_WRITE)
            memcpy(f->data[req.nr_segments], b + done, len);
        done += len;
    }
    blkfront_post(f, &req);
    if ((rc = blkfront_response(f, &rsp)) < 0)
        return rc;
    if (rsp.id != req.id)
        return -EIO;
    if (rsp.status == BLKIF_RSP_OKAY && op == BLKIF_OP_READ)
        for (unsigned i = 0, done = 0; done < bytes; i++, done += PAGE_SIZE)
            memcpy(b + done, f->data[i], bytes - done < PAGE_SIZE ? bytes - done : PAGE_SIZE);
    return rsp.status;
}
