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

struct acpi_header {            /* the start of every ACPI table but the RSDP */
    char sig[4];
    uint32_t length;            /* of the whole table, this header included */
    uint8_t revision, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_revision, creator, creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header");

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
    uint32_t rsdt;
    for (size_t off = 0; off + sizeof(r) <= len; off += 16) {
        read(r, pa + off, sizeof(r));
        if (!memcmp(r, "RSD PTR ", 8) && sum_ok(r, sizeof(r))) {
            memcpy(&rsdt, r + RSDP_RSDT, 4);
            return rsdt;
        }
    }
    return 0;
}

/* Read the table at pa into `table`: its length within bounds, its checksum zero. */
static const char *table_read(acpi_read_fn *read, uint32_t pa, uint32_t *len)
{
    struct acpi_header h;
    read(&h, pa, sizeof(h));
    if (h.length < sizeof(h) || h.length > sizeof(table))
        return "a table's length is out of bounds";
    read(table, pa, h.length);
    *len = h.length;                    /* the length checked, not a second read of it */
    return sum_ok(table, h.length) ? NULL : "a table's checksum is wrong";
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
    uint32_t rsdt = 0, len, n, pa;
    read(&seg, BDA_EBDA_SEGMENT, 2);
    if (seg >= 0x8000 && seg < 0xa000)          /* an EBDA where one can be */
        rsdt = rsdp_scan(read, (paddr_t)seg << 4, 1024);
    if (!rsdt)
        rsdt = rsdp_scan(read, 0xe0000, 0x20000);
    if (!rsdt)
        return "no ACPI RSDP with an RSDT";
    const char *why = table_read(read, rsdt, &len);
    if (why || memcmp(table, "RSDT", 4))
        return why ? why : "the RSDP does not point at an RSDT";
    n = (len - sizeof(struct acpi_header)) / 4;
    for (uint32_t i = 0; i < n; i++) {
        struct acpi_header h;
        memcpy(&pa, table + sizeof(h) + 4 * i, 4);
        read(&h, pa, sizeof(h));
        if (memcmp(h.sig, "APIC", 4))
            continue;
        if ((why = table_read(read, pa, &len)) || memcmp(table, "APIC", 4))
            return why ? why : "the MADT changed while it was read";
        return acpi_madt_cpus(table, len, out);
    }
    return "the RSDT lists no MADT";
}
