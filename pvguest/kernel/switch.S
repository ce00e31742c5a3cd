/*
 * switch.S - swtch() between kernel stacks, and the first way into ring 3.
 *
 * swtch(&save_esp, new_esp) is xv6's context switch, all in ring 1: push
 * the callee-saved registers, save ESP, load the other context's ESP, pop
 * its registers and return into it.  The caller-saved registers are the
 * compiler's business, and the segment registers are the same in every
 * kernel context.  No hypercall: the hypervisor never learns that we
 * switched tasks, only (through stack_switch, in task.c) where the next
 * task's traps must land.
 *
 * return_to_user is where a new task's first swtch returns.  Its kernel
 * stack holds a struct trap_frame (pvguest.h) built by task.c, exactly
 * what pvguest/lib/entry.S leaves after a trap from ring 3:
 *
 *   low   edi esi ebp (esp) ebx edx ecx eax   popal
 *         es ds                               FLAT_RING3_DS, kept in ring 3
 *         vector, error code                  skipped
 *         eip cs eflags esp ss                the iret hypercall's frame
 *   high  (= the task's stack_switch top)
 *
 * A ring-1 kernel cannot iret to ring 3 itself and have the virtual IF
 * follow EFLAGS.IF, so it jumps to the hypercall page's iret slot, which
 * does both at once: there is no moment where events are unmasked while
 * we are still on the kernel stack.  This file decides nothing.
 */
#include "hypercalls/public/xen.h"

#define IRET_SLOT (hypercall_page + __HYPERVISOR_iret * 32)

        .text
        .globl  swtch
swtch:
        movl    4(%esp), %eax           /* where to save our ESP */
        movl    8(%esp), %edx           /* the ESP to resume */
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, (%eax)
        movl    %edx, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

        .globl  return_to_user
return_to_user:
        popal
        popl    %es
        popl    %ds
        addl    $8, %esp                /* vector, error code */
        jmp     IRET_SLOT
