/*
 * acpi.c - find the CPUs: the ACPI RSDP, RSDT and MADT.
 *
 * The firmware describes the machine's processors in ACPI's "Multiple APIC
 * Description Table" (MADT, signature "APIC"): one entry per local APIC,
 * with its id and whether it is enabled.  To reach it: the RSDP, found by
 * its signature "RSD PTR " on a 16-byte boundary in the first KiB of the
 * EBDA or in the BIOS area 0xE0000-0xFFFFF, points at the RSDT, a list of
 * 32-bit table addresses, one of which is the MADT (ACPI 6.5, 5.2.5-5.2.12).
 * Firmware tables are input like any other: each length is checked against
 * the table that holds it before anything inside is read, and each
 * checksum.  A table that fails a check is not used at all (the caller
 * then runs on the boot CPU alone).  Pure but for `read`, so the host unit
 * tests (tests/unit/test_acpi.c) feed it crafted memory.  Only the RSDT is
 * read, not ACPI 2.0's XSDT: a BIOS that boots us by multiboot has one.
 */
#include "arch/x86/acpi.h"
#include "hypervisor/lib.h"

#define HEADER           36         /* every table's but the RSDP: signature, length, ... */
#define BDA_EBDA_SEGMENT 0x40e      /* the BIOS data area's word: EBDA >> 4 */
#define RSDP_CHECKED     20         /* ACPI 1.0's part, the one its checksum covers */
#define RSDP_RSDT        16         /* offset of the RSDT's address in the RSDP */
#define MADT_ENTRIES     44         /* header, local APIC address, flags */
#define MADT_LOCAL_APIC  0          /* entry: type, length, processor uid, APIC id, flags */
#define LAPIC_ENABLED    1u

static uint8_t table[4096];     /* one table at a time; longer ones are refused */

static bool sum_ok(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    while (n--)
        sum += *p++;
    return sum == 0;
}

/* The RSDT's address from an RSDP in [pa, pa + len), or 0. */
static uint32_t rsdp_scan(acpi_read_fn *read, paddr_t pa, size_t len)
{
    uint8_t r[RSDP_CHECKED];
    uint32_t rsdt = 0;
    for (size_t off = 0; off + sizeof(r) <= len && !rsdt; off += 16) {
        read(r, pa + off, sizeof(r));
        if (!memcmp(r, "RSD PTR ", 8) && sum_ok(r, sizeof(r)))
            memcpy(&rsdt, r + RSDP_RSDT, 4);
    }
    return rsdt;
}

/*
 * Read the table at pa into `table` if its signature is sig, its length
 * within bounds (the length read first is the one used) and its checksum
 * zero.  Its length, or 0 and *why.
 */
static uint32_t table_read(acpi_read_fn *read, uint32_t pa, const char *sig, const char **why)
{
    uint32_t len;
    read(table, pa, HEADER);
    memcpy(&len, table + 4, 4);
    if (memcmp(table, sig, 4))
        *why = "a table's signature is not the one its pointer promised";
    else if (len < HEADER || len > sizeof(table))
        *why = "a table's length is out of bounds";
    else
        read(table, pa, len);
    if (!*why && !sum_ok(table, len))
        *why = "a table's checksum is wrong";
    return *why ? 0 : len;
}

const char *acpi_madt_cpus(const uint8_t *t, uint32_t len, struct acpi_cpus *out)
{
    *out = (struct acpi_cpus){ 0 };
    if (len < MADT_ENTRIES)
        return "the MADT is shorter than its header";
    for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1]) {
        if (len - off < 2 || t[off + 1] < 2 || t[off + 1] > len - off)
            return "a MADT entry's length is out of bounds";
        uint32_t flags;
        if (t[off] != MADT_LOCAL_APIC)
            continue;
        if (t[off + 1] < 8)
            return "a MADT local APIC entry is shorter than 8 bytes";
        memcpy(&flags, t + off + 4, 4);
        if (!(flags & LAPIC_ENABLED))
            continue;
        for (unsigned i = 0; i < MIN(out->listed, ACPI_MAX_CPUS); i++)
            if (out->apic_id[i] == t[off + 3])
                return "the MADT lists a local APIC id twice";
        if (out->listed < ACPI_MAX_CPUS)
            out->apic_id[out->listed] = t[off + 3];
        out->listed++;
    }
    return out->listed ? NULL : "the MADT lists no enabled local APIC";
}

const char *acpi_find_cpus(acpi_read_fn *read, struct acpi_cpus *out)
{
    uint16_t seg;
    uint32_t rsdt = 0, pa;
    const char *why = NULL;
    read(&seg, BDA_EBDA_SEGMENT, 2);
    if (seg >= 0x8000 && seg < 0xa000)          /* an EBDA where one can be */
        rsdt = rsdp_scan(read, (paddr_t)seg << 4, 1024);
    if (!rsdt)
        rsdt = rsdp_scan(read, 0xe0000, 0x20000);
    if (!rsdt)
        return "no ACPI RSDP with an RSDT";
    uint32_t n = table_read(read, rsdt, "RSDT", &why);
    for (uint32_t i = HEADER; i + 4 <= n; i += 4) {
        char sig[4];
        memcpy(&pa, table + i, 4);
        read(sig, pa, 4);
        if (!memcmp(sig, "APIC", 4)) {
            uint32_t len = table_read(read, pa, "APIC", &why);
            return why ? why : acpi_madt_cpus(table, len, out);
        }
    }
    return why ? why : "the RSDT lists no MADT";
}
