/* setup.h - the boot sequence. */
#ifndef HV_SETUP_H
#define HV_SETUP_H
#include "hypervisor/types.h"
void start_hypervisor(uint32_t magic, uint32_t mbi_pa) __noreturn;
#endif
