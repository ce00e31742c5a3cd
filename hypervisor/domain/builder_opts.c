/*
 * builder_opts.c - a module's command line: the domain's options, the guest's words.
 *
 * A GRUB line written for Xen, "module /boot/kernel root=/dev/xvda1 quiet",
 * hands the kernel its words in start_info.cmd_line, and so must we: every
 * word after the image path reaches the guest exactly as Xen passes it,
 * except the hypervisor's own per-domain options.  Those are spelled so that
 * no guest word can be taken for one:
 *   - "dom.NAME=VALUE" anywhere: "kernel dom.mem=16M dom.policy=reflect quiet";
 *   - or, the older form, any "NAME=VALUE" before an explicit "--":
 *     "kernel mem=16M -- quiet".  Everything after "--" goes to the guest.
 * A bare "mem=" cannot be an option without "--", because Linux has its own
 * mem= and would never see it.  A "dom." word that is not an option, or a
 * bad value, refuses the domain with the reason: a misspelt option is never
 * silently handed to the guest, and never silently ignored.
 */
#include "hypervisor/domain/builder_opts.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/lib.h"

static const char *const policy_names[] = POLICY_NAMES;
static const char *const scan_names[] = SCAN_NAMES;
static const char *const tsc_names[] = TSC_NAMES;
static const char *const service_names[] = SERVICE_NAMES;

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

/* A decimal number in [lo, hi] into *out. */
static bool parse_range(const char *val, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint32_t w = 0;
    const char *p = val;
    while (*p >= '0' && *p <= '9' && w <= hi)
        w = w * 10 + (uint32_t)(*p++ - '0');
    if (*p || !*val || w < lo || w > hi)
        return false;
    *out = w;
    return true;
}

/* One of names[] into *field; false if val is none of them. */
static bool set_choice(uint8_t *field, const char *val, const char *const *names, unsigned n)
{
    int i = cmdline_choice(val, names, n);
    if (i < 0)
        return false;
    *field = (uint8_t)i;
    return true;
}
#define CHOICE(field, names) set_choice(&(field), val, names, ARRAY_SIZE(names))

/* Apply one option; false with a reason in err. */
static bool apply(struct domain_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
    const char *want;
    if (!strcmp(key, "mem")) {
        if (parse_mib(val, &o->mem_mib))
            return true;
        want = "e.g. 16M, 512K, 1G";
    } else if (!strcmp(key, "name")) {
        snprintf(o->name, sizeof(o->name), "%s", val);
        return true;
    } else if (!strcmp(key, "policy")) {
        if (CHOICE(o->policy, policy_names))
            return true;
        want = "halt, reflect or emulate";
    } else if (!strcmp(key, "scan")) {
        if (CHOICE(o->scan, scan_names))
            return true;
        want = "off, report or refuse";
    } else if (!strcmp(key, "tsc")) {
        if (CHOICE(o->tsc, tsc_names))
            return true;
        want = "native or emulate";
    } else if (!strcmp(key, "weight")) {
        if (parse_range(val, 1, 65535, &o->weight))
            return true;
        want = "1..65535; 256 is standard";
    } else if (!strcmp(key, "ramdisk") || !strcmp(key, "disk")) {
        if (!strcmp(val, "0") || !strcmp(val, "1")) {
            *(key[0] == 'r' ? &o->ramdisk : &o->disk) = val[0] == '1';
            return true;
        }
        want = "0 or 1";
    } else if (!strcmp(key, "max_grant_frames")) {
        /* Xen's limits: at least its one initial frame, at most gnttab_max_frames (64). */
        if (parse_range(val, 1, 64, &o->max_grant_frames))
            return true;
        want = "1..64 grant-table frames; 64 is Xen's default";
    } else if (!strcmp(key, "vcpus")) {
        if (parse_range(val, 1, MAX_VCPUS, &o->vcpus))
            return true;
        want = "1..8 vCPUs";
    } else if (!strcmp(key, "initdomain")) {
        if (!strcmp(val, "0") || !strcmp(val, "1")) {
            o->initdomain = val[0] == '1';
            o->initdomain_given = true;
            return true;
        }
        want = "0 or 1";
    } else if (!strcmp(key, "service")) {
        if (CHOICE(o->service, service_names))
            return true;
        want = "none, xenstore or blkback";
    } else {
        snprintf(err, errlen, "unknown domain option '%s'", key);
        return false;
    }
    snprintf(err, errlen, "bad %s='%s' (want %s)", key, val, want);
    return false;
}

/* One option word "[dom.]key=value" of n bytes. */
static bool apply_word(struct domain_opts *o, const char *s, size_t n, char *err, size_t errlen)
{
    char word[96], *eq;
    if (n >= sizeof(word)) {
        snprintf(err, errlen, "domain option '%.20s...' too long", s);
        return false;
    }
    memcpy(word, s, n);
    word[n] = '\0';
    const char *key = strncmp(word, "dom.", 4) ? word : word + 4;
    eq = strchr(word, '=');
    if (eq)
        *eq = '\0';
    return apply(o, key, eq ? eq + 1 : "", err, errlen);
}

/* The length of the word at s (up to a space or the end). */
static size_t word_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ' ')
        n++;
    return n;
}

/* Does the line have a "--" word (the older, explicit form)? */
static bool has_separator(const char *s)
{
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = word_len(s);
        if (n == 2 && s[0] == '-' && s[1] == '-')
            return true;
        s += n;
    }
    return false;
}

/* Append the guest word [from, to) to o->guest_cmdline at *out; false if full. */
static bool append(struct domain_opts *o, size_t *out, const char *from, const char *to)
{
    size_t len = (size_t)(to - from);
    if (*out + len >= sizeof(o->guest_cmdline))
        return false;
    memcpy(o->guest_cmdline + *out, from, len);
    o->guest_cmdline[*out += len] = '\0';
    return true;
}

/*
 * Every word after the path: an option, or the guest's.  A guest word keeps
 * the spaces before it (none before the first), and the line its trailing
 * spaces, as Xen hands the line over; an option takes the spaces before it
 * away with it.
 */
bool builder_opts_parse(const char *line, struct domain_opts *o, char *err, size_t errlen)
{
    const char *s = line;
    while (*s == ' ')
        s++;
    s += word_len(s);                   /* the image path, as Xen skips it */
    bool explicit = has_separator(s), last_was_guest = false;
    size_t out = 0;
    o->guest_cmdline[0] = '\0';
    for (;;) {
        const char *gap = s;
        while (*s == ' ')
            s++;
        size_t n = word_len(s);
        if (!n) {
            if (last_was_guest && !append(o, &out, gap, s))
                break;
            return true;
        }
        if (explicit && n == 2 && !strncmp(s, "--", 2)) {
            s += 2;
            while (*s == ' ')
                s++;
            snprintf(o->guest_cmdline, sizeof(o->guest_cmdline), "%s", s);
            return true;                /* the old form: options came only before */
        }
        last_was_guest = !explicit && strncmp(s, "dom.", 4);
        if (!last_was_guest) {
            if (!apply_word(o, s, n, err, errlen))
                return false;
        } else if (!append(o, &out, out ? gap : s, s + n)) {
            break;
        }
        s += n;
    }
    snprintf(err, errlen, "guest command line longer than %u bytes", GUEST_CMDLINE_MAX - 1);
    return false;
}
