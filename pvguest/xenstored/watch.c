/*
 * watch.c - watches and transactions: who hears of a change, and when.
 *
 * A watch is (path, token) on a connection; a change at P fires every
 * watch on P or an ancestor of P with the event "P\0token\0", to watchers
 * who may read the changed node.  Removing a subtree also fires the
 * watches inside it, each with its own path, as Xen does, to watchers who
 * may read the node watched (so a backend that may read its frontend's
 * device node hears of its removal when the toolstack removes the
 * frontend's whole /local/domain/N, which the backend may not read);
 * inside a transaction, with the removed node's permissions, at commit.  A watch given
 * as a relative path hears relative paths.
 *
 * A transaction sees the store as it was when it started plus its own
 * changes.  It reads the live tree until its first change, then copies
 * the whole tree and works on the copy with the same code as everyone
 * else (tree.c).  Commit succeeds only if nothing was committed anywhere
 * since it started (the store's generation is unchanged): then its copy
 * simply becomes the store, and its recorded changes fire their watches.
 * Otherwise it fails with EAGAIN and the client retries, as xenstored
 * before Xen 4.9 did.  Coarse, but never wrong: a transaction can only
 * commit over exactly the state it saw.
 */
#include "pvguest/xenstored/internal.h"

static const char *const special_names[2] = { "@introduceDomain", "@releaseDomain" };

int special_index(const char *path)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(path, special_names[i]))
            return i;
    return -1;
}

int watch_add(struct xs_store *s, struct xs_conn *c, const char *path, bool relative,
              const char *token)
{
    size_t plen = strlen(path), tlen = strlen(token);

    for (struct xs_watch *w = c->watches; w; w = w->next)
        if (!strcmp(w->path, path) && !strcmp(w->token, token))
            return XSE_EEXIST;
    if (!c->priv && c->nwatches >= s->quota.watches)
        return XSE_E2BIG;
    struct xs_watch *w = arena_alloc(&s->arena, sizeof(*w) + plen + 1);
    if (!w)
        return XSE_ENOMEM;
    if (!(w->token = arena_strdup(&s->arena, token, tlen))) {
        arena_free(&s->arena, w);
        return XSE_ENOMEM;
    }
    memcpy(w->path, path, plen + 1);
    w->relative = relative;
    w->next = c->watches;
    c->watches = w;
    c->nwatches++;
    return 0;
}

int watch_remove(struct xs_store *s, struct xs_conn *c, const char *path, const char *token)
{
    for (struct xs_watch **link = &c->watches; *link; link = &(*link)->next) {
        struct xs_watch *w = *link;
        if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
            *link = w->next;
            arena_free(&s->arena, w->token);
            arena_free(&s->arena, w);
            c->nwatches--;
            return 0;
        }
    }
    return XSE_ENOENT;
}

void watch_free_all(struct xs_store *s, struct xs_conn *c)
{
    while (c->watches)
        watch_remove(s, c, c->watches->path, c->watches->token);
}

/* Whether path is parent or below it (parent "/" holds everything). */
static bool is_under(const char *path, const char *parent)
{
    size_t n = strlen(parent);
    if (!strcmp(parent, "/"))
        return path[0] == '/';
    return !strncmp(path, parent, n) && (path[n] == '\0' || path[n] == '/');
}

/* Send w's event for path, made relative to c's home if w was. */
static void event(struct xs_store *s, struct xs_conn *c, struct xs_watch *w, const char *path)
{
    char home[24];
    int n = snprintf(home, sizeof(home), "/local/domain/%u/", (unsigned)c->id);

    (void)s;
    if (w->relative && !strncmp(path, home, (size_t)n))
        path += n;
    conn_queue(c, XS_WATCH_EVENT, 0, 0, path, (uint32_t)strlen(path) + 1,
               w->token, (uint32_t)strlen(w->token) + 1, false);
}

void watch_fire(struct xs_store *s, const char *path, const struct xs_perms *perms,
                bool recursive)
{
    for (unsigned i = 0; i < XS_MAX_CONNS; i++) {
        struct xs_conn *c = &s->conns[i];
        struct xs_who who = conn_who(c);
        if (!c->used || c->dead || (perms && !xs_perms_allow(perms, &who, 'r')))
            continue;
        for (struct xs_watch *w = c->watches; w; w = w->next) {
            if (is_under(path, w->path))
                event(s, c, w, path);
            else if (recursive && is_under(w->path, path))
                event(s, c, w, w->path);
        }
    }
}

void watch_fire_below(struct xs_store *s, const struct xs_tree *t, const char *path)
{
    struct xs_node *n;
    for (unsigned i = 0; i < XS_MAX_CONNS; i++) {
        struct xs_conn *c = &s->conns[i];
        struct xs_who who = conn_who(c);
        if (!c->used || c->dead)
            continue;
        for (struct xs_watch *w = c->watches; w; w = w->next)
            if (strcmp(w->path, path) && is_under(w->path, path) &&
                !tree_get(t, &who, w->path, 'r', &n))
                event(s, c, w, w->path);
    }
}

void watch_fire_special(struct xs_store *s, unsigned which)
{
    for (unsigned i = 0; i < XS_MAX_CONNS; i++) {
        struct xs_conn *c = &s->conns[i];
        struct xs_who who = conn_who(c);
        if (!c->used || c->dead || !xs_perms_allow(&s->special[which], &who, 'r'))
            continue;
        for (struct xs_watch *w = c->watches; w; w = w->next)
            if (!strcmp(w->path, special_names[which]))
                event(s, c, w, w->path);
    }
}

/* ---- transactions ------------------------------------------------------------ */

struct xs_change {
    struct xs_change *next;
    struct xs_perms perms;      /* the node's after the change (before, for rm) */
    bool has_perms, recursive;
    char path[];
};

int tx_start(struct xs_store *s, struct xs_conn *c, uint32_t *id)
{
    if (!c->priv && c->ntxs >= s->quota.transactions)
        return XSE_ENOSPC;
    struct xs_tx *tx = arena_alloc(&s->arena, sizeof(*tx));
    if (!tx)
        return XSE_ENOMEM;
    memset(tx, 0, sizeof(*tx));
    tx->id = s->next_txid++;
    if (s->next_txid == 0)                      /* 0 means "no transaction" */
        s->next_txid = 1;
    tx->gen = s->gen;
    tx->next = c->txs;
    c->txs = tx;
    c->ntxs++;
    *id = tx->id;
    return 0;
}

struct xs_tx *tx_find(struct xs_conn *c, uint32_t id)
{
    for (struct xs_tx *tx = c->txs; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

int tx_tree_for_change(struct xs_store *s, struct xs_tx *tx, struct xs_tree **t)
{
    if (!tx->copied) {
        int rc = tree_clone(&tx->tree, &s->tree, &s->arena);
        if (rc)
            return rc;
        tx->copied = true;
    }
    *t = &tx->tree;
    return 0;
}

int tx_record(struct xs_store *s, struct xs_tx *tx, const char *path,
              const struct xs_perms *perms, bool recursive)
{
    size_t n = strlen(path);

    if (tx->nchanges >= s->quota.tx_changes)
        return XSE_ENOSPC;
    struct xs_change *ch = arena_alloc(&s->arena, sizeof(*ch) + n + 1);
    if (!ch)
        return XSE_ENOMEM;
    memset(ch, 0, sizeof(*ch));
    memcpy(ch->path, path, n + 1);
    ch->has_perms = perms != NULL;
    if (perms)
        ch->perms = *perms;
    ch->recursive = recursive;
    ch->next = tx->changes;
    tx->changes = ch;
    tx->nchanges++;
    return 0;
}

/* Unlink tx from c and free it; fire its changes first if it committed. */
static void tx_finish(struct xs_store *s, struct xs_conn *c, struct xs_tx *tx, bool fire)
{
    struct xs_tx **link = &c->txs;

    while (*link != tx)
        link = &(*link)->next;
    *link = tx->next;
    c->ntxs--;
    while (tx->changes) {
        struct xs_change *ch = tx->changes;
        tx->changes = ch->next;
        if (fire)
            watch_fire(s, ch->path, ch->has_perms ? &ch->perms : NULL, ch->recursive);
        arena_free(&s->arena, ch);
    }
    if (tx->copied)
        tree_free(&tx->tree, &s->arena);
    arena_free(&s->arena, tx);
}

int tx_end(struct xs_store *s, struct xs_conn *c, struct xs_tx *tx, bool commit)
{
    if (commit && tx->gen != s->gen) {
        tx_finish(s, c, tx, false);
        return XSE_EAGAIN;
    }
    if (commit && tx->copied) {
        struct xs_tree old = s->tree;           /* the copy becomes the store */
        s->tree = tx->tree;
        tx->tree = old;
        s->gen++;
    }
    tx_finish(s, c, tx, commit);
    return 0;
}

void tx_free_all(struct xs_store *s, struct xs_conn *c)
{
    while (c->txs)
        tx_finish(s, c, c->txs, false);
}
