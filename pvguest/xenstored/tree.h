/*
 * tree.h - xenstore's node tree: paths, values and Xen's permission model.
 *
 * A node has a name (one path component), a value (bytes, possibly empty)
 * and a permission list.  Entry 0 of the list names the OWNER and what
 * every domain not listed may do; entries 1.. give one domain its own
 * mode: 'n' none, 'r' read, 'w' write, 'b' both.  The owner and the
 * privileged toolstack connection may do everything.  A node created by a
 * write or mkdir inherits its parent's list, except that a node created
 * by an unprivileged domain is owned by that domain.  Every operation here
 * works on one tree, so a transaction can run the same code on its copy.
 */
#ifndef XENSTORED_TREE_H
#define XENSTORED_TREE_H

#include "pvguest/xenstored/arena.h"

#define XS_PERMS_MAX 6          /* owner entry + Xen's 5 per node: more is ENOSPC */

struct xs_perm {
    uint16_t id;                /* domid */
    char mode;                  /* 'n' 'r' 'w' 'b' */
};

/* Who asks: a domain id, and whether it is the privileged toolstack. */
struct xs_who {
    uint16_t id;
    bool priv;
};

/* A permission list: p[0] is the owner and everyone else's mode. */
struct xs_perms {
    uint32_t n;
    struct xs_perm p[XS_PERMS_MAX];
};

bool xs_perms_allow(const struct xs_perms *perms, const struct xs_who *who, char want);

struct xs_node {
    struct xs_node *parent, *child, *next;      /* first child, next sibling */
    char *value;                /* arena bytes, NULL when empty */
    uint32_t len;
    struct xs_perms perms;
    char name[];                /* one component, NUL-terminated ("" for the root) */
};

struct xs_tree {
    struct xs_node *root;
};

/* Per-domain limits (the privileged connection has none). */
struct xs_quota {
    uint32_t nodes;             /* nodes a domain may own: ENOSPC */
    uint32_t node_size;         /* value + child names + perms of one node: ENOSPC */
    uint32_t memory;            /* bytes of the nodes it owns: ENOMEM */
    uint32_t watches;           /* E2BIG */
    uint32_t transactions;      /* open at once: ENOSPC */
    uint32_t outstanding;       /* replies queued before we stop reading it */
    uint32_t tx_changes;        /* paths changed in one transaction: ENOSPC */
};

int tree_init(struct xs_tree *t, struct arena *a, uint16_t owner);
void tree_free(struct xs_tree *t, struct arena *a);
int tree_clone(struct xs_tree *dst, const struct xs_tree *src, struct arena *a);

/*
 * All paths below are canonical: absolute, checked by xs_path_ok().
 * tree_get() finds path for `want` ('r' or 'w'): ENOENT if it does not
 * exist, EACCES if who may not; a missing node whose nearest existing
 * ancestor who cannot read is EACCES too, as in Xen, so existence leaks
 * no further than read permission.
 */
bool xs_path_ok(const char *path);
bool xs_perm_allows(const struct xs_node *n, const struct xs_who *who, char want);
int tree_get(const struct xs_tree *t, const struct xs_who *who, const char *path,
             char want, struct xs_node **out);
int tree_write(struct xs_tree *t, struct arena *a, const struct xs_who *who,
               const struct xs_quota *q, const char *path, const char *val, uint32_t len);
int tree_mkdir(struct xs_tree *t, struct arena *a, const struct xs_who *who,
               const struct xs_quota *q, const char *path);
/* rm: *removed gets the removed node's list (for watch permission checks). */
int tree_rm(struct xs_tree *t, struct arena *a, const struct xs_who *who, const char *path,
            struct xs_perms *removed);
int tree_set_perms(struct xs_tree *t, const struct xs_who *who, const char *path,
                   const struct xs_perms *perms);
/* Nodes and bytes owned by domain id. */
void tree_usage(const struct xs_tree *t, uint16_t id, uint32_t *nodes, uint32_t *bytes);

/*
 * For the debug dump (VIRQ_DEBUG, main.c): tree_node_line() formats one
 * node as `path = "value" (perms)`, as xenstore-ls -f -p shows it: the
 * value cut after XS_DUMP_VALUE bytes ("..." then), each byte that is not
 * printable ASCII, a quote or a backslash as \xHH; the whole line cut at
 * size.  tree_dump() walks the tree in preorder, root first, hands the
 * lines of the first max nodes to emit, and returns how many nodes there
 * are in all.
 */
#define XS_DUMP_VALUE 48
#define XS_DUMP_LINE  200
size_t tree_node_line(const struct xs_node *n, char *buf, size_t size);
uint32_t tree_dump(const struct xs_tree *t, uint32_t max, void (*emit)(const char *line));

/* "r5" <-> {5, 'r'}: parse is false for a malformed entry. */
bool xs_perm_parse(const char *s, struct xs_perm *p);
int xs_perm_format(const struct xs_perm *p, char *buf, size_t size);

#endif
