/*
 * blkback - the block device service domain (dom.service=blkback).
 *
 * A driver domain as Xen has them: an unprivileged guest that serves a
 * disk to other guests over Xen's blkif protocol (hypercalls/public/io/
 * blkif.h).  The disk is a RAM disk in this domain's own memory: the
 * ramdisk module the builder loaded for us (module line dom.ramdisk=1, the
 * image the next module; start_info.mod_start/mod_len, Xen's initrd), or
 * else 256 KiB of zeroes.  It is cut into BLKBACK_SLOTS equal regions; each
 * connected vbd gets one region, in the order they connect, so two
 * frontends never see each other's sectors.  A region is zeroed before it
 * is handed out again: the image's bytes go to the first user only.
 *
 * Finding frontends.  As in Xen, the toolstack (the hypervisor, for a
 * domain booted with dom.disk=1) writes both halves of a device's xenstore
 * nodes before the frontend runs: /local/domain/<us>/backend/vbd/<fe>/<id>/
 * (ours, readable by the frontend) with frontend, frontend-id and, last,
 * state = 1, and the frontend's device/vbd/<id>/ readable by us.  We watch
 * our backend/vbd directory (one watch, for any number of frontends) and
 * on any event look at every device there.  Then, per device, the
 * handshake of docs/sharing.md: we watch the frontend's directory and say
 * InitWait; when it says Initialised we map its ring (grant), bind its
 * event channel, publish the disk's size and say Connected.  A frontend
 * that closes (Closing, Closed) and then says Initialising again starts a
 * new life on the same vbd and disk, as under Xen: pvgrub's kernel after
 * GRUB, which closes the disk before it jumps (frontend_changed).
 *
 * The frontend is hostile until proven otherwise:
 *  - its ring page is read with one read of req_prod per pass, checked
 *    against the ring size (blkif_back_pending); impossible indexes drop
 *    the connection (state Closing, for the frontend to close) and
 *    nothing else;
 *  - each request is copied out of the page before it is looked at and
 *    checked as a whole (blkif_check_request); a bad one gets
 *    BLKIF_RSP_ERROR (BLKIF_RSP_EOPNOTSUPP for an operation we lack);
 *  - data moves by GNTTABOP_copy between the frontend's grant and our
 *    disk: a bad grant reference fails in the hypervisor, is answered
 *    BLKIF_RSP_ERROR, and we never map a data page;
 *  - a frontend that dies (its event channel is no longer interdomain,
 *    or a copy says GNTST_bad_domain) is disconnected, its region zeroed.
 * At most BLKBACK_RING_BUDGET requests of one ring per pass, and at most
 * VBDS_PER_FRONTEND disks per frontend, so a busy or greedy frontend
 * cannot starve the others.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/blkif_proto.h"
#include "pvguest/lib/xenbus.h"
#include "hypercalls/public/io/xenbus.h"

#define BLKBACK_SLOTS 4
#define ZERO_DISK_BYTES (256u * 1024)   /* without a ramdisk module */
#define BLKBACK_VBDS 8
#define VBDS_PER_FRONTEND 2         /* so one guest cannot take every slot */
#define BLKBACK_RING_BUDGET XEN_BLKIF_RING_SIZE
#define LOG_LINES 16                /* refused requests shown per vbd: no console flood */
#define POLL_NS (50ull * 1000 * 1000)   /* how often a dead frontend is looked for */

static uint8_t zero_disk[ZERO_DISK_BYTES] __attribute__((aligned(PAGE_SIZE)));
static uint8_t *disk;
static uint32_t slot_bytes, slot_sectors;
static bool slot_used[BLKBACK_SLOTS], slot_dirty[BLKBACK_SLOTS];

static uint8_t *slot_base(unsigned slot)
{
    return disk + slot * slot_bytes;
}

struct vbd {
    bool used, mapped, bound, gone;
    unsigned fe, id, slot, state, port, logged;
    volatile struct xen_blkif_sring *ring;
    uint32_t va;
    xen_grant_handle_t handle;
    uint32_t req_cons, rsp_prod_pvt;
    unsigned long served, refused;
    char fpath[48], bpath[64];
};

static struct vbd vbds[BLKBACK_VBDS];
static unsigned self;
static bool busy;                   /* a ring had more than its budget: do not sleep */
static uint32_t free_vas[BLKBACK_VBDS];
static unsigned nfree_vas;
static char dirbuf[XENSTORE_PAYLOAD_MAX + 1];

/* One line about v; a refused request's (request=true) only up to LOG_LINES per vbd. */
static void vlog_(struct vbd *v, bool request, const char *fmt, ...) __printf(3, 4);
static void vlog_(struct vbd *v, bool request, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    if (request && v->logged++ >= LOG_LINES) {
        if (v->logged == LOG_LINES + 1)
            printf("blkback: d%u vbd %u: further refused requests not shown\n", v->fe, v->id);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    printf("blkback: d%u vbd %u: %s\n", v->fe, v->id, line);
}
#define vlog(v, ...) vlog_(v, false, __VA_ARGS__)
#define rlog(v, ...) vlog_(v, true, __VA_ARGS__)

static void set_state(struct vbd *v, unsigned state)
{
    v->state = state;
    xs_printf(v->bpath, "state", "%u", state);
}

/* ---- the vbd table ------------------------------------------------------ */

static struct vbd *find(unsigned fe, unsigned id)
{
    for (unsigned i = 0; i < BLKBACK_VBDS; i++)
        if (vbds[i].used && vbds[i].fe == fe && vbds[i].id == id)
            return &vbds[i];
    return NULL;
}

static struct vbd *vbd_new(unsigned fe, unsigned id)
{
    unsigned slot = 0, theirs = 0;
    for (unsigned i = 0; i < BLKBACK_VBDS; i++)
        theirs += vbds[i].used && vbds[i].fe == fe;
    if (theirs >= VBDS_PER_FRONTEND)
        return NULL;                    /* quietly: it asks again on every change */
    while (slot < BLKBACK_SLOTS && slot_used[slot])
        slot++;
    for (unsigned i = 0; i < BLKBACK_VBDS && slot < BLKBACK_SLOTS; i++) {
        struct vbd *v = &vbds[i];
        if (v->used)
            continue;
        memset(v, 0, sizeof(*v));
        v->used = true;
        v->fe = fe;
        v->id = id;
        v->slot = slot;
        slot_used[slot] = true;
        if (slot_dirty[slot])                       /* nothing of a previous user */
            memset(slot_base(slot), 0, slot_bytes);
        snprintf(v->fpath, sizeof(v->fpath), "/local/domain/%u/device/vbd/%u", fe, id);
        snprintf(v->bpath, sizeof(v->bpath), "/local/domain/%u/backend/vbd/%u/%u", self, fe, id);
        if (xs_watch(v->fpath, "fe") < 0)
            vlog(v, "watch on %s: %s", v->fpath, xenbus_last_error);
        return v;
    }
    printf("blkback: d%u vbd %u: no free disk slot\n", fe, id);
    return NULL;
}

/*
 * Unmap the ring (the connection, not the record), and close the port
 * unless keep_port: a dropped ring's port stays bound so that the
 * frontend's death can still be seen (alive()) and its record freed,
 * until the frontend says Closed.
 */
static void disconnect(struct vbd *v, const char *why, bool keep_port)
{
    if (v->mapped) {
        int16_t st = gnttab_unmap(v->va, v->handle, 0);
        if (st)
            vlog(v, "unmap of the ring: status %d", st);
        free_vas[nfree_vas++] = v->va;
        v->mapped = false;
        vlog(v, "disconnected: %s (%lu requests served, %lu refused)", why, v->served, v->refused);
    }
    if (v->bound && !keep_port) {
        evtchn_close(v->port);
        v->bound = false;
    }
    v->ring = NULL;
}

static void vbd_free(struct vbd *v)
{
    char path[64];
    disconnect(v, "removed", false);
    vlog(v, "frontend's nodes removed, slot %u free", v->slot);
    slot_used[v->slot] = false;
    slot_dirty[v->slot] = true;
    xs_unwatch(v->fpath, "fe");
    snprintf(path, sizeof(path), "%s", v->bpath);
    xs_rm(0, path);
    v->used = false;
}

/* ---- the handshake ------------------------------------------------------- */

/*
 * Both halves Initialising (the toolstack's nodes, how = "found"), or the
 * frontend back after both closed ("back", its disk as it left it): InitWait.
 */
static void backend_init(struct vbd *v, const char *how)
{
    xs_printf(v->bpath, "feature-flush-cache", "1");
    set_state(v, XenbusStateInitWait);
    vlog(v, "frontend %s, slot %u, state InitWait", how, v->slot);
}

static uint32_t va_get(void)
{
    return nfree_vas ? free_vas[--nfree_vas] : mm_va_slot();
}

/* The frontend said Initialised: map its ring, bind its port, say Connected. */
static void connect(struct vbd *v)
{
    unsigned long ref, port;
    char proto[24];
    long rc;

    if (xs_read_number(v->fpath, "ring-ref", &ref) || xs_read_number(v->fpath, "event-channel", &port)) {
        vlog(v, "no ring-ref or event-channel");
        goto fail;
    }
    snprintf(dirbuf, sizeof(dirbuf), "%s/protocol", v->fpath);
    if (xs_read(0, dirbuf, proto, sizeof(proto)) >= 0 && strcmp(proto, XEN_IO_PROTO_ABI_X86_32)) {
        vlog(v, "protocol %s not offered", proto);
        goto fail;
    }
    if (!(v->va = va_get())) {
        vlog(v, "no VA for the ring");
        goto fail;
    }
    int16_t st = gnttab_map(v->fe, (xen_grant_ref_t)ref, v->va, GNTMAP_host_map, &v->handle, NULL);
    if (st) {
        vlog(v, "map of ring-ref %lu: status %d", ref, st);
        free_vas[nfree_vas++] = v->va;
        goto fail;
    }
    if ((rc = evtchn_bind_interdomain(v->fe, (unsigned)port)) < 0) {
        vlog(v, "bind to port %lu: %ld", port, rc);
        gnttab_unmap(v->va, v->handle, 0);
        free_vas[nfree_vas++] = v->va;
        goto fail;
    }
    evtchn_mask((unsigned)rc);          /* we poll, we take no upcalls */
    v->port = (unsigned)rc;
    v->mapped = v->bound = true;
    v->ring = (volatile struct xen_blkif_sring *)v->va;
    v->req_cons = v->rsp_prod_pvt = 0;  /* BACK_RING_INIT */
    v->served = v->refused = 0;         /* counted per connection */
    xs_printf(v->bpath, "sectors", "%u", slot_sectors);
    xs_printf(v->bpath, "sector-size", "%u", XEN_BLKIF_SECTOR_SIZE);
    xs_printf(v->bpath, "info", "%u", 0);
    set_state(v, XenbusStateConnected);
    vlog(v, "connected: ring-ref %lu, port %lu, %u sectors", ref, port, slot_sectors);
    return;
fail:
    set_state(v, XenbusStateClosing);   /* Xen's xenbus_dev_fatal: the frontend closes */
}

/*
 * Something of fe's vbd id (its nodes or ours) may have changed: move the
 * state machine on, as Xen's blkback does for each frontend state (the
 * classic one of Xen's Linux tree, drivers/xen/blkback/xenbus.c,
 * frontend_changed; mainline Linux unmaps at Closed instead of Closing):
 *   Initialising, or Initialised, while we are Closed: the frontend starts
 *     a new life (pvgrub's kernel after GRUB closed the disk, a guest that
 *     reopens it): InitWait again, the vbd and its disk kept;
 *   Initialised while we wait: map its ring, Connected;
 *   Closing: unmap the ring, close the port, Closing;
 *   Closed (GRUB goes there straight from Connected): the same if not yet
 *     done, then Closed; and forget the vbd only if the toolstack no longer
 *     says online = 1, as Xen unregisters the device only then.
 * A ring we drop (corrupt indexes, a failed connect) says Closing, as Xen's
 * xenbus_dev_fatal does: the frontend's Closed then ends it like any other.
 */
static void frontend_changed(unsigned fe, unsigned id)
{
    struct vbd *v = find(fe, id);
    char fpath[48], bpath[64];
    unsigned long fs, bs, online = 0;

    snprintf(fpath, sizeof(fpath), "/local/domain/%u/device/vbd/%u", fe, id);
    snprintf(bpath, sizeof(bpath), "backend/vbd/%u/%u", fe, id);
    bool have = xs_read_number(fpath, "state", &fs) == 0;
    if (!v) {
        /* A frontend may say Initialised before seeing our InitWait: GRUB's does. */
        if (!have || (fs != XenbusStateInitialising && fs != XenbusStateInitialised) ||
            xs_read_number(bpath, "state", &bs) || bs != XenbusStateInitialising)
            return;
        if ((v = vbd_new(fe, id)) == NULL)
            return;
        backend_init(v, "found");
    }
    if (!have) {
        vbd_free(v);                    /* the frontend's nodes are gone */
        return;
    }
    switch (fs) {
    case XenbusStateInitialising:
    case XenbusStateInitialised:
        if (v->state == XenbusStateClosed)
            backend_init(v, "back");
        if (v->state == XenbusStateInitWait && fs == XenbusStateInitialised)
            connect(v);
        break;
    case XenbusStateClosing:
        if (v->state != XenbusStateClosing && v->state != XenbusStateClosed) {
            disconnect(v, "frontend closing", false);
            set_state(v, XenbusStateClosing);
        }
        break;
    case XenbusStateClosed:
        if (v->state == XenbusStateClosed)
            break;
        disconnect(v, "frontend closed", false);    /* and a dropped ring's port */
        set_state(v, XenbusStateClosed);
        if (xs_read_number(v->bpath, "online", &online) || online != 1)
            vbd_free(v);                /* unplugged: forget it and its nodes */
        break;
    }
}

/* Every device the toolstack gave us: backend/vbd/<fe>/<id>. */
static void scan(void)
{
    static char fes[XENSTORE_PAYLOAD_MAX + 1];
    char path[48];
    unsigned long fe, id;
    for (unsigned i = 0; i < BLKBACK_VBDS; i++)
        if (vbds[i].used)
            frontend_changed(vbds[i].fe, vbds[i].id);
    long n = xs_directory(0, "backend/vbd", fes, sizeof(fes));
    for (long f = 0; n > 0 && f < n; f += (long)strlen(fes + f) + 1) {
        if (!parse_uint(fes + f, &fe) || fe > 0xffff || fe == self)
            continue;
        snprintf(path, sizeof(path), "backend/vbd/%lu", fe);
        long len = xs_directory(0, path, dirbuf, sizeof(dirbuf));
        for (long at = 0; len > 0 && at < len; at += (long)strlen(dirbuf + at) + 1)
            if (parse_uint(dirbuf + at, &id) && id <= 0xffff && !find((unsigned)fe, (unsigned)id))
                frontend_changed((unsigned)fe, (unsigned)id);
    }
}

/* One grant copy between the frontend's page and our disk bytes at local (inside one page). */
static int16_t copy(struct vbd *v, bool to_disk, uint32_t gref, uint32_t goff, uint8_t *local,
                    uint32_t len)
{
    struct xen_gnttab_copy c;
    struct xen_gnttab_copy_ptr theirs = { .domid = (xen_domid_t)v->fe, .offset = (uint16_t)goff };
    struct xen_gnttab_copy_ptr ours = { .domid = DOMID_SELF,
                                        .offset = (uint16_t)((uintptr_t)local & (PAGE_SIZE - 1)) };
    theirs.u.ref = gref;
    ours.u.gmfn = mm_va_to_mfn((uint32_t)(uintptr_t)local);
    memset(&c, 0, sizeof(c));
    c.source = to_disk ? theirs : ours;
    c.dest = to_disk ? ours : theirs;
    c.flags = to_disk ? GNTCOPY_source_gref : GNTCOPY_dest_gref;
    c.len = (uint16_t)len;
    return gnttab_copy(&c);
}

static int16_t handle(struct vbd *v, const struct xen_blkif_request *req)
{
    struct blkif_plan plan;
    const char *why;
    int st = blkif_check_request(req, slot_sectors, &plan, &why);
    if (st != BLKIF_RSP_OKAY) {
        rlog(v, "request %llu (op %u, %u segments, sector %llu): %s", (unsigned long long)req->id,
             req->operation, req->nr_segments, (unsigned long long)req->sector_number, why);
        return (int16_t)st;
    }
    uint8_t *at = slot_base(v->slot) + plan.disk_offset;
    for (unsigned i = 0; i < plan.nseg; i++) {
        uint32_t off = plan.seg[i].page_offset, left = plan.seg[i].len;
        while (left) {
            uint32_t room = PAGE_SIZE - ((uintptr_t)at & (PAGE_SIZE - 1));
            uint32_t n = left < room ? left : room;
            int16_t cs = copy(v, plan.op == BLKIF_OP_WRITE, plan.seg[i].gref, off, at, n);
            if (cs) {
                rlog(v, "request %llu segment %u: grant %u: copy status %d",
                     (unsigned long long)req->id, i, plan.seg[i].gref, cs);
                if (cs == GNTST_bad_domain)
                    v->gone = true;
                return BLKIF_RSP_ERROR;
            }
            at += n;
            off += n;
            left -= n;
        }
    }
    return BLKIF_RSP_OKAY;
}

static void serve(struct vbd *v)
{
    unsigned budget = BLKBACK_RING_BUDGET;
    bool answered = false;

    while (v->ring && budget && !v->gone) {
        uint32_t prod = v->ring->h.req_prod;            /* once per pass */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* then the requests */
        int n = blkif_back_pending(prod, v->req_cons, v->rsp_prod_pvt);
        if (n < 0) {
            vlog(v, "ring indexes corrupt (req_prod %u, req_cons %u)", prod, v->req_cons);
            disconnect(v, "corrupt ring", true);
            set_state(v, XenbusStateClosing);   /* as connect() fails */
            return;
        }
        if (!n)
            break;
        for (; n && budget && !v->gone; n--, budget--) {
            struct xen_blkif_request req;
            blkif_copy_request(&req, v->ring, v->req_cons++);
            int16_t st = handle(v, &req);
            if (st == BLKIF_RSP_OKAY)
                v->served++;
            else
                v->refused++;
            volatile struct xen_blkif_response *r =
                &v->ring->ring[v->rsp_prod_pvt++ & (XEN_BLKIF_RING_SIZE - 1)].rsp;
            r->id = req.id;
            r->operation = req.operation;
            r->status = st;
            answered = true;
        }
    }
    if (answered && v->ring) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the responses before the index */
        v->ring->h.rsp_prod = v->rsp_prod_pvt;
        evtchn_send(v->port);
    }
    if (!budget)
        busy = true;
}

/* Still an interdomain channel?  When the frontend dies its end closes. */
static bool alive(struct vbd *v)
{
    struct xen_evtchn_status s = { .dom = DOMID_SELF, .port = v->port };
    return !v->gone && HYPERVISOR_event_channel_op(EVTCHNOP_status, &s) == 0 &&
           s.status == EVTCHNSTAT_interdomain;
}

/* ---- the loop ---------------------------------------------------------------- */

static void clear_pending(unsigned port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / 32], ~(1u << (port % 32)),
                       __ATOMIC_SEQ_CST);
}

static void wait_for_work(void)
{
    xen_evtchn_port_t ports[1 + BLKBACK_VBDS];
    unsigned n = 0;
    bool watching = false;              /* a frontend whose death we must notice */
    ports[n++] = xenbus_port();
    for (unsigned i = 0; i < BLKBACK_VBDS; i++) {
        if (vbds[i].used && vbds[i].mapped)    /* a dropped ring's port: not listened to */
            ports[n++] = vbds[i].port;
        watching |= vbds[i].used && vbds[i].bound;
    }
    /* No timeout (0) when nobody is connected: an idle blkback leaves the CPU idle. */
    struct xen_sched_poll poll = { .nr_ports = n,
                                   .timeout = watching ? time_now_ns() + POLL_NS : 0 };
    set_xen_guest_handle(poll.ports, ports);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    for (unsigned i = 0; i < n; i++)
        clear_pending(ports[i]);
}

void pvguest_main(const xen_start_info_t *si)
{
    static char p[XENBUS_EVENT_MAX], t[XENBUS_EVENT_MAX];
    unsigned long id;
    char path[48];

    const char *from = "zeroes";
    disk = zero_disk;
    slot_bytes = ZERO_DISK_BYTES / BLKBACK_SLOTS;
    if (si->mod_start && si->mod_len >= BLKBACK_SLOTS * PAGE_SIZE) {
        disk = (uint8_t *)(uintptr_t)si->mod_start;         /* page-aligned by the builder */
        slot_bytes = si->mod_len / BLKBACK_SLOTS & ~(PAGE_SIZE - 1);
        from = "the ramdisk module";
    }
    slot_sectors = slot_bytes / XEN_BLKIF_SECTOR_SIZE;
    if (xenbus_init() < 0 || xs_read_number("", "domid", &id) < 0) {
        printf("blkback: no xenstore (store ring or our domid missing): nothing to serve\n");
        shutdown(SHUTDOWN_poweroff);
    }
    self = (unsigned)id;
    snprintf(path, sizeof(path), "/local/domain/%u/backend/vbd", self);
    if (xs_watch(path, "vbd") < 0)
        printf("blkback: watch on %s: %s\n", path, xenbus_last_error);
    printf("blkback: d%u serves a RAM disk from %s: %u slots of %u sectors\n",
           self, from, BLKBACK_SLOTS, slot_sectors);
    scan();                             /* devices the toolstack wrote before our watch */
    for (;;) {
        bool changed = false;
        if (xenbus_take_events() < 0) {
            printf("blkback: the store ring is corrupt: stopping\n");
            shutdown(SHUTDOWN_crash);
        }
        while (xs_next_event(p, sizeof(p), t, sizeof(t), false))
            changed = true;
        if (changed)
            scan();
        busy = false;
        for (unsigned i = 0; i < BLKBACK_VBDS; i++) {
            struct vbd *v = &vbds[i];
            if (!v->used)
                continue;
            if (v->mapped)
                serve(v);
            if (v->bound && !alive(v)) {
                if (!v->mapped)
                    vlog(v, "frontend gone");
                disconnect(v, "frontend gone", false);
                vbd_free(v);
            }
        }
        if (!busy && !xenbus_events_queued())  /* queued while we talked to xenstored */
            wait_for_work();
    }
}
