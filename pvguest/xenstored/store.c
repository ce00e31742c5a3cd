/*
 * store.c - connections: assembling requests and queueing replies.
 *
 * The input side trusts nothing: a header whose length exceeds
 * XENSTORE_PAYLOAD_MAX fails the connection at once (Xen drops such a
 * client too), and a message is only answered once all its bytes are in.
 * The output side keeps whole messages in a per-connection queue.  A new
 * request is only read when the queue has room for its largest reply and,
 * for a domain, fewer than quota.outstanding replies wait to be sent: a
 * client that never reads its replies stops being served, and costs no
 * memory.  Watch events must leave room for one reply; an event that does
 * not fit is dropped and counted (Xen drops events that time out).
 */
#include "pvguest/xenstored/internal.h"

/* Xen's defaults are larger (1000 nodes, 128 watches, 10 transactions,
 * 20 outstanding); ours fit a fixed arena shared by 16 connections. */
const struct xs_quota xs_default_quota = {
    .nodes = 128, .node_size = 2048, .memory = 32 * 1024, .watches = 32,
    .transactions = 4, .outstanding = 8, .tx_changes = 64,
};

int xs_store_init(struct xs_store *s, void *arena, size_t size, uint16_t toolstack_id,
                  const struct xs_hooks *hooks, void *hook_ctx)
{
    memset(s, 0, sizeof(*s));
    arena_init(&s->arena, arena, size);
    s->toolstack_id = toolstack_id;
    s->quota = xs_default_quota;
    if (hooks)
        s->hooks = *hooks;
    s->hook_ctx = hook_ctx;
    s->next_txid = 1;
    for (unsigned i = 0; i < 2; i++)            /* only the toolstack sees them */
        s->special[i] = (struct xs_perms){ 1, { { toolstack_id, 'n' } } };
    return tree_init(&s->tree, &s->arena, toolstack_id);
}

struct xs_conn *xs_conn_new(struct xs_store *s, uint16_t id, bool priv)
{
    for (unsigned i = 0; i < XS_MAX_CONNS; i++) {
        struct xs_conn *c = &s->conns[i];
        if (!c->used) {
            memset(c, 0, sizeof(*c));
            c->used = true;
            c->id = id;
            c->priv = priv;
            return c;
        }
    }
    return NULL;
}

struct xs_conn *xs_conn_find(struct xs_store *s, uint16_t id)
{
    for (unsigned i = 0; i < XS_MAX_CONNS; i++)
        if (s->conns[i].used && !s->conns[i].priv && s->conns[i].id == id)
            return &s->conns[i];
    return NULL;
}

void xs_conn_fail(struct xs_store *s, struct xs_conn *c)
{
    watch_free_all(s, c);
    tx_free_all(s, c);
    c->dead = true;
    c->out_len = c->msg_count = c->replies = c->in_got = 0;
}

void xs_conn_free(struct xs_store *s, struct xs_conn *c)
{
    xs_conn_fail(s, c);
    c->used = false;
}

static uint32_t out_free(const struct xs_conn *c)
{
    return XS_OUT_BYTES - c->out_len;
}

bool xs_conn_can_read(const struct xs_store *s, const struct xs_conn *c)
{
    return c->used && !c->dead && out_free(c) >= XS_MSG_MAX && c->msg_count < XS_OUT_MSGS &&
           (c->priv || c->replies < s->quota.outstanding);
}

/* Append n bytes to the output byte ring (the caller checked room). */
static void out_put(struct xs_conn *c, const void *p, uint32_t n)
{
    const char *b = p;
    for (uint32_t i = 0; i < n; i++)
        c->out[(c->out_head + c->out_len + i) % XS_OUT_BYTES] = b[i];
    c->out_len += n;
}

/*
 * Queue header + a + b as one message.  A reply always fits (a request is
 * only read when one would); an event must leave room for a reply.
 */
bool conn_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
                const void *a, uint32_t alen, const void *b, uint32_t blen, bool reply)
{
    struct xen_xsd_sockmsg h = { type, req_id, tx_id, alen + blen };
    uint32_t need = (uint32_t)sizeof(h) + alen + blen;
    uint32_t reserve = reply ? 0 : XS_MSG_MAX;

    if (c->dead)
        return false;
    if (out_free(c) < need + reserve || c->msg_count >= XS_OUT_MSGS - (reply ? 0 : 1)) {
        c->events_dropped++;
        return false;
    }
    out_put(c, &h, sizeof(h));
    out_put(c, a, alen);
    out_put(c, b, blen);
    unsigned slot = (c->msg_head + c->msg_count) % XS_OUT_MSGS;
    c->msg_len[slot] = need;
    c->msg_reply[slot] = reply;
    c->msg_count++;
    c->replies += reply;
    return true;
}

uint32_t xs_conn_output(const struct xs_conn *c, const char **p)
{
    uint32_t n = XS_OUT_BYTES - c->out_head;
    *p = &c->out[c->out_head];
    return c->out_len < n ? c->out_len : n;
}

void xs_conn_sent(struct xs_conn *c, uint32_t n)
{
    if (n > c->out_len)
        n = c->out_len;
    c->out_head = (c->out_head + n) % XS_OUT_BYTES;
    c->out_len -= n;
    c->msg_taken += n;
    while (c->msg_count && c->msg_taken >= c->msg_len[c->msg_head]) {
        c->msg_taken -= c->msg_len[c->msg_head];
        c->replies -= c->msg_reply[c->msg_head];
        c->msg_head = (c->msg_head + 1) % XS_OUT_MSGS;
        c->msg_count--;
    }
}

uint32_t xs_conn_wants(const struct xs_store *s, const struct xs_conn *c)
{
    const uint32_t hsize = sizeof(c->hdr);

    if (c->dead || (c->in_got == 0 && !xs_conn_can_read(s, c)))
        return 0;
    return c->in_got < hsize ? hsize - c->in_got : hsize + c->hdr.len - c->in_got;
}

int xs_conn_input(struct xs_store *s, struct xs_conn *c, const char *bytes, uint32_t n)
{
    uint32_t took = 0;
    const uint32_t hsize = sizeof(c->hdr);

    while (took < n) {
        if (c->in_got == 0 && !xs_conn_can_read(s, c))
            break;
        if (c->in_got < hsize) {
            uint32_t k = hsize - c->in_got < n - took ? hsize - c->in_got : n - took;
            memcpy((char *)&c->hdr + c->in_got, bytes + took, k);
            c->in_got += k;
            took += k;
            if (c->in_got < hsize)
                break;
            if (c->hdr.len > XENSTORE_PAYLOAD_MAX) {
                xs_conn_fail(s, c);
                return -1;
            }
        }
        uint32_t want = hsize + c->hdr.len - c->in_got;
        uint32_t k = want < n - took ? want : n - took;
        memcpy(c->in + (c->in_got - hsize), bytes + took, k);
        c->in_got += k;
        took += k;
        if (c->in_got == hsize + c->hdr.len) {
            c->in[c->hdr.len] = '\0';
            c->in_got = 0;
            ops_process(s, c);
        }
    }
    return (int)took;
}
