/*
 * head.S - the native baseline's entry, gates and ring-3 loops.
 *
 * A multiboot (v1) kernel that QEMU loads with -kernel: protected mode,
 * paging off, no hypervisor.  native.c sets up a GDT, an IDT, a TSS and
 * PAE page tables, then runs the same loops as pvguest/tests/bench with
 * the hardware's own mechanisms.  The pieces that must be exact
 * instructions are here, so that the counts are the CPU's, not our C's.
 */
#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x3                    /* page-aligned modules, memory info */

        .section .multiboot, "a"
        .balign 4
        .long   MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        .text
        .globl  _start
_start:
        movl    $stack_top, %esp
        cld
        call    native_main
1:      hlt
        jmp     1b

/*
 * System call: return at once with the hardware's iret.  The compare is
 * the PV bench's handler's (its library goes home by an int $0x80 with
 * this EAX), kept so that both run the same instructions.
 */
        .globl  native_sys
native_sys:
        cmpl    $0x52335852, %eax
        je      native_home
        iret

/* int3: the same, a trap gate reached from ring 0. */
        .globl  native_bp
native_bp:
        iret

/*
 * Page fault: map the page (the one PTE the loop unmaps, native_pf_pte)
 * and return; the faulting store is retried.  Drop the error code first.
 */
        .globl  native_pf
native_pf:
        pushl   %eax
        pushl   %ebx
        movl    native_pf_val, %eax
        movl    native_pf_pte, %ebx
        movl    %eax, (%ebx)
        popl    %ebx
        popl    %eax
        addl    $4, %esp
        iret

/* native_switch(save, to): callee-saved registers and ESP swapped. */
        .globl  native_switch
native_switch:
        movl    4(%esp), %eax
        movl    8(%esp), %ecx
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, (%eax)
        movl    %ecx, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

/*
 * uint32_t native_ring3(void (*loop)(void)): iret to ring 3 at loop with
 * our user stack; ring 3 comes home with int $0x81 (native_home), which
 * restores the registers saved here and returns.
 */
        .globl  native_ring3
native_ring3:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    20(%esp), %eax
        movl    %esp, native_saved_esp
        pushl   $0x23                   /* user SS: GDT 4, RPL 3 */
        pushl   $user_stack_top
        pushl   $0x2                    /* interrupts off */
        pushl   $0x1b                   /* user CS: GDT 3, RPL 3 */
        pushl   %eax
        iret

        .globl  native_home
native_home:
        movl    $0x10, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    native_saved_esp, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

/*
 * Ring 3: native_count system calls between two rdtscs (CR4.TSD is
 * clear), the difference in native_ticks; then home.
 */
        .globl  native_user_syscalls
native_user_syscalls:
        movl    $0x23, %eax
        movl    %eax, %ds
        movl    %eax, %es
        movl    native_count, %ecx
        rdtsc
        movl    %eax, %esi
        movl    %edx, %edi
        jecxz   2f
1:      int     $0x80
        loop    1b
2:      rdtsc
        subl    %esi, %eax
        sbbl    %edi, %edx
        movl    %eax, native_ticks
        movl    %edx, native_ticks + 4
        int     $0x81

        .bss
        .balign 16
        .space  8192
stack_top:
        .space  8192
user_stack_top:
