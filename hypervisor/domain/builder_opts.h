/* builder_opts.h - parse a module's command line (see builder_opts.c). */
#ifndef HV_BUILDER_OPTS_H
#define HV_BUILDER_OPTS_H
#include "hypervisor/types.h"
#include "hypervisor/domain/policy.h"

#define GUEST_CMDLINE_MAX 1024     /* start_info.cmd_line (MAX_GUEST_CMDLINE) */

struct domain_opts {
    uint32_t mem_mib;
    char name[32];
    uint8_t policy;            /* enum domain_policy: policy= */
    uint8_t scan;              /* enum scan_mode: scan= */
    uint8_t tsc;               /* enum tsc_mode: tsc= */
    bool initdomain;
    bool initdomain_given;     /* initdomain= was on the line */
    uint8_t service;           /* enum service_kind: service= */
    uint32_t weight;           /* weight=N: CPU share, 256 = one standard slice */
    bool ramdisk;              /* ramdisk=1: the next module is this domain's ramdisk */
    bool disk;                 /* disk=1: a virtual disk (vbd 51712) from the blkback service */
    uint32_t max_grant_frames; /* max_grant_frames=N: 1..64 grant-table frames (0: Xen's default, 64) */
    uint32_t vcpus;            /* vcpus=N: 1..MAX_VCPUS (docs/smp.md) */
    char guest_cmdline[GUEST_CMDLINE_MAX];
};

/* Fill o from "path words..."; o holds defaults on entry. Pure. */
bool builder_opts_parse(const char *line, struct domain_opts *o, char *err, size_t errlen);
#endif
