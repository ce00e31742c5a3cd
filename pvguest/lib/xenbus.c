/*
 * xenbus.c - the guest's xenstore client: one request, one reply, in order.
 *
 * Owns this domain's side of its store ring.  Replies are matched to the
 * request by req_id (one request is outstanding at a time); watch events
 * read while waiting go to a small queue.  The daemon is trusted no more
 * than any peer: its indexes go through xs_ring.c, and a reply longer than
 * XENSTORE_PAYLOAD_MAX is an I/O error.  Never used by the daemon itself.
 */
#include "pvguest/lib/xenbus.h"
#include "hypercalls/public/grant_table.h"

#define WAIT_NS (60ull * NS_PER_SEC)   /* only a guard against a dead daemon */

static struct xs_ring_dir req, rsp;
static volatile struct xen_xenstore_domain_interface *page;
static uint32_t port, next_id = 1;
static struct xen_xsd_sockmsg rx_hdr;
static char rx[XENSTORE_PAYLOAD_MAX + 1];
static char req_buf[XENSTORE_PAYLOAD_MAX];      /* the request being built */
static uint32_t rx_got;
static struct {
    char path[XENBUS_EVENT_MAX], token[XENBUS_EVENT_MAX];
} events[XENBUS_EVENTS];
static unsigned ev_head, ev_count;
const char *xenbus_last_error = "";
unsigned xenbus_events_dropped;

long xenbus_init(void)
{
    const xen_start_info_t *si = pvguest_start_info;
    uint32_t va;

    if (page)
        return 0;
    if (!si->store_mfn || !(va = mm_mfn_to_va(si->store_mfn)))
        return -ENODEV;
    map_shared_info();
    page = (volatile struct xen_xenstore_domain_interface *)va;
    port = si->store_evtchn;
    evtchn_mask(port);                  /* we poll it: a kernel's upcall must not eat its pending bit */
    xs_ring_client(&req, &rsp, page);
    return 0;
}

bool xenbus_test_ready(void)
{
    struct xen_gnttab_query_size q = { .dom = DOMID_SELF };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);

    if (rc == -ENOSYS) {
        test_skip("grant_table_op is -ENOSYS: xenstored cannot map a guest's store ring");
        return false;
    }
    if (xenbus_init() < 0) {
        test_skip("no xenstore ring: start_info.store_mfn is 0 (no xenstored in this boot)");
        return false;
    }
    return true;
}

volatile struct xen_xenstore_domain_interface *xenbus_page(void)
{
    return page;
}

/* Sleep until the daemon signals (or the guard runs out): false on time-out. */
static bool wait_store(uint64_t deadline)
{
    xen_evtchn_port_t p = port;
    struct xen_sched_poll poll = { .nr_ports = 1, .timeout = deadline };

    if (time_now_ns() > deadline)
        return false;
    set_xen_guest_handle(poll.ports, &p);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
    __atomic_fetch_and(&shared_info->evtchn_pending[port / 32], ~(1u << (port % 32)),
                       __ATOMIC_SEQ_CST);
    return true;
}

long xenbus_send_raw(const void *bytes, uint32_t len)
{
    const char *b = bytes;
    uint64_t deadline = time_now_ns() + WAIT_NS;

    while (len) {
        int n = xs_ring_write(&req, b, len);
        if (n < 0)
            return -EIO;
        b += n;
        len -= (uint32_t)n;
        evtchn_send(port);
        if (len && !wait_store(deadline))
            return -ETIME;
    }
    return 0;
}

/* Read more of the incoming message: true once one is whole in rx_hdr/rx. */
static long receive(void)
{
    const uint32_t h = sizeof(rx_hdr);
    uint32_t need = rx_got < h ? h - rx_got : h + rx_hdr.len - rx_got;
    char *dst = rx_got < h ? (char *)&rx_hdr + rx_got : rx + (rx_got - h);
    int n = need ? xs_ring_read(&rsp, dst, need) : 0;

    if (n < 0)
        return -EIO;
    rx_got += (uint32_t)n;
    if (rx_got == h && rx_hdr.len > XENSTORE_PAYLOAD_MAX)
        return -EIO;
    if (n)
        evtchn_send(port);              /* room for the daemon to write more */
    if (rx_got < h || rx_got < h + rx_hdr.len)
        return n ? 1 : 0;               /* progress, or nothing yet */
    rx[rx_hdr.len] = '\0';
    rx_got = 0;
    return 2;                           /* a whole message */
}

static void queue_event(void)
{
    size_t plen = strnlen(rx, rx_hdr.len);
    if (ev_count == XENBUS_EVENTS || plen >= rx_hdr.len) {
        xenbus_events_dropped++;
        return;
    }
    unsigned slot = (ev_head + ev_count++) % XENBUS_EVENTS;
    snprintf(events[slot].path, XENBUS_EVENT_MAX, "%s", rx);
    snprintf(events[slot].token, XENBUS_EVENT_MAX, "%s", rx + plen + 1);
}

/* Read messages until one that is not a watch event (or, with stop_at_event, one event). */
static long pump(bool stop_at_event)
{
    uint64_t deadline = time_now_ns() + WAIT_NS;

    for (;;) {
        long r = receive();
        if (r < 0)
            return r;
        if (r == 2 && rx_hdr.type == XS_WATCH_EVENT) {
            queue_event();
            if (stop_at_event)
                return 0;
        } else if (r == 2) {
            return 1;
        } else if (r == 0 && !wait_store(deadline)) {
            return -ETIME;
        }
    }
}

static long error_number(const char *name)
{
#define XS_ERRNO_(e, num) if (!strcmp(name, #e)) return -(long)(num);
    XSD_ERRORS(XS_ERRNO_)
#undef XS_ERRNO_
    return -EINVAL;
}

long xs_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len,
                char *buf, size_t size, uint32_t *reply_type)
{
    struct xen_xsd_sockmsg h = { type, next_id++, tx, len };
    long rc;

    if (!page)
        return -ENODEV;
    if ((rc = xenbus_send_raw(&h, sizeof(h))) < 0 || (rc = xenbus_send_raw(payload, len)) < 0)
        return rc;
    if ((rc = pump(false)) < 0)
        return rc;
    if (rx_hdr.req_id != h.req_id)
        return -EIO;                    /* replies come in order: this is a broken daemon */
    if (reply_type)
        *reply_type = rx_hdr.type;
    if (buf && size) {
        size_t n = rx_hdr.len < size ? rx_hdr.len : size - 1;
        memcpy(buf, rx, n);
        buf[n] = '\0';
    }
    if (rx_hdr.type == XS_ERROR) {
        static char name[16];
        snprintf(name, sizeof(name), "%s", rx);
        xenbus_last_error = name;
        return error_number(name);
    }
    xenbus_last_error = "";
    return (long)rx_hdr.len;
}

/* A request whose payload is the given strings, each with its NUL. */
static long request_strings(uint32_t type, uint32_t tx, const char *a, const char *b,
                            bool b_nul, char *buf, size_t size)
{
    size_t la = strlen(a) + 1, lb = b ? strlen(b) + (b_nul ? 1 : 0) : 0;

    if (la + lb > sizeof(req_buf))
        return -E2BIG;
    memcpy(req_buf, a, la);
    if (b)
        memcpy(req_buf + la, b, lb);
    return xs_request(type, tx, req_buf, (uint32_t)(la + lb), buf, size, NULL);
}

/* Requests answered "OK": 0 on success. */
static long ok(long rc)
{
    return rc < 0 ? rc : 0;
}

long xs_read(uint32_t tx, const char *path, char *buf, size_t size)
{
    return request_strings(XS_READ, tx, path, NULL, false, buf, size);
}

long xs_write(uint32_t tx, const char *path, const char *value)
{
    return ok(request_strings(XS_WRITE, tx, path, value, false, NULL, 0));
}

long xs_mkdir(uint32_t tx, const char *path)
{
    return ok(request_strings(XS_MKDIR, tx, path, NULL, false, NULL, 0));
}

long xs_rm(uint32_t tx, const char *path)
{
    return ok(request_strings(XS_RM, tx, path, NULL, false, NULL, 0));
}

long xs_directory(uint32_t tx, const char *path, char *buf, size_t size)
{
    return request_strings(XS_DIRECTORY, tx, path, NULL, false, buf, size);
}

long xs_get_perms(uint32_t tx, const char *path, char *buf, size_t size)
{
    return request_strings(XS_GET_PERMS, tx, path, NULL, false, buf, size);
}

long xs_set_perms(uint32_t tx, const char *path, const char *perms, size_t len)
{
    size_t lp = strlen(path) + 1;

    if (lp + len > sizeof(req_buf))
        return -E2BIG;
    memcpy(req_buf, path, lp);
    memcpy(req_buf + lp, perms, len);
    return ok(xs_request(XS_SET_PERMS, tx, req_buf, (uint32_t)(lp + len), NULL, 0, NULL));
}

long xs_watch(const char *path, const char *token)
{
    return ok(request_strings(XS_WATCH, 0, path, token, true, NULL, 0));
}

long xs_unwatch(const char *path, const char *token)
{
    return ok(request_strings(XS_UNWATCH, 0, path, token, true, NULL, 0));
}

long xs_transaction_start(uint32_t *tx)
{
    char id[16];
    unsigned long v;
    long rc = request_strings(XS_TRANSACTION_START, 0, "", NULL, false, id, sizeof(id));

    if (rc < 0)
        return rc;
    if (!parse_uint(id, &v))
        return -EIO;
    *tx = (uint32_t)v;
    return 0;
}

long xs_transaction_end(uint32_t tx, bool commit)
{
    return ok(request_strings(XS_TRANSACTION_END, tx, commit ? "T" : "F", NULL, false, NULL, 0));
}

long xs_get_domain_path(unsigned domid, char *buf, size_t size)
{
    char id[12];
    snprintf(id, sizeof(id), "%u", domid);
    return request_strings(XS_GET_DOMAIN_PATH, 0, id, NULL, false, buf, size);
}

long xenbus_take_events(void)
{
    long r;
    if (!page)
        return -ENODEV;
    while ((r = receive()) > 0)
        if (r == 2 && rx_hdr.type == XS_WATCH_EVENT)
            queue_event();              /* a stray reply (none is outstanding) is dropped */
    return r < 0 ? r : 0;
}

unsigned xenbus_port(void)
{
    return port;
}

bool xenbus_events_queued(void)
{
    return ev_count != 0;
}

bool xs_next_event(char *path, size_t psize, char *token, size_t tsize, bool wait)
{
    while (!ev_count) {
        if (!page || !wait || pump(true) < 0)
            return false;
    }
    snprintf(path, psize, "%s", events[ev_head].path);
    snprintf(token, tsize, "%s", events[ev_head].token);
    ev_head = (ev_head + 1) % XENBUS_EVENTS;
    ev_count--;
    return true;
}

long xs_read_number(const char *dir, const char *node, unsigned long *out)
{
    char path[112], value[24];
    snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", node);
    long rc = xs_read(0, path, value, sizeof(value));
    if (rc < 0)
        return rc;
    return parse_uint(value, out) ? 0 : -EINVAL;
}

long xs_printf(const char *dir, const char *node, const char *fmt, ...)
{
    char path[112], value[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(0, path, value);
}
