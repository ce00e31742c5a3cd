/*
 * fpu.c - fpu_taskswitch: the guest's CR0.TS, which it may not write itself.
 *
 * A native kernel sets CR0.TS at a process switch so that the next FPU
 * instruction traps and it can switch FPU state lazily.  A ring-1 kernel
 * cannot write CR0, so it asks: any non-zero `set` sets its virtual TS (the
 * next FPU use raises #NM for it), zero clears it.  Xen accepts any value
 * and always returns 0; so do we.  The policy lives in hypervisor/fpu.c.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/fpu.h"

long do_fpu_taskswitch(int set)
{
    fpu_set_ts(current, set != 0);
    return 0;
}
