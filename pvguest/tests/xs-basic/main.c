/*
 * xs-basic - xenstore from a guest: its nodes, perms, watches, transactions, quotas.
 *
 * Booted as "-- self=S peer=P [hostile=H]" beside another guest P (and,
 * with hostile=, the xs-hostile guest H), with the xenstored service
 * domain.  Over its own store ring (pvguest/lib/xenbus.c) it checks:
 *  - the toolstack's nodes for us: /local/domain/S/{name,domid,memory/target},
 *    also read relative to our home, and get_domain_path;
 *  - P's home and the root are closed to us: EACCES;
 *  - a watch fires once when set, then for a write below it;
 *  - a transaction whose store changed before commit fails with EAGAIN,
 *    and a retry commits;
 *  - quotas refuse with Xen's errors: watches E2BIG, node size ENOSPC,
 *    open transactions ENOSPC;
 *  - with hostile=H: after H has scribbled its ring indexes, xenstored
 *    still answers us.
 * Skips (with the reason) when this boot has no xenstore: no grants
 * hypercall yet, or no store ring.
 */
#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/xenbus.h"

#define NONE 0xffffu

static unsigned self, peer, hostile;
static char buf[XENSTORE_PAYLOAD_MAX + 1], path[96];

static const char *read_or_error(const char *p)
{
    long rc = xs_read(0, p, buf, sizeof(buf));
    return rc < 0 ? xenbus_last_error : buf;
}

static void standard_nodes(void)
{
    char want[96];

    snprintf(want, sizeof(want), "%u", self);
    check_str("domid (relative to our home)", read_or_error("domid"), want);
    snprintf(path, sizeof(path), "/local/domain/%u/domid", self);
    check_str("domid (absolute)", read_or_error(path), want);
    snprintf(want, sizeof(want), "/local/domain/%u", self);
    check(xs_get_domain_path(self, buf, sizeof(buf)), (long)strlen(want) + 1, "get_domain_path");
    check_str("get_domain_path", buf, want);
    check(xs_read(0, "name", buf, sizeof(buf)) > 0, 1, "name is set (%s)", buf);
    unsigned long kib = 0;
    check(xs_read(0, "memory/target", buf, sizeof(buf)) > 0 && parse_uint(buf, &kib) && kib > 0,
          1, "memory/target is a number of KiB (%s)", buf);
}

static void permissions(void)
{
    snprintf(path, sizeof(path), "/local/domain/%u/name", peer);
    check(xs_read(0, path, buf, sizeof(buf)), -EACCES, "read of d%u's name", peer);
    snprintf(path, sizeof(path), "/local/domain/%u/planted", peer);
    check(xs_write(0, path, "x"), -EACCES, "write into d%u's home", peer);
    check(xs_read(0, "/local", buf, sizeof(buf)), -EACCES, "read of /local");
    check(xs_write(0, "/evil", "x"), -EACCES, "write at the root");
}

/* The next event for token, skipping others. */
static void expect_event(const char *token, const char *want_path)
{
    static char p[XENBUS_EVENT_MAX], t[XENBUS_EVENT_MAX];
    while (xs_next_event(p, sizeof(p), t, sizeof(t), true))
        if (!strcmp(t, token)) {
            check_str("watch event path", p, want_path);
            return;
        }
    test_fail("no event for token %s", token);
}

static void watches(void)
{
    check(xs_watch("data", "tok"), 0, "watch data");
    expect_event("tok", "data");                    /* fired once when set */
    check(xs_write(0, "data/x", "1"), 0, "write data/x");
    expect_event("tok", "data/x");
    check(xs_watch("data", "tok"), -EEXIST, "the same watch again");
}

static void transactions(void)
{
    uint32_t tx;
    long rc = -EAGAIN;

    check(xs_transaction_start(&tx), 0, "transaction_start");
    check(xs_write(tx, "tx/a", "1"), 0, "write in the transaction");
    check(xs_read(0, "tx/a", buf, sizeof(buf)), -ENOENT, "not visible outside it yet");
    check(xs_write(0, "tx/b", "2"), 0, "a write outside it");
    check(xs_transaction_end(tx, true), -EAGAIN, "commit after the store changed");
    for (unsigned tries = 0; tries < 20 && rc == -EAGAIN; tries++) {
        xs_transaction_start(&tx);
        xs_write(tx, "tx/a", "1");
        rc = xs_transaction_end(tx, true);
    }
    check(rc, 0, "a retried transaction commits");
    check_str("its write landed", read_or_error("tx/a"), "1");
}

static void quotas(void)
{
    static char big[2200];
    char token[16];
    unsigned n;
    long rc = 0;
    uint32_t tx;

    for (n = 0; n < 200 && rc >= 0; n++) {
        snprintf(token, sizeof(token), "q%u", n);
        rc = xs_watch("q", token);
    }
    check(rc, -E2BIG, "watch number %u", n);
    check_str("its error name", xenbus_last_error, "E2BIG");
    memset(big, 'v', sizeof(big) - 1);
    check(xs_write(0, "big", big), -ENOSPC, "a %u-byte node", (unsigned)sizeof(big) - 1);
    check_str("its error name", xenbus_last_error, "ENOSPC");
    for (n = 0, rc = 0; n < 50 && rc >= 0; n++)
        rc = xs_transaction_start(&tx);
    check(rc, -ENOSPC, "transaction number %u", n);
}

/* Wait for H's go-ahead, let it scribble, then use xenstore twice. */
static void survives_hostile(void)
{
    unsigned long port;
    long lp;
    xen_evtchn_port_t p;
    struct xen_sched_poll poll = { .nr_ports = 1 };

    snprintf(path, sizeof(path), "/local/domain/%u/port", hostile);
    check(xs_watch(path, "hostile"), 0, "watch d%u's port node", hostile);
    while (xs_read(0, path, buf, sizeof(buf)) < 0)
        expect_event("hostile", path);
    if (!check(parse_uint(buf, &port), 1, "d%u offers port %s", hostile, buf))
        return;
    lp = evtchn_bind_interdomain(hostile, (unsigned)port);
    if (!check(lp > 0, 1, "bound to d%u's port", hostile))
        return;
    p = (xen_evtchn_port_t)lp;
    __atomic_fetch_and(&shared_info->evtchn_pending[p / 32], ~(1u << (p % 32)), __ATOMIC_SEQ_CST);
    evtchn_send(p);                                  /* go: scribble */
    set_xen_guest_handle(poll.ports, &p);
    HYPERVISOR_sched_op(SCHEDOP_poll, &poll);        /* done scribbling */
    printf("d%u has scribbled its ring\n", hostile);
    check(xs_write(0, "after", "still here"), 0, "write after d%u's scribble", hostile);
    check_str("read after the scribble", read_or_error("after"), "still here");
    evtchn_send(p);                                  /* H may end now */
}

void pvguest_main(const xen_start_info_t *si)
{
    (void)si;
    self = (unsigned)cmdline_uint("self", 0);
    peer = (unsigned)cmdline_uint("peer", 1);
    hostile = (unsigned)cmdline_uint("hostile", NONE);
    traps_init();
    if (xenbus_test_ready()) {
        standard_nodes();
        permissions();
        watches();
        transactions();
        if (hostile != NONE)
            survives_hostile();
        quotas();                                   /* last: it uses up our watches */
        test_pass();
    }
    xtf_exit();
}
