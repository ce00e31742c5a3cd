/*
 * cpuid.c - CPUID as the hypervisor wants us to see it.
 *
 * CPUID is not a privileged instruction: in ring 1 it runs natively and
 * tells the guest about the real CPU, with no chance for the hypervisor to
 * hide features it does not virtualize.  (Hardware CPUID faulting can fix
 * that, where the CPU has it.)  Xen's answer for PV guests is the forced-
 * emulation prefix: "ud2a; .ascii \"xen\"" in front of cpuid raises #UD,
 * the hypervisor recognises the five bytes, emulates the CPUID with its
 * own policy, and resumes us after it.  A PV kernel that wants the
 * filtered view - including the hypervisor leaves at 0x40000000 - must
 * use this form.
 */
#include "pvguest/lib/pvguest.h"

void xen_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
    __asm__ __volatile__ (XEN_CPUID
                          : "=a" (r->eax), "=b" (r->ebx), "=c" (r->ecx),
                            "=d" (r->edx)
                          : "0" (leaf), "2" (subleaf));
}
