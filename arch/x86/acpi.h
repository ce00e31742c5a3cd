/* acpi.h - the CPUs the firmware lists: RSDP, RSDT and the MADT (acpi.c). */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H
#include "hypervisor/types.h"

#define ACPI_MAX_CPUS 8     /* NR_CPUS: the local APIC ids kept (smp.h) */

/* Copy n bytes from machine address pa: phys_read in the hypervisor. */
typedef void acpi_read_fn(void *dst, paddr_t pa, size_t n);

struct acpi_cpus {
    unsigned listed;                   /* enabled local APICs in the MADT */
    uint8_t apic_id[ACPI_MAX_CPUS];    /* the first ACPI_MAX_CPUS of them */
};

/*
 * The enabled local APICs of the MADT that is `len` bytes at t (already
 * read and checksummed).  NULL, or why the table cannot be trusted: every
 * entry must lie inside len, none may be shorter than 2 bytes (a zero
 * length would loop for ever), a local APIC entry must be 8 bytes or more,
 * and no APIC id may be listed twice.
 */
const char *acpi_madt_cpus(const uint8_t *t, uint32_t len, struct acpi_cpus *out);

/*
 * Find the RSDP (first KiB of the EBDA, then 0xE0000-0xFFFFF), its RSDT
 * and the MADT the RSDT lists, through `read`, checking each signature,
 * length and checksum, and parse the MADT.  NULL, or why not.
 */
const char *acpi_find_cpus(acpi_read_fn *read, struct acpi_cpus *out);
#endif
