/*
 * cmdline.c - options given to the hypervisor by the boot loader.
 *
 * The command line is "word word ...", each word "key" or "key=value".  A
 * word we do not understand is reported and ignored, never fatal: a typo
 * on a boot line should produce a message, not a machine that will not
 * start.  The table below is the complete list; docs/architecture.md
 * describes each option.
 */
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/policy.h"
#include "hypervisor/trace.h"

struct hv_options hv_opts;

static bool parse_uint(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 0x0fffffff)
            return false;
        v = v * 10 + (uint32_t)(*s - '0');
    }
    *out = v;
    return true;
}

int cmdline_choice(const char *val, const char *const *names, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(val, names[i]))
            return (int)i;
    return -1;
}

static bool set_test_panic(const char *v)
{
    static const char *const kinds[] = { "pf", "gp", "ud", "de", "bug", "df" };
    if (cmdline_choice(v, kinds, ARRAY_SIZE(kinds)) < 0)
        return false;
    snprintf(hv_opts.test_panic, sizeof(hv_opts.test_panic), "%s", v);
    return true;
}

static bool set_mem(const char *v) { return parse_uint(v, &hv_opts.mem_limit_mib); }
static bool set_flag(const char *v, bool *flag)
{
    if (*v)
        return false;                  /* a flag: "ignore-mmap", no value */
    *flag = true;
    return true;
}
static bool set_ignore_mmap(const char *v) { return set_flag(v, &hv_opts.ignore_mmap); }
static bool set_nosmp(const char *v) { return set_flag(v, &hv_opts.nosmp); }
static bool set_maxcpus(const char *v)
{
    uint32_t n;
    if (!parse_uint(v, &n) || !n)
        return false;
    hv_opts.maxcpus = n;
    return true;
}

/* policy=: the default for every domain; a module's dom.policy= overrides it. */
static bool set_policy(const char *v)
{
    static const char *const names[] = POLICY_NAMES;
    int i = cmdline_choice(v, names, ARRAY_SIZE(names));
    if (i < 0)
        return false;
    hv_opts.policy = (uint8_t)i;
    return true;
}

/* *out = (v is names[1]); false if v is neither names[0] nor names[1]. */
static bool set_pair(const char *v, const char *no, const char *yes, bool *out)
{
    const char *const names[] = { no, yes };
    int i = cmdline_choice(v, names, 2);
    if (i >= 0)
        *out = i;
    return i >= 0;
}
static bool set_tick(const char *v) { return set_pair(v, "apic", "pit", &hv_opts.tick_pit); }
static bool set_umip(const char *v) { return set_pair(v, "on", "off", &hv_opts.no_umip); }
static bool set_cpuid_faulting(const char *v) { return set_pair(v, "on", "off", &hv_opts.no_cpuid_faulting); }
/* Xen's guest_loglvl, reduced to its two uses: every line (all), or rate-limited ones (the default). */
static bool set_guest_loglvl(const char *v) { return set_pair(v, "ratelimited", "all", &hv_opts.guest_log_all); }

static bool parse_bool(const char *v, bool *out)
{
    static const char *const words[] = { "0", "no", "off", "false", "1", "yes", "on", "true" };
    int i = cmdline_choice(v, words, ARRAY_SIZE(words));
    if (i >= 0)
        *out = i >= 4;
    return i >= 0;
}

/* Xen's argo=<bool>[,mac-permissive=<bool>]: all of it, or (on a bad word) none of it. */
static bool set_argo(const char *v)
{
    char buf[48];
    bool on = hv_opts.argo, permissive = hv_opts.argo_mac_permissive;
    snprintf(buf, sizeof(buf), "%s", v);
    for (char *w = buf, *comma; w; w = comma) {
        if ((comma = strchr(w, ',')))
            *comma++ = '\0';
        bool ok = strncmp(w, "mac-permissive=", 15) ? parse_bool(w, &on) : parse_bool(w + 15, &permissive);
        if (!ok)
            return false;
    }
    hv_opts.argo = on;
    hv_opts.argo_mac_permissive = permissive;
    return true;
}

/* trace=N entries, capped; on, 1 or a bare "trace" mean the default; off or 0: none. */
static bool set_trace(const char *v)
{
    uint32_t n = 0;
    if (!strcmp(v, "") || !strcmp(v, "on") || !strcmp(v, "1"))
        n = TRACE_DEFAULT;
    else if (strcmp(v, "off") && !parse_uint(v, &n))
        return false;
    hv_opts.trace = MIN(n, TRACE_MAX);
    return true;
}

static bool set_preempt_every(const char *v) { return parse_bool(v, &hv_opts.preempt_every); }

static const struct option {
    const char *key;
    bool (*set)(const char *value);
    const char *help;
} options[] = {
    { "mem",         set_mem,         "mem=MIB: use at most this much RAM" },
    { "ignore-mmap", set_ignore_mmap, "ignore-mmap: ignore the boot loader's memory map (tests the fallback)" },
    { "policy",      set_policy,      "policy=halt|reflect|emulate: what a disallowed or untrappable"
                                      " instruction does to a domain (default halt; reflect is Xen's)" },
    { "umip",        set_umip,        "umip=on|off: make sgdt/sidt/sldt/smsw/str trap where the CPU has UMIP (default on)" },
    { "cpuid-faulting", set_cpuid_faulting,
                                      "cpuid-faulting=on|off: make cpuid trap where the CPU can (default on)" },
    { "argo",        set_argo,        "argo=0|1[,mac-permissive=0|1]: Argo messaging (argo_op) on; default off, as in Xen" },
    { "guest_loglvl", set_guest_loglvl, "guest_loglvl=ratelimited|all: lines a guest causes are rate-limited"
                                      " per domain (default: a burst of 10, then 1 per 5 s), or all printed" },
    { "preempt-every", set_preempt_every,
                                      "preempt-every=0|1: long hypercalls continue after every item (a debug option)" },
    { "maxcpus",     set_maxcpus,     "maxcpus=N: start at most N CPUs, the boot CPU included (default: all, up to 8)" },
    { "nosmp",       set_nosmp,       "nosmp: run on the boot CPU alone; no firmware table is read" },
    { "tick",        set_tick,        "tick=apic|pit: the tick's source (default: the local APIC timer if any)" },
    { "trace",       set_trace,       "trace=N: record the last N hypercalls, traps, bounces, events and"
                                      " switches (1: 1024, at most 2048); dumped at power off and by debug key T" },
    { "test-panic",  set_test_panic,  "test-panic=pf|gp|ud|de|bug|df: crash the hypervisor on purpose" },
};

static void apply(const char *word, size_t n)
{
    char buf[64], *eq;
    if (n >= sizeof(buf)) {
        hvlog("warning: option '%.*s...' too long; ignored\n", 20, word);
        return;
    }
    memcpy(buf, word, n);
    buf[n] = '\0';
    const char *value = "";
    if ((eq = strchr(buf, '='))) {
        *eq = '\0';
        value = eq + 1;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(options); i++)
        if (!strcmp(buf, options[i].key)) {
            if (!options[i].set(value))
                hvlog("warning: bad value '%s' for option '%s' (%s); ignored\n",
                      value, buf, options[i].help);
            return;
        }
    hvlog("warning: unknown option '%s' ignored\n", buf);
}

/*
 * Boot loaders (GRUB, QEMU's -kernel) put the image's own path first, as a
 * shell puts argv[0]; like Xen, we skip that first word.
 */
void cmdline_parse(const char *s)
{
    while (*s == ' ')
        s++;
    while (*s && *s != ' ')
        s++;
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = 0;
        while (s[n] && s[n] != ' ')
            n++;
        if (n)
            apply(s, n);
        s += n;
    }
}
