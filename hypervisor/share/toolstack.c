/*
 * toolstack.c - the hypervisor as Xen's toolstack: introduce domains to xenstored.
 *
 * In Xen, the toolstack in dom0 (xl) tells xenstored about each new domain:
 * it makes /local/domain/N, gives N that directory, writes N's name, id,
 * memory and console ring, then sends XS_INTRODUCE with N's store page and
 * port, so xenstored maps the page and binds the port.  When N ends it
 * removes /local/domain/N (so a backend watching N's device nodes sees
 * its frontend go, whatever state the device was in) and sends
 * XS_RELEASE.  Here the hypervisor plays that part, over xenstored's
 * OWN store ring (its start_info.store_mfn page), where it is the client:
 * it writes requests into req[] and reads answers from rsp[].  The port
 * behind that ring waits for DOMID_XEN, so xenstored's notify comes back
 * here (rings.c), and ours is an event in xenstored.
 *
 * Nothing is queued as bytes.  Each domain keeps one number, xs_step: the
 * next message of its sequence.  A pump regenerates that message, writes
 * it whole if it fits in the ring, and moves on; it stops at the first
 * that does not fit, and the next notify from xenstored (which has taken
 * some requests out) pumps again.  Every answer is read and dropped, except
 * XS_ERROR, which is printed with the request it answers: the request id is
 * (domid << 8 | step), so the request can be named again.
 *
 * xenstored is a guest like any other: its indexes are read once and
 * checked, an answer longer than XENSTORE_PAYLOAD_MAX or an index out of
 * range closes the connection with one line, and a pump does at most one
 * ring's worth of work each way.
 */
#include "hypervisor/share/toolstack.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/console/console.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/io/xs_wire.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

/*
 * A domain's introduction, in order; STEP_CONS_* only with a console ring,
 * STEP_FE_* and STEP_BE_* only with dom.disk=1: the vbd's two halves as
 * Xen's libxl writes them, the frontend's under /local/domain/F/device/vbd/
 * 51712 (xvda), the backend's (be) under /local/domain/B/backend/vbd/F/51712,
 * each state = 1 last, so that a driver seeing it finds the rest written.
 */
enum { STEP_NONE, STEP_MKDIR, STEP_PERMS, STEP_NAME, STEP_DOMID, STEP_TARGET,
       STEP_FE_MKDIR, STEP_FE_PERMS, STEP_FE_BACKEND, STEP_FE_BACKEND_ID, STEP_FE_VDEV,
       STEP_FE_TYPE, STEP_FE_STATE, STEP_BE_MKDIR, STEP_BE_PERMS, STEP_BE_FRONTEND,
       STEP_BE_FRONTEND_ID, STEP_BE_DEV, STEP_BE_MODE, STEP_BE_ONLINE, STEP_BE_STATE,
       STEP_CONS_REF, STEP_CONS_PORT, STEP_CONS_TYPE, STEP_INTRODUCE, STEP_DONE,
       STEP_RM, STEP_RELEASE };         /* the end of a domain, after STEP_DONE */

#define VBD "/device/vbd/51712"
static const struct { uint8_t type; bool be; const char *key, *val; } steps[] = {
    [STEP_MKDIR] = { XS_MKDIR, 0, "", 0 },        [STEP_PERMS] = { XS_SET_PERMS, 0, "", 0 },
    [STEP_NAME] = { XS_WRITE, 0, "/name", 0 },    [STEP_DOMID] = { XS_WRITE, 0, "/domid", 0 },
    [STEP_TARGET] = { XS_WRITE, 0, "/memory/target", 0 },
    [STEP_FE_MKDIR] = { XS_MKDIR, 0, VBD, 0 },    [STEP_FE_PERMS] = { XS_SET_PERMS, 0, VBD, 0 },
    [STEP_FE_BACKEND] = { XS_WRITE, 0, VBD "/backend", 0 },
    [STEP_FE_BACKEND_ID] = { XS_WRITE, 0, VBD "/backend-id", 0 },
    [STEP_FE_VDEV] = { XS_WRITE, 0, VBD "/virtual-device", "51712" },
    [STEP_FE_TYPE] = { XS_WRITE, 0, VBD "/device-type", "disk" },
    [STEP_FE_STATE] = { XS_WRITE, 0, VBD "/state", "1" },
    [STEP_BE_MKDIR] = { XS_MKDIR, 1, "", 0 },     [STEP_BE_PERMS] = { XS_SET_PERMS, 1, "", 0 },
    [STEP_BE_FRONTEND] = { XS_WRITE, 1, "/frontend", 0 },
    [STEP_BE_FRONTEND_ID] = { XS_WRITE, 1, "/frontend-id", 0 },
    [STEP_BE_DEV] = { XS_WRITE, 1, "/dev", "xvda" },
    [STEP_BE_MODE] = { XS_WRITE, 1, "/mode", "w" },
    [STEP_BE_ONLINE] = { XS_WRITE, 1, "/online", "1" },
    [STEP_BE_STATE] = { XS_WRITE, 1, "/state", "1" },
    [STEP_CONS_REF] = { XS_WRITE, 0, "/console/ring-ref", 0 },
    [STEP_CONS_PORT] = { XS_WRITE, 0, "/console/port", 0 },
    [STEP_CONS_TYPE] = { XS_WRITE, 0, "/console/type", "xenconsoled" },
    [STEP_INTRODUCE] = { XS_INTRODUCE, 0, NULL, 0 }, [STEP_RM] = { XS_RM, 0, "", 0 },
    [STEP_RELEASE] = { XS_RELEASE, 0, NULL, 0 },
};

static const char *const type_names[] = {
    [XS_MKDIR] = "XS_MKDIR", [XS_SET_PERMS] = "XS_SET_PERMS", [XS_WRITE] = "XS_WRITE",
    [XS_INTRODUCE] = "XS_INTRODUCE", [XS_RELEASE] = "XS_RELEASE", [XS_RM] = "XS_RM",
};

static uint32_t req_prod, rsp_cons;     /* our own copies: xenstored cannot move them */
static bool broken;                     /* the connection was closed for a bad ring */
static struct {
    struct xen_xsd_sockmsg hdr;
    uint32_t got, body;                 /* header bytes, payload bytes read so far */
    char text[32];                      /* the start of the payload (an error name) */
} ans;

/* Append s (and its nul when nul) to the message payload at *len. */
static void put(char *buf, uint32_t *len, const char *s, bool nul)
{
    size_t n = strlen(s) + nul;
    memcpy(buf + *len, s, n);
    *len += (uint32_t)n;
}

/* Message `step` for d: the payload in buf, its length returned, *type set. */
static uint32_t message(const struct domain *d, unsigned step, char *buf, uint32_t *type)
{
    char path[72], val[56];
    uint32_t len = 0;
    *type = steps[step].type;
    if (!steps[step].key) {             /* INTRODUCE "N|mfn|port|", RELEASE "N|" */
        snprintf(val, sizeof(val), "%u", d->id);
        put(buf, &len, val, true);
        if (step == STEP_INTRODUCE) {
            snprintf(val, sizeof(val), "%u", mfn_x(d->store_mfn));
            put(buf, &len, val, true);
            snprintf(val, sizeof(val), "%u", d->store_port);
            put(buf, &len, val, true);
        }
        return len;
    }
    if (steps[step].be)
        snprintf(path, sizeof(path), "/local/domain/%u/backend/vbd/%u/51712%s", d->disk_backend,
                 d->id, steps[step].key);
    else
        snprintf(path, sizeof(path), "/local/domain/%u%s", d->id, steps[step].key);
    put(buf, &len, path, true);
    unsigned us = d->id, them = d->disk_backend;        /* a vbd's perms: owner, reader */
    switch (step) {
    case STEP_BE_PERMS: us = d->disk_backend, them = d->id;     /* fall through */
    case STEP_FE_PERMS: snprintf(val, sizeof(val), "n%u", us);
                        put(buf, &len, val, true);
                        snprintf(val, sizeof(val), "r%u", them); break;
    case STEP_PERMS:   snprintf(val, sizeof(val), "n%u", d->id); break;   /* N owns it */
    case STEP_NAME:    snprintf(val, sizeof(val), "%s", d->name); break;
    case STEP_DOMID: case STEP_BE_FRONTEND_ID: snprintf(val, sizeof(val), "%u", d->id); break;
    case STEP_FE_BACKEND_ID: snprintf(val, sizeof(val), "%u", d->disk_backend); break;
    case STEP_FE_BACKEND: snprintf(val, sizeof(val), "/local/domain/%u/backend/vbd/%u/51712",
                                   d->disk_backend, d->id); break;
    case STEP_BE_FRONTEND: snprintf(val, sizeof(val), "/local/domain/%u" VBD, d->id); break;
    case STEP_TARGET:  snprintf(val, sizeof(val), "%u", d->nr_pages * 4); break;   /* KiB */
    case STEP_CONS_REF: snprintf(val, sizeof(val), "%u", mfn_x(d->console_mfn)); break;
    case STEP_CONS_PORT: snprintf(val, sizeof(val), "%u", d->console_port); break;
    default:
        if (!steps[step].val)
            return len;                 /* MKDIR: the path alone */
        snprintf(val, sizeof(val), "%s", steps[step].val);
    }
    put(buf, &len, val, *type == XS_SET_PERMS);  /* a written value has no nul */
    return len;
}

/* The step after `step` for d, skipping the console's without a console ring;
 * after the last of a domain's end, nothing. */
static unsigned next_step(const struct domain *d, unsigned step)
{
    if (step == STEP_RELEASE)
        return STEP_NONE;
    step++;
    if (step == STEP_FE_MKDIR && !d->disk)
        step = STEP_CONS_REF;
    if (step == STEP_CONS_REF && mfn_eq(d->console_mfn, INVALID_MFN))
        step = STEP_INTRODUCE;
    return step;
}

static void close_connection(const char *why)
{
    hvlog("xenstored: %s; toolstack connection closed\n", why);
    broken = true;
}

/* Write d's message `step` whole into req[]; false if it does not fit. */
static bool send(volatile struct xen_xenstore_domain_interface *r, uint32_t cons,
                 const struct domain *d, unsigned step)
{
    char buf[160];
    struct xen_xsd_sockmsg h = { .req_id = d->id << 8 | step };
    h.len = message(d, step, buf, &h.type);
    if (sizeof(h) + h.len > XENSTORE_RING_SIZE - (req_prod - cons))
        return false;
    for (uint32_t i = 0; i < sizeof(h) + h.len; i++)
        r->req[MASK_XENSTORE_IDX(req_prod + i)] =
            i < sizeof(h) ? ((const char *)&h)[i] : buf[i - sizeof(h)];
    barrier();                          /* the bytes before the index (one CPU: order is enough) */
    req_prod += sizeof(h) + h.len;
    r->req_prod = req_prod;
    return true;
}

/*
 * A vbd's nodes wait for its backend's home (sent MKDIR and PERMS): the
 * directories made under it then inherit B's ownership, as in Xen.
 */
static bool waits_for_backend(const struct domain *d)
{
    unsigned b = domains[d->disk_backend]->xs_step;
    return d->xs_step == STEP_FE_MKDIR && (b == STEP_MKDIR || b == STEP_PERMS);
}

/* Every domain's pending messages, in domain order, while they fit; twice over,
 * so that a vbd waiting for a backend built after it goes on in the same pump. */
static bool send_requests(volatile struct xen_xenstore_domain_interface *r)
{
    uint32_t cons = r->req_cons;        /* read once */
    bool sent = false;
    if (req_prod - cons > XENSTORE_RING_SIZE) {
        close_connection("req_cons out of range");
        return false;
    }
    for (unsigned i = 0; i < 2 * nr_domains; i++) {
        struct domain *d = domains[i % nr_domains];
        while (d->xs_step != STEP_NONE && d->xs_step != STEP_DONE && !waits_for_backend(d)) {
            if (!send(r, cons, d, d->xs_step))
                return sent;
            d->xs_step = (uint8_t)next_step(d, d->xs_step);
            sent = true;
        }
    }
    return sent;
}

/* One whole answer: only an XS_ERROR is worth a line. */
static void answered(void)
{
    if (ans.hdr.type != XS_ERROR)
        return;
    unsigned domid = ans.hdr.req_id >> 8, step = ans.hdr.req_id & 0xff;
    char buf[160], err[sizeof(ans.text)];
    uint32_t type = XS_INVALID;
    if (domid < nr_domains && step >= STEP_MKDIR && step <= STEP_RELEASE && step != STEP_DONE)
        message(domains[domid], step, buf, &type);
    for (unsigned i = 0; i < sizeof(err); i++)      /* xenstored's bytes: printable only */
        err[i] = i + 1 == sizeof(err) || !ans.text[i] ? '\0' :
                 ans.text[i] < 0x20 || ans.text[i] > 0x7e ? '?' : ans.text[i];
    if (type == XS_INVALID)
        hvlog("xenstored: unknown request 0x%x: %s\n", ans.hdr.req_id, err);
    else
        hvlog("xenstored: %s %s: %s\n", type_names[type], buf, err);
}

/* Take every answer byte there is; a whole answer at a time is looked at. */
static bool read_answers(volatile struct xen_xenstore_domain_interface *r)
{
    uint32_t prod = r->rsp_prod;        /* read once */
    barrier();
    if (prod - rsp_cons > XENSTORE_RING_SIZE) {
        close_connection("rsp_prod out of range");
        return false;
    }
    bool took = prod != rsp_cons;
    for (; rsp_cons != prod; rsp_cons++) {
        char c = r->rsp[MASK_XENSTORE_IDX(rsp_cons)];
        if (ans.got < sizeof(ans.hdr)) {
            ((char *)&ans.hdr)[ans.got++] = c;
        } else {
            if (ans.body < sizeof(ans.text))
                ans.text[ans.body] = c;
            ans.body++;
        }
        if (ans.got == sizeof(ans.hdr) && ans.hdr.len > XENSTORE_PAYLOAD_MAX) {
            close_connection("answer longer than XENSTORE_PAYLOAD_MAX");
            return false;
        }
        if (ans.got == sizeof(ans.hdr) && ans.body == ans.hdr.len) {
            answered();
            memset(&ans, 0, sizeof(ans));
        }
    }
    barrier();                          /* done with the bytes before freeing them */
    r->rsp_cons = rsp_cons;
    return took;
}

void toolstack_pump(void)
{
    struct domain *xs = rings_xenstored();
    if (!xs || broken || mfn_eq(xs->store_mfn, INVALID_MFN))
        return;
    volatile struct xen_xenstore_domain_interface *r = map_domain_page(xs->store_mfn);
    bool moved = read_answers(r);
    if (!broken)
        moved |= send_requests(r);
    unmap_domain_page((const void *)r);
    if (moved)
        rings_kick(xs, xs->store_port);
}

void toolstack_start(struct domain *d)
{
    d->xs_step = STEP_MKDIR;
}

void toolstack_release(struct domain *d)
{
    bool began = d->xs_step != STEP_NONE && d->xs_step != STEP_MKDIR;
    d->xs_step = began ? STEP_RM : STEP_NONE;
    if (began)
        toolstack_pump();
}
