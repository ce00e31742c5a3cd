/*
 * test_xs_store.c - the xenstored core, driven over its wire protocol.
 *
 * Links pvguest/xenstored/{arena,tree,store,watch,ops}.c and
 * pvguest/lib/xs_ring.c.  A world of one store, the privileged toolstack
 * connection T (as the hypervisor is in ringone) and domains introduced
 * through the real XS_INTRODUCE, with hooks that record what the service
 * domain would map.  Each request is fed as bytes and its reply parsed
 * from the connection's output, so these checks see exactly what a guest
 * would see on its ring.
 */
#include <stdlib.h>
#include "tests/unit/check.h"
#include "pvguest/xenstored/store.h"
#include "pvguest/xenstored/pump.h"

#define TOOLSTACK 0x7FF2
static struct xs_store store;
static char arena_mem[1 << 20];
static struct xs_conn *T;
static uint32_t hook_mfn, hook_port, introduced, released;
static int hook_fail;

static int on_introduce(struct xs_store *s, struct xs_conn *c, uint32_t mfn, uint32_t port)
{
    (void)s; (void)c;
    hook_mfn = mfn;
    hook_port = port;
    if (hook_fail)
        return hook_fail;
    introduced++;
    return 0;
}

static void on_release(struct xs_store *s, struct xs_conn *c)
{
    (void)s; (void)c;
    released++;
}

static const struct xs_hooks hooks = { on_introduce, on_release };

/* A reply or event as parsed back. */
struct msg { uint32_t type, req_id, tx_id, len; char data[XENSTORE_PAYLOAD_MAX + 1]; };
static struct msg events[64];
static unsigned nevents;
static uint32_t next_req = 100;

/* Take every queued message of c: events are kept, the last reply returned. */
static bool drain(struct xs_conn *c, struct msg *reply)
{
    static char buf[XS_OUT_BYTES];
    uint32_t len = 0, off = 0;
    const char *p;
    bool got = false;
    for (uint32_t n; (n = xs_conn_output(c, &p)) != 0; len += n) {
        memcpy(buf + len, p, n);
        xs_conn_sent(c, n);
    }
    while (off < len) {
        struct msg m;
        memcpy(&m, buf + off, 16);
        memcpy(m.data, buf + off + 16, m.len);
        m.data[m.len] = '\0';
        off += 16 + m.len;
        if (m.type == XS_WATCH_EVENT) {
            if (nevents < 64)
                events[nevents++] = m;
        } else {
            *reply = m;
            got = true;
        }
    }
    return got;
}

/* Send one request (payload of len bytes) and return its reply's type; *out gets it. */
static uint32_t request(struct xs_conn *c, uint32_t type, uint32_t tx, const void *payload,
                        uint32_t len, struct msg *out)
{
    static struct msg spare;
    char buf[16 + XENSTORE_PAYLOAD_MAX];
    struct xen_xsd_sockmsg h = { type, next_req++, tx, len };
    out = out ? out : &spare;
    memcpy(buf, &h, 16);
    memcpy(buf + 16, payload, len);
    out->type = XS_INVALID;
    if (xs_conn_input(&store, c, buf, 16 + len) != (int)(16 + len))
        return XS_INVALID;
    if (!drain(c, out))
        return XS_INVALID;
    CHECKF(out->req_id == h.req_id && out->tx_id == tx, "req_id %u tx_id %u echoed as %u %u",
           h.req_id, tx, out->req_id, out->tx_id);
    return out->type;
}

/* "a\0b\0..." from a string with '|' for NUL (and a final NUL). */
static uint32_t args(char *dst, const char *spec)
{
    uint32_t n = (uint32_t)strlen(spec);
    for (uint32_t i = 0; i < n; i++)
        dst[i] = spec[i] == '|' ? '\0' : spec[i];
    dst[n] = '\0';
    return n + 1;
}

/* Request with '|'-separated string args; the reply's error name, "" on success. */
static const char *call(struct xs_conn *c, uint32_t type, uint32_t tx, const char *spec,
                        struct msg *out)
{
    static struct msg m;
    char p[XENSTORE_PAYLOAD_MAX];
    out = out ? out : &m;
    if (request(c, type, tx, p, args(p, spec), out) == XS_ERROR)
        return out->data;
    return out->type == XS_INVALID ? "(no reply)" : "";
}

/* XS_WRITE path = value (value not NUL-terminated, as on the wire). */
static const char *write_(struct xs_conn *c, uint32_t tx, const char *path, const char *val)
{
    static struct msg m;
    char p[XENSTORE_PAYLOAD_MAX];
    size_t a = strlen(path) + 1, b = strlen(val);
    memcpy(p, path, a);
    memcpy(p + a, val, b);
    if (request(c, XS_WRITE, tx, p, (uint32_t)(a + b), &m) == XS_ERROR)
        return m.data;
    return m.type == XS_WRITE ? "" : "(bad reply)";
}

static const char *read_(struct xs_conn *c, uint32_t tx, const char *path)
{
    static struct msg m;
    const char *e = call(c, XS_READ, tx, path, &m);
    return *e ? e : m.data;
}

#define CHECK_STR(got, want) do { const char *g_ = (got); \
        CHECKF(!strcmp(g_, want), "got '%s' want '%s'", g_, want); } while (0)

/* A fresh world: store, toolstack connection, and domains 1 and 2 introduced. */
static struct xs_conn *D1, *D2;
static void world(void)
{
    CHECK(xs_store_init(&store, arena_mem, sizeof(arena_mem), TOOLSTACK, &hooks, NULL) == 0);
    T = xs_conn_new(&store, TOOLSTACK, true);
    nevents = introduced = released = 0;
    hook_fail = 0;
    for (unsigned d = 1; d <= 2; d++) {
        char spec[64];
        snprintf(spec, sizeof(spec), "/local/domain/%u", d);
        CHECK_STR(call(T, XS_MKDIR, 0, spec, NULL), "");
        snprintf(spec, sizeof(spec), "/local/domain/%u|n%u", d, d);
        CHECK_STR(call(T, XS_SET_PERMS, 0, spec, NULL), "");
        snprintf(spec, sizeof(spec), "%u|%u|%u", d, 1000 + d, 10 + d);
        CHECK_STR(call(T, XS_INTRODUCE, 0, spec, NULL), "");
    }
    D1 = xs_conn_find(&store, 1);
    D2 = xs_conn_find(&store, 2);
    CHECK(D1 && D2 && introduced == 2);
}

static char dir_buf[XENSTORE_PAYLOAD_MAX + 1];
/* The directory reply as "a,b,c". */
static const char *dir(struct xs_conn *c, uint32_t tx, const char *path)
{
    struct msg m;
    const char *e = call(c, XS_DIRECTORY, tx, path, &m);
    if (*e)
        return e;
    for (uint32_t i = 0; i < m.len; i++)
        dir_buf[i] = m.data[i] ? m.data[i] : ',';
    dir_buf[m.len ? m.len - 1 : 0] = '\0';
    return dir_buf;
}

/* ---- the operations ----------------------------------------------------------- */

static void read_write_mkdir_rm_directory(void)
{
    world();
    CHECK_STR(write_(T, 0, "/local/domain/1/name", "guest-one"), "");
    CHECK_STR(read_(T, 0, "/local/domain/1/name"), "guest-one");
    CHECK_STR(read_(D1, 0, "name"), "guest-one");             /* relative to its home */
    CHECK_STR(write_(D1, 0, "data/deep/leaf", "x"), "");       /* parents made on the way */
    CHECK_STR(read_(D1, 0, "data/deep"), "");
    CHECK_STR(dir(D1, 0, "/local/domain/1"), "name,data");
    CHECK_STR(write_(D1, 0, "data/deep/leaf", ""), "");        /* an empty value */
    CHECK_STR(read_(D1, 0, "data/deep/leaf"), "");
    CHECK_STR(call(D1, XS_MKDIR, 0, "data/dir", NULL), "");
    CHECK_STR(call(D1, XS_MKDIR, 0, "data/dir", NULL), "");    /* again: fine */
    CHECK_STR(dir(D1, 0, "data"), "deep,dir");
    CHECK_STR(dir(D1, 0, "data/dir"), "");
    CHECK_STR(call(D1, XS_RM, 0, "data", NULL), "");
    CHECK_STR(read_(D1, 0, "data/deep/leaf"), "ENOENT");
    CHECK_STR(call(D1, XS_RM, 0, "data", NULL), "");           /* parent exists: OK */
    CHECK_STR(call(D1, XS_RM, 0, "data/x/y", NULL), "ENOENT");
    CHECK_STR(call(T, XS_RM, 0, "/", NULL), "EINVAL");
    CHECK_STR(read_(T, 0, "/no/such"), "ENOENT");
    CHECK_STR(read_(T, 0, "/bad//path"), "EINVAL");
    CHECK_STR(read_(T, 0, "/trailing/"), "EINVAL");
    CHECK_STR(read_(T, 0, "/bad char"), "EINVAL");
    struct msg m;
    CHECK_STR(call(D1, XS_GET_DOMAIN_PATH, 0, "7", &m), "");
    CHECK_STR(m.data, "/local/domain/7");
    CHECK(m.len == strlen("/local/domain/7") + 1);
    CHECK_STR(call(D1, XS_IS_DOMAIN_INTRODUCED, 0, "2", &m), "");
    CHECK_STR(m.data, "T");
    CHECK_STR(call(D1, XS_IS_DOMAIN_INTRODUCED, 0, "3", &m), "");
    CHECK_STR(m.data, "F");
    CHECK_STR(call(D1, XS_GET_DOMAIN_PATH, 0, "x1", NULL), "EINVAL");
}

static void permissions_follow_xen(void)
{
    struct msg m;
    world();
    CHECK_STR(write_(T, 0, "/local/domain/1/name", "one"), "");
    CHECK_STR(read_(D2, 0, "/local/domain/1/name"), "EACCES");     /* another's node */
    CHECK_STR(read_(D2, 0, "/local/domain/1/nothing"), "EACCES");  /* no existence leak */
    CHECK_STR(dir(D2, 0, "/local/domain/1"), "EACCES");
    CHECK_STR(write_(D2, 0, "/local/domain/1/x", "y"), "EACCES");
    CHECK_STR(read_(D1, 0, "/local"), "EACCES");                   /* root owned by toolstack */
    CHECK_STR(write_(D1, 0, "/evil", "y"), "EACCES");
    CHECK_STR(read_(T, 0, "/local/domain/1/name"), "one");         /* the toolstack sees all */
    /* What a domain creates it owns, inheriting the other entries. */
    CHECK_STR(write_(D1, 0, "shared", "s"), "");
    CHECK_STR(call(D1, XS_GET_PERMS, 0, "shared", &m), "");
    CHECK(m.len == 3 && !memcmp(m.data, "n1\0", 3));
    /* The owner grants domain 2 read access: read yes, write no. */
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|n1|r2", NULL), "");
    CHECK_STR(call(D1, XS_GET_PERMS, 0, "shared", &m), "");
    CHECK(m.len == 6 && !memcmp(m.data, "n1\0r2\0", 6));
    CHECK_STR(read_(D2, 0, "/local/domain/1/shared"), "s");        /* the parent's "n1" is no matter */
    CHECK_STR(dir(D2, 0, "/local/domain/1"), "EACCES");
    CHECK_STR(write_(D2, 0, "/local/domain/1/shared", "t"), "EACCES");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|n1|b2", NULL), "");
    CHECK_STR(write_(D2, 0, "/local/domain/1/shared", "t"), "");
    CHECK_STR(call(D1, XS_GET_PERMS, 0, "shared", &m), "");       /* write kept the owner */
    CHECK(!memcmp(m.data, "n1\0b2\0", 6));
    /* Only the owner sets perms; it may not give the node away (Xen's EPERM goes out as EINVAL). */
    CHECK_STR(call(D2, XS_SET_PERMS, 0, "/local/domain/1/shared|n2", NULL), "EACCES");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|n2", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|x1", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|n1|r99999", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|n1|r2|r3|r4|r5|r6|r7", NULL), "ENOSPC");
    /* Others' default in entry 0: "r1" lets everyone read. */
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "shared|r1", NULL), "");
    CHECK_STR(read_(D2, 0, "/local/domain/1/shared"), "t");
    /* A domain cannot remove another's home; the toolstack can. */
    CHECK_STR(call(D2, XS_RM, 0, "/local/domain/1", NULL), "EACCES");
    CHECK_STR(call(T, XS_RM, 0, "/local/domain/1", NULL), "");
}

static void introduce_and_release(void)
{
    struct msg m;
    world();
    CHECK(hook_mfn == 1002 && hook_port == 12);
    CHECK_STR(call(D1, XS_INTRODUCE, 0, "5|1|2", NULL), "EACCES");   /* toolstack only */
    CHECK_STR(call(D1, XS_RELEASE, 0, "2", NULL), "EACCES");
    CHECK_STR(call(T, XS_INTRODUCE, 0, "1|1|2", NULL), "EEXIST");
    CHECK_STR(call(T, XS_INTRODUCE, 0, "5|1", NULL), "EINVAL");
    CHECK_STR(call(T, XS_INTRODUCE, 0, "32752|1|2", NULL), "EINVAL");  /* reserved domid */
    hook_fail = XSE_EINVAL;                                          /* e.g. the map failed */
    CHECK_STR(call(T, XS_INTRODUCE, 0, "5|1|2", NULL), "EINVAL");
    CHECK(xs_conn_find(&store, 5) == NULL);
    hook_fail = 0;
    CHECK_STR(call(T, XS_WATCH, 0, "@introduceDomain|in", NULL), "");
    CHECK_STR(call(T, XS_WATCH, 0, "@releaseDomain|out", NULL), "");
    CHECK_STR(call(D1, XS_WATCH, 0, "@releaseDomain|d1", NULL), "");  /* allowed, but... */
    nevents = 0;
    CHECK_STR(call(T, XS_INTRODUCE, 0, "5|77|9", NULL), "");
    drain(T, &m);
    CHECK(nevents == 1 && !strcmp(events[0].data, "@introduceDomain"));
    CHECK_STR(call(T, XS_IS_DOMAIN_INTRODUCED, 0, "5", &m), "");
    CHECK_STR(m.data, "T");
    nevents = 0;
    CHECK_STR(call(T, XS_RELEASE, 0, "5", NULL), "");
    drain(D1, &m);
    CHECK(released == 1);
    CHECKF(nevents == 1 && !strcmp(events[0].data, "@releaseDomain"), "%u events", nevents);
    CHECK_STR(call(T, XS_RELEASE, 0, "5", NULL), "ENOENT");
    /* ...D1 hears @releaseDomain only once the toolstack lets it read it. */
    CHECK_STR(call(T, XS_SET_PERMS, 0, "@releaseDomain|n32754|r1", NULL), "");
    CHECK_STR(call(T, XS_INTRODUCE, 0, "5|77|9", NULL), "");
    nevents = 0;
    CHECK_STR(call(T, XS_RELEASE, 0, "5", NULL), "");
    drain(D1, &m);
    drain(T, &m);
    CHECKF(nevents == 2, "%u events (T and D1)", nevents);
    CHECK_STR(call(T, XS_GET_PERMS, 0, "@releaseDomain", &m), "");
    CHECK(!memcmp(m.data, "n32754\0r1\0", 10));
}

static bool saw_event(const char *path, const char *token)
{
    for (unsigned i = 0; i < nevents; i++) {
        const char *p = events[i].data, *t = p + strlen(p) + 1;
        if (!strcmp(p, path) && !strcmp(t, token))
            return true;
    }
    return false;
}

static void watches_fire_to_readers(void)
{
    struct msg m;
    world();
    nevents = 0;
    CHECK_STR(call(D1, XS_WATCH, 0, "device|tok", NULL), "");
    CHECKF(nevents == 1 && saw_event("device", "tok"), "the first event fires at once: %u", nevents);
    CHECK_STR(call(D1, XS_WATCH, 0, "device|tok", NULL), "EEXIST");
    CHECK_STR(call(T, XS_WATCH, 0, "/local/domain/1|all", NULL), "");
    nevents = 0;
    CHECK_STR(write_(D1, 0, "device/vbd/0", "1"), "");      /* D1's own reply drains its events */
    drain(T, &m);
    CHECK(saw_event("device/vbd/0", "tok"));                 /* relative watch, relative path */
    CHECK(saw_event("/local/domain/1/device/vbd/0", "all"));
    CHECK(nevents == 2);
    /* D2 watching D1's subtree hears nothing it may not read. */
    CHECK_STR(call(D2, XS_WATCH, 0, "/local/domain/1|spy", NULL), "");
    nevents = 0;
    CHECK_STR(write_(D1, 0, "device/vbd/1", "2"), "");
    drain(D2, &m);
    CHECK(!saw_event("/local/domain/1/device/vbd/1", "spy"));
    /* rm fires watches on the removed node, its parents and below it. */
    CHECK_STR(call(D1, XS_WATCH, 0, "device/vbd/0|leaf", NULL), "");
    nevents = 0;
    CHECK_STR(call(D1, XS_RM, 0, "device", NULL), "");
    CHECK(saw_event("device", "tok"));
    CHECK(saw_event("device/vbd/0", "leaf"));
    CHECK_STR(call(D1, XS_UNWATCH, 0, "device|tok", NULL), "");
    CHECK_STR(call(D1, XS_UNWATCH, 0, "device|tok", NULL), "ENOENT");
    nevents = 0;
    CHECK_STR(write_(D1, 0, "device", "x"), "");
    CHECK(!saw_event("device", "tok"));
    CHECK_STR(call(D1, XS_WATCH, 0, "/bad//path|t", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_WATCH, 0, "onlypath", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_RESET_WATCHES, 0, "", NULL), "");
    CHECK(D1->nwatches == 0);
    /* The toolstack removing D1's whole home, which D2 may not read: D2
     * hears of the node inside it that it may read (a backend's view of its
     * frontend's device), as in Xen, and not of the one it may not. */
    CHECK_STR(write_(D1, 0, "device/vbd/9", "1"), "");
    CHECK_STR(call(D1, XS_SET_PERMS, 0, "device/vbd/9|n1|r2", NULL), "");
    CHECK_STR(write_(D1, 0, "device/vbd/8", "1"), "");
    CHECK_STR(call(D2, XS_WATCH, 0, "/local/domain/1/device/vbd/9|be", NULL), "");
    CHECK_STR(call(D2, XS_WATCH, 0, "/local/domain/1/device/vbd/8|nope", NULL), "");
    nevents = 0;
    CHECK_STR(call(T, XS_RM, 0, "/local/domain/1", NULL), "");
    drain(D2, &m);
    CHECK(saw_event("/local/domain/1/device/vbd/9", "be"));
    CHECK(!saw_event("/local/domain/1/device/vbd/8", "nope"));
    CHECK(!saw_event("/local/domain/1/device/vbd/8", "spy"));
}

static uint32_t tx_begin(struct xs_conn *c)
{
    struct msg m;
    const char *e = call(c, XS_TRANSACTION_START, 0, "", &m);
    CHECKF(!*e, "transaction_start: %s", e);
    return (uint32_t)strtoul(m.data, NULL, 10);
}

static void transactions_commit_or_eagain(void)
{
    struct msg m;
    world();
    CHECK_STR(write_(D1, 0, "a", "0"), "");
    CHECK_STR(call(D1, XS_WATCH, 0, "a|w", NULL), "");
    uint32_t tx = tx_begin(D1);
    CHECK(tx != 0);
    CHECK_STR(write_(D1, tx, "a", "1"), "");
    CHECK_STR(write_(D1, tx, "b/c", "2"), "");
    CHECK_STR(read_(D1, tx, "a"), "1");                 /* the transaction sees its writes */
    CHECK_STR(read_(D1, 0, "a"), "0");                  /* nobody else does yet */
    CHECK_STR(read_(D1, 0, "b/c"), "ENOENT");
    CHECK_STR(dir(D1, tx, "b"), "c");
    CHECK_STR(call(D1, XS_TRANSACTION_START, tx, "", NULL), "EBUSY");
    nevents = 0;
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "T", &m), "");
    CHECK(m.type == XS_TRANSACTION_END && !strcmp(m.data, "OK"));
    CHECK(saw_event("a", "w"));                         /* watches fire at commit */
    CHECK_STR(read_(D1, 0, "a"), "1");
    CHECK_STR(read_(D1, 0, "b/c"), "2");
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "T", NULL), "ENOENT");   /* gone */
    /* A commit after someone else committed: EAGAIN, and nothing of it lands. */
    tx = tx_begin(D1);
    CHECK_STR(write_(D1, tx, "a", "2"), "");
    CHECK_STR(write_(T, 0, "/local/domain/2/other", "x"), "");
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "T", NULL), "EAGAIN");
    CHECK_STR(read_(D1, 0, "a"), "1");
    /* Read-only transactions conflict too; abort ("F") drops changes. */
    tx = tx_begin(D1);
    CHECK_STR(read_(D1, tx, "a"), "1");
    CHECK_STR(write_(D2, 0, "z", "x"), "");
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "T", NULL), "EAGAIN");
    tx = tx_begin(D1);
    CHECK_STR(write_(D1, tx, "a", "3"), "");
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "F", NULL), "");
    CHECK_STR(read_(D1, 0, "a"), "1");
    tx = tx_begin(D1);
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "X", NULL), "EINVAL");
    CHECK_STR(call(D1, XS_TRANSACTION_END, 0, "T", NULL), "ENOENT");
    CHECK_STR(read_(D1, 999, "a"), "ENOENT");                /* unknown tx_id */
    CHECK_STR(read_(D2, tx, "z"), "ENOENT");                 /* tx ids are per connection */
    /* Permissions hold inside a transaction too. */
    CHECK_STR(write_(D2, tx_begin(D2), "/local/domain/1/a", "x"), "EACCES");
}

/* ---- quotas and memory ------------------------------------------------------------- */

static void quotas_refuse_with_xens_errors(void)
{
    char path[64], big[3000];
    world();
    store.quota.nodes = 10;
    /* D1 owns its home: nine nodes more, then ENOSPC; the toolstack has no quota. */
    unsigned made = 0;
    for (unsigned i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "n%u", i);
        if (!*write_(D1, 0, path, "v"))
            made++;
    }
    CHECKF(made == 9, "made %u nodes (its home is the tenth)", made);
    CHECK_STR(write_(D1, 0, "n99", "v"), "ENOSPC");
    CHECK_STR(call(D1, XS_MKDIR, 0, "a/b", NULL), "ENOSPC");
    CHECK_STR(write_(D1, 0, "n0", "changing a node is fine"), "");
    CHECK_STR(write_(T, 0, "/local/domain/1/n99", "v"), "");
    /* Node size (value + children + perms) over 2048: ENOSPC, not for the toolstack. */
    memset(big, 'x', 2100);
    big[2100] = '\0';
    CHECK_STR(write_(D2, 0, "big", big), "ENOSPC");
    big[2000] = '\0';
    CHECK_STR(write_(D2, 0, "big", big), "");
    big[2000] = 'x';
    CHECK_STR(write_(T, 0, "/local/domain/2/big", big), "");
    /* Memory per domain: ENOMEM, as Xen's hard memory quota. */
    uint32_t nodes, bytes;
    tree_usage(&store.tree, 2, &nodes, &bytes);
    store.quota.memory = bytes + 20;
    CHECK_STR(write_(D2, 0, "more", "0123456789012345678901234567890123456789"), "ENOMEM");
    CHECK_STR(write_(D2, 0, "big", "short"), "");                /* shrinking is fine */
    CHECK_STR(write_(D2, 0, "more", "0123456789012345678901234567890123456789"), "");
    store.quota = xs_default_quota;
    /* Watches: E2BIG past the quota. */
    store.quota.watches = 3;
    for (unsigned i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "w|t%u", i);
        CHECK_STR(call(D2, XS_WATCH, 0, path, NULL), "");
    }
    CHECK_STR(call(D2, XS_WATCH, 0, "w|t9", NULL), "E2BIG");
    CHECK_STR(call(T, XS_WATCH, 0, "w|t9", NULL), "");
    /* Transactions: ENOSPC past the quota; ending one frees a slot. */
    store.quota.transactions = 2;
    uint32_t t1 = tx_begin(D2);
    tx_begin(D2);
    CHECK_STR(call(D2, XS_TRANSACTION_START, 0, "", NULL), "ENOSPC");
    CHECK_STR(call(D2, XS_TRANSACTION_END, t1, "F", NULL), "");
    tx_begin(D2);
    /* Changes in one transaction: ENOSPC past tx_changes. */
    store.quota.tx_changes = 2;
    store.quota.transactions = 5;
    uint32_t t2 = tx_begin(D1);
    CHECK_STR(write_(D1, t2, "n1", "a"), "");
    CHECK_STR(write_(D1, t2, "n2", "a"), "");
    CHECK_STR(write_(D1, t2, "n3", "a"), "ENOSPC");
}

static void outstanding_replies_stop_reading(void)
{
    char buf[64];
    struct xen_xsd_sockmsg h = { XS_READ, 1, 0, 0 };
    uint32_t len = args(buf + 16, "name");
    world();
    store.quota.outstanding = 3;
    h.len = len;
    memcpy(buf, &h, 16);
    /* Requests whose replies are never collected: three are answered, then reading stops. */
    unsigned taken = 0;
    for (unsigned i = 0; i < 10; i++)
        taken += xs_conn_input(&store, D1, buf, 16 + len) == (int)(16 + len);
    CHECKF(taken == 3, "answered %u before stopping", taken);
    CHECK(D1->replies == 3 && !xs_conn_can_read(&store, D1));
    CHECK(!D1->dead);                                   /* back-pressure, not a fault */
    struct msg m;
    drain(D1, &m);
    CHECK(xs_conn_can_read(&store, D1));
    CHECK(xs_conn_input(&store, D2, buf, 16 + len) == (int)(16 + len));  /* others unaffected */
}

static void arena_is_fixed_and_given_back(void)
{
    static char small[64 * 1024];
    char path[64];
    world();
    size_t before = store.arena.used;
    /* A transaction's copy, watches, nodes: all returned when they end. */
    uint32_t tx = tx_begin(D1);
    CHECK_STR(write_(D1, tx, "t", "v"), "");
    CHECK_STR(call(D1, XS_WATCH, 0, "x|y", NULL), "");
    CHECK_STR(write_(D1, 0, "n/m/o", "v"), "");
    CHECK(store.arena.used > before);
    CHECK_STR(call(D1, XS_TRANSACTION_END, tx, "F", NULL), "");
    CHECK_STR(call(D1, XS_UNWATCH, 0, "x|y", NULL), "");
    CHECK_STR(call(D1, XS_RM, 0, "n", NULL), "");
    CHECKF(store.arena.used == before, "used %zu, was %zu", store.arena.used, before);
    /* A small arena runs out: ENOMEM for everyone, nothing corrupt, space comes back. */
    CHECK(xs_store_init(&store, small, sizeof(small), TOOLSTACK, &hooks, NULL) == 0);
    T = xs_conn_new(&store, TOOLSTACK, true);
    const char *e = "";
    unsigned i;
    for (i = 0; i < 10000 && !*e; i++) {
        snprintf(path, sizeof(path), "/fill/n%u", i);
        e = write_(T, 0, path, "0123456789abcdef0123456789abcdef");
    }
    CHECK_STR(e, "ENOMEM");
    CHECK(i > 100);
    CHECK_STR(call(T, XS_TRANSACTION_START, 0, "", NULL), "");
    CHECK_STR(call(T, XS_RM, 0, "/fill", NULL), "");
    CHECK_STR(write_(T, 0, "/after", "ok"), "");
    CHECK_STR(read_(T, 0, "/after"), "ok");
}

/* ---- malformed messages --------------------------------------------------------------- */

static void malformed_messages_get_einval_or_drop(void)
{
    struct msg m;
    char p[8];
    world();
    CHECK(request(D1, XS_READ, 0, "name", 4, &m) == XS_ERROR);      /* no NUL */
    CHECK_STR(m.data, "EINVAL");
    CHECK(request(D1, XS_READ, 0, "a\0b\0", 4, &m) == XS_ERROR);    /* two strings */
    CHECK(request(D1, XS_READ, 0, "", 0, &m) == XS_ERROR);          /* empty */
    CHECK(request(D1, XS_WRITE, 0, "name", 4, &m) == XS_ERROR);     /* no path end */
    CHECK(request(D1, XS_WATCH, 0, "p\0t", 3, &m) == XS_ERROR);     /* token unterminated */
    CHECK(request(D1, 9999, 0, "", 0, &m) == XS_ERROR);             /* unknown type */
    CHECK_STR(m.data, "EINVAL");
    CHECK(request(D1, XS_ERROR, 0, "x", 2, &m) == XS_ERROR);        /* daemon-only type */
    CHECK(request(D1, XS_RESTRICT, 0, "1", 2, &m) == XS_ERROR);
    CHECK_STR(m.data, "EINVAL");
    CHECK(request(D1, XS_DEBUG, 0, "", 0, &m) == XS_ERROR);
    CHECK_STR(m.data, "ENOSYS");
    CHECK(request(D1, XS_TRANSACTION_START, 0, "x", 2, &m) == XS_ERROR);
    CHECK_STR(m.data, "EINVAL");
    /* A long path: EINVAL, and the connection lives on. */
    static char longp[XENSTORE_PAYLOAD_MAX];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    CHECK(request(D1, XS_READ, 0, longp, sizeof(longp), &m) == XS_ERROR);
    CHECK_STR(m.data, "EINVAL");
    CHECK_STR(read_(D1, 0, "/local/domain/1"), "");
    /* A message arriving a byte at a time is answered once, whole. */
    char buf[32];
    struct xen_xsd_sockmsg h = { XS_GET_DOMAIN_PATH, 77, 0, 2 };
    memcpy(buf, &h, 16);
    memcpy(buf + 16, "4", 2);
    for (unsigned i = 0; i < 18; i++) {
        CHECK(xs_conn_input(&store, D1, buf + i, 1) == 1);
        CHECK(D1->msg_count == (i == 17 ? 1u : 0u));
    }
    CHECK(drain(D1, &m) && m.req_id == 77 && !strcmp(m.data, "/local/domain/4"));
    /* A header claiming more than XENSTORE_PAYLOAD_MAX: the connection is dropped. */
    h = (struct xen_xsd_sockmsg){ XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
    CHECK(xs_conn_input(&store, D2, (char *)&h, 16) == -1);
    CHECK(D2->dead && !xs_conn_can_read(&store, D2));
    h.len = 0xffffffffu;
    CHECK(xs_conn_input(&store, D1, (char *)&h, 16) == -1);
    /* ...and only it: the toolstack and the store are fine. */
    CHECK_STR(write_(T, 0, "/still", "fine"), "");
    CHECK_STR(read_(T, 0, "/still"), "fine");
    (void)p;
}

/* ---- the ring -------------------------------------------------------------------------- */

static void ring_survives_hostile_indexes(void)
{
    static struct xen_xenstore_domain_interface page;
    struct xs_ring_dir sreq, srsp, creq, crsp;
    char msg[700], got[2048];
    static char big[2048];
    memset(&page, 0, sizeof(page));
    page.req_cons = page.req_prod = page.rsp_cons = page.rsp_prod = 0xfffffe00u; /* near wrap */
    xs_ring_server(&sreq, &srsp, &page);
    xs_ring_client(&creq, &crsp, &page);
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (char)(i * 7);
    /* Messages crossing the end of the ring and index wrap at 2^32. */
    for (unsigned round = 0; round < 20; round++) {
        CHECK(xs_ring_write(&creq, msg, sizeof(msg)) == (int)sizeof(msg));
        CHECK(xs_ring_write(&creq, msg, sizeof(msg)) == XENSTORE_RING_SIZE - (int)sizeof(msg));
        CHECK(xs_ring_read(&sreq, got, sizeof(msg)) == (int)sizeof(msg));
        CHECK(!memcmp(got, msg, sizeof(msg)));
        CHECK(xs_ring_read(&sreq, got, sizeof(msg)) == XENSTORE_RING_SIZE - (int)sizeof(msg));
        CHECK(xs_ring_read(&sreq, got, 1) == 0);
    }
    CHECK(page.req_cons == page.req_prod && page.req_cons < 0xfffffe00u);   /* wrapped */
    /* The client claims more than a ring of bytes: the server sees a corrupt ring. */
    page.req_prod = sreq.idx + XENSTORE_RING_SIZE + 1;
    CHECK(xs_ring_space(&sreq) == -1 && xs_ring_read(&sreq, got, 1) == -1);
    page.req_prod = sreq.idx - 1;                       /* behind us */
    CHECK(xs_ring_read(&sreq, got, 1) == -1);
    page.req_prod = sreq.idx + XENSTORE_RING_SIZE;      /* exactly full is legal */
    CHECK(xs_ring_read(&sreq, got, 1) == 1);
    /* Scribbling on the server's own published index moves nothing. */
    page.req_cons = 12345;
    CHECK(sreq.idx != 12345);
    CHECK(xs_ring_read(&sreq, got, 2000) == XENSTORE_RING_SIZE - 1);
    CHECK(page.req_cons == sreq.idx);
    /* Responses: a consumer index ahead of the producer is corrupt. */
    page.rsp_cons = srsp.idx + 5;
    CHECK(xs_ring_write(&srsp, msg, 1) == -1);
    page.rsp_cons = srsp.idx;
    CHECK(xs_ring_write(&srsp, big, 2000) == XENSTORE_RING_SIZE);
    CHECK(xs_ring_write(&srsp, msg, 1) == 0);           /* full: wait */
    /* A direction used the wrong way round is refused. */
    CHECK(xs_ring_read(&srsp, got, 1) == -1 && xs_ring_write(&sreq, msg, 1) == -1);
}

/* ---- the pump: a connection over a real ring page ---------------------------- */

struct fake_guest {
    struct xen_xenstore_domain_interface page;
    struct xs_ring_dir sreq, srsp, creq, crsp;     /* the daemon's side, the guest's */
};

static void fake_attach(struct fake_guest *g, uint32_t start)
{
    memset(&g->page, 0, sizeof(g->page));
    g->page.req_cons = g->page.req_prod = g->page.rsp_cons = g->page.rsp_prod = start;
    xs_ring_server(&g->sreq, &g->srsp, &g->page);
    xs_ring_client(&g->creq, &g->crsp, &g->page);
}

/* One whole reply from the guest's rsp ring (events skipped): its type, payload in m. */
static bool fake_reply(struct fake_guest *g, struct msg *m)
{
    for (;;) {
        if (xs_ring_read(&g->crsp, m, 16) != 16)
            return false;
        int n = xs_ring_read(&g->crsp, m->data, m->len);
        if (n != (int)m->len)
            return false;
        m->data[m->len] = '\0';
        if (m->type != XS_WATCH_EVENT)
            return true;
    }
}

static void pump_assembles_across_the_wrap_and_drops_only_a_bad_ring(void)
{
    static struct fake_guest g1, g2;
    char buf[64];
    struct msg m;
    world();
    fake_attach(&g1, XENSTORE_RING_SIZE - 7);       /* every message crosses the end */
    fake_attach(&g2, 0);
    struct xen_xsd_sockmsg h = { XS_GET_DOMAIN_PATH, 5, 0, 2 };
    memcpy(buf, &h, 16);
    memcpy(buf + 16, "9", 2);
    /* Half a message: nothing to answer yet; the rest: one reply, req_id kept. */
    CHECK(xs_ring_write(&g1.creq, buf, 10) == 10);
    CHECK(xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_MOVED);
    CHECK(!fake_reply(&g1, &m));
    CHECK(xs_ring_write(&g1.creq, buf + 10, 8) == 8);
    CHECK(xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_MOVED);
    CHECK(fake_reply(&g1, &m) && m.req_id == 5 && !strcmp(m.data, "/local/domain/9"));
    CHECK(xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_IDLE);
    /* Many requests, replies unread: the daemon stops reading, then resumes. */
    unsigned sent = 0, got = 0;
    for (unsigned round = 0; round < 40; round++) {
        while (xs_ring_space(&g1.creq) >= 18 && sent < 200) {
            h.req_id = 1000 + sent++;
            memcpy(buf, &h, 16);
            xs_ring_write(&g1.creq, buf, 18);
        }
        xs_pump(&store, D1, &g1.sreq, &g1.srsp);
        if (round % 3 == 2)                         /* the guest reads now and then */
            while (fake_reply(&g1, &m))
                CHECKF(m.req_id == 1000 + got++, "reply %u in order: %u", got, m.req_id);
        CHECK(D1->replies <= store.quota.outstanding);
    }
    while (xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_MOVED || fake_reply(&g1, &m))
        if (m.type == XS_GET_DOMAIN_PATH && m.req_id == 1000 + got)
            got++;
    CHECKF(sent == 200 && got == 200, "sent %u, answered in order %u", sent, got);
    /* D2 scribbles its indexes: only D2 is dropped. */
    g2.page.req_prod = g2.sreq.idx + 5000;
    CHECK(xs_pump(&store, D2, &g2.sreq, &g2.srsp) == XS_PUMP_BAD_RING);
    CHECK(D2->dead && xs_pump(&store, D2, &g2.sreq, &g2.srsp) == XS_PUMP_IDLE);
    h.req_id = 6;
    memcpy(buf, &h, 16);
    CHECK(xs_ring_write(&g1.creq, buf, 18) == 18);
    CHECK(xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_MOVED);
    CHECK(fake_reply(&g1, &m) && m.req_id == 6);
    /* An oversized header drops D1 too, at once. */
    h.len = XENSTORE_PAYLOAD_MAX + 1;
    CHECK(xs_ring_write(&g1.creq, &h, 16) == 16);
    CHECK(xs_pump(&store, D1, &g1.sreq, &g1.srsp) == XS_PUMP_BAD_MESSAGE && D1->dead);
    CHECK_STR(read_(T, 0, "/local/domain/1"), "");  /* the store lives on */
}

/* ---- the debug dump (VIRQ_DEBUG) ---------------------------------------------- */

static char dumped[64][XS_DUMP_LINE];
static unsigned ndumped;

static void collect(const char *line)
{
    if (ndumped < 64)
        snprintf(dumped[ndumped++], XS_DUMP_LINE, "%s", line);
}

/* The index of the dumped line equal to want, or -1. */
static int dumped_at(const char *want)
{
    for (unsigned i = 0; i < ndumped; i++)
        if (!strcmp(dumped[i], want))
            return (int)i;
    return -1;
}

static void debug_dump_lists_nodes_bounded(void)
{
    world();
    CHECK_STR(write_(T, 0, "/local/domain/1/name", "guest-one"), "");
    CHECK_STR(call(T, XS_SET_PERMS, 0, "/local/domain/1/name|n1|r2", NULL), "");
    CHECK_STR(write_(D1, 0, "odd", "a\"b\\c\n\x01"), "");
    CHECK_STR(write_(D1, 0, "long", "0123456789012345678901234567890123456789012345678901234567890"),
              "");
    ndumped = 0;
    uint32_t all = tree_dump(&store.tree, 64, collect);
    CHECKF(all == ndumped && all == 8, "%u nodes, %u lines", (unsigned)all, ndumped);
    CHECK_STR(dumped[0], "/ = \"\" (n32754)");         /* the root first, closed to all */
    int home = dumped_at("/local/domain/1 = \"\" (n1)");
    int name = dumped_at("/local/domain/1/name = \"guest-one\" (n1,r2)");
    CHECKF(home > 0 && name > home, "preorder: home at %d, its name at %d", home, name);
    CHECK(dumped_at("/local/domain/1/odd = \"a\\x22b\\x5cc\\x0a\\x01\" (n1)") > home);
    CHECK(dumped_at("/local/domain/1/long = \"012345678901234567890123456789012345678901234567\"... "
                    "(n1)") > home);
    CHECK(dumped_at("/local/domain/2 = \"\" (n2)") > name);
    ndumped = 0;                                         /* bounded: 3 lines, all counted */
    CHECK(tree_dump(&store.tree, 3, collect) == all && ndumped == 3);
    CHECK_STR(dumped[2], "/local/domain = \"\" (n32754)");
    struct xs_node *n;                                   /* a line cut at its buffer */
    struct xs_who priv = { TOOLSTACK, true };
    char small[12];
    CHECK(tree_get(&store.tree, &priv, "/local/domain/1/name", 'r', &n) == 0);
    CHECK(tree_node_line(n, small, sizeof(small)) == sizeof(small) - 1);
    CHECK_STR(small, "/local/doma");
}

static const struct group groups[] = {
    { "debug_dump_lists_nodes_bounded", debug_dump_lists_nodes_bounded },
    { "pump_assembles_across_the_wrap_and_drops_only_a_bad_ring",
      pump_assembles_across_the_wrap_and_drops_only_a_bad_ring },
    { "read_write_mkdir_rm_directory", read_write_mkdir_rm_directory },
    { "permissions_follow_xen", permissions_follow_xen },
    { "introduce_and_release", introduce_and_release },
    { "watches_fire_to_readers", watches_fire_to_readers },
    { "transactions_commit_or_eagain", transactions_commit_or_eagain },
    { "quotas_refuse_with_xens_errors", quotas_refuse_with_xens_errors },
    { "outstanding_replies_stop_reading", outstanding_replies_stop_reading },
    { "arena_is_fixed_and_given_back", arena_is_fixed_and_given_back },
    { "malformed_messages_get_einval_or_drop", malformed_messages_get_einval_or_drop },
    { "ring_survives_hostile_indexes", ring_survives_hostile_indexes },
};
CHECK_MAIN(groups)
