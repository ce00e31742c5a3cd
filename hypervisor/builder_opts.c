/*
 * builder_opts.c - a module's command line: hypervisor options, then guest's.
 *
 * A module line reads "path [hypervisor options] [-- guest command line]",
 * for example "hello.elf mem=32M name=web policy=reflect -- quiet". Words
 * before "--" configure the domain and are never shown to the guest; words
 * after it become start_info.cmd_line.  Keeping the two apart means a
 * guest cannot be confused by (or forge) options meant for the hypervisor.
 */
#include "hypervisor/builder_opts.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console.h"
#include "hypervisor/lib.h"

static bool parse_mib(const char *v, uint32_t *mib)
{
    uint64_t n = 0;
    const char *p = v;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++)
        if ((n = n * 10 + (uint64_t)(*p - '0')) > (1ull << 32))
            return false;
    if (!strcmp(p, "K") || !strcmp(p, "k"))
        n >>= 10;
    else if (!strcmp(p, "G") || !strcmp(p, "g"))
        n <<= 10;
    else if (*p && strcmp(p, "M") && strcmp(p, "m"))
        return false;
    if (n == 0 || n > (1ull << 20))
        return false;
    *mib = (uint32_t)n;
    return true;
}

/* Apply one "key=value" word; returns false with a reason in err. */
static bool apply(struct domain_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
    if (!strcmp(key, "mem")) {
        if (parse_mib(val, &o->mem_mib))
            return true;
        snprintf(err, errlen, "bad mem='%s' (want e.g. 16M, 512K, 1G)", val);
    } else if (!strcmp(key, "name")) {
        snprintf(o->name, sizeof(o->name), "%s", val);
        return true;
    } else if (!strcmp(key, "policy")) {
        if (!strcmp(val, "halt") || !strcmp(val, "reflect")) {
            o->reflect = !strcmp(val, "reflect");
            return true;
        }
        snprintf(err, errlen, "bad policy='%s' (want halt or reflect)", val);
    } else if (!strcmp(key, "weight")) {
        uint32_t w = 0;
        const char *p = val;
        while (*p >= '0' && *p <= '9' && w <= 65535)
            w = w * 10 + (uint32_t)(*p++ - '0');
        if (!*p && *val && w >= 1 && w <= 65535) {
            o->weight = w;
            return true;
        }
        snprintf(err, errlen, "bad weight='%s' (want 1..65535; 256 is standard)", val);
    } else if (!strcmp(key, "initdomain")) {
        if (!strcmp(val, "0") || !strcmp(val, "1")) {
            o->initdomain = val[0] == '1';
            return true;
        }
        snprintf(err, errlen, "bad initdomain='%s' (want 0 or 1)", val);
    } else {
        snprintf(err, errlen, "unknown domain option '%s'", key);
    }
    return false;
}

bool builder_opts_parse(const char *line, struct domain_opts *o, char *err, size_t errlen)
{
    const char *s = line;
    while (*s == ' ')
        s++;
    while (*s && *s != ' ')            /* the image path */
        s++;
    for (;;) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t n = 0;
        while (s[n] && s[n] != ' ')
            n++;
        if (n == 2 && s[0] == '-' && s[1] == '-') {
            s += 2;
            while (*s == ' ')
                s++;
            snprintf(o->guest_cmdline, sizeof(o->guest_cmdline), "%s", s);
            break;
        }
        char word[96], *eq;
        if (n >= sizeof(word)) {
            snprintf(err, errlen, "domain option '%.20s...' too long", s);
            return false;
        }
        memcpy(word, s, n);
        word[n] = '\0';
        eq = strchr(word, '=');
        if (eq)
            *eq = '\0';
        if (!apply(o, word, eq ? eq + 1 : "", err, errlen))
            return false;
        s += n;
    }
    return true;
}
