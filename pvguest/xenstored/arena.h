/*
 * arena.h - xenstored's only memory: one fixed block, handed out first-fit.
 *
 * Every node, value, watch and transaction lives in the arena given to
 * arena_init(); when it is full, allocation fails and the request that
 * wanted memory gets ENOMEM.  Nothing grows beyond it.
 */
#ifndef XENSTORED_ARENA_H
#define XENSTORED_ARENA_H

#include "pvguest/xenstored/base.h"

struct arena {
    char *base;
    size_t size;
    size_t used;                /* bytes in allocated blocks, headers included */
};

void arena_init(struct arena *a, void *mem, size_t size);
void *arena_alloc(struct arena *a, size_t n);       /* NULL when full; 8-aligned */
void arena_free(struct arena *a, void *p);          /* NULL is ignored */
char *arena_strdup(struct arena *a, const char *s, size_t n);   /* n bytes + NUL */

#endif
