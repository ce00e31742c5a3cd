/*
 * mc-iret - an iret inside a multicall ends the batch where its frame says.
 *
 * Xen runs an iret entry of a multicall like the iret hypercall: it pops
 * the frame at the guest's ESP - here one we put there before int $0x82,
 * as XTF's XSA-213 test does - and since XSA-213 the batch ends with it.
 * The guest resumes where the frame says, with the frame's EAX, and never
 * sees the multicall return; no later entry runs, least of all in ring 3.
 * Checked (every entry's result starts as 0xdeadbeef):
 *  - [iret, xen_version]: we land with EAX 0xdead and xen_version never ran
 *    (XTF's test); the frame's IF becomes the event mask, as for iret;
 *  - [xen_version, iret, xen_version] with the iret to ring 3: ring 3 hands
 *    its EAX home by int $0x80, and the third entry never ran;
 *  - the entry's result is written only as a courtesy: with the list on a
 *    read-only page the iret still lands (an ordinary entry is -EFAULT);
 *  - an iret inside a nested multicall never runs: that multicall is
 *    -EINVAL, and the outer one returns as usual.
 * With "case=NAME" it makes one iret entry the iret hypercall would refuse
 * and must be halted for, printing what it does first:
 *   ring0       frame CS 0xe008, the hypervisor's code selector
 *   badss       to ring 3 with SS 0xe021 (a ring-1 selector)
 *   unreadable  the frame runs off the end of our mapping
 *   m2p         ESP at 0xF5800000: a frame in the read-only M2P
 *   hole        ESP 8 bytes below 0xF5800000: a frame straddling the hole
 */
#include "pvguest/lib/pvguest.h"

#define DEAD 0xdeadbeefu
#define XTF_IRET_ID 0xdead               /* XTF's IRET_IDENTIFIER */

static xen_multicall_entry_t mc[3], inner[1];
static xen_multicall_entry_t ro_mc[PAGE_SIZE / sizeof(xen_multicall_entry_t)]
    __attribute__((aligned(PAGE_SIZE)));
static char ran[] = "BUG: an entry after the iret ran\n";

static void set(xen_multicall_entry_t *e, unsigned op, uint32_t a0, uint32_t a1, uint32_t a2)
{
    *e = (xen_multicall_entry_t){ .op = op, .result = DEAD, .args = { a0, a1, a2 } };
}

static void set_version(xen_multicall_entry_t *e)
{
    set(e, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
}

static void set_bug(xen_multicall_entry_t *e)
{
    set(e, __HYPERVISOR_console_io, CONSOLEIO_write, strlen(ran), (uint32_t)(uintptr_t)ran);
}

static void xtf_batch(long version)
{
    bool landed;

    set(&mc[0], __HYPERVISOR_iret, 0, 0, 0);
    set_version(&mc[1]);
    check_hex("multicall [iret, xen_version]: EAX from the frame",
              multicall_iret(mc, 2, XTF_IRET_ID, 0x2, &landed), XTF_IRET_ID);
    check_rc("... resumed where the frame says, not after the int", landed, 1);
    check_hex("... entry 0, iret: its result is the frame's EAX", mc[0].result, XTF_IRET_ID);
    check_hex("... entry 1, xen_version, never ran", mc[1].result, DEAD);
    check_rc("... frame IF=0: events masked", event_mask(), 1);

    set_version(&mc[0]);
    set(&mc[1], __HYPERVISOR_iret, 0, 0, 0);
    set_bug(&mc[2]);
    check_hex("multicall [xen_version, iret, console_io], frame IF=1",
              multicall_iret(mc, 3, 0x1234, 0x2 | EFLAGS_IF, &landed), 0x1234);
    check_rc("... resumed where the frame says", landed, 1);
    check(mc[0].result, version, "... entry 0, xen_version, ran");
    check_hex("... entry 2 never ran", mc[2].result, DEAD);
    check_rc("... frame IF=1: events unmasked", event_mask(), 0);
    set_event_mask(1);
}

static uint32_t nothing(uint32_t arg)
{
    return arg;
}

static void to_ring3(long version)
{
    check_rc("ring 3 by the iret hypercall, and home", run_in_ring3(nothing, 7), 7);
    set_version(&mc[0]);
    set(&mc[1], __HYPERVISOR_iret, 0, 0, 0);
    set_version(&mc[2]);
    check_hex("multicall [xen_version, iret to ring 3, xen_version]: EAX reached ring 3",
              multicall_iret_ring3(mc, 3, 0x33330003), 0x33330003);
    check_hex("... home from ring 3 by int $0x80", ring3_exit.vector, 0x80);
    check_hex("... from cs", ring3_exit.cs, FLAT_RING3_CS);
    check(mc[0].result, version, "... entry 0 ran in ring 1");
    check_hex("... entry 2 never ran (in ring 3 or at all)", mc[2].result, DEAD);
    check_rc("... the event mask is as before", event_mask(), 1);
}

static void read_only_list(void)
{
    bool landed;

    set(&ro_mc[0], __HYPERVISOR_iret, 0, 0, 0);
    set_version(&ro_mc[1]);
    if (!check_rc("map the list's page read-only", mm_map_rw(ro_mc, false), 0))
        return;
    check_hex("multicall [iret] on a read-only page: EAX from the frame",
              multicall_iret(ro_mc, 1, 0x0bad1157, 0x2, &landed), 0x0bad1157);
    check_rc("... resumed where the frame says", landed, 1);
    check_hex("... the result could not be written: still", ro_mc[0].result, DEAD);
    check(HYPERVISOR_multicall(&ro_mc[1], 1), -EFAULT,
          "multicall [xen_version] on the read-only page");
    check_rc("map it read-write again", mm_map_rw(ro_mc, true), 0);
}

static void nested(void)
{
    bool landed;

    set(&inner[0], __HYPERVISOR_iret, 0, 0, 0);
    set(&mc[0], __HYPERVISOR_multicall, (uint32_t)(uintptr_t)inner, 1, 0);
    check(multicall_iret(mc, 1, 0x4e57, 0x2, &landed), 0,
          "multicall [multicall [iret]] with a frame on the stack");
    check_rc("... an ordinary return: nothing landed", landed, 0);
    check(mc[0].result, -EINVAL, "... entry 0, the nested multicall");
    check_hex("... its iret never ran", inner[0].result, DEAD);
}

/* ---- frames the hypervisor must refuse (case=NAME) ---------------------- */

static uint32_t rescue[1024] __attribute__((aligned(16)));

static void __noreturn survived(void)
{
    test_fail("the domain survived an iret entry it must not make");
    xtf_exit();
}

/* multicall [iret] with ESP = sp; a return, or a landing, is survival. */
static void __noreturn iret_entry_with_stack(uint32_t sp)
{
    set(&mc[0], __HYPERVISOR_iret, 0, 0, 0);
    console_flush();
    __asm__ __volatile__("movl %[sp], %%esp\n\t"
                         "int $0x82\n\t"
                         "movl %[rescue], %%esp\n\t"
                         "jmp survived"
                         : : [sp] "r"(sp), "a"(__HYPERVISOR_multicall), "b"(mc), "c"(1),
                             [rescue] "i"(rescue + ARRAY_SIZE(rescue))
                         : "memory");
    __builtin_unreachable();
}

static bool refused(const char *name)
{
    static uint32_t frame[6] __attribute__((aligned(16)));
    uint32_t end = pt_mapped_end(PV_VIRT_BASE), sp = (uint32_t)(uintptr_t)frame;

    frame[0] = 0xbad;
    frame[1] = (uint32_t)(uintptr_t)survived;
    frame[3] = 0x2;
    frame[4] = (uint32_t)(uintptr_t)(rescue + ARRAY_SIZE(rescue));
    if (!strcmp(name, "ring0")) {
        frame[2] = 0xe008;
        printf("multicall [iret] to cs 0xe008 eip 0x%08x\n", frame[1]);
    } else if (!strcmp(name, "badss")) {
        frame[2] = FLAT_RING3_CS;
        frame[5] = FLAT_RING1_SS;
        printf("multicall [iret] to cs 0xe02b eip 0x%08x with ss 0xe021\n", frame[1]);
    } else if (!strcmp(name, "unreadable")) {
        sp = end - 4;
        printf("multicall [iret] with its frame at esp 0x%08x, only 4 bytes mapped\n", sp);
    } else if (!strcmp(name, "m2p")) {
        sp = MACH2PHYS_VIRT_START;
        printf("multicall [iret] with its frame at esp 0x%08x, in the M2P\n", sp);
    } else if (!strcmp(name, "hole")) {
        sp = HYPERVISOR_VIRT_START - 8;
        printf("multicall [iret] with its frame at esp 0x%08x, across the hole\n", sp);
    } else {
        return false;
    }
    iret_entry_with_stack(sp);
}

void pvguest_main(const xen_start_info_t *si)
{
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);
    char name[16];

    (void)si;
    traps_init();
    if (cmdline_get("case", name, sizeof(name)) && !refused(name)) {
        test_error("unknown case '%s'", name);
        xtf_exit();
    }
    xtf_batch(version);
    to_ring3(version);
    read_only_list();
    nested();
    test_pass();
    xtf_exit();
}
