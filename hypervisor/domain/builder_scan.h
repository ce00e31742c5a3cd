/* builder_scan.h - the load-time scan of a new domain's code, and its report (builder_scan.c). */
#ifndef HV_BUILDER_SCAN_H
#define HV_BUILDER_SCAN_H
#include "hypervisor/types.h"
#include "hypervisor/domain/elf.h"
#include "hypervisor/domain/policy.h"

/*
 * Scan the executable segments of the parsed image (image[0..size), the
 * untrusted module, still mapped) as mode says, printing "(hv) dN scan: "
 * lines.  False, with a reason in err, when dom.scan=refuse and the scan
 * found something or could not be done: the domain must not be built.
 */
bool builder_scan(unsigned id, const struct elf_image *img, const void *image, size_t size,
                  enum scan_mode mode, char *err, size_t errlen);
#endif
