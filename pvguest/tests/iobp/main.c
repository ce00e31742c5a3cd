/*
 * iobp - the guest's own CR4 (DE, TSD) and I/O breakpoints, as Xen gives them.
 *
 * A PV kernel may set a few CR4 bits in its virtual CR4 with an emulated
 * mov to %cr4; Xen keeps TSD, DE, FSGSBASE and OSXSAVE where its CPUID
 * shows the feature, and silently ignores the rest.  This guest checks:
 *  - CR4: DE and TSD read back once written; PGE and OSXSAVE are ignored
 *    (the write still succeeds); CPUID leaf 1 shows DE;
 *  - CR4.DE clear: DR4/DR5 are DR6/DR7; a DR7 with an enabled I/O
 *    breakpoint (R/W 10b) is -EPERM and DR7 keeps its old value;
 *  - CR4.DE set: DR4/DR5 are -ENODEV through get/set_debugreg and #UD
 *    through mov; I/O breakpoints are accepted and read back, and each
 *    emulated port access they cover (in, out, a word across the port,
 *    rep outsb) raises #DB after the instruction with DR6.Bn set, as Xen's
 *    check_guest_io_breakpoint(); a rep stops after the element that hit;
 *    ports they do not cover, and everything once DE is clear again, run
 *    without a #DB;
 *  - CR4.TSD set: rdtsc still works in ring 1 and is #GP in ring 3; clear
 *    again, ring 3 reads the TSC.
 * The port I/O is emulated under a virtual IOPL of 1 (no device answers).
 */
#include "pvguest/lib/pvguest.h"

#define CR4_TSD (1u << 2)
#define CR4_DE (1u << 3)
#define CR4_PGE (1u << 7)
#define CR4_OSXSAVE (1u << 18)
#define DR7_L0 0x1u
#define DR7_IO0 (2u << 16)          /* R/W0 = 10b: breakpoint 0 on I/O */
#define DR7_LEN0_2 (1u << 18)       /* LEN0 = 01b: two bytes */

static uint32_t rd_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4,%0" : "=r"(v)); return v; }
static void wr_cr4(uint32_t v) { __asm__ volatile("mov %0,%%cr4" :: "r"(v) : "memory"); }
static uint32_t dr(int reg) { return (uint32_t)HYPERVISOR_get_debugreg(reg); }

static uint8_t buf[8];
uint32_t io_port;
PROBE(p_out, "movl io_port, %%edx", "outb %%al, %%dx", : : "eax", "edx")
PROBE(p_in, "movl io_port, %%edx", "inb %%dx, %%al", : : "eax", "edx")
PROBE(p_inw, "movl io_port, %%edx", "inw %%dx, %%ax", : : "eax", "edx")
PROBE(p_out_imm, "", "outb %%al, $0x80", : : "eax")
PROBE(p_mov_dr4, "", "movl %%db4, %%eax", : : "eax")
PROBE(p_rdtsc, "", "rdtsc", : : "eax", "edx")

/* rep outsb of 5 bytes to port 0x80: ECX afterwards and where the #DB said it was. */
uint32_t outs_ecx;
extern char at_rep_outs[];
static __attribute__((noinline)) void rep_outs(void)
{
    uint32_t ecx = 5, esi = (uint32_t)(uintptr_t)buf;
    exinfo_clear();
    __asm__ volatile(".globl at_rep_outs\nat_rep_outs: rep outsb\n2:\n\t"
                     _ASM_EXTABLE(at_rep_outs, 2b) _ASM_EXTABLE(2b, 2b)
                     : "+c"(ecx), "+S"(esi) : "d"(0x80) : "memory");
    outs_ecx = ecx;
}

/* Run one port access at `port`; how many #DBs, and was it after the instruction? */
static void io_probe(const char *what, void (*probe)(void), uint32_t port, unsigned want_db)
{
    io_port = port;
    HYPERVISOR_set_debugreg(6, 0);
    run_probe(1, probe);
    check(exinfo.count, want_db, "#DB from %s", what);
    if (!want_db)
        return;
    check_str("the #DB is vector 1", trap_name(exinfo.vector), "#DB");
    check(exinfo.eip == probe_at.next, 1, "#DB from %s comes after the instruction", what);
    check_hex("DR6 says breakpoint 0 hit", dr(6) & 0xf, 1);
}

static void check_cr4(void)
{
    struct cpuid_regs r;
    xen_cpuid(1, 0, &r);
    check_hex("CPUID leaf 1 shows DE", r.edx & (1u << 2), 1u << 2);
    uint32_t cr4 = rd_cr4();
    check_hex("a new domain's CR4.DE and TSD", cr4 & (CR4_DE | CR4_TSD), 0);
    wr_cr4(cr4 | CR4_DE | CR4_PGE | CR4_OSXSAVE);
    check_hex("CR4 after setting DE, PGE and OSXSAVE: DE only", rd_cr4(), cr4 | CR4_DE);
    wr_cr4(cr4);
    check_hex("CR4 after clearing DE", rd_cr4(), cr4);
}

static void de_clear(void)
{
    check_rc("set DR0 to port 0x80", HYPERVISOR_set_debugreg(0, 0x80), 0);
    check_rc("set DR7 to a data breakpoint", HYPERVISOR_set_debugreg(7, DR7_L0 | (1u << 16)), 0);
    check_rc("an I/O breakpoint without CR4.DE", HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_IO0), -EPERM);
    check_hex("DR7 keeps its old value", dr(7), 0x400 | DR7_L0 | (1u << 16));
    check_rc("set DR7 0", HYPERVISOR_set_debugreg(7, 0), 0);
    check_hex("DR5 is DR7 without DE", dr(5), 0x400);
    check_rc("set DR4 (DR6) without DE", HYPERVISOR_set_debugreg(4, 0), 0);
}

static void de_set(void)
{
    wr_cr4(rd_cr4() | CR4_DE);
    check_rc("get DR4 under CR4.DE", HYPERVISOR_get_debugreg(4), -ENODEV);
    check_rc("set DR5 under CR4.DE", HYPERVISOR_set_debugreg(5, 0), -ENODEV);
    run_probe(1, p_mov_dr4);
    check_str("mov %db4 under CR4.DE", exinfo.count ? trap_name(exinfo.vector) : "no exception", "#UD");
    check_rc("set DR7 with an I/O breakpoint on DR0 (port 0x80, 2 bytes)",
             HYPERVISOR_set_debugreg(7, DR7_L0 | DR7_IO0 | DR7_LEN0_2), 0);
    check_hex("DR7 reads back the I/O breakpoint", dr(7), 0x400 | DR7_L0 | DR7_IO0 | DR7_LEN0_2);
    io_probe("out to port 0x80", p_out, 0x80, 1);
    io_probe("out $0x80", p_out_imm, 0, 1);
    io_probe("in from port 0x81", p_in, 0x81, 1);
    io_probe("inw from port 0x7f (0x7f-0x80)", p_inw, 0x7f, 1);
    io_probe("out to port 0x82", p_out, 0x82, 0);
    io_probe("in from port 0x7e", p_in, 0x7e, 0);
    HYPERVISOR_set_debugreg(6, 0);
    rep_outs();
    check_rc("#DB from rep outsb of 5 bytes to port 0x80", exinfo.count, 1);
    check_hex("the #DB of a rep with elements left is at the rep itself", exinfo.eip,
              (uint32_t)(uintptr_t)at_rep_outs);
    check_rc("ECX after the first element", outs_ecx, 4);
    check_hex("DR6 after rep outsb", dr(6) & 0xf, 1);
    wr_cr4(rd_cr4() & ~CR4_DE);
    io_probe("out to port 0x80 once CR4.DE is clear", p_out, 0x80, 0);
    check_rc("set DR7 0", HYPERVISOR_set_debugreg(7, 0), 0);
}

static void tsd(void)
{
    wr_cr4(rd_cr4() | CR4_TSD);
    check_hex("CR4.TSD reads back", rd_cr4() & CR4_TSD, CR4_TSD);
    run_probe(1, p_rdtsc);
    check_str("rdtsc in ring 1 under the guest's TSD", exinfo.count ? trap_name(exinfo.vector) : "runs", "runs");
    run_probe(3, p_rdtsc);
    check_str("rdtsc in ring 3 under the guest's TSD", exinfo.count ? trap_name(exinfo.vector) : "runs", "#GP");
    wr_cr4(rd_cr4() & ~CR4_TSD);
    run_probe(3, p_rdtsc);
    check_str("rdtsc in ring 3 once TSD is clear", exinfo.count ? trap_name(exinfo.vector) : "runs", "runs");
}

void pvguest_main(const xen_start_info_t *si)
{
    struct xen_physdev_set_iopl io = { .iopl = 1 };
    (void)si;
    traps_init();
    check_rc("set_iopl 1", HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &io), 0);
    check_cr4();
    de_clear();
    de_set();
    tsd();
    test_pass();
    xtf_exit();
}
