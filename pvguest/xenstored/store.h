/*
 * store.h - the xenstore daemon's core: connections in, replies out.
 *
 * A connection is one client: a domain on its ring, or the privileged
 * toolstack (in ringone, the hypervisor on xenstored's own ring).  Bytes
 * read from its ring go into xs_conn_input(), which assembles messages and
 * answers each one completely, in order, by queueing its reply (and any
 * watch events it causes, for every connection) in the connections' output
 * queues; xs_conn_output() hands those bytes to the ring writer.  The core
 * knows nothing of rings, pages or event channels: introducing a domain
 * calls a hook, so the host unit tests drive the whole protocol with no
 * hypervisor.  Memory is the arena given to xs_store_init() plus this
 * fixed struct: nothing grows.
 */
#ifndef XENSTORED_STORE_H
#define XENSTORED_STORE_H

#include "pvguest/xenstored/tree.h"

#define XS_MAX_CONNS  16
#define XS_MSG_MAX    (sizeof(struct xen_xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define XS_OUT_BYTES  (2 * XS_MSG_MAX)  /* room for one reply is always kept */
#define XS_OUT_MSGS   32

struct xs_watch {
    struct xs_watch *next;
    bool relative;              /* given relative to /local/domain/<id>: report so */
    char *token;
    char path[];                /* canonical (absolute or @special) */
};

struct xs_change;               /* store.c: a path a transaction changed */

struct xs_tx {
    struct xs_tx *next;
    uint32_t id;
    uint64_t gen;               /* the store's generation when it started */
    bool copied;                /* tree holds its private copy (after a first change) */
    struct xs_tree tree;
    uint32_t nchanges;
    struct xs_change *changes;
};

struct xs_conn {
    bool used, priv, dead;
    uint16_t id;                /* domid */
    void *ctx;                  /* the ring layer's */
    /* input: one message being assembled */
    struct xen_xsd_sockmsg hdr;
    uint32_t in_got;            /* header + payload bytes so far */
    char in[XENSTORE_PAYLOAD_MAX + 1];
    /* output: whole messages, in order */
    char out[XS_OUT_BYTES];
    uint32_t out_head, out_len;
    uint32_t msg_len[XS_OUT_MSGS];
    bool msg_reply[XS_OUT_MSGS];
    uint32_t msg_head, msg_count, msg_taken;    /* taken: bytes of the first one sent */
    uint32_t replies;           /* replies queued, not yet sent: "outstanding" */
    uint32_t events_dropped;    /* watch events that found no room */
    struct xs_watch *watches;
    uint32_t nwatches;
    struct xs_tx *txs;
    uint32_t ntxs;
};

struct xs_store;
struct xs_hooks {
    /* Connect domain c->id's ring (mfn, event port): 0 or an XSE_ error. */
    int (*introduce)(struct xs_store *s, struct xs_conn *c, uint32_t mfn, uint32_t port);
    /* Disconnect it (c is freed after). */
    void (*release)(struct xs_store *s, struct xs_conn *c);
};

struct xs_store {
    struct arena arena;
    struct xs_tree tree;
    uint64_t gen;               /* bumped by every committed change */
    uint32_t next_txid;
    uint16_t toolstack_id;      /* owner of the root, for the perms model */
    struct xs_quota quota;
    struct xs_hooks hooks;
    void *hook_ctx;
    struct xs_perms special[2]; /* @introduceDomain, @releaseDomain */
    struct xs_conn conns[XS_MAX_CONNS];
    char path[XENSTORE_ABS_PATH_MAX + 1];       /* scratch: a canonical path */
    char buf[XENSTORE_PAYLOAD_MAX];             /* scratch: a reply being built */
};

extern const struct xs_quota xs_default_quota;

int xs_store_init(struct xs_store *s, void *arena, size_t size, uint16_t toolstack_id,
                  const struct xs_hooks *hooks, void *hook_ctx);
struct xs_conn *xs_conn_new(struct xs_store *s, uint16_t id, bool priv);
struct xs_conn *xs_conn_find(struct xs_store *s, uint16_t id);
/* Drop a broken client: its watches and transactions go, it reads no more. */
void xs_conn_fail(struct xs_store *s, struct xs_conn *c);
void xs_conn_free(struct xs_store *s, struct xs_conn *c);

/* Whether c may start a new request now (room for its reply, under quota). */
bool xs_conn_can_read(const struct xs_store *s, const struct xs_conn *c);
/* How many bytes c takes now: the rest of the header or payload being
 * assembled, 0 when it may not start a new request.  A ring reader that
 * reads at most this many never has to un-read bytes. */
uint32_t xs_conn_wants(const struct xs_store *s, const struct xs_conn *c);
/* Feed n bytes from c's ring: the count taken (stops when it may not read
 * on), or -1 if they broke the protocol (c is then failed). */
int xs_conn_input(struct xs_store *s, struct xs_conn *c, const char *bytes, uint32_t n);
/* The next contiguous output bytes of c, and how many of them were sent. */
uint32_t xs_conn_output(const struct xs_conn *c, const char **p);
void xs_conn_sent(struct xs_conn *c, uint32_t n);

#endif
