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

/*
 * The options: each key, how its value is read into which field, and what
 * a bad value should have been.  CHOICE takes one of names[0..hi) as its
 * index; RANGE a decimal number in [lo, hi]; FLAG exactly "0" or "1".
 */
enum opt_kind { MIB, NAME, CHOICE, RANGE, FLAG };
#define AT(field) offsetof(struct domain_opts, field)
#define NAMES(a) a, 0, ARRAY_SIZE(a)
static const struct opt {
    const char *key;
    enum opt_kind kind;
    size_t at;
    const char *const *names;
    uint32_t lo, hi;
    const char *want;
} opts[] = {
    { "mem", MIB, AT(mem_mib), NULL, 0, 0, "e.g. 16M, 512K, 1G" },
    { "name", NAME, AT(name), NULL, 0, 0, NULL },
    { "policy", CHOICE, AT(policy), NAMES(policy_names), "halt, reflect or emulate" },
    { "scan", CHOICE, AT(scan), NAMES(scan_names), "off, report or refuse" },
    { "tsc", CHOICE, AT(tsc), NAMES(tsc_names), "native or emulate" },
    { "weight", RANGE, AT(weight), NULL, 1, 65535, "1..65535; 256 is standard" },
    { "ramdisk", FLAG, AT(ramdisk), NULL, 0, 0, "0 or 1" },
    { "disk", FLAG, AT(disk), NULL, 0, 0, "0 or 1" },
    /* Xen's limits: at least its one initial frame, at most gnttab_max_frames (64). */
    { "max_grant_frames", RANGE, AT(max_grant_frames), NULL, 1, 64,
      "1..64 grant-table frames; 64 is Xen's default" },
    { "vcpus", RANGE, AT(vcpus), NULL, 1, MAX_VCPUS, "1..8 vCPUs" },
    { "initdomain", FLAG, AT(initdomain), NULL, 0, 0, "0 or 1" },
    { "service", CHOICE, AT(service), NAMES(service_names), "none, xenstore or blkback" },
};

/* Read val into the option's field; false if it is no value of the option's. */
static bool set(struct domain_opts *o, const struct opt *p, const char *val)
{
    void *f = (char *)o + p->at;
    int i;

    switch (p->kind) {
    case MIB:
        return parse_mib(val, f);
    case NAME:
        snprintf(f, sizeof(o->name), "%s", val);
        return true;
    case CHOICE:
        if ((i = cmdline_choice(val, p->names, p->hi)) >= 0)
            *(uint8_t *)f = (uint8_t)i;
        return i >= 0;
    case RANGE:
        return parse_range(val, p->lo, p->hi, f);
    case FLAG:
        if (strcmp(val, "0") && strcmp(val, "1"))
            return false;
        *(bool *)f = val[0] == '1';
        o->initdomain_given |= f == &o->initdomain;
        return true;
    }
    return false;
}

/* Apply one option; false with a reason in err. */
static bool apply(struct domain_opts *o, const char *key, const char *val, char *err, size_t errlen)
{
    for (const struct opt *p = opts; p < opts + ARRAY_SIZE(opts); p++)
        if (!strcmp(key, p->key)) {
            if (set(o, p, val))
                return true;
            snprintf(err, errlen, "bad %s='%s' (want %s)", key, val, p->want);
            return false;
        }
    snprintf(err, errlen, "unknown domain option '%s'", key);
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
