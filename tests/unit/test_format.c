/*
 * test_format.c - hypervisor/console/format.c against the host's own printf.
 *
 * The formatter is built with -Dvsnprintf=hv_vsnprintf -Dsnprintf=hv_snprintf,
 * so this program holds two implementations side by side: ours and the host
 * C library's.  Most checks format the same format and arguments with both
 * and require the same text and the same return value.  The truncation
 * checks write into a buffer with guard bytes on both sides, at every size
 * from 0 to past the full length, and into a heap buffer of exactly that
 * size (AddressSanitizer catches a write one byte too far).
 *
 *   test_format            run every group
 *   test_format GROUP      run one group (tests/test_unit_core.py does this)
 *   test_format --list     print the group names
 */
#undef vsnprintf        /* the build renames ours; the host's keep their names here */
#undef snprintf
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...);

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

/*
 * Format fmt with both implementations and require identical results.
 * Formats are passed as variables on purpose: several cases (a '+' on %u,
 * %hhx of an int) are ones the compiler's format checker would flag, and
 * they are exactly the cases where formatters differ.
 */
static void same_as_host(const char *file, int line, const char *fmt, ...)
{
    char want[512], got[512];
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    int wn = vsnprintf(want, sizeof(want), fmt, a);
    memset(got, 0x5a, sizeof(got));
    int gn = hv_vsnprintf(got, sizeof(got), fmt, b);
    va_end(b);
    va_end(a);
    if (wn == gn && !strcmp(want, got)) {
        passed++;
        return;
    }
    got[sizeof(got) - 1] = '\0';
    check_failed(file, line, "same as host printf",
                 "format \"%s\": ours \"%s\" (returned %d), host \"%s\" (returned %d)",
                 fmt, got, gn, want, wn);
}
#define SAME(...) same_as_host(__FILE__, __LINE__, __VA_ARGS__)

static void integers(void)
{
    static const int ints[] = { 0, 1, -1, 7, -7, 42, 255, -255, 65536, 123456789,
                                INT_MAX, INT_MIN, INT_MIN + 1 };
    static const char *const ifmts[] = { "%d", "%i", "[%d]", "x=%d;" };
    static const char *const ufmts[] = { "%u", "%x", "%X", "%o" };
    for (unsigned i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        for (unsigned f = 0; f < 4; f++)
            SAME(ifmts[f], ints[i]);
        for (unsigned f = 0; f < 4; f++)
            SAME(ufmts[f], (unsigned)ints[i]);
    }
    SAME("%u %x %X %o", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%d%d%d", 1, -2, 3);
    SAME("%d %s %u", -5, "mid", 5u);
    SAME("no conversions at all");
    SAME("");
    SAME("100%%");
    SAME("%%d %d", 3);
}

static void length_modifiers(void)
{
    SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
    SAME("%ld %li", LONG_MAX, -1L);
    SAME("%lld", LLONG_MIN);
    SAME("%lld", LLONG_MAX);
    SAME("%lli", -1LL);
    SAME("%llu", ULLONG_MAX);
    SAME("%llx %llX %llo", ULLONG_MAX, 0x123456789abcdefULL, ULLONG_MAX);
    SAME("%llx", 0x100000000ULL);
    SAME("%zu %zx", (size_t)-1, (size_t)-1);
    SAME("%zu", (size_t)0);
    SAME("%zd", (size_t)12345);
    SAME("%hhd %hhu %hd %hu", 5, 200, -300, 40000);   /* values that fit */
    SAME("%lld|%d|%llu", LLONG_MIN, 7, 9ULL);        /* mixed widths in one call */
    SAME("%20lld|%-22lld|%025lld", LLONG_MIN, LLONG_MIN, LLONG_MIN);
    SAME("%+lld % lld", LLONG_MAX, 0LL);
}

/*
 * C converts the argument of hh/h to (unsigned) char/short before printing,
 * so a char holding 0xff printed with %hhx is "ff", not "ffffffff".
 */
static void short_lengths(void)
{
    signed char c = -1;
    short s = -1;
    SAME("%hhx", c);
    SAME("%hhu", c);
    SAME("%hhX %hho", c, c);
    SAME("%hx", s);
    SAME("%hu", s);
    SAME("%hhd", 300);
    SAME("%hd", 70000);
    SAME("%hhu", 256 + 7);
}

static void flags(void)
{
    static const char *const fmts[] = {
        "%-6d|", "%06d|", "%+d|", "% d|", "%+6d|", "% 6d|", "%-+6d|", "%- 6d|",
        "%+06d|", "% 06d|", "%-06d|", "%+ d|", "% +d|", "%0-6d|", "%+i|",
    };
    static const int vals[] = { 0, 42, -42, INT_MIN, INT_MAX };
    for (unsigned f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (unsigned v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
            SAME(fmts[f], vals[v]);
    static const char *const ufmts[] = {
        "%-8x|", "%08x|", "%08X|", "%-8o|", "%08o|", "%-08u|", "%8u|",
    };
    for (unsigned f = 0; f < sizeof(ufmts) / sizeof(ufmts[0]); f++) {
        SAME(ufmts[f], 0u);
        SAME(ufmts[f], 0xbeefu);
        SAME(ufmts[f], UINT_MAX);
    }
}

/* '#': "0x"/"0X" before non-zero hex; octal starts with a 0. */
static void alt_flag(void)
{
    SAME("%#x %#X", 0x1234u, 0xabcu);
    SAME("%#x", 0u);
    SAME("%#10x|%-#10x|%#010x", 0x1234u, 0x1234u, 0x1234u);
    SAME("%#.6x|%#12.6X", 0xabu, 0xabu);
    SAME("%#llx", 0x123456789ULL);
    SAME("%#o", 8u);
    SAME("%#o", 0u);
    SAME("%#5o|%#-5o|%#05o", 8u, 8u, 8u);
    SAME("%#.3o", 8u);        /* precision already gives the leading zero */
    SAME("%#.0o", 0u);        /* C: "0" */
    SAME("%#.0x", 0u);        /* C: "" (no prefix for zero) */
}

/* '+' and ' ' are for signed conversions only; on %u %x %o they do nothing. */
static void sign_flags_on_unsigned(void)
{
    SAME("%+u", 5u);
    SAME("% u", 5u);
    SAME("%+x", 0xffu);
    SAME("% X", 0xffu);
    SAME("%+o", 8u);
    SAME("%+llu", 5ULL);
}

static void width_precision(void)
{
    static const char *const fmts[] = {
        "%5d|", "%-5d|", "%.3d|", "%8.3d|", "%-8.3d|", "%08.3d|", "%.0d|", "%5.0d|",
        "%+.0d|", "% .0d|", "%1d|", "%.10d|", "%+.5d|",
    };
    static const int vals[] = { 0, 1, -1, 12345, -12345, INT_MIN };
    for (unsigned f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (unsigned v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
            SAME(fmts[f], vals[v]);
    SAME("%.0u|%.0x|%.0X|%.0o|", 0u, 0u, 0u, 0u);   /* zero with precision 0 prints nothing */
    SAME("%.0u|%.0x|%.0o|", 1u, 1u, 1u);
    SAME("%.12x|%.12o", 0xabcu, 0777u);
    SAME("%*d|", 6, 42);
    SAME("%*d|", -6, 42);             /* negative '*' width means '-' */
    SAME("%-*d|", 6, 42);
    SAME("%0*d|", 6, -42);
    SAME("%.*d|", 5, 42);
    SAME("%.*d|", -1, 42);            /* negative '*' precision: as if omitted */
    SAME("%0*.*d|", 8, -3, 42);       /* ... so '0' applies again */
    SAME("%*.*d|", 8, 4, -42);
    SAME("%*.*s|", -8, 2, "abcdef");
    SAME("%*s|", 0, "x");
    SAME("%.*s|", 0, "abc");
    SAME("%40d|", 1);
    SAME("%.40lld|", LLONG_MIN);
}

static void strings_and_chars(void)
{
    const char *null = NULL;
    SAME("%s", "hello");
    SAME("%s", "");
    SAME("%10s|%-10s|", "hi", "hi");
    SAME("%.3s|%.10s|%.0s|", "abcdef", "abc", "abc");
    SAME("%8.3s|%-8.3s|", "abcdef", "abcdef");
    SAME("%2s|", "longer than width");
    SAME("%s", null);                 /* glibc and ours both print "(null)" */
    SAME("%10s|%-10s|", null, null);
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("[%c]", ' ');
    SAME("%c", 0xe9);                 /* an int argument is converted to unsigned char */
    SAME("%%%c%%", 'x');
    SAME("%s=%d", "key", 3);
    char big[300];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    SAME("<%s>", big);
    SAME("<%.100s>", big);
    /* a '\0' produced by %c counts towards the length, like C's */
    char buf[8];
    CHECK(hv_snprintf(buf, sizeof(buf), "a%cb", 0) == 3);
    CHECK(buf[0] == 'a' && buf[1] == '\0' && buf[2] == 'b' && buf[3] == '\0');
}

static void char_width(void)
{
    SAME("[%5c]", 'A');
    SAME("[%-5c]", 'A');
    SAME("[%*c]", 3, 'z');
    SAME("[%1c]", 'q');
}

/*
 * %p: the hypervisor prints addresses as 0x-prefixed hex.  glibc prints the
 * same for non-NULL pointers; for NULL it prints "(nil)", which we neither
 * copy nor require: NULL may print as "0" (what %#x gives) or "0x0".
 */
static void pointers(void)
{
    int local;
    void *ptrs[] = { &local, (void *)(uintptr_t)0x1000, (void *)(uintptr_t)0xc0000000u,
                     (void *)UINTPTR_MAX, (void *)(uintptr_t)1 };
    for (unsigned i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
        SAME("%p", ptrs[i]);
        SAME("[%20p]", ptrs[i]);
        SAME("[%-20p]", ptrs[i]);
    }
    char buf[32];
    int n = hv_snprintf(buf, sizeof(buf), "%p", (void *)0);
    CHECKF((n == 1 && !strcmp(buf, "0")) || (n == 3 && !strcmp(buf, "0x0")), "got \"%s\"", buf);
}

/* Lines the hypervisor prints itself (setup.c, memmap.c, elf.c). */
static void log_lines(void)
{
    SAME("(hv)   0x%09llx-0x%09llx usable %llu KiB\n",
         0x100000ULL, 0x7fe0000ULL, (0x7fe0000ULL - 0x100000ULL) >> 10);
    SAME("(hv) memory: %llu MiB usable in %u ranges, %llu MiB ignored\n", 127ULL, 2u, 0ULL);
    SAME("memory map: entry at offset %u has bad size %u; rest ignored", 48u, 4u);
    SAME("(hv) frames: %u free of %u after reserving the image, BIOS area and %u module%s\n",
         32000u, 32512u, 1u, "");
    SAME("(d%u) %.*s", 3u, 5, "hello, world");
    SAME("eip=%08x esp=%08x eflags=%08x cs=%04x", 0xc0100000u, 0xc01fffe0u, 0x202u, 0x61u);
    SAME("(hv) d%u halted: %s at eip %#x", 1u, "general protection fault", 0xc0101234u);
}

/* Things a formatter meets only through a bug in a caller. */
static void odd_formats(void)
{
    char buf[16];
    memset(buf, 'x', sizeof(buf));
    CHECK(hv_snprintf(buf, sizeof(buf), "abc%") == 3);   /* a lone '%' at the end */
    CHECK(!strcmp(buf, "abc"));
    CHECK(hv_snprintf(buf, sizeof(buf), "%") == 0 && buf[0] == '\0');
    /* an unknown conversion is printed, not used to fetch an argument */
    int n = hv_snprintf(buf, sizeof(buf), "%y%d", 5);
    CHECKF(n == 3 && !strcmp(buf, "%y5"), "got \"%s\" (%d)", buf, n);
}

/*
 * Format once in full, then at every size from 0 to two past the length:
 * the return value is always the full length, the buffer holds the longest
 * prefix that fits plus a NUL, and not one byte at or past `size` (nor
 * before the buffer) changes.
 */
static void truncates_at_every_size(const char *file, int line, const char *fmt, ...)
{
    enum { GUARD = 16, ROOM = 200 };
    char full[ROOM];
    va_list ap, a;
    va_start(ap, fmt);
    va_copy(a, ap);
    int n = hv_vsnprintf(full, sizeof(full), fmt, a);
    va_end(a);
    if (n < 0 || n > ROOM - 8) {
        check_failed(file, line, "full length", "format \"%s\" returned %d", fmt, n);
        va_end(ap);
        return;
    }
    va_copy(a, ap);
    CHECKF(hv_vsnprintf(NULL, 0, fmt, a) == n, "format \"%s\" with a NULL buffer of size 0", fmt);
    va_end(a);
    for (size_t size = 0; size <= (size_t)n + 2; size++) {
        unsigned char mem[GUARD + ROOM + GUARD];
        memset(mem, 0xa5, sizeof(mem));
        char *buf = (char *)mem + GUARD;
        va_copy(a, ap);
        int r = hv_vsnprintf(buf, size, fmt, a);
        va_end(a);
        size_t keep = size ? min_sz(size - 1, (size_t)n) : 0;
        bool ok = r == n;
        for (size_t i = 0; i < sizeof(mem); i++) {
            bool inside = i >= GUARD && i < GUARD + size;
            if (!inside)
                ok = ok && mem[i] == 0xa5;
        }
        if (size)
            ok = ok && !memcmp(buf, full, keep) && buf[keep] == '\0';
        if (ok)
            passed++;
        else
            check_failed(file, line, "truncation", "format \"%s\" at size %zu: returned %d "
                         "(want %d), text \"%.*s\"", fmt, size, r, n, (int)keep, buf);
        /* the same into a heap block of exactly `size` bytes, for ASan */
        char *exact = malloc(size ? size : 1);
        va_copy(a, ap);
        r = hv_vsnprintf(exact, size, fmt, a);
        va_end(a);
        CHECKF(r == n && (!size || exact[keep] == '\0'), "format \"%s\", exact buffer of %zu", fmt, size);
        free(exact);
    }
    va_end(ap);
}
#define TRUNC(...) truncates_at_every_size(__FILE__, __LINE__, __VA_ARGS__)

static void truncation(void)
{
    TRUNC("");
    TRUNC("a");
    TRUNC("hello, world");
    TRUNC("%d", INT_MIN);
    TRUNC("%lld", LLONG_MIN);
    TRUNC("%-12s|%5u", "left", 7u);
    TRUNC("%#010x/%o", 0xbeefu, 8u);
    TRUNC("(hv) d%u halted: %s", 12u, "bad hypercall");
    TRUNC("%c%c%c", 'x', 'y', 'z');
    TRUNC("%s", (const char *)NULL);
    TRUNC("%40s", "right-aligned in forty");
    TRUNC("%%%%%%");
}

/* ---- random formats against the host, with a fixed seed ---- */
static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static uint64_t interesting_value(void)
{
    static const uint64_t special[] = {
        0, 1, 9, 10, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL,
    };
    if (below(3) == 0)
        return special[below(sizeof(special) / sizeof(special[0]))] - below(2);
    return rnd() >> below(64);
}

/*
 * One conversion between literal text, with random flags, width, precision
 * and length.  Left out here because a group above covers each and they
 * already fail on their own: '#' with octal or with a precision, '+'/' ' on
 * unsigned conversions, hh/h, and a width on %c.  ('#' on %d and '0' on %s
 * are undefined in C.)
 */
static int random_format(char *fmt, size_t n, int *star)
{
    static const char convs[] = "diuxXos";
    static const char *const lens[] = { "", "l", "ll", "z" };
    char conv = convs[below(sizeof(convs) - 1)];
    bool is_signed = conv == 'd' || conv == 'i', is_str = conv == 's';
    char fl[8] = "";
    size_t k = 0;
    if (below(3) == 0) fl[k++] = '-';
    if (!is_str && below(3) == 0) fl[k++] = '0';
    if (is_signed && below(4) == 0) fl[k++] = '+';
    if (is_signed && below(4) == 0) fl[k++] = ' ';
    bool alt = (conv == 'x' || conv == 'X') && below(3) == 0;
    if (alt) fl[k++] = '#';
    fl[k] = '\0';
    char width[8] = "", prec[8] = "";
    star[0] = star[1] = INT_MIN;
    switch (below(4)) {
    case 0: break;
    case 1: snprintf(width, sizeof(width), "%u", below(25)); break;
    case 2: snprintf(width, sizeof(width), "*"); star[0] = (int)below(41) - 20; break;
    default: snprintf(width, sizeof(width), "%u", 1 + below(8));
    }
    if (!alt)
        switch (below(4)) {
        case 0: snprintf(prec, sizeof(prec), ".%u", below(22)); break;
        case 1: snprintf(prec, sizeof(prec), ".*"); star[1] = (int)below(30) - 5; break;
        case 2: snprintf(prec, sizeof(prec), "."); break;
        default: break;
        }
    const char *len = is_str ? "" : lens[below(4)];
    snprintf(fmt, n, "<%s%%%s%s%s%s%c>", below(2) ? "v=" : "", fl, width, prec, len, conv);
    if (is_str)
        return 's';
    return !strcmp(len, "z") ? 'z' : !strcmp(len, "ll") ? 'L' : !strcmp(len, "l") ? 'l' : 'i';
}

static bool compare_random(const char *fmt, ...)
{
    char want[160], got[160];
    va_list a, b;
    va_start(a, fmt);
    va_copy(b, a);
    int wn = vsnprintf(want, sizeof(want), fmt, a);
    int gn = hv_vsnprintf(got, sizeof(got), fmt, b);
    va_end(b);
    va_end(a);
    static unsigned shown;
    if (wn == gn && !strcmp(want, got))
        return true;
    if (shown++ < 20)
        printf("FAIL %s: [%s] random format \"%s\": ours \"%s\" (%d), host \"%s\" (%d)\n",
               __FILE__, group, fmt, got, gn, want, wn);
    return false;
}

/* Call compare_random with the '*' arguments (if any) before the value. */
#define WITH_STARS(fmt, star, v) \
    (star[0] != INT_MIN && star[1] != INT_MIN ? compare_random(fmt, star[0], star[1], v) \
     : star[0] != INT_MIN ? compare_random(fmt, star[0], v) \
     : star[1] != INT_MIN ? compare_random(fmt, star[1], v) : compare_random(fmt, v))

static void random_formats(void)
{
    static const char *const strs[] = { "", "a", "hypervisor", "(d0) hello, world", "0123456789abcdefghij" };
    unsigned bad = 0, runs = 20000;
    for (unsigned i = 0; i < runs; i++) {
        char fmt[64];
        int star[2];
        int kind = random_format(fmt, sizeof(fmt), star);
        uint64_t v = interesting_value();
        bool ok;
        switch (kind) {
        case 's': ok = WITH_STARS(fmt, star, strs[below(5)]); break;
        case 'z': ok = WITH_STARS(fmt, star, (size_t)v); break;
        case 'l': ok = WITH_STARS(fmt, star, (long)v); break;
        case 'L': ok = WITH_STARS(fmt, star, (long long)v); break;
        default:  ok = WITH_STARS(fmt, star, (int)v); break;
        }
        bad += !ok;
    }
    /* compare_random printed the first 20 differences */
    CHECKF(bad == 0, "%u of %u random formats differ from the host's", bad, runs);
}

static const struct group groups[] = {
    { "integers", integers },
    { "length_modifiers", length_modifiers },
    { "short_lengths", short_lengths },
    { "flags", flags },
    { "alt_flag", alt_flag },
    { "sign_flags_on_unsigned", sign_flags_on_unsigned },
    { "width_precision", width_precision },
    { "strings_and_chars", strings_and_chars },
    { "char_width", char_width },
    { "pointers", pointers },
    { "log_lines", log_lines },
    { "odd_formats", odd_formats },
    { "truncation", truncation },
    { "random_formats", random_formats },
};

CHECK_MAIN(groups)
