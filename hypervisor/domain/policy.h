/*
 * policy.h - the per-domain choices a module line (or the hypervisor's own
 * command line, for every domain) can make, and their names.
 *
 * They live apart from domain.h so that the pure option parsers
 * (builder_opts.c, cmdline.c) and their host unit tests need nothing else.
 */
#ifndef HV_POLICY_H
#define HV_POLICY_H

#define MAX_VCPUS 8       /* dom.vcpus=: the most vCPUs a domain may have (docs/smp.md) */

/* What to do with a disallowed or untrappable instruction (see emulate.c). */
enum domain_policy {
    POLICY_HALT,          /* halt the domain, naming the instruction (default) */
    POLICY_REFLECT,       /* deliver #GP to the guest's handler, as Xen does */
    POLICY_EMULATE,       /* reflect, except that the UMIP instructions get
                             harmless values: the guest's own virtual view */
};
#define POLICY_NAMES { "halt", "reflect", "emulate" }

/* The load-time scan for untrappable instructions (scan.c). */
enum scan_mode {
    SCAN_REPORT,          /* list what it finds, build anyway (default) */
    SCAN_OFF,             /* do not scan */
    SCAN_REFUSE,          /* refuse to build a domain whose code has any */
};
#define SCAN_NAMES { "report", "off", "refuse" }

/* What rdtsc does in the domain (see emulate.c, time.c). */
enum tsc_mode {
    TSC_NATIVE,           /* CR4.TSD clear: rdtsc reads the real TSC, untrapped */
    TSC_EMULATE,          /* CR4.TSD set while it runs: rdtsc traps, gets a virtual TSC */
};
#define TSC_NAMES { "native", "emulate" }

/*
 * A service domain (dom.service=): a guest that serves the others, as Xen's
 * stub domains do (hypervisor/share/rings.c connects them).  Its index in
 * SERVICE_NAMES is the option's value; later kinds go at the end.
 */
enum service_kind {
    SERVICE_NONE,         /* an ordinary guest (default) */
    SERVICE_XENSTORE,     /* xenstored: the store every domain's xenbus talks to */
    SERVICE_BLKBACK,      /* blkback: a block device driver domain (pvguest/blkback/) */
};
#define SERVICE_NAMES { "none", "xenstore", "blkback" }

#endif
