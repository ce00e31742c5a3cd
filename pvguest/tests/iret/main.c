/*
 * iret - the iret hypercall: the only way a PV kernel leaves a handler.
 *
 * A ring-1 kernel cannot use the iret instruction to set its (virtual)
 * interrupt flag or to drop to ring 3 with its event mask in order, so it
 * jumps to the hypercall page's iret slot with an ordinary iret frame on
 * its stack (EIP, CS, EFLAGS, and ESP, SS for an outer ring); the slot
 * pushes EAX and enters the hypervisor.  Checked here:
 *  - to ring 1: EAX comes back as it was; EFLAGS.IF=0 masks events and
 *    IF=1 unmasks them; the arithmetic flags and DF pass; IOPL does not
 *    (the guest's real IOPL stays 0), and VM never reaches the CPU;
 *  - to ring 3 on a page made user-accessible with update_va_mapping
 *    (CS reads 0xe02b there), and back with int $0x80, whose frame is at
 *    the top of the stack_switch stack.
 * With "case=NAME" it instead makes one iret the hypervisor must refuse,
 * printing what it does first; the domain must be halted, never resumed:
 *   ring0       CS 0xe008: the hypervisor's own code selector
 *   badss       to ring 3 with SS 0xe021 (a ring-1 selector): the CPU's
 *               iret faults, and the hypervisor halts the domain
 *   unreadable  the frame straddles the end of our mapping
 */
#include "pvguest/lib/pvguest.h"

#define EFLAGS_CF   0x001u
#define EFLAGS_DF   0x400u
#define EFLAGS_IOPL 0x3000u
#define EFLAGS_VM   0x20000u

/* iret (the hypercall) to the next instruction with `eflags`; returns EAX as it came back. */
static uint32_t iret_here(uint32_t eflags, uint32_t eax)
{
    __asm__ __volatile__("pushl %[fl]\n\t"
                         "pushl %[cs]\n\t"
                         "pushl $1f\n\t"
                         "jmp hypercall_page + %c[slot]\n"
                         "1:"
                         : "+a"(eax)
                         : [fl] "r"(eflags), [cs] "i"(FLAT_RING1_CS),
                           [slot] "i"(__HYPERVISOR_iret * 32)
                         : "memory", "cc");
    return eax;
}

static uint32_t read_eflags(void)
{
    uint32_t v;
    __asm__ __volatile__("pushfl; popl %0" : "=r"(v));
    return v;
}

static void iret_to_ring1(void)
{
    uint32_t fl;

    set_event_mask(0);
    check_hex("iret IF=0: EAX comes back", iret_here(0x2, 0x12345678), 0x12345678);
    check_rc("iret IF=0: events masked", event_mask(), 1);
    check_hex("iret IF=1: EAX comes back", iret_here(0x2 | EFLAGS_IF, 0xcafef00d), 0xcafef00d);
    check_rc("iret IF=1: events unmasked", event_mask(), 0);
    iret_here(0x2 | EFLAGS_CF | EFLAGS_DF, 0);
    fl = read_eflags();
    __asm__ __volatile__("cld");
    check_hex("iret CF|DF: both set after", fl & (EFLAGS_CF | EFLAGS_DF), EFLAGS_CF | EFLAGS_DF);
    iret_here(0x2 | EFLAGS_IF | EFLAGS_IOPL, 0);
    check_hex("iret IOPL=3: the real IOPL stays 0", read_eflags() & EFLAGS_IOPL, 0);
    iret_here(0x2 | EFLAGS_IF | EFLAGS_VM, 0);
    check_hex("iret VM=1: still 32-bit ring 1 (cs)", ({ uint32_t cs;
              __asm__ __volatile__("mov %%cs, %0" : "=r"(cs)); cs & 0xffff; }), FLAT_RING1_CS);
    set_event_mask(1);
}

static uint32_t in_ring3(uint32_t arg)
{
    uint32_t cs;

    __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
    return (cs & 0xffff) << 16 | (arg + 1);
}

static void iret_to_ring3(void)
{
    uint32_t got = run_in_ring3(in_ring3, 41);

    check_hex("ring 3: cs there, and fn(41) returned 42", got, FLAT_RING3_CS << 16 | 42);
    check_rc("back with int $0x80", ring3_exit.vector, 0x80);
    check_hex("int $0x80 frame: cs", ring3_exit.cs, FLAT_RING3_CS);
    check_hex("int $0x80 frame: ss", ring3_exit.ss, FLAT_RING3_SS);
    check_hex("int $0x80 frame: at the top of the stack_switch stack", ring3_exit.frame,
              trap_stack_top - 20);
    check_rc("the event mask is as before", event_mask(), 1);
}

/* Jump to the iret slot with ESP = sp, after building a frame there. */
static void __noreturn iret_with_stack(uint32_t sp)
{
    __asm__ __volatile__("movl %0, %%esp\n\tjmp hypercall_page + %c1"
                         : : "r"(sp), "i"(__HYPERVISOR_iret * 32) : "memory");
    __builtin_unreachable();
}

static void __noreturn survived(void)
{
    test_fail("the domain survived an iret it must not make");
    xtf_exit();
}

/* One iret the hypervisor must refuse; false if name is no such case. */
static bool refused(const char *name)
{
    static uint32_t frame[5] __attribute__((aligned(16)));
    uint32_t end = pt_mapped_end(PV_VIRT_BASE);

    frame[0] = (uint32_t)(uintptr_t)survived;
    frame[2] = 0x2 | EFLAGS_IF;
    frame[3] = (uint32_t)(uintptr_t)&frame[0];
    if (!strcmp(name, "ring0")) {
        frame[1] = 0xe008;
        printf("iret to cs 0xe008 eip 0x%08x\n", frame[0]);
    } else if (!strcmp(name, "badss")) {
        frame[1] = FLAT_RING3_CS;
        frame[4] = FLAT_RING1_SS;
        printf("iret to cs 0xe02b eip 0x%08x with ss 0xe021\n", frame[0]);
    } else if (!strcmp(name, "unreadable")) {
        /* The slot's push of EAX lands on the last mapped word, end - 4. */
        printf("iret with its frame at esp 0x%08x, only 4 bytes mapped\n", end - 4);
        console_flush();
        iret_with_stack(end);
    } else {
        return false;
    }
    console_flush();
    iret_with_stack((uint32_t)(uintptr_t)frame);
}

void pvguest_main(const xen_start_info_t *si)
{
    char name[16];

    traps_init();
    (void)si;
    if (cmdline_get("case", name, sizeof(name)) && !refused(name)) {
        test_error("unknown case '%s'", name);
        xtf_exit();
    }
    iret_to_ring1();
    iret_to_ring3();
    test_pass();
    xtf_exit();
}
