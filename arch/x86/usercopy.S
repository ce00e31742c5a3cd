/*
 * usercopy.S - the instructions that copy to and from guest memory.
 *
 * (The one other access is load32_safe() in x86.h: a single word, inline,
 * for the #UD path.)
 * arch_copy(dst, src, n) is a rep movsl of the whole words and a rep movsb
 * of the rest (a rep step costs the CPU one go round its microcode loop,
 * and QEMU's -icount one instruction, so words are four times cheaper),
 * each with an exception-table entry: if one faults (an unmapped or
 * read-only guest page), execution continues at a fixup that returns the
 * number of bytes NOT copied.  The caller (hypervisor/mm/guest_access.c)
 * has already checked that the guest range lies below the hypervisor
 * hole; this file only makes the copy survivable.
 */
        .text
        .globl arch_copy
arch_copy:
        push    %esi
        push    %edi
        mov     12(%esp), %edi
        mov     16(%esp), %esi
        mov     20(%esp), %ecx
        mov     %ecx, %edx
        shr     $2, %ecx
        and     $3, %edx
1:      rep movsl
        mov     %edx, %ecx
2:      rep movsb
3:      mov     %ecx, %eax
        pop     %edi
        pop     %esi
        ret
4:      lea     (%edx,%ecx,4), %ecx     /* the words left, and the bytes after them */
        jmp     3b

        .section __ex_table, "a"
        .long   1b, 4b
        .long   2b, 3b
