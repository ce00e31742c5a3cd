/*
 * internal.h - what the core's files (store.c, ops.c, watch.c) share.
 * Nothing outside pvguest/xenstored/ includes it.
 */
#ifndef XENSTORED_INTERNAL_H
#define XENSTORED_INTERNAL_H

#include "pvguest/xenstored/store.h"

/* store.c: queue one message to c; false (event dropped) if no room. */
bool conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                const void *a, uint32_t alen, const void *b, uint32_t blen, bool reply);
static inline struct xs_who conn_who(const struct xs_conn *c)
{
    return (struct xs_who){ c->id, c->priv };
}

/* ops.c: answer the message assembled in c. */
void ops_process(struct xs_store *s, struct xs_conn *c);

/* One request being answered: payload p is hdr.len bytes (plus a NUL store.c added). */
struct req {
    struct xs_store *s;
    struct xs_conn *c;
    const struct xen_xsd_sockmsg *h;
    const char *p;
    struct xs_tx *tx;           /* NULL outside a transaction */
};
/* ops.c's helpers for the handlers: the reply (req_id and tx_id echoed)... */
void ops_reply(struct req *r, uint32_t type, const void *data, uint32_t len);
void ops_reply_ok(struct req *r);
/* ...the payload as NUL-terminated strings (-1 if it does not end in one)... */
int ops_count_strings(const struct req *r);
const char *ops_string_at(const struct req *r, int i);
/* ...and a path, absolute or relative to the caller's home, into s->path. */
bool ops_canonical(struct req *r, const char *raw);

/* session.c: the handlers of watches, transactions and domains (0 or XSE_). */
int session_watch(struct req *r);
int session_unwatch(struct req *r);
int session_transaction_start(struct req *r);
int session_transaction_end(struct req *r);
int session_introduce(struct req *r);
int session_release(struct req *r);
int session_get_domain_path(struct req *r);
int session_is_domain_introduced(struct req *r);
int session_reset_watches(struct req *r);

/* watch.c: watches */
int watch_add(struct xs_store *s, struct xs_conn *c, const char *path, bool relative,
              const char *token);
int watch_remove(struct xs_store *s, struct xs_conn *c, const char *path, const char *token);
void watch_free_all(struct xs_store *s, struct xs_conn *c);
/* A change at absolute path (perms: the node's, NULL if none): event to each watcher
 * allowed to read it; recursive (rm) also fires watches below path. */
void watch_fire(struct xs_store *s, const char *path, const struct xs_perms *perms,
                bool recursive);
/* Before the subtree at path leaves t: each watch strictly below path, to a
 * watcher who may read the watched node in t. */
void watch_fire_below(struct xs_store *s, const struct xs_tree *t, const char *path);
/* @introduceDomain (0) or @releaseDomain (1). */
void watch_fire_special(struct xs_store *s, unsigned which);
int special_index(const char *path);            /* 0, 1, or -1 */

/* watch.c: transactions */
int tx_start(struct xs_store *s, struct xs_conn *c, uint32_t *id);
struct xs_tx *tx_find(struct xs_conn *c, uint32_t id);
/* The tree a change in tx must go to (copying the store on its first change). */
int tx_tree_for_change(struct xs_store *s, struct xs_tx *tx, struct xs_tree **t);
int tx_record(struct xs_store *s, struct xs_tx *tx, const char *path,
              const struct xs_perms *perms, bool recursive);
int tx_end(struct xs_store *s, struct xs_conn *c, struct xs_tx *tx, bool commit);
void tx_free_all(struct xs_store *s, struct xs_conn *c);

#endif
