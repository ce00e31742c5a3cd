/*
 * entry.S - every way into the hypervisor, and the one way out.
 *
 * Each vector has a tiny stub that makes the stack look the same whatever
 * the CPU pushed (a dummy error code where the CPU gives none), pushes its
 * vector number and jumps to entry_common.  entry_common saves the rest of
 * struct cpu_regs (see regs.h for the picture), switches to the
 * hypervisor's data segments, and calls trap_dispatch() in C, which makes
 * every decision.  Returning restores exactly what the frame holds, so C
 * code "returns to the guest" simply by editing the frame.
 *
 * The STUB macro also emits the vector's IDT entry description into the
 * .idt_stubs section, so there is no second table to keep in step:
 * desc.c builds the IDT from what is assembled here.
 */
#include "arch/x86/layout.h"

/* STUB vector, cpu_pushes_error_code, dpl, where the frame is finished */
.macro STUB vec, err, dpl=0, common=entry_common
        .text
        .align 16
1:
        .if \err == 0
        pushl   $0
        .endif
        pushl   $\vec
        jmp     \common
        .section .idt_stubs, "a"
        .long   1b, (\vec) | ((\dpl) << 8)
        .text
.endm

STUB  0, 0
STUB  1, 0
STUB  2, 0
STUB  3, 0, 3           /* int3 may be used by any ring */
STUB  4, 0, 3           /* into, likewise */
STUB  5, 0
STUB  6, 0
STUB  7, 0
STUB  8, 1
STUB  9, 0
STUB 10, 1
STUB 11, 1
STUB 12, 1
STUB 13, 1
STUB 14, 1
STUB 15, 0
STUB 16, 0
STUB 17, 1
STUB 18, 0
STUB 19, 0
STUB 20, 0
STUB 21, 1
STUB 22, 0
STUB 23, 0
STUB 24, 0
STUB 25, 0
STUB 26, 0
STUB 27, 0
STUB 28, 0
STUB 29, 1
STUB 30, 1
STUB 31, 0
/* IRQs from the (remapped, masked) PICs: only spurious ones arrive yet. */
        .irp irq, 0x20,0x21,0x22,0x23,0x24,0x25,0x26,0x27,0x28,0x29,0x2a,0x2b,0x2c,0x2d,0x2e,0x2f
STUB \irq, 0
        .endr
/* 0x82, the hypercall gate (DPL 1: ring 1 only), has its own stub below. */

/*
 * Every other vector gets a present DPL 0 gate too, so that a guest's
 * "int $n" always raises #GP(n*8+2), which trap.c turns into a virtual
 * software interrupt, rather than #NP for a missing gate.
 */
        .altmacro
        .set    vec, 0x30
        .rept   0x100 - 0x30
        .if     vec != 0x82
        STUB    %vec, 0
        .endif
        .set    vec, vec + 1
        .endr
        .noaltmacro

/* The rest of struct cpu_regs and our data segments (ESP = the frame). */
.macro SAVE_FRAME
        pushl   %gs
        pushl   %fs
        pushl   %es
        pushl   %ds
        pushl   %eax
        pushl   %ebp
        pushl   %edi
        pushl   %esi
        pushl   %edx
        pushl   %ecx
        pushl   %ebx
        mov     $HV_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        cld
.endm

/*
 * The hypercall gate's own stub and way in: the same frame, then straight
 * to hypercall_entry(), which skips trap_dispatch()'s sorting of
 * interrupts, rings and vectors, with the frame's address in EAX
 * (regparm(1): no argument to push and pop).  The way out skips
 * entry_return's ring-0 test: a frame that reaches the gate is a guest's,
 * and so is the one hypercall_entry() leaves (the same, or the next
 * domain's).  Every instruction here is counted in docs/performance.md;
 * still no decision: C makes them all.
 */
        .text
        .align 16
hypercall_stub:
        pushl   $0                      /* error code */
        pushl   $0x82                   /* vector */
        SAVE_FRAME
        mov     %esp, %eax
        call    hypercall_entry
        jmp     entry_return_guest
        .section .idt_stubs, "a"
        .long   hypercall_stub, 0x82 | (1 << 8)
        .text

        .globl entry_common
entry_common:
        SAVE_FRAME
        pushl   %esp                    /* the frame's address (its value before the push) */
        call    trap_dispatch
        addl    $4, %esp
        /* fall through */

/*
 * Restore the frame at ESP and return to whatever it describes.  The data
 * segments are loaded with mov while ESP still points at the frame's
 * base, so if a selector faults the CPU's nested frame lands below ours
 * and the guest frame stays whole for the failsafe path.
 */
        .globl entry_return
entry_return:
        /*
         * Back to ring 0 (a hypervisor fault that was fixed up): its data
         * segments were never changed, and reloading saved ones here could
         * fault again on a guest's bad selector, forever.
         */
        testl   $3, 56(%esp)            /* the saved cs */
        jz      6f
entry_return_guest:
1:      mov     28(%esp), %ds
2:      mov     32(%esp), %es
3:      mov     36(%esp), %fs
4:      mov     40(%esp), %gs
6:      popl    %ebx
        popl    %ecx
        popl    %edx
        popl    %esi
        popl    %edi
        popl    %ebp
        popl    %eax
        addl    $24, %esp               /* ds es fs gs, vector, error code */
5:      iret

/*
 * A guest's saved selectors or its CS/SS/EIP may have become invalid while
 * it was out (it changed a descriptor, or an iret frame named a bad
 * selector).  The CPU then faults right here, in ring 0; the exception
 * table sends the fault to these two paths instead of a panic.  Each
 * starts again from the guest frame at the top of the stack and lets C
 * decide (the failsafe callback, or halting the domain).
 */
        .section __ex_table, "a"
        .long   1b, entry_failsafe
        .long   2b, entry_failsafe
        .long   3b, entry_failsafe
        .long   4b, entry_failsafe
        .long   5b, entry_bad_iret
        .text
entry_failsafe:
        mov     $HV_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     $(hv_stack + HV_STACK_SIZE - GUEST_FRAME_SIZE), %esp
        call    trap_failsafe
        jmp     entry_return
entry_bad_iret:
        mov     $HV_DS, %eax
        mov     %eax, %ds
        mov     %eax, %es
        mov     $(hv_stack + HV_STACK_SIZE - GUEST_FRAME_SIZE), %esp
        call    trap_bad_iret           /* halts the domain; does not return */

/*
 * entry_return_to(regs): switch ESP to a frame prepared in C and return
 * through it.  Used to enter a domain for the first time.
 */
        .globl entry_return_to
entry_return_to:
        mov     4(%esp), %esp
        jmp     entry_return
