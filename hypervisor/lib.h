/*
 * lib.h - the small C library the hypervisor carries with it.
 *
 * String and memory functions with their standard names and meanings, the
 * formatter, and the logging/assertion macros.  With HOST_TEST defined (unit
 * tests built for the host) the string functions come from the host libc and
 * printk goes to stdout, so pure modules compile unchanged in both worlds.
 */
#ifndef HV_LIB_H
#define HV_LIB_H

#include "hypervisor/types.h"
#include <stdarg.h>

#ifdef HOST_TEST
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#define printk(...) printf(__VA_ARGS__)
#define BUG_ON(c) do { if (c) { printf("BUG_ON(%s) at %s:%d\n", #c, __FILE__, __LINE__); abort(); } } while (0)
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* printk: formatted output to every console (serial, VGA, debug port). */
void printk(const char *fmt, ...) __printf(1, 2);

/* panic: the hypervisor itself is broken.  Never for guest input. */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
#define BUG_ON(c) do { if (__builtin_expect(!!(c), 0)) \
        panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)
#endif

#endif
