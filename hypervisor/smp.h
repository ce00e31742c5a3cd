/* smp.h - the physical CPUs: finding and starting the APs (smp.c). */
#ifndef HV_SMP_H
#define HV_SMP_H
#include "hypervisor/bootinfo.h"
#include "arch/x86/acpi.h"
#include "arch/x86/desc.h"

#define NR_CPUS ACPI_MAX_CPUS

/*
 * What each physical CPU owns, indexed by CPU number (0 is the boot CPU,
 * which keeps the tables desc.c and multiboot.S gave it; only its apic_id
 * is here).  docs/smp.md lists what else becomes per-CPU with the locks.
 */
struct percpu {
    uint32_t apic_id;
    volatile bool up;                  /* set by the CPU itself, once it has said so */
    struct cpu_desc desc;              /* its GDT entries and TSS */
    uint8_t stack[HV_STACK_SIZE] __attribute__((aligned(16)));
};
extern struct percpu percpu[NR_CPUS];

/*
 * Find the CPUs in the ACPI MADT and start up to maxcpus of them (nosmp:
 * none, no table read).  Each AP says it is up and parks; the boot line
 * says how many were found and how many run.  After time_init().
 */
void smp_init(const struct boot_info *bi);
#endif
