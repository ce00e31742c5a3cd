/*
 * debugreg - set_debugreg/get_debugreg keep Xen's rules, and breakpoints work.
 *
 * role=solo (the default) checks the hypercalls:
 *  - a new domain reads the reset values: DR0-3 0, DR6 0xffff0ff0, DR7
 *    0x400, and DR4/DR5 read as DR6/DR7;
 *  - DR0-3 take any address whose 4 bytes are below the hypervisor hole
 *    (0xF5800000) and return it; an address in or across the hole is
 *    -EPERM and leaves the register as it was;
 *  - DR6 and DR7 get their reserved bits fixed; DR7 with GD (general
 *    detect), an I/O breakpoint (R/W 10b) or LEN 10b is -EPERM;
 *  - a register number outside 0-7 is -EINVAL, for set and get;
 *  - then a real write watchpoint on a variable of ours: each write raises
 *    #DB in our handler, get_debugreg(6) says B0, and after DR7 = 0 it is
 *    quiet;
 *  - with "hvread=1", a read/write watchpoint on a buffer we hand to
 *    console_io: the hypervisor reading it must neither crash nor send
 *    us a #DB (Xen ignores watchpoints hit by the hypervisor).
 * role=arm and role=write run as two domains of this same image, so the
 *  variable `target` has the same address in both: "arm" watches it and
 *  yields; "write" writes its own `target` and must get no #DB (DR7 is
 *  cleared when switching to a domain without breakpoints); then "arm"
 *  writes and must get exactly one.
 */
#include "pvguest/lib/pvguest.h"

#define HOLE          0xF5800000u
#define DR6_B0        0x1u
#define DR7_L0        0x1u
#define DR7_GD        0x2000u
#define DR7_RW0(x)    ((uint32_t)(x) << 16)
#define DR7_LEN0(x)   ((uint32_t)(x) << 18)
#define WATCH_WRITE   (DR7_L0 | DR7_RW0(1) | DR7_LEN0(3))     /* 4-byte write watchpoint */
#define WATCH_RW      (DR7_L0 | DR7_RW0(3) | DR7_LEN0(3))     /* 4-byte read/write */

volatile uint32_t db_count;
void db_entry(void);
__asm__(".text\n"
        ".globl db_entry\n"
        "db_entry:\n\t"
        "incl db_count\n\t"
        "iret\n");

static volatile uint32_t target __attribute__((aligned(4)));
static char message[8] __attribute__((aligned(4))) = "watch!\n";

static unsigned long get(int reg) { return (unsigned long)HYPERVISOR_get_debugreg(reg); }

static void set_ok(int reg, uint32_t value, uint32_t readback)
{
    char what[80];
    snprintf(what, sizeof(what), "set DR%d 0x%08x", reg, value);
    if (check_rc(what, HYPERVISOR_set_debugreg(reg, value), 0)) {
        snprintf(what, sizeof(what), "get DR%d after 0x%08x", reg, value);
        check_hex(what, get(reg), readback);
    }
}

static void set_refused(int reg, uint32_t value, long err)
{
    char what[80];
    uint32_t was = get(reg);
    snprintf(what, sizeof(what), "set DR%d 0x%08x refused", reg, value);
    check_rc(what, HYPERVISOR_set_debugreg(reg, value), err);
    snprintf(what, sizeof(what), "DR%d unchanged after refusing 0x%08x", reg, value);
    check_hex(what, get(reg), was);
}

static void check_reset_values(void)
{
    static const uint32_t want[8] = { 0, 0, 0, 0, 0xffff0ff0u, 0x400, 0xffff0ff0u, 0x400 };
    char what[40];
    for (int reg = 0; reg < 8; reg++) {
        snprintf(what, sizeof(what), "new domain's DR%d", reg);
        check_hex(what, get(reg), want[reg]);
    }
}

static void check_rules(void)
{
    static const int bad[] = { 8, 9, -1, 100 };
    for (int reg = 0; reg < 4; reg++) {
        set_ok(reg, PV_VIRT_BASE + 0x1000u * (uint32_t)reg + 4, PV_VIRT_BASE + 0x1000u * (uint32_t)reg + 4);
        set_ok(reg, HOLE - 4, HOLE - 4);
        set_refused(reg, HOLE - 3, -EPERM);
        set_refused(reg, HOLE, -EPERM);
        set_refused(reg, 0xfc100000u, -EPERM);
        set_refused(reg, 0xffffffffu, -EPERM);
        set_ok(reg, 0x1000u * (uint32_t)reg, 0x1000u * (uint32_t)reg);
    }
    set_ok(6, 0, 0xffff0ff0u);
    set_ok(6, 0x4001, 0xffff4ff1u);
    set_ok(4, 0, 0xffff0ff0u);                  /* DR4 is DR6 */
    check_hex("DR6 after writing DR4", get(6), 0xffff0ff0u);
    set_ok(7, WATCH_WRITE, WATCH_WRITE | 0x400);
    set_ok(7, 0xd800 | DR7_L0, 0x401);          /* reserved bits fixed, as Xen */
    set_ok(5, 0, 0x400);                        /* DR5 is DR7 */
    check_hex("DR7 after writing DR5", get(7), 0x400);
    set_refused(7, DR7_GD, -EPERM);
    set_refused(7, DR7_GD | DR7_L0, -EPERM);
    set_refused(7, DR7_L0 | DR7_RW0(2), -EPERM);     /* I/O breakpoint */
    set_refused(7, DR7_L0 | DR7_LEN0(2), -EPERM);    /* 8 bytes */
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        char what[40];
        snprintf(what, sizeof(what), "set DR%d", bad[i]);
        check_rc(what, HYPERVISOR_set_debugreg(bad[i], 0), -EINVAL);
        snprintf(what, sizeof(what), "get DR%d", bad[i]);
        check_rc(what, HYPERVISOR_get_debugreg(bad[i]), -EINVAL);
    }
}

static bool install_db_handler(void)
{
    struct xen_trap_info table[2] = {
        { .vector = 1, .flags = 0, .cs = FLAT_RING1_CS, .address = (uintptr_t)db_entry },
        { .address = 0 },
    };
    return check_rc("set_trap_table(#DB handler)", HYPERVISOR_set_trap_table(table), 0);
}

/* Write target; return how many #DBs that raised. */
static uint32_t write_target(uint32_t v)
{
    uint32_t was = db_count;
    target = v;
    return db_count - was;
}

static void check_watchpoint(bool hvread)
{
    set_ok(0, (uintptr_t)&target, (uintptr_t)&target);
    set_ok(6, 0, 0xffff0ff0u);
    set_ok(7, WATCH_WRITE, WATCH_WRITE | 0x400);
    check_rc("#DB from writing the watched variable", write_target(1), 1);
    check_hex("DR6 says breakpoint 0 hit", get(6) & 0xf, DR6_B0);
    set_ok(6, 0, 0xffff0ff0u);
    check_rc("#DB from writing it again", write_target(2), 1);
    set_ok(7, 0, 0x400);
    check_rc("#DB after DR7 = 0", write_target(3), 0);
    if (hvread) {
        uint32_t was = db_count;
        set_ok(0, (uintptr_t)message, (uintptr_t)message);
        set_ok(7, WATCH_RW, WATCH_RW | 0x400);
        console_flush();
        HYPERVISOR_console_io(CONSOLEIO_write, 7, message);   /* the hypervisor reads it */
        set_ok(7, 0, 0x400);
        check_rc("#DB from the hypervisor reading our watched buffer", db_count - was, 0);
    }
}

static void yield(void)
{
    if (HYPERVISOR_sched_op(SCHEDOP_yield, NULL))
        test_fail("SCHEDOP_yield failed");
}

void pvguest_main(const xen_start_info_t *si)
{
    char role[16] = "solo";

    (void)si;
    cmdline_get("role", role, sizeof(role));
    printf("role %s, watching 0x%08x\n", role, (unsigned)(uintptr_t)&target);
    if (!strcmp(role, "solo")) {
        check_reset_values();
        check_rules();
        if (install_db_handler())
            check_watchpoint(cmdline_uint("hvread", 0));
    } else if (!strcmp(role, "arm") && install_db_handler()) {
        set_ok(0, (uintptr_t)&target, (uintptr_t)&target);
        set_ok(7, WATCH_WRITE, WATCH_WRITE | 0x400);
        yield();                                    /* "write" runs */
        check_rc("#DB from our write, after the other domain ran", write_target(7), 1);
        yield();
    } else if (!strcmp(role, "write") && install_db_handler()) {
        check_rc("#DB from writing the address the other domain watches", write_target(9), 0);
        yield();
        check_rc("#DB after the other domain wrote", write_target(10), 0);
    }
    test_pass();
    xtf_exit();
}
