/* cmdline.h - the hypervisor's own command-line options. */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H
#include "hypervisor/types.h"

struct hv_options {
    bool ignore_mmap;          /* ignore-mmap: pretend there is no memory map */
    char test_panic[16];       /* test-panic=pf|gp|ud|de|bug|df: fault on purpose */
    uint32_t mem_limit_mib;    /* mem=N: use at most N MiB of RAM (0: all) */
    bool tick_pit;             /* tick=pit: the PIT drives the tick even with an APIC */
    bool no_umip;              /* umip=off: leave CR4.UMIP clear even where the CPU has it */
    bool no_cpuid_faulting;    /* cpuid-faulting=off: likewise for CPUID faulting */
    uint8_t policy;            /* policy=halt|reflect|emulate: every domain's default */
    bool argo;                 /* argo=1: argo_op works (off by default, as in Xen) */
    bool argo_mac_permissive;  /* argo=1,mac-permissive=1: rings open to any domain */
    bool guest_log_all;        /* guest_loglvl=all: no rate limit on guest-caused lines */
    uint32_t trace;            /* trace=N: entries the trace keeps (0: off; trace.h) */
    uint32_t maxcpus;          /* maxcpus=N: at most N CPUs run (0: every one found) */
    bool nosmp;                /* nosmp: the boot CPU alone (smp.c) */
    bool preempt_every;        /* preempt-every=1: every long hypercall continues after each item */
};
extern struct hv_options hv_opts;

/* Parse "key=value key ..." into hv_opts; unknown keys get a warning line. */
void cmdline_parse(const char *cmdline);

/* Index of val in names[0..n), or -1: the parser of every "a|b|c" option. */
int cmdline_choice(const char *val, const char *const *names, unsigned n);
#endif
