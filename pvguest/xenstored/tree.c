/*
 * tree.c - the node tree: lookup, create, change and remove, with perms.
 *
 * Owns the nodes in an arena; never sees connections, transactions or
 * watches (store.c).  Every path handed in has passed xs_path_ok(), so
 * components are non-empty and separated by single slashes.  Deep trees
 * are walked with loops, never recursion: a path of 3072 bytes can nest
 * 1536 levels, far more than a guest's stack.
 */
#include <stdarg.h>
#include "pvguest/xenstored/tree.h"

static struct xs_node *node_new(struct arena *a, const char *name, size_t n)
{
    struct xs_node *node = arena_alloc(a, sizeof(*node) + n + 1);
    if (!node)
        return NULL;
    memset(node, 0, sizeof(*node));
    memcpy(node->name, name, n);
    node->name[n] = '\0';
    return node;
}

int tree_init(struct xs_tree *t, struct arena *a, uint16_t owner)
{
    t->root = node_new(a, "", 0);
    if (!t->root)
        return XSE_ENOMEM;
    t->root->perms.n = 1;
    t->root->perms.p[0] = (struct xs_perm){ owner, 'n' };
    return 0;
}

/* The next node in preorder after n, staying inside the subtree of top. */
static struct xs_node *preorder_next(struct xs_node *n, const struct xs_node *top)
{
    if (n->child)
        return n->child;
    while (n != top && !n->next)
        n = n->parent;
    return n == top ? NULL : n->next;
}

/* Free n's subtree (n included) and unlink it from its parent. */
static void subtree_free(struct xs_node *n, struct arena *a)
{
    struct xs_node *p = n->parent;

    if (p) {                                    /* unlink n from p's children */
        struct xs_node **link = &p->child;
        while (*link != n)
            link = &(*link)->next;
        *link = n->next;
    }
    n->parent = NULL;
    n->next = NULL;
    while (n) {                                 /* postorder: leaves first */
        struct xs_node *leaf = n;
        while (leaf->child)
            leaf = leaf->child;
        struct xs_node *up = leaf->parent;
        if (up)
            up->child = leaf->next;
        arena_free(a, leaf->value);
        arena_free(a, leaf);
        n = leaf == n ? NULL : n;
    }
}

void tree_free(struct xs_tree *t, struct arena *a)
{
    if (t->root)
        subtree_free(t->root, a);
    t->root = NULL;
}

/* A copy of n (name, value, perms; no links), or NULL when the arena is full. */
static struct xs_node *node_copy(struct arena *a, const struct xs_node *n)
{
    struct xs_node *c = node_new(a, n->name, strlen(n->name));
    if (!c)
        return NULL;
    if (n->len && !(c->value = arena_alloc(a, n->len))) {
        arena_free(a, c);
        return NULL;
    }
    if (n->len)
        memcpy(c->value, n->value, n->len);
    c->len = n->len;
    c->perms = n->perms;
    return c;
}

/* Append child c as the last child of p: children keep their order. */
static void link_last(struct xs_node *p, struct xs_node *c)
{
    struct xs_node **link = &p->child;
    while (*link)
        link = &(*link)->next;
    c->parent = p;
    *link = c;
}

int tree_clone(struct xs_tree *dst, const struct xs_tree *src, struct arena *a)
{
    const struct xs_node *prev = NULL;
    struct xs_node *prev_copy = NULL;

    dst->root = NULL;
    for (const struct xs_node *n = src->root; n;
         prev = n, n = preorder_next((struct xs_node *)n, src->root)) {
        struct xs_node *c = node_copy(a, n);
        if (!c) {
            tree_free(dst, a);
            return XSE_ENOMEM;
        }
        if (!prev) {
            dst->root = c;
        } else {
            /* n's parent is prev or one of prev's ancestors: climb both trees together. */
            const struct xs_node *up = prev;
            struct xs_node *up_copy = prev_copy;
            while (up != n->parent) {
                up = up->parent;
                up_copy = up_copy->parent;
            }
            link_last(up_copy, c);
        }
        prev_copy = c;
    }
    return 0;
}

/* ---- paths and permissions ---------------------------------------------- */

bool xs_path_ok(const char *path)
{
    size_t n = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);

    if (n == 0 || n > XENSTORE_ABS_PATH_MAX || path[0] != '/')
        return false;
    if (n > 1 && path[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = path[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '@' || c == '/';
        if (!ok || (c == '/' && path[i + 1] == '/'))
            return false;
    }
    return true;
}

/* The mode who has: owner and toolstack 'b'; else its own entry, or entry 0's. */
static char mode_of(const struct xs_perms *perms, const struct xs_who *who)
{
    if (who->priv || perms->p[0].id == who->id)
        return 'b';
    for (uint32_t i = 1; i < perms->n; i++)
        if (perms->p[i].id == who->id)
            return perms->p[i].mode;
    return perms->p[0].mode;
}

bool xs_perms_allow(const struct xs_perms *perms, const struct xs_who *who, char want)
{
    char m = mode_of(perms, who);
    return m == 'b' || m == want;
}

bool xs_perm_allows(const struct xs_node *n, const struct xs_who *who, char want)
{
    return xs_perms_allow(&n->perms, who, want);
}

/* The child of p named by the component at s (n bytes), or NULL. */
static struct xs_node *child_named(const struct xs_node *p, const char *s, size_t n)
{
    for (struct xs_node *c = p->child; c; c = c->next)
        if (!strncmp(c->name, s, n) && c->name[n] == '\0')
            return c;
    return NULL;
}

/* Walk path as far as it exists: the deepest node and where the rest starts. */
static struct xs_node *walk(const struct xs_tree *t, const char *path, const char **rest)
{
    struct xs_node *n = t->root;
    const char *s = path + 1;

    while (*s) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        struct xs_node *c = child_named(n, s, len);
        if (!c)
            break;
        n = c;
        s += len + (end ? 1 : 0);
    }
    *rest = s;
    return n;
}

int tree_get(const struct xs_tree *t, const struct xs_who *who, const char *path,
             char want, struct xs_node **out)
{
    const char *rest;
    struct xs_node *n = walk(t, path, &rest);

    *out = NULL;
    if (*rest)                                  /* missing: what may who see above? */
        return xs_perm_allows(n, who, 'r') ? XSE_ENOENT : XSE_EACCES;
    if (!xs_perm_allows(n, who, want))
        return XSE_EACCES;
    *out = n;
    return 0;
}

/* ---- changing the tree ---------------------------------------------------- */

static uint32_t node_bytes(const struct xs_node *n)
{
    return (uint32_t)(sizeof(*n) + strlen(n->name) + 1 + n->len);
}

/* What Xen counts as a node's size: value, child names, perms entries. */
static uint32_t node_size(const struct xs_node *n, uint32_t len, uint32_t extra_child)
{
    uint32_t size = len + n->perms.n * 8u + extra_child;
    for (const struct xs_node *c = n->child; c; c = c->next)
        size += (uint32_t)strlen(c->name) + 1;
    return size;
}

void tree_usage(const struct xs_tree *t, uint16_t id, uint32_t *nodes, uint32_t *bytes)
{
    *nodes = *bytes = 0;
    for (struct xs_node *n = t->root; n; n = preorder_next(n, t->root))
        if (n->perms.p[0].id == id) {
            (*nodes)++;
            *bytes += node_bytes(n);
        }
}

static unsigned components(const char *s)
{
    unsigned k = *s ? 1 : 0;
    for (; *s; s++)
        k += *s == '/';
    return k;
}

/*
 * Create the missing tail of path below the deepest existing node.  who
 * needs write permission there; an unprivileged who must stay within its
 * node quota and the parent within the node size.  Returns the new leaf
 * in *leaf and the first node created in *top (to undo), or an error.
 */
static int create(struct xs_tree *t, struct arena *a, const struct xs_who *who,
                  const struct xs_quota *q, const char *path,
                  struct xs_node **top, struct xs_node **leaf)
{
    const char *rest;
    struct xs_node *n = walk(t, path, &rest);
    uint32_t nodes, bytes;

    *top = NULL;
    if (!xs_perm_allows(n, who, 'w'))
        return XSE_EACCES;
    if (!who->priv) {
        const char *slash = strchr(rest, '/');
        uint32_t first = (uint32_t)(slash ? (size_t)(slash - rest) : strlen(rest));
        tree_usage(t, who->id, &nodes, &bytes);
        if (nodes + components(rest) > q->nodes ||
            node_size(n, n->len, first + 1) > q->node_size)
            return XSE_ENOSPC;
    }
    while (*rest) {
        const char *end = strchr(rest, '/');
        size_t len = end ? (size_t)(end - rest) : strlen(rest);
        struct xs_node *c = node_new(a, rest, len);
        if (!c) {
            if (*top)
                subtree_free(*top, a);
            *top = NULL;
            return XSE_ENOMEM;
        }
        c->perms = n->perms;
        if (!who->priv)
            c->perms.p[0].id = who->id;        /* a domain owns what it creates */
        link_last(n, c);
        if (!*top)
            *top = c;
        n = c;
        rest += len + (end ? 1 : 0);
    }
    *leaf = n;
    return 0;
}

/* Replace n's value, within the quotas of an unprivileged who. */
static int set_value(struct xs_tree *t, struct arena *a, const struct xs_who *who,
                     const struct xs_quota *q, struct xs_node *n,
                     const char *val, uint32_t len)
{
    char *copy = NULL;

    if (!who->priv) {
        uint32_t nodes, bytes;
        if (node_size(n, len, 0) > q->node_size)
            return XSE_ENOSPC;
        tree_usage(t, n->perms.p[0].id, &nodes, &bytes);
        if (bytes - n->len + len > q->memory)
            return XSE_ENOMEM;
    }
    if (len && !(copy = arena_alloc(a, len)))
        return XSE_ENOMEM;
    if (len)
        memcpy(copy, val, len);
    arena_free(a, n->value);
    n->value = copy;
    n->len = len;
    return 0;
}

int tree_write(struct xs_tree *t, struct arena *a, const struct xs_who *who,
               const struct xs_quota *q, const char *path, const char *val, uint32_t len)
{
    struct xs_node *n, *top;
    int rc = tree_get(t, who, path, 'w', &n);

    if (rc == XSE_ENOENT) {
        rc = create(t, a, who, q, path, &top, &n);
        if (!rc && (rc = set_value(t, a, who, q, n, val, len)) != 0)
            subtree_free(top, a);
        return rc;
    }
    return rc ? rc : set_value(t, a, who, q, n, val, len);
}

int tree_mkdir(struct xs_tree *t, struct arena *a, const struct xs_who *who,
               const struct xs_quota *q, const char *path)
{
    struct xs_node *n, *top;
    int rc = tree_get(t, who, path, 'w', &n);

    if (rc == XSE_ENOENT)
        rc = create(t, a, who, q, path, &top, &n);
    return rc;                                  /* an existing node is fine */
}

int tree_rm(struct xs_tree *t, struct arena *a, const struct xs_who *who, const char *path,
            struct xs_perms *removed)
{
    const char *rest;
    struct xs_node *n = walk(t, path, &rest);

    if (!strcmp(path, "/"))
        return XSE_EINVAL;
    if (*rest) {
        /* Xen: removing a missing node whose parent exists succeeds. */
        if (!xs_perm_allows(n, who, 'r'))
            return XSE_EACCES;
        return strchr(rest, '/') ? XSE_ENOENT : 0;
    }
    if (!xs_perm_allows(n, who, 'w'))
        return XSE_EACCES;
    *removed = n->perms;
    subtree_free(n, a);
    return 0;
}

/* Owner or toolstack only; an unprivileged owner may not give the node away. */
int tree_set_perms(struct xs_tree *t, const struct xs_who *who, const char *path,
                   const struct xs_perms *perms)
{
    struct xs_node *node;
    int rc = tree_get(t, who, path, 'w', &node);

    if (rc)
        return rc;
    if (!who->priv && node->perms.p[0].id != who->id)
        return XSE_EACCES;
    if (!who->priv && perms->p[0].id != who->id)
        return XSE_EPERM;
    node->perms = *perms;
    return 0;
}

bool xs_perm_parse(const char *s, struct xs_perm *p)
{
    uint32_t id = 0;

    if (!s[0] || !strchr("nrwb", s[0]) || !s[1])
        return false;
    for (const char *d = s + 1; *d; d++) {
        if (*d < '0' || *d > '9' || id > 0xffff)
            return false;
        id = id * 10 + (uint32_t)(*d - '0');
    }
    if (id > 0xffff)
        return false;
    p->mode = s[0];
    p->id = (uint16_t)id;
    return true;
}

int xs_perm_format(const struct xs_perm *p, char *buf, size_t size)
{
    return snprintf(buf, size, "%c%u", p->mode, (unsigned)p->id);
}

/* ---- the debug dump ------------------------------------------------------- */

/* Append to buf (size bytes, NUL-terminated); *at counts what was cut too. */
static void put(char *buf, size_t size, size_t *at, const char *fmt, ...)
{
    size_t from = *at < size ? *at : size - 1;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + from, size - from, fmt, ap);
    va_end(ap);
    *at = from + (k > 0 ? (size_t)k : 0);
}

/*
 * n's path, built leaf first from the end of a scratch buffer, with a loop
 * (the tree may be 1536 deep).  No stored path is longer than
 * XENSTORE_ABS_PATH_MAX (xs_path_ok), so it fits.
 */
static const char *path_of(const struct xs_node *n)
{
    static char path[XENSTORE_ABS_PATH_MAX + 2];
    size_t at = sizeof(path) - 1;

    path[at] = '\0';
    for (; n->parent; n = n->parent) {
        size_t k = strlen(n->name);
        if (k + 1 > at)
            break;                          /* cannot happen: xs_path_ok bounds it */
        at -= k;
        memcpy(path + at, n->name, k);
        path[--at] = '/';
    }
    return at == sizeof(path) - 1 ? "/" : path + at;
}

size_t tree_node_line(const struct xs_node *n, char *buf, size_t size)
{
    size_t at = 0, len = n->len < XS_DUMP_VALUE ? n->len : XS_DUMP_VALUE;
    char p[16];

    buf[0] = '\0';
    put(buf, size, &at, "%s = \"", path_of(n));
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)n->value[i];
        put(buf, size, &at, c >= 32 && c < 127 && c != '"' && c != '\\' ? "%c" : "\\x%02x", c);
    }
    put(buf, size, &at, "\"%s (", n->len > len ? "..." : "");
    for (uint32_t i = 0; i < n->perms.n; i++) {
        xs_perm_format(&n->perms.p[i], p, sizeof(p));
        put(buf, size, &at, "%s%s", i ? "," : "", p);
    }
    put(buf, size, &at, ")");
    return at < size ? at : size - 1;
}

uint32_t tree_dump(const struct xs_tree *t, uint32_t max, void (*emit)(const char *line))
{
    char line[XS_DUMP_LINE];
    uint32_t n = 0;

    for (struct xs_node *x = t->root; x; x = preorder_next(x, t->root))
        if (n++ < max) {
            tree_node_line(x, line, sizeof(line));
            emit(line);
        }
    return n;
}
