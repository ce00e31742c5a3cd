/*
 * session.c - the requests about a connection rather than a node: watches,
 * transactions, and the toolstack's introduce and release of domains.
 *
 * Called by ops_process() (ops.c) with the request's payload unchecked;
 * each handler checks its arguments with ops.c's helpers before acting,
 * and answers EINVAL for a malformed one.  Only the privileged toolstack
 * connection may introduce or release a domain.
 */
#include "pvguest/xenstored/internal.h"

/* WATCH and UNWATCH: "path\0token\0"; path may be relative or @special. */
static int watch_args(struct req *r, const char **path, bool *relative)
{
    if (ops_count_strings(r) != 2)
        return XSE_EINVAL;
    *relative = r->p[0] != '/';
    if (special_index(r->p) >= 0) {
        *relative = false;
        *path = r->p;
        return 0;
    }
    if (!ops_canonical(r, r->p))
        return XSE_EINVAL;
    *path = r->s->path;
    return 0;
}

int session_watch(struct req *r)
{
    const char *path, *token = ops_string_at(r, 1);
    bool relative;
    int rc = watch_args(r, &path, &relative);

    if (!rc)
        rc = watch_add(r->s, r->c, path, relative, token);
    if (rc)
        return rc;
    ops_reply_ok(r);
    /* Xen fires every new watch once, so clients need no special first read. */
    conn_queue(r->c, XS_WATCH_EVENT, 0, 0, r->p, (uint32_t)strlen(r->p) + 1,
               token, (uint32_t)strlen(token) + 1, false);
    return 0;
}

int session_unwatch(struct req *r)
{
    const char *path;
    bool relative;
    int rc = watch_args(r, &path, &relative);

    return rc ? rc : watch_remove(r->s, r->c, path, ops_string_at(r, 1));
}

int session_transaction_start(struct req *r)
{
    uint32_t id;
    int rc;
    char num[12];

    if (r->tx)
        return XSE_EBUSY;                       /* no nesting */
    if (ops_count_strings(r) != 1 || r->p[0])
        return XSE_EINVAL;
    if ((rc = tx_start(r->s, r->c, &id)) != 0)
        return rc;
    ops_reply(r, XS_TRANSACTION_START, num, (uint32_t)snprintf(num, sizeof(num), "%u", id) + 1);
    return 0;
}

int session_transaction_end(struct req *r)
{
    if (!r->tx)
        return XSE_ENOENT;
    if (ops_count_strings(r) != 1 || (strcmp(r->p, "T") && strcmp(r->p, "F")))
        return XSE_EINVAL;
    return tx_end(r->s, r->c, r->tx, r->p[0] == 'T');
}

/* A decimal argument below limit. */
static bool number(const char *s, uint32_t limit, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || (v = v * 10 + (uint64_t)(*s - '0')) >= limit)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

int session_introduce(struct req *r)
{
    uint32_t domid, mfn, port;
    struct xs_conn *c;
    int rc;

    if (!r->c->priv)
        return XSE_EACCES;
    if (ops_count_strings(r) != 3 || !number(ops_string_at(r, 0), XS_DOMID_LIMIT, &domid) ||
        !number(ops_string_at(r, 1), 0xffffffffu, &mfn) ||
        !number(ops_string_at(r, 2), 0xffffffffu, &port))
        return XSE_EINVAL;
    if (xs_conn_find(r->s, (uint16_t)domid))
        return XSE_EEXIST;
    if (!(c = xs_conn_new(r->s, (uint16_t)domid, false)))
        return XSE_ENOMEM;
    if (r->s->hooks.introduce && (rc = r->s->hooks.introduce(r->s, c, mfn, port)) != 0) {
        xs_conn_free(r->s, c);
        return rc;
    }
    ops_reply_ok(r);
    watch_fire_special(r->s, 0);
    return 0;
}

int session_release(struct req *r)
{
    uint32_t domid;
    struct xs_conn *c;

    if (!r->c->priv)
        return XSE_EACCES;
    if (ops_count_strings(r) != 1 || !number(r->p, XS_DOMID_LIMIT, &domid))
        return XSE_EINVAL;
    if (!(c = xs_conn_find(r->s, (uint16_t)domid)))
        return XSE_ENOENT;
    if (r->s->hooks.release)
        r->s->hooks.release(r->s, c);
    xs_conn_free(r->s, c);
    ops_reply_ok(r);
    watch_fire_special(r->s, 1);
    return 0;
}

int session_get_domain_path(struct req *r)
{
    uint32_t domid;
    char path[24];

    if (ops_count_strings(r) != 1 || !number(r->p, XS_DOMID_LIMIT, &domid))
        return XSE_EINVAL;
    ops_reply(r, XS_GET_DOMAIN_PATH, path,
          (uint32_t)snprintf(path, sizeof(path), "/local/domain/%u", domid) + 1);
    return 0;
}

int session_is_domain_introduced(struct req *r)
{
    uint32_t domid;

    if (ops_count_strings(r) != 1 || !number(r->p, XS_DOMID_LIMIT, &domid))
        return XSE_EINVAL;
    ops_reply(r, XS_IS_DOMAIN_INTRODUCED, xs_conn_find(r->s, (uint16_t)domid) ? "T" : "F", 2);
    return 0;
}

int session_reset_watches(struct req *r)
{
    watch_free_all(r->s, r->c);
    tx_free_all(r->s, r->c);
    return 0;
}

