/* builder_opts.h - parse a module's command line (see builder_opts.c). */
#ifndef HV_BUILDER_OPTS_H
#define HV_BUILDER_OPTS_H
#include "hypervisor/types.h"

struct domain_opts {
    uint32_t mem_mib;
    char name[32];
    bool reflect;              /* policy=reflect */
    bool initdomain;
    uint32_t weight;           /* weight=N: CPU share, 256 = one standard slice */
    char guest_cmdline[256];
};

/* Fill o from "path opts... [-- guest words]"; o holds defaults on entry. Pure. */
bool builder_opts_parse(const char *line, struct domain_opts *o, char *err, size_t errlen);
#endif
