/*
 * main.c - the xenstored service domain: rings and event channels.
 *
 * Runs as an ordinary unprivileged pvguest (module word dom.service=xenstore).
 * Its own store ring (start_info.store_mfn/store_evtchn) is the toolstack
 * connection: the HYPERVISOR is the client there and has the privilege of
 * Xen's dom0 tools.  On XS_INTRODUCE from it, we map the new domain's store
 * page through its grant entry 1 (GNTTAB_RESERVED_XENSTORE), bind to its
 * event port, and serve that ring too; XS_RELEASE undoes both.
 *
 * Every domain ring is hostile: pvguest/lib/xs_ring.c reads the peer's
 * index once and refuses impossible ones, and pump.c reads at most the
 * bytes the connection takes, so a partial message across the ring's
 * wrap just waits for the rest.  A corrupt ring or an oversized
 * message drops that connection only; the store and the other domains go
 * on.  The loop: serve every connection until nothing moves, then block
 * until an event arrives.
 *
 * The debug key 'd' raises VIRQ_DEBUG in every domain that bound it; we do,
 * and answer with the whole store on our console, one line a node in
 * preorder (`path = "value" (perms)`), the first DUMP_NODES of them and
 * then a count of the rest, so a big store cannot flood the console.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/xs_ring.h"
#include "pvguest/xenstored/pump.h"
#include "hypercalls/public/grant_table.h"

#define ARENA_BYTES (1024 * 1024)
#define DUMP_NODES  100

struct ring {
    struct xs_ring_dir req, rsp;
    unsigned port;              /* our end of the event channel */
    uint32_t va;                /* where the page is mapped */
    xen_grant_handle_t handle;  /* domain rings: the grant mapping */
    bool mapped;
};

static struct xs_store store;
static char arena[ARENA_BYTES] __attribute__((aligned(8)));
static struct ring rings[XS_MAX_CONNS];
static uint32_t free_vas[XS_MAX_CONNS];          /* VA slots given back by release */
static unsigned nfree_vas;
static volatile bool kicked, dump_wanted;

static void on_event(unsigned port, void *arg)
{
    (void)port;
    (void)arg;
    kicked = true;
}

static void on_debug(unsigned port, void *arg)
{
    dump_wanted = true;
    on_event(port, arg);
}

static void dump_line(const char *line)
{
    printf("xenstored:   %s\n", line);
}

/* The live store (not a transaction's copy), bounded: see the top. */
static void dump(void)
{
    unsigned conns = 0;

    dump_wanted = false;
    for (unsigned i = 0; i < XS_MAX_CONNS; i++)
        conns += store.conns[i].used && !store.conns[i].dead;
    printf("xenstored: store dump (debug key d), %u connections; path = \"value\" (perms)\n",
           conns);
    uint32_t n = tree_dump(&store.tree, DUMP_NODES, dump_line);
    if (n > DUMP_NODES)
        printf("xenstored:   ... and %u more nodes\n", (unsigned)(n - DUMP_NODES));
    printf("xenstored: end of dump, %u nodes\n", (unsigned)n);
}

static uint32_t va_get(void)
{
    return nfree_vas ? free_vas[--nfree_vas] : mm_va_slot();
}

/* Map domain c->id's store page (grant ref 1) and bind its port: 0 or an XSE_ error. */
static int introduce(struct xs_store *s, struct xs_conn *c, uint32_t mfn, uint32_t port)
{
    struct ring *r = &rings[c - s->conns];
    struct xen_gnttab_map_grant_ref map = {
        .flags = GNTMAP_host_map, .ref = GNTTAB_RESERVED_XENSTORE, .dom = c->id,
    };
    long rc;

    (void)mfn;                  /* Xen's xenstored maps by grant, not by frame, too */
    if (!(r->va = va_get()))
        return XSE_ENOMEM;
    map.host_addr = r->va;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &map, 1);
    if (rc || map.status != GNTST_okay) {
        printf("xenstored: d%u: map of grant %u failed: rc %ld status %d\n",
               (unsigned)c->id, GNTTAB_RESERVED_XENSTORE, rc, map.status);
        free_vas[nfree_vas++] = r->va;
        return rc == -ENOSYS ? XSE_ENOSYS : XSE_EINVAL;
    }
    rc = evtchn_bind_interdomain(c->id, port);
    if (rc < 0) {
        struct xen_gnttab_unmap_grant_ref un = { .host_addr = r->va, .handle = map.handle };
        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &un, 1);
        free_vas[nfree_vas++] = r->va;
        printf("xenstored: d%u: bind to port %u failed: %ld\n", (unsigned)c->id, port, rc);
        return XSE_EINVAL;
    }
    r->port = (unsigned)rc;
    r->handle = map.handle;
    r->mapped = true;
    evtchn_set_handler(r->port, on_event, NULL);
    xs_ring_server(&r->req, &r->rsp, (volatile struct xen_xenstore_domain_interface *)r->va);
    c->ctx = r;
    printf("xenstored: d%u introduced (port %u)\n", (unsigned)c->id, r->port);
    kicked = true;              /* it may have written before we bound */
    return 0;
}

static void release(struct xs_store *s, struct xs_conn *c)
{
    struct ring *r = &rings[c - s->conns];
    struct xen_gnttab_unmap_grant_ref un = { .host_addr = r->va, .handle = r->handle };

    (void)s;
    if (!r->mapped)
        return;
    evtchn_close(r->port);
    evtchn_set_handler(r->port, NULL, NULL);
    HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &un, 1);
    free_vas[nfree_vas++] = r->va;
    r->mapped = false;
    printf("xenstored: d%u released\n", (unsigned)c->id);
}

static const struct xs_hooks hooks = { introduce, release };

/* Serve c's ring: true if anything moved. */
static bool serve(struct xs_conn *c, struct ring *r)
{
    switch (xs_pump(&store, c, &r->req, &r->rsp)) {
    case XS_PUMP_MOVED:
        evtchn_send(r->port);
        return true;
    case XS_PUMP_BAD_RING:
        printf("xenstored: d%u: ring indexes corrupt, connection dropped\n", (unsigned)c->id);
        return true;
    case XS_PUMP_BAD_MESSAGE:
        printf("xenstored: d%u: message over %u bytes, connection dropped\n",
               (unsigned)c->id, XENSTORE_PAYLOAD_MAX);
        return true;
    default:
        return false;
    }
}

static void serve_all(void)
{
    bool moved;
    do {
        moved = false;
        kicked = false;
        for (unsigned i = 0; i < XS_MAX_CONNS; i++)
            if (store.conns[i].used && !store.conns[i].dead && store.conns[i].ctx)
                moved |= serve(&store.conns[i], store.conns[i].ctx);
    } while (moved || kicked);
}

void pvguest_main(const xen_start_info_t *si)
{
    struct xs_conn *toolstack;
    struct ring *r;
    uint32_t va;

    traps_init();
    evtchn_init();
    if (!si->store_mfn || !(va = mm_mfn_to_va(si->store_mfn))) {
        printf("xenstored: no toolstack ring (store_mfn 0x%x): nothing to serve\n",
               (unsigned)si->store_mfn);
        shutdown(SHUTDOWN_poweroff);
    }
    xs_store_init(&store, arena, sizeof(arena), DOMID_XEN, &hooks, NULL);
    toolstack = xs_conn_new(&store, DOMID_XEN, true);
    r = &rings[toolstack - store.conns];
    r->va = va;
    r->port = si->store_evtchn;
    xs_ring_server(&r->req, &r->rsp, (volatile struct xen_xenstore_domain_interface *)va);
    toolstack->ctx = r;
    evtchn_set_handler(r->port, on_event, NULL);
    evtchn_unmask(r->port);
    if (evtchn_bind_virq(VIRQ_DEBUG, on_debug, NULL) < 0)
        printf("xenstored: VIRQ_DEBUG not bound: no store dump on the debug key\n");
    printf("xenstored: serving the toolstack on port %u, %u KiB store\n",
           r->port, ARENA_BYTES / 1024);
    for (;;) {
        serve_all();
        if (dump_wanted)
            dump();
        set_event_mask(1);
        if (!kicked)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);   /* unmasks, sleeps until an event */
        set_event_mask(0);
    }
}
