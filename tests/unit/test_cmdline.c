/*
 * test_cmdline.c - hypervisor/cmdline.c: cmdline_parse().
 *
 * cmdline_parse() reports through hvlog(), which on
 * the host is printf, so its checks run it with stdout redirected to a
 * temporary file and compare the exact lines it printed, along with the
 * options it set in hv_opts.  console.h only declares things, so nothing
 * else needs linking.
 *
 *   test_cmdline [GROUP | --list]
 */
#include "hypervisor/cmdline.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/policy.h"
#include "hypervisor/trace.h"     /* TRACE_DEFAULT, TRACE_MAX */
#include <unistd.h>

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

/* ---- cmdline_parse, with stdout captured ---- */
static char out[8192];

static void parse(const char *cmdline)
{
    memset(&hv_opts, 0, sizeof(hv_opts));
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = dup(1);
    if (!tmp || saved < 0 || dup2(fileno(tmp), 1) < 0) {
        printf("FAIL %s: cannot redirect stdout\n", __FILE__);
        exit(1);
    }
    cmdline_parse(cmdline);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
}
#define PRINTED(want) CHECKF(!strcmp(out, want), "printed \"%s\", want \"%s\"", out, want)
#define SILENT() PRINTED("")

static void parse_skips_image(void)
{
    parse("/boot/ringone.elf mem=64");
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 64);
    parse("mem=12");                            /* the first word is the image, whatever it says */
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 0);
    parse("bogus mem=5");
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 5);
    parse("   /boot/hv    mem=7   ");           /* leading, repeated and trailing spaces */
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 7);
    parse("");
    SILENT();
    parse("     ");
    SILENT();
    parse("/boot/hv");
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 0 && !hv_opts.ignore_mmap && !hv_opts.test_panic[0]);
}

static void parse_options(void)
{
    parse("/hv mem=64 test-panic=pf ignore-mmap");
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 64);
    CHECK(!strcmp(hv_opts.test_panic, "pf"));
    CHECK(hv_opts.ignore_mmap);
    static const char *const kinds[] = { "pf", "gp", "ud", "de", "bug" };
    for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
        char line[64];
        snprintf(line, sizeof(line), "/hv test-panic=%s", kinds[i]);
        parse(line);
        SILENT();
        CHECKF(!strcmp(hv_opts.test_panic, kinds[i]), "test-panic=%s gave \"%s\"", kinds[i],
               hv_opts.test_panic);
    }
    parse("/hv mem=0");
    CHECK(hv_opts.mem_limit_mib == 0);
    SILENT();
    parse("/hv mem=1 mem=2048");                /* the last one wins */
    CHECK(hv_opts.mem_limit_mib == 2048);
    parse("/hv mem=2684354559");                /* the largest value accepted */
    SILENT();
    CHECK(hv_opts.mem_limit_mib == 2684354559u);
    parse("/hv guest_loglvl=all");              /* every guest-caused line, no rate limit */
    SILENT();
    CHECK(hv_opts.guest_log_all);
    parse("/hv guest_loglvl=all guest_loglvl=ratelimited");
    SILENT();
    CHECK(!hv_opts.guest_log_all);
    parse("/hv guest_loglvl=none");             /* not one of ours: a warning, the default kept */
    CHECK(!hv_opts.guest_log_all && strstr(out, "bad value 'none' for option 'guest_loglvl'"));
}

/* policy= is every domain's default: halt, reflect (Xen's) or emulate. */
static void parse_policy(void)
{
    static const char *const names[] = POLICY_NAMES;
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        char line[64];
        snprintf(line, sizeof(line), "/hv policy=%s", names[i]);
        parse(line);
        SILENT();
        CHECKF(hv_opts.policy == i, "%s gave policy %u", line, hv_opts.policy);
    }
    CHECK(cmdline_choice("reflect", names, ARRAY_SIZE(names)) == POLICY_REFLECT);
    CHECK(cmdline_choice("Reflect", names, ARRAY_SIZE(names)) == -1);
    CHECK(cmdline_choice("", names, ARRAY_SIZE(names)) == -1);
    parse("/hv policy=xen");
    CHECK(hv_opts.policy == POLICY_HALT);
    CHECK(strstr(out, "bad value 'xen' for option 'policy'") != NULL);
}

/* umip= and cpuid-faulting= take on or off; anything else is warned about. */
static void parse_trapping(void)
{
    parse("/hv umip=off cpuid-faulting=off");
    SILENT();
    CHECK(hv_opts.no_umip && hv_opts.no_cpuid_faulting);
    parse("/hv umip=off umip=on cpuid-faulting=on");
    SILENT();
    CHECK(!hv_opts.no_umip && !hv_opts.no_cpuid_faulting);
    parse("/hv umip=0 cpuid-faulting");
    CHECK(!hv_opts.no_umip && !hv_opts.no_cpuid_faulting);
    CHECK(strstr(out, "bad value '0' for option 'umip'") != NULL);
    CHECK(strstr(out, "bad value '' for option 'cpuid-faulting'") != NULL);
    parse("/hv tick=pit");                      /* tick= takes apic or pit alike */
    SILENT();
    CHECK(hv_opts.tick_pit);
    parse("/hv tick=pit tick=apic");
    SILENT();
    CHECK(!hv_opts.tick_pit);
    parse("/hv tick=hpet");
    CHECK(!hv_opts.tick_pit && strstr(out, "bad value 'hpet' for option 'tick'") != NULL);
}

/* Xen's argo=<bool>[,mac-permissive=<bool>]; a bad word leaves both as they were. */
static void parse_argo(void)
{
    parse("/hv");
    CHECK(!hv_opts.argo && !hv_opts.argo_mac_permissive);     /* off by default */
    parse("/hv argo=1");
    SILENT();
    CHECK(hv_opts.argo && !hv_opts.argo_mac_permissive);
    parse("/hv argo=on,mac-permissive=1");
    SILENT();
    CHECK(hv_opts.argo && hv_opts.argo_mac_permissive);
    parse("/hv argo=mac-permissive=yes,true");
    SILENT();
    CHECK(hv_opts.argo && hv_opts.argo_mac_permissive);
    parse("/hv argo=1 argo=0");
    SILENT();
    CHECK(!hv_opts.argo);
    parse("/hv argo=1,bogus");
    CHECK(!hv_opts.argo && strstr(out, "bad value '1,bogus' for option 'argo'") != NULL);
    parse("/hv argo=1,mac-permissive=2");
    CHECK(!hv_opts.argo && !hv_opts.argo_mac_permissive && strstr(out, "bad value") != NULL);
    parse("/hv argo");
    CHECK(!hv_opts.argo && strstr(out, "bad value '' for option 'argo'") != NULL);
}

/* trace=N: the entries kept, capped at TRACE_MAX; on/1/bare: the default; off/0: none. */
static void parse_trace(void)
{
    parse("/hv");
    CHECK(hv_opts.trace == 0);                                  /* off by default */
    parse("/hv trace=1");
    SILENT();
    CHECK(hv_opts.trace == TRACE_DEFAULT);
    parse("/hv trace");
    CHECK(hv_opts.trace == TRACE_DEFAULT);
    parse("/hv trace=on");
    CHECK(hv_opts.trace == TRACE_DEFAULT);
    parse("/hv trace=6");
    CHECK(hv_opts.trace == 6);
    parse("/hv trace=99999");
    SILENT();
    CHECK(hv_opts.trace == TRACE_MAX);
    parse("/hv trace=6 trace=off");
    CHECK(hv_opts.trace == 0);
    parse("/hv trace=lots");
    CHECK(hv_opts.trace == 0 && strstr(out, "bad value 'lots' for option 'trace'") != NULL);
}

static void parse_unknown(void)
{
    parse("/hv x");
    PRINTED("(hv) warning: unknown option 'x' ignored\n");
    parse("/hv mem=8 frobnicate=yes noapic");
    PRINTED("(hv) warning: unknown option 'frobnicate' ignored\n"
            "(hv) warning: unknown option 'noapic' ignored\n");
    CHECK(hv_opts.mem_limit_mib == 8);
    parse("/hv MEM=8");                         /* keys are case-sensitive */
    PRINTED("(hv) warning: unknown option 'MEM' ignored\n");
    CHECK(hv_opts.mem_limit_mib == 0);
    parse("/hv =5");
    PRINTED("(hv) warning: unknown option '' ignored\n");
    parse("/hv memory=8 me=8");
    PRINTED("(hv) warning: unknown option 'memory' ignored\n"
            "(hv) warning: unknown option 'me' ignored\n");
}

static void parse_bad_values(void)
{
    static const char *const bad_mem[] = { "abc", "", "12k", "-1", "+5", "0x10", " 1",
                                           "4294967296", "99999999999", "2684354560", "5=" };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_mem); i++) {
        char line[64], want[200];
        snprintf(line, sizeof(line), "/hv mem=%s", bad_mem[i]);
        parse(line);
        CHECKF(hv_opts.mem_limit_mib == 0, "mem=%s set %u", bad_mem[i], hv_opts.mem_limit_mib);
        if (bad_mem[i][0] == ' ')
            continue;                           /* "mem= 1": mem='' and then an unknown '1' */
        snprintf(want, sizeof(want), "(hv) warning: bad value '%s' for option 'mem' "
                 "(mem=MIB: use at most this much RAM); ignored\n", bad_mem[i]);
        PRINTED(want);
    }
    parse("/hv test-panic=xx");
    CHECK(hv_opts.test_panic[0] == '\0');
    PRINTED("(hv) warning: bad value 'xx' for option 'test-panic' "
            "(test-panic=pf|gp|ud|de|bug|df: crash the hypervisor on purpose); ignored\n");
    parse("/hv test-panic");
    CHECK(hv_opts.test_panic[0] == '\0');
    CHECK(strstr(out, "bad value '' for option 'test-panic'") != NULL);
    parse("/hv test-panic=pfx test-panic=PF");
    CHECK(hv_opts.test_panic[0] == '\0');
    parse("/hv mem=abc mem=32");                /* a bad value leaves room for a good one */
    CHECK(hv_opts.mem_limit_mib == 32);
}

/* "ignore-mmap=1" draws "bad value ...; ignored": then it must really be ignored. */
static void flag_with_value(void)
{
    static const char *const values[] = { "1", "yes", "0" };
    for (unsigned i = 0; i < ARRAY_SIZE(values); i++) {
        char line[64];
        snprintf(line, sizeof(line), "/hv ignore-mmap=%s", values[i]);
        parse(line);
        CHECKF(strstr(out, "for option 'ignore-mmap'") && strstr(out, "; ignored"),
               "ignore-mmap=%s printed \"%s\"", values[i], out);
        CHECKF(!hv_opts.ignore_mmap, "ignore-mmap=%s was reported as ignored but was applied",
               values[i]);
    }
}

static void parse_long_words(void)
{
    char line[256], word[128];
    /* 63 characters fit the parser's buffer: an ordinary unknown option */
    memset(word, 'k', 63);
    word[63] = '\0';
    snprintf(line, sizeof(line), "/hv %s", word);
    parse(line);
    char want[200];
    snprintf(want, sizeof(want), "(hv) warning: unknown option '%s' ignored\n", word);
    PRINTED(want);
    /* 64 and more do not: reported by their first 20 characters */
    for (unsigned n = 64; n <= 120; n += 56) {
        memset(word, 'k', n);
        word[n] = '\0';
        snprintf(line, sizeof(line), "/hv %s mem=9", word);
        parse(line);
        PRINTED("(hv) warning: option 'kkkkkkkkkkkkkkkkkkkk...' too long; ignored\n");
        CHECK(hv_opts.mem_limit_mib == 9);      /* and parsing goes on after it */
    }
    /* a long value for a known key is too long as well, not truncated and used */
    snprintf(line, sizeof(line), "/hv mem=%060u", 5u);
    parse(line);
    CHECK(hv_opts.mem_limit_mib == 0);
    CHECK(strstr(out, "too long") != NULL);
}

/* maxcpus=N (N >= 1) and the flag nosmp, Xen's names (hypervisor/smp.c). */
static void parse_smp(void)
{
    parse("/hv maxcpus=4 nosmp");
    SILENT();
    CHECK(hv_opts.maxcpus == 4 && hv_opts.nosmp);
    parse("/hv");
    CHECK(hv_opts.maxcpus == 0 && !hv_opts.nosmp);     /* 0: every CPU the MADT lists */
    static const char *const bad[] = { "0", "", "two", "-1", "4x" };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        char line[64];
        snprintf(line, sizeof(line), "/hv maxcpus=%s", bad[i]);
        parse(line);
        CHECKF(hv_opts.maxcpus == 0 && strstr(out, "for option 'maxcpus' (maxcpus=N: start at most"),
               "maxcpus=%s set %u, printed \"%s\"", bad[i], hv_opts.maxcpus, out);
    }
    parse("/hv nosmp=1");
    CHECK(!hv_opts.nosmp && strstr(out, "bad value '1' for option 'nosmp'"));
}

static const struct group groups[] = {
    { "parse_smp", parse_smp },
    { "parse_skips_image", parse_skips_image },
    { "parse_options", parse_options },
    { "parse_policy", parse_policy },
    { "parse_trapping", parse_trapping },
    { "parse_argo", parse_argo },
    { "parse_trace", parse_trace },
    { "parse_unknown", parse_unknown },
    { "parse_bad_values", parse_bad_values },
    { "flag_with_value", flag_with_value },
    { "parse_long_words", parse_long_words },
};

CHECK_MAIN(groups)
