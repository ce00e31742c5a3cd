/*
 * badargs - every implemented hypercall, given arguments it must refuse.
 *
 * A hypercall argument is a guest's word, and the guest may be lying.  A
 * pointer must lie wholly inside the guest's own mapped memory - not in the
 * hypervisor above 0xF5800000, not on an unmapped page, not across the end
 * of the mapping or the start of the hole, not wrapping past 4 GiB, and for
 * an output not on a read-only page (our page tables) - or the call fails
 * with -EFAULT and touches nothing.  Lengths are unsigned on the wire but a
 * negative console_io count is -EINVAL; unknown hypercall numbers and
 * sub-ops are -ENOSYS; the dom0-only calls are -EPERM.  And what Xen
 * accepts must keep working: a buffer at an odd address is fine.
 * Every check is one line "check <what>: got <rc> want <rc>".
 *
 * "The end of the mapping" is found by walking our own page tables
 * (lib/pagetable.c), so the straddling addresses are exact.
 */
#include "pvguest/lib/pvguest.h"

/* Addresses to try.  A straddling one starts len/2 bytes before `base`. */
struct bad_ptr {
    const char *what;
    uint32_t base;
    bool straddle;
};
static struct bad_ptr bad[12];
static unsigned nr_bad;
static uint32_t map_end;

static void add_bad(const char *what, uint32_t base, bool straddle)
{
    bad[nr_bad++] = (struct bad_ptr){ what, base, straddle };
}

static uint32_t bad_addr(const struct bad_ptr *b, uint32_t len)
{
    return b->straddle ? b->base - len / 2 : b->base;
}

static void find_bad_pointers(const xen_start_info_t *si)
{
    uint64_t pte;

    map_end = pt_mapped_end(PV_VIRT_BASE);
    printf("initial mapping [0x%08x,0x%08x), pt_base 0x%08lx\n", PV_VIRT_BASE,
           map_end, (unsigned long)si->pt_base);
    add_bad("hypervisor 0xf5800000 (M2P)", 0xF5800000u, false);
    add_bad("hypervisor 0xfc100000", 0xFC100000u, false);
    add_bad("top page 0xfffff000", 0xFFFFF000u, false);
    add_bad("unmapped (first page past the mapping)", map_end, false);
    add_bad("straddling the end of the mapping", map_end, true);
    add_bad("straddling the hole start", HYPERVISOR_VIRT_START, true);
    add_bad("wrapping past 4 GiB", 0, true);
    if (!pt_lookup(0, &pte))
        add_bad("NULL", 0, false);
    if (PV_VIRT_BASE >= 0x800000u && !pt_lookup(0x400000u, &pte))
        add_bad("below VIRT_BASE 0x00400000", 0x400000u, false);
}

static char *ptr(uint32_t va)
{
    return (char *)(uintptr_t)va;
}

/* An odd address: the buffer starts one byte into a 4-aligned array. */
static char odd_text[] __attribute__((aligned(4))) =
    "Xunaligned console_io buffer works\n";

static void console_io_checks(void)
{
    char *ok = odd_text + 1;
    uint32_t len = strlen(ok);

    for (unsigned i = 0; i < nr_bad; i++)
        check(HYPERVISOR_console_io(CONSOLEIO_write, 16, ptr(bad_addr(&bad[i], 16))),
              -EFAULT, "console_io write, buffer %s", bad[i].what);
    check(HYPERVISOR_console_io(CONSOLEIO_write, len, ok), 0,
          "console_io write, odd address %p", ok);
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0, ok), 0,
          "console_io write, count 0");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0, ptr(0xF5800000u)), 0,
          "console_io write, count 0, hypervisor buffer (nothing to read)");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0x7fffffff, ptr(map_end - 16)),
          -EFAULT, "console_io write, count 0x7fffffff (runs off the mapping)");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0x80000000u, ok), -EINVAL,
          "console_io write, count 0x80000000 (negative)");
    check(HYPERVISOR_console_io(CONSOLEIO_write, 0xffffffffu, ok), -EINVAL,
          "console_io write, count -1");
    check(HYPERVISOR_console_io(99, len, ok), -ENOSYS, "console_io cmd 99");
    check(HYPERVISOR_console_io(0xffffffffu, len, ok), -ENOSYS, "console_io cmd -1");
}

static void xen_version_checks(const xen_start_info_t *si)
{
    static char buf[1 + 144] __attribute__((aligned(4)));
    xen_extraversion_t aligned;
    struct xen_platform_parameters *pp = (void *)(buf + 1);

    for (unsigned i = 0; i < nr_bad; i++)
        check(HYPERVISOR_xen_version(XENVER_extraversion, ptr(bad_addr(&bad[i], 16))),
              -EFAULT, "xen_version extraversion, output %s", bad[i].what);
    check(HYPERVISOR_xen_version(XENVER_extraversion, ptr(si->pt_base)), -EFAULT,
          "xen_version extraversion, output on our read-only L3");
    check(HYPERVISOR_xen_version(XENVER_compile_info, ptr(map_end - 72)), -EFAULT,
          "xen_version compile_info, output straddling the end of the mapping");
    check(HYPERVISOR_xen_version(XENVER_get_features, ptr(map_end)), -EFAULT,
          "xen_version get_features, unmapped");
    check(HYPERVISOR_xen_version(XENVER_version, ptr(0xFFFFF000u)),
          HYPERVISOR_xen_version(XENVER_version, NULL),
          "xen_version version ignores a bad argument");

    HYPERVISOR_xen_version(XENVER_extraversion, aligned);
    memset(buf, 0xAA, sizeof(buf));
    check(HYPERVISOR_xen_version(XENVER_extraversion, buf + 1), 0,
          "xen_version extraversion, odd address %p", buf + 1);
    check(!memcmp(buf + 1, aligned, sizeof(aligned)), 1,
          "xen_version extraversion, odd address, same bytes");
    check(HYPERVISOR_xen_version(XENVER_platform_parameters, pp), 0,
          "xen_version platform_parameters, odd address %p", (void *)pp);
    check_hex("platform_parameters at an odd address, virt_start",
              pp->virt_start, HYPERVISOR_VIRT_START);
}

static void sched_op_checks(void)
{
    for (unsigned i = 0; i < nr_bad; i++)
        check(HYPERVISOR_sched_op(SCHEDOP_shutdown, ptr(bad_addr(&bad[i], 4))),
              -EFAULT, "sched_op shutdown, argument %s", bad[i].what);
    check(HYPERVISOR_sched_op(SCHEDOP_yield, ptr(0xFFFFF000u)), 0,
          "sched_op yield ignores its argument");
    check(HYPERVISOR_sched_op(99, NULL), -ENOSYS, "sched_op cmd 99");
    check(HYPERVISOR_sched_op(-1, NULL), -ENOSYS, "sched_op cmd -1");
}

/* Call hypercall page slot nr (the page holds 128), all arguments 0. */
static long call_slot(uint32_t nr)
{
    void *target = hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE;
    uint32_t b = 0, c = 0, d = 0, S = 0, D = 0;
    long ret;

    __asm__ __volatile__ ("call *%[t]"
                          : "=a" (ret), "+b" (b), "+c" (c), "+d" (d), "+S" (S),
                            "+D" (D)
                          : [t] "m" (target) : "memory", "cc");
    return ret;
}

static void number_checks(void)
{
    static const uint32_t slots[] = { 11, 25, 41, 43, 47, 56, 64, 127 };
    static const uint32_t raw[] = { 41, 64, 128, 256 + 17, 0x80000011u,
                                    0xffffffffu };
    static uint8_t zeros[256];

    for (unsigned i = 0; i < ARRAY_SIZE(slots); i++)
        check(call_slot(slots[i]), -ENOSYS, "hypercall page slot %u", slots[i]);
    for (unsigned i = 0; i < ARRAY_SIZE(raw); i++)
        check(HYPERVISOR_raw(raw[i], 0, 0, 0, 0, 0), -ENOSYS,
              "int $0x82 with eax 0x%x", raw[i]);
    check(HYPERVISOR_raw(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0),
          HYPERVISOR_xen_version(XENVER_version, NULL),
          "int $0x82 xen_version = the page's");

    check(HYPERVISOR_domctl(NULL), -EPERM, "domctl NULL");
    check(HYPERVISOR_domctl(zeros), -EPERM, "domctl zeroed record");
    check(HYPERVISOR_domctl(ptr(0xF5800000u)), -EPERM, "domctl hypervisor pointer");
    check(HYPERVISOR_sysctl(NULL), -EPERM, "sysctl NULL");
    check(HYPERVISOR_sysctl(zeros), -EPERM, "sysctl zeroed record");
    check(HYPERVISOR_sysctl(ptr(0xF5800000u)), -EPERM, "sysctl hypervisor pointer");
    check(HYPERVISOR_platform_op(NULL), -EPERM, "platform_op NULL");
    check(HYPERVISOR_platform_op(zeros), -EPERM, "platform_op zeroed record");
    check(HYPERVISOR_platform_op(ptr(0xF5800000u)), -EPERM,
          "platform_op hypervisor pointer");
}

void pvguest_main(const xen_start_info_t *si)
{
    find_bad_pointers(si);
    if (map_end < pvguest_boot_esp || map_end <= si->pt_base) {
        test_error("could not walk our page tables (mapping end 0x%08x)", map_end);
        xtf_exit();
    }
    console_io_checks();
    xen_version_checks(si);
    sched_op_checks();
    number_checks();
    test_pass();
    xtf_exit();
}
