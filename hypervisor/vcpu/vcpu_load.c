/*
 * vcpu_load.c - the scheduler's side of several vCPUs per domain.
 *
 * One CPU runs every vCPU, and struct domain's per-vCPU fields hold the
 * loaded one (docs/smp.md).  Changing which vCPU is loaded for good, as
 * the scheduler does before it runs it, must also move what the hypervisor
 * keeps of the old vCPU outside those fields: its FPU registers (saved
 * into its own image), the GDT pages shown for the domain, and the PDPT,
 * rebuilt from the new vCPU's L3.  It must never change a parked vCPU's
 * state other than by loading it.
 */
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/mm/page_type.h"

int vcpu_next_of_several(struct domain *d)
{
    for (unsigned k = 1; k <= d->nr_vcpus; k++) {
        unsigned n = (d->vcpu_id + k) % d->nr_vcpus;
        const struct vcpu *v = vcpu_of(d, n);
        if (v->up && !v->blocked)
            return (int)n;
    }
    return -1;
}

void vcpu_switch(struct domain *d, unsigned n)
{
    fpu_release(d);                 /* the FPU registers are the old vCPU's */
    vcpu_load(d, n);
    gdt_switch_to(NULL);            /* shown for d, but the old vCPU's GDT */
    page_type_load_pdpt(d);
}
