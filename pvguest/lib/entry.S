/*
 * entry.S - the guest kernel's exception entry stubs, and the ways back.
 *
 * A PV kernel's "IDT" is a list of addresses it gives the hypervisor; the
 * hypervisor enters one of them with Xen's frame on our ring-1 stack (see
 * pvguest.h).  Each stub here makes that frame uniform - a 0 where the
 * hypervisor pushes no error code - pushes its vector and joins
 * trap_common, which saves the registers and calls trap_handle() in C
 * (traps.c) with a struct trap_frame:
 *
 *   low   edi esi ebp (esp) ebx edx ecx eax   pushal by trap_common
 *         es ds                               trap_common
 *         vector                              the stub
 *         error code                          the hypervisor, or 0 by the stub
 *         eip cs eflags                       the hypervisor's bounce frame
 *   high  esp ss                              ... only from ring 3
 *
 * Coming back, trap_common pops everything down to eip, which leaves an
 * ordinary iret frame, and jumps to the iret hypercall's slot: a ring-1
 * kernel cannot iret to ring 1 with a new interrupt flag, or to ring 3
 * with its event mask, by itself.  C therefore changes where we resume by
 * editing the frame.  This file decides nothing.
 */
#include "hypercalls/public/xen.h"

#define IRET_SLOT (hypercall_page + __HYPERVISOR_iret * 32)
#define TRAP_EVENT    256      /* as in pvguest.h */
#define TRAP_FAILSAFE 257
#define RING3_EXIT    0x52335852

/* One stub; the vectors with an error code are the hypervisor's list (trap.c). */
.macro TRAP_STUB vec
        .text
        .align  16
1:
        .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21
        .else
        pushl   $0
        .endif
        pushl   $\vec
        jmp     trap_common
        .section .rodata.trap_stubs, "a"
        .long   1b                      /* trap_stubs[vec] */
        .text
.endm

        .section .rodata.trap_stubs, "a"
        .balign 4
        .globl  trap_stubs
trap_stubs:
        .altmacro
        .set    vec, 0
        .rept   256
        TRAP_STUB %vec
        .set    vec, vec + 1
        .endr
        .noaltmacro

/* The event upcall: a frame with no error code, events already masked. */
        .text
        .globl  trap_event_entry
trap_event_entry:
        pushl   $0
        pushl   $TRAP_EVENT
        jmp     trap_common

/*
 * The failsafe callback: the hypervisor could not reload one of our data
 * selectors, put all four (DS ES FS GS) below the frame and left them
 * null.  We reload DS and ES (we need them), keep the four for C, and
 * carry on like any other entry.  FS and GS stay null.
 */
        .globl  trap_failsafe_entry
trap_failsafe_entry:
        pushl   %eax
        movl    $FLAT_RING1_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        popl    %eax
        popl    trap_failsafe_segs
        popl    trap_failsafe_segs + 4
        popl    trap_failsafe_segs + 8
        popl    trap_failsafe_segs + 12
        pushl   $0
        pushl   $TRAP_FAILSAFE
        jmp     trap_common

trap_common:
        pushl   %ds
        pushl   %es
        pushal
        movl    $FLAT_RING1_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        cld
        pushl   %esp                    /* struct trap_frame * */
        call    trap_handle
        addl    $4, %esp
        popal
        popl    %es
        popl    %ds
        addl    $8, %esp                /* vector, error code */
        jmp     IRET_SLOT

/*
 * uint32_t ring3_enter(fn, arg, user_esp, eflags): save our callee-saved
 * registers and ESP, then iret to ring3_trampoline in ring 3.  We come
 * back only through ring3_leave().
 */
        .globl  ring3_enter
ring3_enter:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, ring3_kernel_esp
        movl    20(%esp), %ebx          /* fn: kept across the iret */
        movl    24(%esp), %esi          /* arg */
        movl    28(%esp), %ecx
        movl    32(%esp), %edx
        pushl   $FLAT_RING3_SS
        pushl   %ecx                    /* esp */
        pushl   %edx                    /* eflags: IF is the event mask to have */
        pushl   $FLAT_RING3_CS
        pushl   $ring3_trampoline
        jmp     IRET_SLOT

/*
 * Ring 3.  The CPU nulled DS and ES on the way out (their DPL 1 is below
 * our CPL), so load the ring-3 data selector before touching memory.
 */
ring3_trampoline:
        movl    $FLAT_RING3_DS, %eax
        movl    %eax, %ds
        movl    %eax, %es
        pushl   %esi
        call    *%ebx
        pushl   %eax
        call    return_to_ring1

/* void return_to_ring1(uint32_t result): from ring 3, home through int $0x80. */
        .globl  return_to_ring1
return_to_ring1:
        movl    4(%esp), %ebx
        movl    $RING3_EXIT, %eax
        int     $0x80
        ud2                             /* the 0x80 stub never comes back here */

/*
 * uint32_t ring3_enter_multicall(calls, n, eax, user_esp): as ring3_enter,
 * but the iret is an entry of multicall(calls, n), made by int $0x82 with
 * the frame at ESP.  Xen ends the batch at that entry (XSA-213): ring 3
 * hands the frame's EAX straight home.  A multicall that returns instead
 * returns its own result, the frame dropped.
 */
        .globl  ring3_enter_multicall
ring3_enter_multicall:
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, ring3_kernel_esp
        movl    20(%esp), %ebx          /* calls */
        movl    24(%esp), %ecx          /* n */
        movl    28(%esp), %edx          /* EAX for the frame */
        movl    32(%esp), %esi          /* user esp */
        pushl   $FLAT_RING3_SS
        pushl   %esi
        pushl   $0x2                    /* eflags: events masked in ring 3 */
        pushl   $FLAT_RING3_CS
        pushl   $ring3_hand_home
        pushl   %edx
        movl    $__HYPERVISOR_multicall, %eax
        int     $0x82
        addl    $24, %esp               /* an ordinary return: drop the frame */
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret
ring3_hand_home:                        /* ring 3, DS and ES nulled: touch no memory */
        movl    %eax, %ebx
        movl    $RING3_EXIT, %eax
        int     $0x80
        ud2

/* void ring3_leave(uint32_t result): in ring 1, finish ring3_enter. */
        .globl  ring3_leave
ring3_leave:
        movl    $FLAT_RING1_DS, %eax
        movl    %eax, %fs
        movl    %eax, %gs
        movl    4(%esp), %eax
        movl    ring3_kernel_esp, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret

        .bss
        .balign 4
ring3_kernel_esp:
        .long   0
        .globl  trap_failsafe_segs
trap_failsafe_segs:
        .long   0, 0, 0, 0
