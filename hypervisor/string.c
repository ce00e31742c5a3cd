/*
 * string.c - memory and string functions with their standard meanings.
 *
 * Freestanding code gets no libc, yet gcc may emit calls to memcpy and
 * memset on its own (struct copies), so these must exist with exactly the
 * standard names and semantics.  memcpy and memset are string
 * instructions (rep movsl/stosl, then movsb/stosb for the last 0-3
 * bytes; x86 allows any alignment): the domain builder clears every
 * frame of a new domain, and MMUEXT_CLEAR_PAGE/COPY_PAGE are whole pages,
 * where a byte loop cost four instructions per byte (docs/performance.md).
 * The direction flag is clear: entry.S does cld on every entry.  The rest
 * are simple loops: rarely used, and obvious code is easy to trust.
 */
#include "hypervisor/lib.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t words = n / 4, bytes = n % 4;
    __asm__ __volatile__("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
    __asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(bytes) : : "memory");
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n) {         /* forward, a byte at a time: safe for any overlap */
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
        return dst;
    }
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    size_t words = n / 4, bytes = n % 4;
    uint32_t v = (uint8_t)c * 0x01010101u;
    __asm__ __volatile__("rep stosl" : "+D"(d), "+c"(words) : "a"(v) : "memory");
    __asm__ __volatile__("rep stosb" : "+D"(d), "+c"(bytes) : "a"(v) : "memory");
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (uint8_t)*a - (uint8_t)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}
