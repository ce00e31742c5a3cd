/*
 * check.h - the check harness shared by the host unit tests tests/unit/test_*.c.
 *
 * Each test program includes this header once, writes its checks as
 * functions of no arguments (one per named group), lists them in its own
 * table and lets CHECK_MAIN define main():
 *
 *     static void some_rule(void) { CHECK(x == 1); CHECKF(y, "y %d", y); }
 *     static const struct group groups[] = { { "some_rule", some_rule } };
 *     CHECK_MAIN(groups)
 *
 * The program then runs as
 *
 *     test_foo            run every group
 *     test_foo GROUP      run one group (tests/test_unit_*.py do this)
 *     test_foo --list     print the group names, one a line
 *
 * and ends with "N passed, M failed"; it exits 0 only when at least one
 * check passed and none failed (1 otherwise, 2 for an unknown group).  Each
 * failed check prints "FAIL file:line: [group] what: evidence", the lines
 * the pytest wrappers show.  Helpers that check several things at once may
 * count into `passed` and `failed` and call check_failed() themselves.
 *
 * Everything here is static (one copy per program), so it is a header only.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>

static unsigned passed, failed;     /* checks so far, over every group run */
static const char *group = "";      /* the name of the group running */

/* Count a failed check and print its FAIL line: "what" is the expression. */
__attribute__((format(printf, 4, 5)))
static inline void check_failed(const char *file, int line, const char *expr,
                                const char *fmt, ...)
{
    va_list ap;
    printf("FAIL %s:%d: [%s] %s: ", file, line, group, expr);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    failed++;
}

/* CHECKF(cond, fmt, ...): cond must hold; if not, fmt says what was seen. */
#define CHECKF(c, ...) do { if (c) passed++; \
        else check_failed(__FILE__, __LINE__, #c, __VA_ARGS__); } while (0)
#define CHECK(c) CHECKF(c, "false")

/* A repeatable pseudo-random sequence (xorshift32) for the random checks. */
static inline uint32_t check_random(void)
{
    static uint32_t x = 12345;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

/* A named group of checks; each test program declares its own table. */
struct group { const char *name; void (*run)(void); };

/* main() of a test program over its n groups: see the top of this file. */
static inline int check_main(int argc, char **argv, const struct group *groups, unsigned n)
{
    unsigned ran = 0;
    if (argc > 1 && !strcmp(argv[1], "--list")) {
        for (unsigned i = 0; i < n; i++)
            printf("%s\n", groups[i].name);
        return 0;
    }
    for (unsigned i = 0; i < n; i++)
        if (argc < 2 || !strcmp(argv[1], groups[i].name)) {
            group = groups[i].name;
            groups[i].run();
            ran++;
        }
    if (!ran) {
        fprintf(stderr, "unknown group '%s' (try --list)\n", argv[1]);
        return 2;
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed || !passed ? 1 : 0;
}

/* Define main() to run the array `groups` of struct group. */
#define CHECK_MAIN(groups) \
    int main(int argc, char **argv) \
    { \
        return check_main(argc, argv, groups, sizeof(groups) / sizeof((groups)[0])); \
    }

#endif /* TESTS_UNIT_CHECK_H */
