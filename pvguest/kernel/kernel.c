/*
 * kernel.c - kernel_init(): what the kernel sets up, and in which order.
 *
 * The order matters because each step needs the one before:
 *  1. the virtual IDT and shared_info (pvguest/lib/traps.c): from here an
 *     exception reaches our handlers instead of halting the domain, and
 *     the event mask and CR2 can be read; then the runstate area that
 *     tells a task's running time from time stolen by others (cputime.c);
 *  2. the event and failsafe callbacks, and the upcall's hook;
 *  3. int $0x80, as a fast trap unless told otherwise, and its hook;
 *  4. the page-fault hook;
 *  5. the user address space's layout: the program must fit its slots
 *     (each task's space is built by task_create, aspace.c);
 *  6. events unmasked: the builder starts a domain with the mask set.
 * Tasks can be created after this.  A hypercall that fails here leaves
 * nothing to run on: the test ends as ERROR, naming it.
 */
#include "pvguest/kernel/kernel.h"

void kernel_panic(const char *what, long rc)
{
    test_error("kernel: %s failed: %ld", what, rc);
    xtf_exit();
}

void kernel_init(bool fast_syscalls)
{
    traps_init();
    cputime_init();
    irq_init();
    syscall_init(fast_syscalls);
    pf_init();
    aspace_init();
    local_irq_restore(0);               /* the builder started us masked: ready now */
    printf("kernel: trap table, callbacks and int $0x80 (DPL 3, %s) registered; "
           "shared_info at 0x%08x\n", fast_syscalls ? "fast trap" : "masking, bounced",
           (uint32_t)(uintptr_t)shared_info);
    printf("kernel: each task's address space: image 0x%08x-0x%08x, stack 0x%08x-0x%08x, "
           "demand-zero heap 0x%08x-0x%08x; kernel L3 mfn 0x%x\n", USER_BASE,
           USER_BASE + (uint32_t)(user_image_end - user_image_start),
           USER_STACK_TOP - PAGE_SIZE, USER_STACK_TOP,
           USER_HEAP, USER_HEAP + USER_HEAP_PAGES * PAGE_SIZE, mm_bootstrap_l3());
}
