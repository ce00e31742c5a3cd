/*
 * test_acpi.c - arch/x86/acpi.c on crafted firmware tables.
 *
 * The parser reads physical memory only through the callback it is given,
 * so here that memory is a fake: the first MiB (BIOS data area, EBDA, the
 * BIOS area where the RSDP is) and a window at FAKE_HIGH where the RSDT
 * and MADT go, as firmware puts them at the top of RAM.  Each check builds
 * a machine's tables (checksums made right unless the check is about a
 * wrong one), runs acpi_find_cpus() or acpi_madt_cpus() on them, and
 * checks the CPUs found or the reason for refusing.  A read outside the
 * fake memory is itself a failure, and each MADT given to acpi_madt_cpus
 * directly sits in a heap buffer of exactly its length, so that
 * AddressSanitizer catches a read one byte past its end.
 *
 *   test_acpi [GROUP | --list]
 */
#include "arch/x86/acpi.h"
#include "hypervisor/lib.h"
#include <stdlib.h>

#include "check.h"     /* passed/failed, CHECK, CHECKF, struct group, CHECK_MAIN */

#define LOW_SIZE   0x100000u
#define FAKE_HIGH  0x07fe0000u          /* where QEMU's SeaBIOS puts them, 128 MiB machine */
#define HIGH_SIZE  0x10000u
#define RSDT_PA    (FAKE_HIGH + 0x100)
#define MADT_PA    (FAKE_HIGH + 0x1000)
#define OTHER_PA   (FAKE_HIGH + 0x800)   /* another table (a FACP) listed before the MADT */

static uint8_t low[LOW_SIZE], high[HIGH_SIZE];
static unsigned bad_reads;

static void fake_read(void *dst, paddr_t pa, size_t n)
{
    if (pa + n <= LOW_SIZE)
        memcpy(dst, low + pa, n);
    else if (pa >= FAKE_HIGH && pa + n <= FAKE_HIGH + HIGH_SIZE)
        memcpy(dst, high + (pa - FAKE_HIGH), n);
    else {
        memset(dst, 0xff, n);           /* what a read of no RAM gives */
        bad_reads++;
    }
}

static uint8_t *at(uint32_t pa) { return pa < LOW_SIZE ? low + pa : high + (pa - FAKE_HIGH); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s;
}

/* A table header at pa: signature, length, checksum made right. */
static void header(uint32_t pa, const char *sig, uint32_t len)
{
    uint8_t *t = at(pa);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = 1;
    memcpy(t + 10, "RINGON", 6);
    t[9] = 0;
    t[9] = (uint8_t)-sum(t, len);
}

/* The RSDP at pa, pointing at rsdt. */
static void rsdp(uint32_t pa, uint32_t rsdt)
{
    uint8_t *r = at(pa);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "RINGON", 6);
    put32(r + 16, rsdt);
    r[8] = 0;
    r[8] = (uint8_t)-sum(r, 20);
}

/* A MADT body (after its 44 bytes) built entry by entry. */
struct madt { uint8_t b[4096]; uint32_t len; };

static void madt_init(struct madt *m) { memset(m, 0, sizeof(*m)); m->len = 44; }
static void entry(struct madt *m, uint8_t type, uint8_t len, uint8_t id, uint32_t flags)
{
    uint8_t *e = m->b + m->len;
    e[0] = type, e[1] = len;
    if (len >= 4)
        e[2] = id, e[3] = id;          /* processor uid, APIC id */
    if (len >= 8)
        put32(e + 4, flags);
    m->len += len;
}
static void lapic(struct madt *m, uint8_t id) { entry(m, 0, 8, id, 1); }

/* The whole chain: RSDP in the BIOS area, RSDT (FACP, MADT) high. */
static void machine(const struct madt *m)
{
    memset(low, 0, sizeof(low));
    memset(high, 0, sizeof(high));
    bad_reads = 0;
    rsdp(0xf5a20, RSDT_PA);
    put32(at(RSDT_PA) + 36, OTHER_PA);
    put32(at(RSDT_PA) + 40, MADT_PA);
    header(RSDT_PA, "RSDT", 44);
    header(OTHER_PA, "FACP", 116);
    memcpy(at(MADT_PA), m->b, m->len);
    put32(at(MADT_PA) + 36, 0xfee00000);
    header(MADT_PA, "APIC", m->len);
}

static void madt_resum(void)
{
    uint8_t *t = at(MADT_PA);
    uint32_t len;
    memcpy(&len, t + 4, 4);
    t[9] = 0;
    t[9] = (uint8_t)-sum(t, len);
}

/* acpi_madt_cpus on exactly len bytes on the heap. */
static const char *madt_parse(const uint8_t *b, uint32_t len, struct acpi_cpus *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, b, len);
    const char *why = acpi_madt_cpus(copy, len, out);
    free(copy);
    return why;
}

#define REFUSED(why, needle) CHECKF((why) && strstr((why), (needle)), "reason %s", (why) ? (why) : "(none)")

static void four_cpus_found(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0), lapic(&m, 1);
    entry(&m, 1, 12, 0, 0);             /* an I/O APIC: skipped */
    lapic(&m, 2), lapic(&m, 3);
    entry(&m, 2, 10, 0, 0);             /* an interrupt override: skipped */
    machine(&m);
    const char *why = acpi_find_cpus(fake_read, &c);
    CHECKF(!why, "refused: %s", why);
    CHECKF(c.listed == 4, "listed %u", c.listed);
    for (unsigned i = 0; i < 4; i++)
        CHECKF(c.apic_id[i] == i, "apic_id[%u] %u", i, c.apic_id[i]);
    CHECKF(!bad_reads, "%u reads outside memory", bad_reads);
}

static void rsdp_in_the_ebda_first(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 5);
    machine(&m);
    memset(at(0xf5a20), 0, 20);         /* none in the BIOS area */
    low[0x40e] = 0xc0, low[0x40f] = 0x9f;        /* EBDA at 0x9fc00 */
    rsdp(0x9fc40, RSDT_PA);
    CHECK(!acpi_find_cpus(fake_read, &c) && c.listed == 1 && c.apic_id[0] == 5);
    memset(at(0x9fc40), 0, 20);
    REFUSED(acpi_find_cpus(fake_read, &c), "no ACPI RSDP");
    low[0x40e] = 0, low[0x40f] = 0x10;           /* an "EBDA" at 0x10000: not scanned */
    rsdp(0x10000, RSDT_PA);
    REFUSED(acpi_find_cpus(fake_read, &c), "no ACPI RSDP");
    CHECKF(!bad_reads, "%u reads outside memory", bad_reads);
}

static void bad_checksums(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0), lapic(&m, 1);
    machine(&m);
    at(0xf5a20)[8]++;                   /* RSDP: not one, so none is found */
    REFUSED(acpi_find_cpus(fake_read, &c), "no ACPI RSDP");
    machine(&m);
    at(RSDT_PA)[9]++;
    REFUSED(acpi_find_cpus(fake_read, &c), "checksum");
    machine(&m);
    at(MADT_PA)[44 + 3] = 7;            /* an APIC id changed after the sum */
    REFUSED(acpi_find_cpus(fake_read, &c), "checksum");
    CHECKF(!bad_reads, "%u reads outside memory", bad_reads);
}

static void table_lengths_out_of_bounds(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0), lapic(&m, 1);
    uint32_t lens[] = { 0, 35, 4097, 0xffffffffu };
    for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
        machine(&m);
        put32(at(RSDT_PA) + 4, lens[i]);
        REFUSED(acpi_find_cpus(fake_read, &c), "length is out of bounds");
        machine(&m);
        put32(at(MADT_PA) + 4, lens[i]);
        REFUSED(acpi_find_cpus(fake_read, &c), "length is out of bounds");
    }
    machine(&m);                        /* a MADT of a header only: too short for its fields */
    put32(at(MADT_PA) + 4, 40);
    madt_resum();
    REFUSED(acpi_find_cpus(fake_read, &c), "shorter than its header");
    CHECKF(!bad_reads, "%u reads outside memory", bad_reads);
}

static void wrong_signatures(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0);
    machine(&m);
    memcpy(at(RSDT_PA), "XSDT", 4);
    REFUSED(acpi_find_cpus(fake_read, &c), "signature");
    machine(&m);
    memcpy(at(MADT_PA), "APIX", 4);
    REFUSED(acpi_find_cpus(fake_read, &c), "lists no MADT");
    machine(&m);
    put32(at(RSDT_PA) + 40, 0xfffff000u);   /* a pointer to no RAM */
    header(RSDT_PA, "RSDT", 44);
    bad_reads = 0;
    REFUSED(acpi_find_cpus(fake_read, &c), "lists no MADT");
}

static void entries_past_the_end(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0);
    lapic(&m, 1);
    m.b[m.len - 8 + 1] = 9;             /* the last entry claims one byte more than there is */
    REFUSED(madt_parse(m.b, m.len, &c), "length is out of bounds");
    madt_init(&m);
    lapic(&m, 0);
    m.b[m.len++] = 0;                   /* a type byte, and no room for its length */
    REFUSED(madt_parse(m.b, m.len, &c), "length is out of bounds");
    madt_init(&m);
    lapic(&m, 0);
    entry(&m, 1, 200, 0, 0);
    m.len -= 100;                       /* an I/O APIC entry running 100 bytes past the end */
    REFUSED(madt_parse(m.b, m.len, &c), "length is out of bounds");
    madt_init(&m);
    lapic(&m, 0);                       /* and the same through the whole chain */
    entry(&m, 0, 8, 1, 1);
    machine(&m);
    at(MADT_PA)[44 + 8 + 1] = 12;
    madt_resum();
    REFUSED(acpi_find_cpus(fake_read, &c), "length is out of bounds");
}

static void zero_and_short_entries(void)
{
    struct madt m;
    struct acpi_cpus c;
    for (uint8_t len = 0; len < 2; len++) {
        madt_init(&m);
        lapic(&m, 0);
        entry(&m, 1, len, 0, 0);        /* would never advance */
        m.len = m.len - len + 12;
        REFUSED(madt_parse(m.b, m.len, &c), "length is out of bounds");
    }
    for (uint8_t len = 2; len < 8; len++) {
        madt_init(&m);
        lapic(&m, 0);
        entry(&m, 0, len, 1, 1);        /* a local APIC entry too short for its flags */
        REFUSED(madt_parse(m.b, m.len, &c), "shorter than 8 bytes");
    }
    madt_init(&m);
    lapic(&m, 0);
    entry(&m, 0, 12, 1, 1);             /* longer ones are fine: later revisions grow entries */
    CHECK(!madt_parse(m.b, m.len, &c) && c.listed == 2);
}

static void disabled_duplicate_and_too_many(void)
{
    struct madt m;
    struct acpi_cpus c;
    madt_init(&m);
    lapic(&m, 0);
    entry(&m, 0, 8, 1, 0);              /* disabled: not listed */
    entry(&m, 0, 8, 2, 2);              /* online-capable but not enabled: not listed */
    lapic(&m, 3);
    CHECK(!madt_parse(m.b, m.len, &c) && c.listed == 2 && c.apic_id[1] == 3);
    lapic(&m, 3);
    REFUSED(madt_parse(m.b, m.len, &c), "twice");
    madt_init(&m);
    entry(&m, 0, 8, 1, 0);
    REFUSED(madt_parse(m.b, m.len, &c), "no enabled local APIC");
    madt_init(&m);
    for (unsigned i = 0; i < 20; i++)
        lapic(&m, (uint8_t)(i * 3));
    CHECK(!madt_parse(m.b, m.len, &c) && c.listed == 20);
    for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
        CHECKF(c.apic_id[i] == i * 3, "apic_id[%u] %u", i, c.apic_id[i]);
}

/* Random bytes after a valid header: never a read past the end (ASan), always a verdict. */
static void random_madts(void)
{
    struct acpi_cpus c;
    uint8_t b[300];
    for (unsigned n = 0; n < 100000; n++) {
        uint32_t len = 44 + check_random() % 200;
        for (uint32_t i = 44; i < len; i++) {
            uint32_t r = check_random();
            b[i] = (r & 0x300) ? (uint8_t)(r & 0x0f) : (uint8_t)r;      /* small numbers, often */
        }
        const char *why = madt_parse(b, len, &c);
        CHECKF(why || (c.listed >= 1), "len %u: accepted with no CPU", len);
    }
}

static const struct group groups[] = {
    { "four_cpus_found", four_cpus_found },
    { "rsdp_in_the_ebda_first", rsdp_in_the_ebda_first },
    { "bad_checksums", bad_checksums },
    { "table_lengths_out_of_bounds", table_lengths_out_of_bounds },
    { "wrong_signatures", wrong_signatures },
    { "entries_past_the_end", entries_past_the_end },
    { "zero_and_short_entries", zero_and_short_entries },
    { "disabled_duplicate_and_too_many", disabled_duplicate_and_too_many },
    { "random_madts", random_madts },
};
CHECK_MAIN(groups)
