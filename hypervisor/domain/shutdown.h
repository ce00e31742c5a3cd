/* shutdown.h - the end of a run, and the status it leaves behind. */
#ifndef HV_SHUTDOWN_H
#define HV_SHUTDOWN_H
#include "hypervisor/types.h"

/* The values tools/run exits with (docs/conventions.md has the table). */
enum hv_status {
    HV_STATUS_OK = 0,              /* every domain shut down with poweroff */
    HV_STATUS_DOMAIN_FAILED = 2,   /* a domain halted, crashed, rebooted, or was not built */
    HV_STATUS_PANIC = 3,           /* the hypervisor itself failed */
    HV_STATUS_BOOT_ERROR = 6,      /* this machine cannot run the hypervisor */
    HV_STATUS_NO_DOMAIN = 7,       /* no module given, or none could be built */
};

/* Print "(hv) power off: status N (meaning)" and leave the machine. */
void shutdown_machine(enum hv_status status) __noreturn;
#endif
