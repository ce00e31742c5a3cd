/*
 * head.S - where a pvguest kernel starts: from the builder's registers to C.
 *
 * A PV kernel is entered directly in ring 1, already in protected mode with
 * paging on, at the ENTRY note's address.  There is no firmware and no boot
 * loader protocol beyond two registers: ESI holds the virtual address of the
 * start_info page (the builder's one message to us: memory size, where the
 * page tables and the p2m list are, the command line) and ESP the top of a
 * small boot stack the builder placed after our page tables.  Events are
 * masked, so nothing can interrupt us before we are ready.
 *
 * We record both registers (tests check the builder's layout with them),
 * move to a stack inside our own image - its size is then ours to choose,
 * and the builder's boot page stays as it was handed to us - and call
 * pvguest_main(start_info).  A test ends by powering off through xtf_exit();
 * if pvguest_main ever returns, that is a bug in the test, and we say so and
 * shut down with reason crash.  This file decides nothing else.
 */
#include "hypercalls/public/xen.h"

#define STACK_SIZE 16384

        .section .text.head, "ax", @progbits
        .globl _start
_start:
        movl    %esi, pvguest_start_info
        movl    %esp, pvguest_boot_esp
        movl    $stack_top, %esp
        subl    $12, %esp                 /* keep ESP 16-aligned at the call */
        pushl   %esi
        call    pvguest_main
        call    pvguest_main_returned     /* test.c: says so, shuts down (crash) */
1:      jmp     1b                        /* not reached */

        .data
        .balign 4
        .globl pvguest_start_info, pvguest_boot_esp
pvguest_start_info:
        .long   0
pvguest_boot_esp:
        .long   0

        .bss
        .balign 16
stack_bottom:
        .skip   STACK_SIZE
stack_top:
