/*
 * apic.c - the local APIC: one page of registers, a timer and two pins.
 *
 * Every CPU since the Pentium has one.  Here it does three jobs: its timer
 * interrupts on APIC_TIMER_VECTOR (the scheduler's tick when there is an
 * APIC); its LINT0 pin, in ExtINT mode, passes the 8259's interrupts
 * (COM1) through untouched, as "virtual wire" mode does on every PC; and
 * its EOI register ends each timer interrupt.  The I/O APIC is never
 * used.  Its registers are a 4 KiB page of MMIO, mapped uncached in the
 * per-domain area so that every address space sees it (paging_map_mmio).
 * No policy here: whether the APIC drives the tick, and how fast, is
 * hypervisor/event/time.c's.
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"
#include "hypervisor/console/console.h"
#include "hypervisor/lib.h"

#define MSR_APIC_BASE      0x1bu
#define APIC_BASE_ENABLE   (1u << 11)      /* the APIC is on (the firmware's choice) */
#define APIC_MMIO_SLOT     511             /* in the per-domain L1: see paging_map_mmio */

/* Register offsets in the page (each a 32-bit word on a 16-byte boundary). */
#define APIC_ID      0x020
#define APIC_VERSION 0x030
#define APIC_TPR     0x080     /* task priority: 0 accepts every vector */
#define APIC_EOI     0x0b0
#define APIC_SVR     0x0f0     /* spurious vector and the software enable */
#define APIC_ESR     0x280
#define APIC_ICR_LOW  0x300    /* interrupt command: writing it sends the IPI */
#define APIC_ICR_HIGH 0x310    /* its destination APIC id, in bits 24-31 */
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_THERM 0x330
#define APIC_LVT_PERF  0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT  0x380
#define APIC_TIMER_COUNT 0x390
#define APIC_TIMER_DIV   0x3e0

#define SVR_ENABLE     (1u << 8)
#define LVT_MASKED     (1u << 16)
#define LVT_PERIODIC   (1u << 17)
#define LVT_EXTINT     (7u << 8)     /* delivery mode: the 8259 supplies the vector */
#define TIMER_DIV_16   0x3
#define ICR_PENDING    (1u << 12)    /* delivery status: not yet accepted */

static volatile uint32_t *apic_page;

static uint32_t apic_read(unsigned reg) { return apic_page[reg / 4]; }
static void apic_write(unsigned reg, uint32_t v) { apic_page[reg / 4] = v; }

bool apic_init(void)
{
    if (apic_page)
        return true;                                 /* already on (the tick's, or smp.c's) */
    if (!cpu.apic)
        return false;
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (!(base & APIC_BASE_ENABLE))
        return false;
    paddr_t pa = base & PTE_MFN_MASK;
    apic_page = paging_map_mmio(APIC_MMIO_SLOT, pa);

    unsigned max_lvt = (apic_read(APIC_VERSION) >> 16) & 0xff;
    apic_write(APIC_SVR, SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_LVT_LINT0, LVT_EXTINT);          /* unmasked: the 8259's path */
    apic_write(APIC_LVT_LINT1, LVT_MASKED);          /* no NMIs: nothing handles one */
    apic_write(APIC_LVT_ERROR, LVT_MASKED | APIC_SPURIOUS_VECTOR);
    if (max_lvt >= 4)
        apic_write(APIC_LVT_PERF, LVT_MASKED);
    if (max_lvt >= 5)
        apic_write(APIC_LVT_THERM, LVT_MASKED);
    apic_write(APIC_ESR, 0);                         /* clear any error latched so far */
    apic_write(APIC_ESR, 0);
    hvlog("apic: local APIC %u at 0x%llx, version 0x%x, %u LVT entries\n",
          apic_read(APIC_ID) >> 24, (unsigned long long)pa, apic_read(APIC_VERSION) & 0xff,
          max_lvt + 1);
    return true;
}

/* One-shot and masked: the count runs down but raises nothing. */
uint32_t apic_timer_measure(uint64_t tsc_cycles)
{
    apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_INIT, 0xffffffffu);
    uint64_t start = rdtsc();
    while (rdtsc() - start < tsc_cycles)
        ;
    uint32_t left = apic_read(APIC_TIMER_COUNT);
    apic_write(APIC_TIMER_INIT, 0);                  /* stop */
    return 0xffffffffu - left;
}

void apic_timer_start_periodic(uint32_t count)
{
    apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
    apic_write(APIC_LVT_TIMER, LVT_PERIODIC | APIC_TIMER_VECTOR);
    apic_write(APIC_TIMER_INIT, count);
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

uint32_t apic_id(void)
{
    return apic_read(APIC_ID) >> 24;
}

void apic_ipi(uint32_t dest, uint32_t icr)
{
    apic_write(APIC_ICR_HIGH, dest << 24);
    apic_write(APIC_ICR_LOW, icr);
    while (apic_read(APIC_ICR_LOW) & ICR_PENDING)
        pause();
}
