/*
 * usercopy.S - the only instructions that touch guest memory.
 *
 * arch_copy(dst, src, n) is a rep movsb with an exception-table entry: if
 * it faults (an unmapped or read-only guest page), execution continues at
 * the fixup, which returns the number of bytes NOT copied.  The caller
 * (hypervisor/mm/guest_access.c) has already checked that the guest range lies
 * below the hypervisor hole; this file only makes the copy survivable.
 */
        .text
        .globl arch_copy
arch_copy:
        push    %esi
        push    %edi
        mov     12(%esp), %edi
        mov     16(%esp), %esi
        mov     20(%esp), %ecx
1:      rep movsb
2:      mov     %ecx, %eax
        pop     %edi
        pop     %esi
        ret

        .section __ex_table, "a"
        .long   1b, 2b
