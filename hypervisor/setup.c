/*
 * setup.c - start_hypervisor(): the boot sequence, in order.
 *
 * boot/multiboot.S calls this on the boot stack with paging on.  Each step
 * depends on the ones before it, so the order below is the design:
 *   1. our own mappings (mapcache, GDT area) and descriptor tables, so that
 *      a fault from here on is caught and explained rather than resetting
 *      the machine;
 *   2. the console, so everything after can be reported;
 *   3. what the boot loader told us: command line, memory, modules;
 *   4. the frame allocator, with everything precious reserved;
 *   5. the M2P table, then one domain per module, then the connect phase
 *      that wires each domain to the service domains (share/rings.c);
 *   6. the scheduler, which powers off with a status when no domain is left.
 */
#include "hypervisor/setup.h"
#include "hypervisor/smp.h"
#include "hypervisor/bootinfo.h"
#include "hypervisor/domain/builder.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/event/time.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/console_input.h"
#include "hypervisor/domain/shutdown.h"
#include "hypervisor/version.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/lib.h"
#include "arch/x86/cpu.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/pic.h"

/*
 * The one RAM minimum (README's "minimum RAM"): a machine of 32 MiB.  Such
 * a machine reports about 31.5 MiB usable (the BIOS keeps 384 KiB below
 * 1 MiB and a little at the top), and that holds the hypervisor, its M2P
 * and one domain of the default 16 MiB with room to spare.  The check is on
 * usable RAM, with the firmware's share allowed for, so that a 32 MiB
 * machine passes and a 31 MiB one (30.5 MiB usable) does not.
 */
#define MIN_RAM_MIB     32
#define MIN_USABLE_MIB  31

static struct boot_info boot;

static void print_memory(const struct boot_info *bi)
{
    hvlog("memory map (%s):\n", bi->have_mmap ? "multiboot" : "mem_lower/mem_upper");
    for (unsigned i = 0; i < bi->mem.nram; i++)
        hvlog("  0x%09llx-0x%09llx usable %llu KiB\n",
              (unsigned long long)bi->mem.ram[i].start, (unsigned long long)bi->mem.ram[i].end,
              (unsigned long long)((bi->mem.ram[i].end - bi->mem.ram[i].start) >> 10));
    hvlog("memory: %llu MiB usable in %u ranges, %llu MiB ignored\n",
          (unsigned long long)(bi->mem.total >> 20), bi->mem.nram,
          (unsigned long long)(bi->mem.ignored >> 20));
}

/* test-panic=...: fault on purpose, so tests can check the panic path. */
static void __attribute__((noinline)) setup_test_panic(const char *kind)
{
    hvlog("test-panic=%s: crashing on purpose\n", kind);
    static volatile uintptr_t bad_address = 0x00000bad;   /* volatile: opaque to gcc */
    if (!strcmp(kind, "pf"))
        *(volatile uint32_t *)bad_address = 1;
    else if (!strcmp(kind, "gp"))
        __asm__ volatile("mov %0,%%ds" :: "r"(HV_TSS));    /* a TSS is no data segment */
    else if (!strcmp(kind, "ud"))
        __asm__ volatile("ud2");
    else if (!strcmp(kind, "df"))       /* a stack that cannot be pushed: #PF becomes #DF */
        __asm__ volatile("mov $0x1000,%%esp; push %%eax" ::: "memory");
    else if (!strcmp(kind, "de"))
        __asm__ volatile("divl %1" :: "a"(1), "r"(0), "d"(0));
    else
        BUG_ON(strcmp(kind, "bug") == 0);
}

/*
 * One domain per module, numbered in module order.  A module that cannot be
 * built still takes its number (so "the third module is d2" always holds)
 * and is reported; the others boot regardless.  The one exception: a module
 * whose line says dom.ramdisk=1 takes the NEXT module as its ramdisk (Xen's
 * initrd: start_info.mod_start/mod_len), and that module is no domain, so
 * the domains after it are numbered one less.  Module frames are given
 * back once their contents have been copied into the domain.
 */
static void give_back(const struct boot_module *m)
{
    if (m->usable)                      /* reserved RAM becomes allocatable again */
        frame_add_ram(m->start & PAGE_MASK, ALIGN_UP(m->end, PAGE_SIZE));
}

/* Returns how many domains were built and can run. */
static unsigned build_domains(struct boot_info *bi)
{
    unsigned built = 0, wanted = 0;
    for (unsigned i = 0; i < bi->nmod; i++) {
        const struct boot_module *m = &bi->mod[i], *rd = NULL;
        unsigned index = i;
        wanted++;
        if (builder_wants_ramdisk(m) && i + 1 < bi->nmod)
            rd = &bi->mod[++i];
        struct domain *d = domain_alloc();
        if (!d) {
            hvlog("error: module %u (%s): no memory for another domain\n", index, m->cmdline);
            continue;
        }
        built += builder_build(d, m, index, rd);
        give_back(m);
        if (rd)
            give_back(rd);
    }
    unsigned failed = wanted - built;      /* a ramdisk module is no domain */
    char more[32] = "";
    if (failed)
        snprintf(more, sizeof(more), " (%u module%s not built)", failed, failed == 1 ? "" : "s");
    /* Counted now: a module that failed has given its frames back (builder.c). */
    hvlog("frames: %u free of %u after building %u domain%s%s\n", frame_free_count(),
          frame_total_count(), built, built == 1 ? "" : "s", more);
    return built;
}

void start_hypervisor(uint32_t magic, uint32_t mbi_pa)
{
    paging_init();
    desc_init();
    pic_init();
    console_init();
    hvlog("%s %s (Xen 3.0 x86_32p PV ABI subset), built %s\n",
          HV_NAME, HV_VERSION, HV_BUILD_DATE);

    if (!bootinfo_read(magic, mbi_pa, &boot))
        shutdown_machine(HV_STATUS_BOOT_ERROR);
    hvlog("boot loader: %s\n", boot.loader[0] ? boot.loader : "(unnamed)");
    hvlog("command line: '%s'\n", boot.cmdline);
    cmdline_parse(boot.cmdline);
    cpu_init(!hv_opts.no_umip, !hv_opts.no_cpuid_faulting);
    fpu_init();

    if (!bootinfo_memory(&boot))
        shutdown_machine(HV_STATUS_BOOT_ERROR);
    print_memory(&boot);
    if (boot.mem.total < (uint64_t)MIN_USABLE_MIB << 20) {
        hvlog("error: too little RAM: %llu MiB usable%s; the hypervisor needs a machine "
              "with at least %u MiB of RAM (%u MiB usable)\n",
              (unsigned long long)(boot.mem.total >> 20),
              boot.mem.ignored ? " (the rest set aside by mem=)" : "",
              MIN_RAM_MIB, MIN_USABLE_MIB);
        shutdown_machine(HV_STATUS_BOOT_ERROR);
    }
    frame_init();
    bootinfo_reserve(&boot);
    hvlog("frames: %u free of %u after reserving the image, BIOS area and %u module%s\n",
          frame_free_count(), frame_total_count(), boot.nmod, boot.nmod == 1 ? "" : "s");

    if (hv_opts.test_panic[0])
        setup_test_panic(hv_opts.test_panic);

    time_init();                    /* TSC, wallclock, the tick (taken once a guest runs) */
    smp_init(&boot);                /* the other CPUs: found, started, parked */
    uint32_t max_mfn = (uint32_t)(boot.mem.ram[boot.mem.nram - 1].end >> PAGE_SHIFT);
    m2p_init(max_mfn);
    page_table_init(max_mfn);
    /*
     * Nothing to run is not a clean end: tools/run and a test must tell a
     * run that did nothing from one whose domains all powered off.
     */
    if (!build_domains(&boot)) {
        if (!boot.nmod) {
            hvlog("no domains to run: no modules were given (each guest is a multiboot module)\n");
        } else {
            hvlog("no domains to run: none of the %u module%s could be built\n",
                  boot.nmod, boot.nmod == 1 ? "" : "s");
            domain_summary();       /* each one's reason, and the leak check */
        }
        shutdown_machine(HV_STATUS_NO_DOMAIN);
    }
    rings_connect();                /* store and console rings, before anything runs */
    console_input_init();           /* typed input: to d0 first, Ctrl-A x3 moves it on */
    sched_start();
}
