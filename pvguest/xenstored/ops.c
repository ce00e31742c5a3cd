/*
 * ops.c - answering one xenstore request: parse, check, act, reply.
 *
 * The payload is guest-controlled bytes of exactly hdr.len (store.c added
 * a NUL after them, which the checks below never count).  Every argument
 * is checked here before anything changes: a request with the wrong
 * number of NUL-terminated strings is EINVAL, as in Xen's xenstored.
 * Each request gets exactly one reply, with its req_id and tx_id echoed:
 * the result, or XS_ERROR with the error's name.  This file answers the
 * requests about nodes; session.c those about watches, transactions and
 * domains.
 */
#include "pvguest/xenstored/internal.h"

/* Looks a node up whatever its perms (the change was already allowed). */
static const struct xs_who anyone = { 0, true };

static const char *error_name(int err)
{
#define XSE_NAME_(name, num) case num: return #name;
    switch (err) {
    XSD_ERRORS(XSE_NAME_)
    default: return "EINVAL";                   /* Xen sends untranslatable errors so */
    }
#undef XSE_NAME_
}

void ops_reply(struct req *r, uint32_t type, const void *data, uint32_t len)
{
    conn_queue(r->c, type, r->h->req_id, r->h->tx_id, data, len, NULL, 0, true);
}

void ops_reply_ok(struct req *r)
{
    ops_reply(r, r->h->type, "OK", 3);
}

/* The payload as NUL-terminated strings: how many, or -1 if it does not end in NUL. */
int ops_count_strings(const struct req *r)
{
    int n = 0;
    if (r->h->len == 0 || r->p[r->h->len - 1] != '\0')
        return -1;
    for (uint32_t i = 0; i < r->h->len; i++)
        n += r->p[i] == '\0';
    return n;
}

/* The i-th string (the caller counted them). */
const char *ops_string_at(const struct req *r, int i)
{
    const char *s = r->p;
    while (i-- > 0)
        s += strlen(s) + 1;
    return s;
}

/* raw (absolute, or relative to the caller's home) -> s->path; false if invalid. */
bool ops_canonical(struct req *r, const char *raw)
{
    struct xs_store *s = r->s;
    int n;

    if (raw[0] == '/')
        n = snprintf(s->path, sizeof(s->path), "%s", raw);
    else
        n = snprintf(s->path, sizeof(s->path), "/local/domain/%u/%s", (unsigned)r->c->id, raw);
    if (n < 0 || (size_t)n >= sizeof(s->path) || strlen(raw) > XENSTORE_ABS_PATH_MAX)
        return false;
    if (raw[0] != '/' && strlen(raw) > XENSTORE_REL_PATH_MAX)
        return false;
    return xs_path_ok(s->path);
}

/* One path argument: 0 with s->path set, or an error. */
static int path_arg(struct req *r)
{
    if (ops_count_strings(r) != 1)
        return XSE_EINVAL;
    return ops_canonical(r, r->p) ? 0 : XSE_EINVAL;
}

/* The tree a read in this request sees. */
static struct xs_tree *read_tree(struct req *r)
{
    return r->tx && r->tx->copied ? &r->tx->tree : &r->s->tree;
}

/* Announce a successful change at s->path: now, or when the transaction commits. */
static int changed(struct req *r, const struct xs_perms *perms, bool recursive)
{
    if (r->tx)
        return tx_record(r->s, r->tx, r->s->path, perms, recursive);
    r->s->gen++;
    watch_fire(r->s, r->s->path, perms, recursive);
    return 0;
}

static int tree_for_change(struct req *r, struct xs_tree **t)
{
    if (r->tx && r->tx->nchanges >= r->s->quota.tx_changes)
        return XSE_ENOSPC;                      /* refused before anything changes */
    if (r->tx)
        return tx_tree_for_change(r->s, r->tx, t);
    *t = &r->s->tree;
    return 0;
}

/* ---- the requests ----------------------------------------------------------- */

static int do_read(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_node *n;
    int rc = path_arg(r);

    if (!rc)
        rc = tree_get(read_tree(r), &who, r->s->path, 'r', &n);
    if (!rc)
        ops_reply(r, XS_READ, n->value, n->len);
    return rc;
}

static int do_directory(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_node *n;
    uint32_t len = 0;
    int rc = path_arg(r);

    if (!rc)
        rc = tree_get(read_tree(r), &who, r->s->path, 'r', &n);
    if (rc)
        return rc;
    for (struct xs_node *ch = n->child; ch; ch = ch->next) {
        size_t k = strlen(ch->name) + 1;
        if (len + k > sizeof(r->s->buf))
            return XSE_E2BIG;
        memcpy(r->s->buf + len, ch->name, k);
        len += (uint32_t)k;
    }
    ops_reply(r, XS_DIRECTORY, r->s->buf, len);
    return 0;
}

static int do_get_perms(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    const struct xs_perms *perms;
    struct xs_node *n;
    uint32_t len = 0;
    int special, rc;

    if (ops_count_strings(r) != 1)
        return XSE_EINVAL;
    if ((special = special_index(r->p)) >= 0) {
        perms = &r->s->special[special];
    } else {
        if (!ops_canonical(r, r->p))
            return XSE_EINVAL;
        if ((rc = tree_get(read_tree(r), &who, r->s->path, 'r', &n)) != 0)
            return rc;
        perms = &n->perms;
    }
    for (uint32_t i = 0; i < perms->n; i++)
        len += (uint32_t)xs_perm_format(&perms->p[i], r->s->buf + len,
                                        sizeof(r->s->buf) - len) + 1;
    ops_reply(r, XS_GET_PERMS, r->s->buf, len);
    return 0;
}

static int do_write(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_tree *t;
    struct xs_node *n;
    const char *path = r->p;
    size_t plen = strnlen(path, r->h->len);
    int rc;

    if (plen == r->h->len)                      /* no NUL: no path */
        return XSE_EINVAL;
    if (!ops_canonical(r, path))
        return XSE_EINVAL;
    if ((rc = tree_for_change(r, &t)) != 0)
        return rc;
    rc = tree_write(t, &r->s->arena, &who, &r->s->quota, r->s->path, path + plen + 1,
                    r->h->len - (uint32_t)plen - 1);
    if (!rc && !tree_get(t, &anyone, r->s->path, 'r', &n))
        rc = changed(r, &n->perms, false);
    return rc;
}

static int do_mkdir(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_tree *t;
    struct xs_node *n;
    int rc = path_arg(r);

    if (!rc)
        rc = tree_for_change(r, &t);
    if (!rc)
        rc = tree_mkdir(t, &r->s->arena, &who, &r->s->quota, r->s->path);
    if (!rc && !tree_get(t, &anyone, r->s->path, 'r', &n))
        rc = changed(r, &n->perms, false);
    return rc;
}

static int do_rm(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_perms removed = { 0, { { 0, 0 } } };
    struct xs_tree *t;
    int rc = path_arg(r);

    struct xs_node *n;

    if (!rc)
        rc = tree_for_change(r, &t);
    /* Outside a transaction, each watch on a node below goes off now, while
     * that node's own permissions can still be read (in a transaction, at
     * its commit, with the removed node's: coarser, see watch.c). */
    if (!rc && !r->tx && !tree_get(t, &who, r->s->path, 'w', &n))
        watch_fire_below(r->s, t, r->s->path);
    if (!rc)
        rc = tree_rm(t, &r->s->arena, &who, r->s->path, &removed);
    if (!rc && removed.n)                       /* something was removed */
        rc = changed(r, &removed, r->tx != NULL);
    return rc;
}

static int do_set_perms(struct req *r)
{
    struct xs_who who = conn_who(r->c);
    struct xs_perms perms = { 0, { { 0, 0 } } };
    struct xs_tree *t;
    struct xs_node *n;
    int count = ops_count_strings(r), special, rc;

    if (count < 2)
        return XSE_EINVAL;
    if (count - 1 > XS_PERMS_MAX)
        return XSE_ENOSPC;
    for (int i = 1; i < count; i++)
        if (!xs_perm_parse(ops_string_at(r, i), &perms.p[perms.n++]))
            return XSE_EINVAL;
    if ((special = special_index(r->p)) >= 0) {
        if (!xs_perms_allow(&r->s->special[special], &who, 'w') ||
            (!who.priv && r->s->special[special].p[0].id != who.id))
            return XSE_EACCES;
        r->s->special[special] = perms;
        return 0;
    }
    if (!ops_canonical(r, r->p))
        return XSE_EINVAL;
    if ((rc = tree_for_change(r, &t)) != 0)
        return rc;
    rc = tree_set_perms(t, &who, r->s->path, &perms);
    if (!rc && !tree_get(t, &anyone, r->s->path, 'r', &n))
        rc = changed(r, &n->perms, false);
    return rc;
}

/* Handlers; `replies` says the handler sent its own reply on success (else "OK"). */
static const struct {
    int (*fn)(struct req *r);
    bool replies;
    bool in_tx;                 /* the header's tx_id names a transaction */
} ops[XS_TYPE_COUNT] = {
    [XS_DIRECTORY]            = { do_directory, true, true },
    [XS_READ]                 = { do_read, true, true },
    [XS_GET_PERMS]            = { do_get_perms, true, true },
    [XS_WATCH]                = { session_watch, true, false },
    [XS_UNWATCH]              = { session_unwatch, false, false },
    [XS_TRANSACTION_START]    = { session_transaction_start, true, true },
    [XS_TRANSACTION_END]      = { session_transaction_end, false, true },
    [XS_INTRODUCE]            = { session_introduce, true, false },
    [XS_RELEASE]              = { session_release, true, false },
    [XS_GET_DOMAIN_PATH]      = { session_get_domain_path, true, false },
    [XS_WRITE]                = { do_write, false, true },
    [XS_MKDIR]                = { do_mkdir, false, true },
    [XS_RM]                   = { do_rm, false, true },
    [XS_SET_PERMS]            = { do_set_perms, false, true },
    [XS_IS_DOMAIN_INTRODUCED] = { session_is_domain_introduced, true, false },
    [XS_RESET_WATCHES]        = { session_reset_watches, false, false },
};

/*
 * Not served: XS_DEBUG, XS_RESUME, XS_SET_TARGET and XS_DIRECTORY_PART get
 * ENOSYS; XS_RESTRICT (withdrawn), the daemon-only types and anything
 * unknown get EINVAL, as Xen's xenstored answers an unknown type.
 */
void ops_process(struct xs_store *s, struct xs_conn *c)
{
    struct req r = { s, c, &c->hdr, c->in, NULL };
    uint32_t type = c->hdr.type;
    int rc;

    if (type >= XS_TYPE_COUNT || !ops[type].fn) {
        bool known = type == XS_DEBUG || type == XS_RESUME || type == XS_SET_TARGET ||
                     type == XS_DIRECTORY_PART;
        rc = known ? XSE_ENOSYS : XSE_EINVAL;
    } else if (ops[type].in_tx && c->hdr.tx_id &&
               !(r.tx = tx_find(c, c->hdr.tx_id))) {
        rc = XSE_ENOENT;
    } else {
        rc = ops[type].fn(&r);
        if (!rc && !ops[type].replies)
            ops_reply_ok(&r);
    }
    if (rc) {
        const char *name = error_name(rc);
        ops_reply(&r, XS_ERROR, name, (uint32_t)strlen(name) + 1);
    }
}
