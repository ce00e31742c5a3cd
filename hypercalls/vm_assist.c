/*
 * vm_assist.c - vm_assist: turn on or off a convenience the hypervisor
 * emulates for the guest.
 *
 * Xen's VMASST_TYPE_* are switches a PV kernel flips at boot to say "I
 * understand this extension of the ABI".  We accept the two that mean
 * something for a 32-bit PAE guest here:
 *  - pae_extended_cr3: the guest copes with an L3 above 4 GiB, because it
 *    reads cr3 in Xen's extended format (xen_pfn_to_cr3).  Our emulated
 *    cr3 reads always use that format, so this is accepted and recorded,
 *    as every 32-bit PAE Linux asks for it;
 *  - architectural_iopl: the virtual IOPL behaves like the real one.  The
 *    guest kernel counts as ring 0 for in/out/cli/sti (emulate_io.c), and
 *    trap frames and iret carry the virtual IOPL in EFLAGS bits 12-13
 *    (bounce.c, iret).
 * The bit set in d->vcpu.vm_assist is VCPU_ASSIST(type), 1 << type, as
 * Xen's vm_assist word.  Any other type (4gb_segments, writable page
 * tables, ...) is -EINVAL: a guest must not believe an assist is on when
 * nothing here implements it.  As in Xen, the type is checked before the
 * command, and an unknown command is -ENOSYS.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/emulate.h"
#include "hypercalls/public/errno.h"

#define VM_ASSIST_SUPPORTED (VCPU_ASSIST(VMASST_TYPE_pae_extended_cr3) | \
                             VCPU_ASSIST(VMASST_TYPE_architectural_iopl))

long do_vm_assist(unsigned int cmd, unsigned int type)
{
    if (type >= 32 || !(VM_ASSIST_SUPPORTED & VCPU_ASSIST(type)))
        return -EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        current->vcpu.vm_assist |= VCPU_ASSIST(type);
        return 0;
    case VMASST_CMD_disable:
        current->vcpu.vm_assist &= ~VCPU_ASSIST(type);
        return 0;
    default:
        return -ENOSYS;
    }
}
