/* symbols.h - the hypervisor's own function names, for backtraces. */
#ifndef HV_SYMBOLS_H
#define HV_SYMBOLS_H
#include "hypervisor/types.h"
/* Name of the function containing addr and the offset into it, or NULL. */
const char *symbols_lookup(uint32_t addr, uint32_t *offset);
#endif
