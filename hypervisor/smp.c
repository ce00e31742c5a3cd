/*
 * smp.c - start the other physical CPUs (the APs), and park them.
 *
 * The firmware's MADT (arch/x86/acpi.c) lists the local APIC of every CPU.
 * The boot CPU starts each other one with Intel's INIT-SIPI-SIPI sequence
 * (SDM vol. 3, 8.4.4.1): an INIT IPI resets it, and a startup IPI sends it
 * to a page below 1 MiB in real mode, where arch/x86/trampoline.S takes it
 * to paging on the hypervisor's tables and into smp_ap_main() on its own
 * stack.  It loads its own GDT and TSS, says it is up, and halts with
 * interrupts off for good: it runs no guest yet.  Guests stay on CPU 0
 * until the locks of docs/smp.md exist; until then no AP touches shared
 * state after its one line, and the boot CPU waits for that line before
 * starting the next, so no lock is needed here.
 */
#include "hypervisor/smp.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/event/time.h"
#include "hypervisor/lib.h"
#include "arch/x86/apic.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

#define INIT_WAIT_NS  10000000ull       /* 10 ms after INIT (the SDM's) */
#define SIPI_WAIT_NS  200000ull         /* 200 us after each SIPI */
#define UP_WAIT_NS    5000000000ull     /* 5 s for its line, as Linux waits */

struct percpu percpu[NR_CPUS];

/* The words at the end of the trampoline (trampoline.S), in order. */
struct trampoline_args { uint32_t cr0, cr3, cr4, esp, entry; };
extern const uint8_t trampoline_start[], trampoline_end[];
extern pte_t boot_l2_low[];

/* The trampoline's page tables: the boot identity map of low memory, and L3 slot 3. */
static pte_t ap_pdpt[4] __attribute__((aligned(32)));
static volatile unsigned ap_starting;   /* the number of the AP being started */

static void __noreturn smp_ap_main(void)
{
    struct percpu *c = &percpu[ap_starting];
    write_cr3(directmap_pa(boot_pdpt));         /* no identity map from here on */
    desc_init_cpu(&c->desc, (uint32_t)c->stack + sizeof(c->stack));
    hvlog("cpu%u up (apic id %u), parked: guests run on cpu0 until the locks of docs/smp.md exist\n",
          ap_starting, c->apic_id);
    c->up = true;
    for (;;) {
        cli();
        hlt();
    }
}

static void wait_ns(uint64_t ns, volatile bool *until)
{
    uint64_t end = time_now_ns() + ns;
    while (time_now_ns() < end && !(until && *until))
        pause();
}

/* The first page of usable RAM below 1 MiB, but page 0 and the multiboot information; 0 if none. */
static paddr_t trampoline_page(const struct boot_info *bi)
{
    for (paddr_t pa = PAGE_SIZE; pa < 0xa0000; pa += PAGE_SIZE)
        if (memmap_contains(&bi->mem, pa, pa + PAGE_SIZE) &&
            (pa + PAGE_SIZE <= bi->mbi_start || pa >= bi->mbi_end))
            return pa;
    return 0;
}

/* INIT, then two SIPIs, then wait for its line: true if CPU n said it is up. */
static bool ap_start(unsigned n, uint32_t apic, paddr_t page, struct trampoline_args *args)
{
    struct percpu *c = &percpu[n];
    c->apic_id = apic;
    args->esp = (uint32_t)c->stack + sizeof(c->stack);
    ap_starting = n;
    apic_ipi(apic, APIC_IPI_INIT);
    wait_ns(INIT_WAIT_NS, NULL);
    for (unsigned i = 0; i < 2 && !c->up; i++) {      /* a second SIPI: the SDM's, for one missed */
        apic_ipi(apic, APIC_IPI_STARTUP | (uint32_t)(page >> PAGE_SHIFT));
        wait_ns(SIPI_WAIT_NS, &c->up);
    }
    wait_ns(UP_WAIT_NS, &c->up);
    return c->up;
}

/* Start the APs of `found`, at most `max` CPUs in all; returns how many CPUs run. */
static unsigned start_aps(const struct boot_info *bi, const struct acpi_cpus *found, unsigned max)
{
    paddr_t page = trampoline_page(bi);
    size_t size = (size_t)(trampoline_end - trampoline_start);
    if (!page || !apic_init()) {
        hvlog("smp: %s; the APs are not started\n",
              page ? "no enabled local APIC" : "no free page below 1 MiB for the trampoline");
        return 1;
    }
    percpu[0].apic_id = apic_id();
    memcpy(directmap_va(page), trampoline_start, size);
    struct trampoline_args *args = (void *)((uint8_t *)directmap_va(page) + size - sizeof(*args));
    ap_pdpt[0] = directmap_pa(boot_l2_low) | _PAGE_PRESENT;
    ap_pdpt[3] = boot_pdpt[3];
    *args = (struct trampoline_args){ read_cr0(), (uint32_t)directmap_pa(ap_pdpt), read_cr4(),
                                      0, (uint32_t)smp_ap_main };
    unsigned running = 1;
    for (unsigned i = 0; i < MIN(found->listed, NR_CPUS) && running < max; i++) {
        if (found->apic_id[i] == percpu[0].apic_id)
            continue;
        /* One that did not answer may yet wake: no other may then share its stack. */
        if (!ap_start(running, found->apic_id[i], page, args)) {
            hvlog("smp: the CPU with apic id %u did not start; no more are tried\n", found->apic_id[i]);
            break;
        }
        running++;
    }
    return running;
}

void smp_init(const struct boot_info *bi)
{
    struct acpi_cpus found;
    if (hv_opts.nosmp) {
        hvlog("smp: nosmp: 1 CPU running, the boot CPU; no firmware table read\n");
        return;
    }
    const char *why = acpi_find_cpus(phys_read, &found);
    if (why) {
        hvlog("smp: %s: 1 CPU running, the boot CPU\n", why);
        return;
    }
    unsigned max = hv_opts.maxcpus ? MIN(hv_opts.maxcpus, NR_CPUS) : NR_CPUS;
    unsigned running = found.listed > 1 && max > 1 ? start_aps(bi, &found, max) : 1;
    char limit[24] = "";
    if (hv_opts.maxcpus)
        snprintf(limit, sizeof(limit), " (maxcpus=%u)", hv_opts.maxcpus);
    hvlog("smp: %u CPU%s found (ACPI MADT), %u running%s%s\n", found.listed,
          found.listed == 1 ? "" : "s", running, limit,
          running == 1 ? ", the boot CPU" : "; guests run on cpu0, the APs are parked");
}
