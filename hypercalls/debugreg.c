/*
 * debugreg.c - set_debugreg and get_debugreg: the guest's DR0-DR7.
 *
 * A ring-1 kernel cannot move to or from a debug register, so it asks.
 * Both numbers are the guest's, unchecked: hypervisor/vcpu/debugreg_check.c
 * judges them (addresses in the guest's space only, no general detect, I/O
 * breakpoints only under the guest's CR4.DE, which also makes DR4 and DR5
 * -ENODEV; an unknown register is -EINVAL).  get_debugreg returns
 * the value itself, as Xen does, so a value with bit 31 set looks like a
 * negative number: guests know to treat it as unsigned.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/domain/domain.h"

long do_set_debugreg(int reg, unsigned long value)
{
    return debugreg_write(current, reg, (uint32_t)value);
}

long do_get_debugreg(int reg)
{
    int i = debugreg_index(reg, debugreg_de(current));
    if (i < 0)
        return i;
    return (long)debugreg_read(current, i);
}
