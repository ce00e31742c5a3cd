/*
 * cmdline.c - reading "key=value" words from the guest's command line.
 *
 * The module line a boot loader gives the hypervisor looks like
 * "path hvopt=... -- reason=crash n=3": the words before "--" are for the
 * hypervisor, and only those after it reach us, in start_info.cmd_line.
 * That is how one test image is steered into different runs (which shutdown
 * reason, how many loops) without rebuilding it.  The line is read where
 * the builder left it and never changed; MAX_GUEST_CMDLINE bounds every
 * scan, in case the builder forgot the NUL.
 */
#include "pvguest/lib/pvguest.h"

/* Start of the word "key=..." in the command line, or NULL. */
static const char *find_word(const char *key)
{
    const char *s = pvguest_start_info->cmd_line;
    size_t max = strnlen(s, MAX_GUEST_CMDLINE), klen = strlen(key), i = 0;

    while (i < max) {
        while (i < max && s[i] == ' ')
            i++;
        if (i + klen < max && !strncmp(s + i, key, klen) && s[i + klen] == '=')
            return s + i + klen + 1;
        while (i < max && s[i] != ' ')
            i++;
    }
    return NULL;
}

bool cmdline_get(const char *key, char *buf, size_t size)
{
    const char *v = find_word(key);
    const char *end = pvguest_start_info->cmd_line + MAX_GUEST_CMDLINE;
    size_t n = 0;

    if (!v || !size)
        return false;
    while (v + n < end && v[n] && v[n] != ' ' && n + 1 < size) {
        buf[n] = v[n];
        n++;
    }
    buf[n] = '\0';
    return true;
}

/* Decimal, or hexadecimal after "0x"; false on anything else or overflow. */
bool parse_uint(const char *s, unsigned long *out)
{
    unsigned base = 10, d;
    unsigned long v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (*s | 0x20) - 'a' + 10;
        else
            return false;
        if (v > (~0ul - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

unsigned long cmdline_uint(const char *key, unsigned long dflt)
{
    char buf[24];
    unsigned long v;

    if (!cmdline_get(key, buf, sizeof(buf)) || !parse_uint(buf, &v))
        return dflt;
    return v;
}
