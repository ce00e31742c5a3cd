/*
 * arena.c - a first-fit allocator over one fixed block of memory.
 *
 * The block is a row of chunks, each starting with a header that holds the
 * chunk's size (a multiple of 8, header included) and whether it is in
 * use.  Allocation walks the row, merging each run of free chunks it meets
 * into one, and takes the first that fits, splitting off the rest when
 * the rest can hold a chunk.  Free only marks the chunk free; the next
 * walk merges it with free neighbours after it.  A walk is linear in the
 * number of chunks, which a store of a few thousand nodes keeps small.
 * The arena never trusts its callers less than itself: a pointer passed
 * to arena_free must be one arena_alloc returned.
 */
#include "pvguest/xenstored/arena.h"

struct chunk {
    uint32_t size;              /* bytes, this header included */
    uint32_t used;
};
_Static_assert(sizeof(struct chunk) == 8, "chunk headers keep 8-byte alignment");

#define CHUNK_MIN (sizeof(struct chunk) + 8)

static struct chunk *at(struct arena *a, size_t off)
{
    return (struct chunk *)(a->base + off);
}

void arena_init(struct arena *a, void *mem, size_t size)
{
    a->base = mem;
    a->size = size & ~(size_t)7;
    a->used = 0;
    at(a, 0)->size = (uint32_t)a->size;
    at(a, 0)->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t want = sizeof(struct chunk) + ((n + 7) & ~(size_t)7);

    if (n > a->size)
        return NULL;
    for (size_t off = 0; off < a->size; off += at(a, off)->size) {
        struct chunk *c = at(a, off);
        if (c->used)
            continue;
        while (off + c->size < a->size && !at(a, off + c->size)->used)
            c->size += at(a, off + c->size)->size;      /* merge the next free chunk */
        if (c->size < want)
            continue;
        if (c->size - want >= CHUNK_MIN) {
            struct chunk *rest = at(a, off + want);
            rest->size = c->size - (uint32_t)want;
            rest->used = 0;
            c->size = (uint32_t)want;
        }
        c->used = 1;
        a->used += c->size;
        return c + 1;
    }
    return NULL;
}

void arena_free(struct arena *a, void *p)
{
    if (!p)
        return;
    struct chunk *c = (struct chunk *)p - 1;
    c->used = 0;
    a->used -= c->size;
}

char *arena_strdup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}
