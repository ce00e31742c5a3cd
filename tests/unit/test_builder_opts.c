/*
 * test_builder_opts.c - hypervisor/domain/builder_opts.c: a module line, split into
 * the domain's options and the guest's words exactly as Xen passes them.
 *
 *   test_builder_opts [GROUP | --list]
 */
#include "hypervisor/domain/builder_opts.h"
#include "hypervisor/lib.h"

#include "check.h"

static struct domain_opts o;
static char err[160];

/* Parse line from defaults; true if it was accepted. */
static bool parse(const char *line)
{
    o = (struct domain_opts){ .mem_mib = 16 };
    strcpy(o.guest_cmdline, "stale");
    err[0] = '\0';
    return builder_opts_parse(line, &o, err, sizeof(err));
}

#define GUEST(line, want) do { bool ok_ = parse(line); \
        CHECKF(ok_ && !strcmp(o.guest_cmdline, want), "\"%s\": %s, guest \"%s\", want \"%s\" (%s)", \
               line, ok_ ? "accepted" : "refused", o.guest_cmdline, want, err); } while (0)
#define REFUSED(line, want_err) do { bool ok_ = parse(line); \
        CHECKF(!ok_ && !strcmp(err, want_err), "\"%s\": %s, err \"%s\", want \"%s\"", \
               line, ok_ ? "accepted" : "refused", err, want_err); } while (0)

/* Without "--", every word but dom.NAME=VALUE reaches the guest, spacing and all. */
static void xen_words_reach_the_guest(void)
{
    GUEST("/boot/kernel", "");
    GUEST("/boot/kernel   ", "");
    GUEST("/boot/kernel word1 word2=x", "word1 word2=x");
    GUEST("  /boot/kernel   root=/dev/xvda1  quiet ", "root=/dev/xvda1  quiet ");
    GUEST("k mem=512M console=hvc0", "mem=512M console=hvc0");   /* Linux's own mem= */
    GUEST("k policy=reflect name=x", "policy=reflect name=x");
    GUEST("k dom.mem=32M a b", "a b");
    GUEST("k a dom.name=web b", "a b");
    GUEST("k a   dom.name=web   b", "a   b");                   /* an option takes its gap away */
    GUEST("k a b dom.policy=reflect  ", "a b");
    GUEST("k a b dom.policy=reflect", "a b");
    GUEST("k dom.mem=32M", "");
    GUEST("k domain=1 dom=2 dom", "domain=1 dom=2 dom");         /* "dom." is the prefix */
}

static void dom_options_are_applied(void)
{
    GUEST("k dom.mem=32M dom.name=web dom.policy=reflect dom.weight=512 dom.initdomain=0 x", "x");
    CHECK(o.mem_mib == 32 && !strcmp(o.name, "web") && o.policy == POLICY_REFLECT);
    CHECK(o.weight == 512 && !o.initdomain);
    GUEST("k dom.policy=emulate dom.scan=refuse dom.tsc=emulate", "");
    CHECK(o.policy == POLICY_EMULATE && o.scan == SCAN_REFUSE && o.tsc == TSC_EMULATE);
    GUEST("k dom.scan=off dom.tsc=native dom.policy=halt", "");
    CHECK(o.policy == POLICY_HALT && o.scan == SCAN_OFF && o.tsc == TSC_NATIVE);
    GUEST("k dom.max_grant_frames=4", "");
    CHECK(o.max_grant_frames == 4);
    GUEST("k dom.max_grant_frames=64", "");                     /* Xen's default is the most */
    CHECK(o.max_grant_frames == 64);
    GUEST("k dom.service=xenstore", "");
    CHECK(o.service == SERVICE_XENSTORE && !o.initdomain_given);
    GUEST("k dom.service=blkback", "");
    CHECK(o.service == SERVICE_BLKBACK && !o.initdomain_given);
    GUEST("k dom.initdomain=1", "");
    CHECK(o.initdomain && o.initdomain_given && o.service == SERVICE_NONE);
    GUEST("k dom.ramdisk=1 disk", "disk");                       /* the next module: its ramdisk */
    CHECK(o.ramdisk && !o.disk);
    GUEST("k dom.disk=1 root=/dev/xvda1", "root=/dev/xvda1");  /* a vbd from blkback */
    CHECK(o.disk && !o.ramdisk);
    GUEST("k dom.mem=8M dom.mem=4M", "");                        /* the last one wins */
    CHECK(o.mem_mib == 4);
}

/* The older form: before "--" bare and dom. names are options; after it, all verbatim. */
static void explicit_separator(void)
{
    GUEST("k mem=32M name=web -- quiet", "quiet");
    CHECK(o.mem_mib == 32 && !strcmp(o.name, "web"));
    GUEST("k dom.mem=8M policy=reflect --   a  dom.mem=1M -- b ", "a  dom.mem=1M -- b ");
    CHECK(o.mem_mib == 8 && o.policy == POLICY_REFLECT);
    GUEST("k --", "");
    GUEST("k -- ", "");
    GUEST("k a--b", "a--b");                                     /* not a separator */
    GUEST("k --x", "--x");
    REFUSED("k quiet -- x", "unknown domain option 'quiet'");   /* before --, all are options */
}

/* A misspelt option is an error, never a guest word. */
static void misspelt_options_are_refused(void)
{
    REFUSED("k dom.colour=blue", "unknown domain option 'colour'");
    REFUSED("k dom.Mem=8M", "unknown domain option 'Mem'");
    REFUSED("k dom.=", "unknown domain option ''");
    REFUSED("k dom.ramdisk=2", "bad ramdisk='2' (want 0 or 1)");
    REFUSED("k dom.disk=yes", "bad disk='yes' (want 0 or 1)");
    REFUSED("k colour=blue --", "unknown domain option 'colour'");
    REFUSED("k dom.mem=1T", "bad mem='1T' (want e.g. 16M, 512K, 1G)");
    REFUSED("k dom.mem", "bad mem='' (want e.g. 16M, 512K, 1G)");
    REFUSED("k dom.policy=ignore", "bad policy='ignore' (want halt, reflect or emulate)");
    REFUSED("k dom.scan=yes", "bad scan='yes' (want off, report or refuse)");
    REFUSED("k dom.tsc=virtual", "bad tsc='virtual' (want native or emulate)");
    REFUSED("k dom.weight=0", "bad weight='0' (want 1..65535; 256 is standard)");
    REFUSED("k dom.weight=65536", "bad weight='65536' (want 1..65535; 256 is standard)");
    REFUSED("k dom.initdomain=yes", "bad initdomain='yes' (want 0 or 1)");
    REFUSED("k dom.max_grant_frames=0", "bad max_grant_frames='0' (want 1..64 grant-table frames; 64 is Xen's default)");
    REFUSED("k dom.max_grant_frames=65", "bad max_grant_frames='65' (want 1..64 grant-table frames; 64 is Xen's default)");
    REFUSED("k dom.service=netback", "bad service='netback' (want none, xenstore or blkback)");
}

/* Every byte of a long line is accounted for: refused, never truncated into a buffer. */
static void long_lines(void)
{
    static char line[3000];
    strcpy(line, "k ");
    for (int i = 0; i < 600; i++)
        strcat(line, "ab ");
    REFUSED(line, "guest command line longer than 1023 bytes");
    strcpy(line, "k ");
    for (int i = 0; i < 340; i++)
        strcat(line, "ab ");                                     /* 1019 bytes of guest words */
    GUEST(line, line + 2);
    strcpy(line, "k dom.name=");
    memset(line + strlen(line), 'x', 200);
    line[211] = '\0';
    REFUSED(line, "domain option 'dom.name=xxxxxxxxxxx...' too long");
}

static const struct group groups[] = {
    { "xen_words_reach_the_guest", xen_words_reach_the_guest },
    { "dom_options_are_applied", dom_options_are_applied },
    { "explicit_separator", explicit_separator },
    { "misspelt_options_are_refused", misspelt_options_are_refused },
    { "long_lines", long_lines },
};
CHECK_MAIN(groups)
