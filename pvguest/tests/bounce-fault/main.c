/*
 * bounce-fault - an exception whose frame cannot be written halts the domain.
 *
 * To deliver an exception the hypervisor writes a frame onto the guest's
 * stack, and the guest chose that stack.  If it points into the hypervisor
 * (the hole at 0xF5800000), at a read-only page (our own page tables) or
 * at nothing, the frame cannot be written - and the hypervisor must
 * neither write it anyway (which would let a guest aim hypervisor stores
 * at the M2P or at its page tables) nor fault itself.  It halts the domain
 * with the exception and the stack named.  Every case is one run, chosen
 * with "case=NAME"; the guest prints the ESP it uses, then traps:
 *   hole       int3 with ESP = 0xF5800100, in the M2P (read-only, the hole)
 *   readonly   int3 with ESP on our L3 page table (start_info.pt_base)
 *   unmapped   int3 with ESP 256 bytes into the first page past our mapping
 *   pf-hole    a #PF (read of an unmapped page), ESP in the hole: 16 bytes
 *   ring3      stack_switch to a stack in the hole is refused (-EINVAL:
 *              the CPU itself would push there through the fast-trap
 *              gate); then int3 in ring 3 with the kernel stack on our L3
 *              (read-only): the 20-byte frame has nowhere to go
 *   fast-trap  the same stack, and int $0x80 through the fast-trap gate:
 *              the CPU's own push faults, and the #PF that follows
 *              cannot be delivered either
 * The domain must be halted: "still alive" is a failure.
 */
#include "pvguest/lib/pvguest.h"

static uint32_t bad_esp, pf_addr;

/* Switch ESP to bad_esp, then fault; if the hypervisor ever resumes us, come back. */
static void trap_on_bad_stack(bool page_fault)
{
    if (page_fault)
        __asm__ __volatile__("movl %%esp, %%ebx\n\t"
                             "movl %[sp], %%esp\n"
                             "1:\tmovl (%[a]), %%eax\n"
                             "2:\tmovl %%ebx, %%esp\n\t"
                             _ASM_EXTABLE(1b, 2b)
                             : : [sp] "m"(bad_esp), [a] "c"(pf_addr) : "eax", "ebx", "memory");
    else
        __asm__ __volatile__("movl %%esp, %%ebx\n\t"
                             "movl %[sp], %%esp\n\t"
                             "int3\n"
                             "1:\tmovl %%ebx, %%esp\n\t"
                             _ASM_EXTABLE(1b, 1b)
                             : : [sp] "m"(bad_esp) : "ebx", "memory");
}

static uint32_t int3_in_ring3(uint32_t unused)
{
    (void)unused;
    __asm__ __volatile__("int3\n1:\n\t" _ASM_EXTABLE(1b, 1b));
    return 0;
}

static uint32_t int80_in_ring3(uint32_t unused)
{
    (void)unused;
    __asm__ __volatile__("int $0x80\n1:\n\t" _ASM_EXTABLE(1b, 1b) : : : "eax");
    return 0;
}

void pvguest_main(const xen_start_info_t *si)
{
    uint32_t end = pt_mapped_end(PV_VIRT_BASE);
    char name[16] = "";

    traps_init();
    cmdline_get("case", name, sizeof(name));
    pf_addr = end + 0x10;
    if (!strcmp(name, "hole") || !strcmp(name, "pf-hole"))
        bad_esp = HYPERVISOR_VIRT_START + 0x100;
    else if (!strcmp(name, "readonly"))
        bad_esp = si->pt_base + 0x100;
    else if (!strcmp(name, "unmapped"))
        bad_esp = end + 0x100;
    if (bad_esp) {
        printf("%s with esp 0x%08x\n", strcmp(name, "pf-hole") ? "int3" : "#PF", bad_esp);
        console_flush();
        trap_on_bad_stack(!strcmp(name, "pf-hole"));
    } else if (!strcmp(name, "ring3")) {
        run_in_ring3(int3_in_ring3, 0);          /* the way there and back works */
        check_rc("stack_switch to 0xf5800100 (in the hole)",
                 HYPERVISOR_stack_switch(FLAT_RING1_SS, HYPERVISOR_VIRT_START + 0x100), -EINVAL);
        check_rc("stack_switch to our L3 (read-only)",
                 HYPERVISOR_stack_switch(FLAT_RING1_SS, si->pt_base + 0x100), 0);
        printf("int3 in ring 3 with the kernel stack at 0x%08x\n", si->pt_base + 0x100);
        console_flush();
        run_in_ring3(int3_in_ring3, 0);
    } else if (!strcmp(name, "fast-trap")) {
        check_rc("int $0x80 as the fast trap (DPL 3)", trap_install(0x80, 3), 0);
        set_event_mask(0);
        check_rc("stack_switch to our L3 (read-only)",
                 HYPERVISOR_stack_switch(FLAT_RING1_SS, si->pt_base + 0x100), 0);
        printf("int $0x80 in ring 3 with the kernel stack at 0x%08x\n", si->pt_base + 0x100);
        console_flush();
        run_in_ring3(int80_in_ring3, 0);
    } else {
        test_error("no such case '%s' (hole, readonly, unmapped, pf-hole, ring3, fast-trap)", name);
        xtf_exit();
    }
    test_fail("still alive after the trap: the frame went somewhere");
    xtf_exit();
}
