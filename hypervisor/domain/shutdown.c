/*
 * shutdown.c - the last line of every run.
 *
 * Whatever ends a run (all domains finished, a panic, a machine we cannot
 * use) comes through here, so the console always ends with the same
 * machine-readable line and tools/run can tell what happened even under
 * emulators that cannot pass an exit code (Bochs) or on a real PC.
 */
#include "hypervisor/domain/shutdown.h"
#include "hypervisor/console/console.h"
#include "hypervisor/lib.h"
#include "hypervisor/trace.h"
#include "arch/x86/power.h"

static const char *meaning(enum hv_status s)
{
    switch (s) {
    case HV_STATUS_OK:            return "all domains powered off";
    case HV_STATUS_DOMAIN_FAILED: return "a domain halted, crashed or was not built";
    case HV_STATUS_PANIC:         return "hypervisor panic";
    case HV_STATUS_BOOT_ERROR:    return "cannot boot on this machine";
    case HV_STATUS_NO_DOMAIN:     return "no domain ran";
    }
    return "unknown";
}

void shutdown_machine(enum hv_status status)
{
    if (hv_opts.trace)
        trace_dump();               /* trace=N: the last N events, for tools/trace */
    hvlog("power off: status %d (%s)\n", status, meaning(status));
    arch_power_off(status);
}
