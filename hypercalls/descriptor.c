/*
 * descriptor.c - set_gdt and update_descriptor: the guest's own segments.
 *
 * Thin handlers: they bring the guest's arguments into our memory and
 * hand them to hypervisor/vcpu/gdt.c, which owns the rules (each descriptor
 * passes hypervisor/vcpu/desc_check.c) and the hypervisor's checked copy of the
 * GDT that the CPU actually reads.  As in Xen's PV ABI, both calls speak
 * machine frames: the guest translates its pfns with its P2M list.
 */
#include "gen/hypercall_handlers.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/mm/guest_access.h"
#include "hypercalls/public/errno.h"

/*
 * frames points at ceil(entries/512) 32-bit machine frame numbers
 * (xen_pfn_t); entries is checked before it sizes the copy, as Xen does.
 */
long do_set_gdt(guest_ptr_t frames, unsigned int entries)
{
    uint32_t list[FIRST_RESERVED_GDT_PAGE];
    mfn_t mfns[FIRST_RESERVED_GDT_PAGE];
    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    unsigned nr = (entries + 511) / 512;
    if (copy_from_guest(list, frames, nr * sizeof(list[0])))
        return -EFAULT;
    for (unsigned i = 0; i < nr; i++)
        mfns[i] = _mfn(list[i]);
    return gdt_set(current, mfns, entries);
}

/* ma: the machine address of one 8-byte entry; desc: its new value. */
long do_update_descriptor(uint64_t ma, uint64_t desc)
{
    return gdt_update_descriptor(current, ma, desc);
}
