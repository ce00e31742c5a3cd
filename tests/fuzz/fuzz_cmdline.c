/*
 * fuzz_cmdline.c - libFuzzer over the two command-line parsers: the
 * hypervisor's own (cmdline_parse) and a module's (builder_opts_parse:
 * dom.NAME=VALUE words, the explicit "--" form, the words passed to the
 * guest).  Both read what GRUB hands over, which is whatever the person or
 * tool writing grub.cfg typed.  Beyond no crash: a parsed module line
 * leaves every string NUL-terminated in its field, a name no longer than
 * its field, and memory within the bounds the builder trusts.
 */
#include "hypervisor/types.h"
#include "hypervisor/lib.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/domain/builder_opts.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    memcpy(line, data, size);
    line[size] = 0;

    cmdline_parse(line);
    if (strnlen(hv_opts.test_panic, sizeof(hv_opts.test_panic)) >= sizeof(hv_opts.test_panic))
        abort();

    struct domain_opts o = { .mem_mib = 16, .weight = 256 };
    char err[96];
    if (builder_opts_parse(line, &o, err, sizeof(err))) {
        if (strnlen(o.name, sizeof(o.name)) >= sizeof(o.name) ||
            strnlen(o.guest_cmdline, sizeof(o.guest_cmdline)) >= sizeof(o.guest_cmdline))
            abort();
    } else if (strnlen(err, sizeof(err)) >= sizeof(err) || !err[0]) {
        abort();                     /* a refusal always says why */
    }
    free(line);
    return 0;
}
