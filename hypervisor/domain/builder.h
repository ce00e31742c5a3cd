/* builder.h - make a domain from a multiboot module (an ELF guest image). */
#ifndef HV_BUILDER_H
#define HV_BUILDER_H
#include "hypervisor/bootinfo.h"
#include "hypervisor/domain/domain.h"

#define DOMAIN_DEFAULT_MIB 16
#define DOMAIN_MAX_MIB     1024

/*
 * Build domain d from module m, with ramdisk (NULL for none) loaded after
 * its image as Xen loads a PV kernel's initrd: start_info.mod_start is its
 * virtual address, mod_len its length.  On failure prints one "(hv) error:
 * module N (...): reason" line, frees what was allocated, marks d not
 * built and returns false; the boot goes on with the other modules.
 */
bool builder_build(struct domain *d, const struct boot_module *m, unsigned index,
                   const struct boot_module *ramdisk);
/* Does m's line ask for the next module as its ramdisk (dom.ramdisk=1)? */
bool builder_wants_ramdisk(const struct boot_module *m);
#endif
