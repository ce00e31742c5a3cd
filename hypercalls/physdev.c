/*
 * physdev.c - physdev_op: the virtual I/O privilege level.
 *
 * Of Xen's PHYSDEVOP_* commands a domain without hardware needs one:
 * set_iopl, which a PV kernel uses where a native one would set
 * EFLAGS.IOPL.  The real IOPL stays 0, so every cli/sti/in/out still traps
 * and is judged against this virtual value (emulate_io.c); allowed port
 * accesses reach no device.  The record is copied in once, then checked:
 * iopl 0..3, else -EINVAL, as on Xen.  Every other command is about real
 * interrupts, I/O bitmaps or devices, which no domain here owns: -ENOSYS.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/mm/guest_access.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/physdev.h"

long do_physdev_op(int cmd, guest_ptr_t arg)
{
    struct xen_physdev_set_iopl op;
    switch (cmd) {
    case PHYSDEVOP_set_iopl:
        if (copy_from_guest(&op, arg, sizeof(op)))
            return -EFAULT;
        if (op.iopl > 3)
            return -EINVAL;
        current->vcpu.iopl = (uint8_t)op.iopl;
        return 0;
    default:
        return -ENOSYS;
    }
}
