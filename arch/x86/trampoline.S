/*
 * trampoline.S - where an application processor (AP) starts.
 *
 * A startup IPI starts an AP in 16-bit real mode at CS:IP = page:0000, in
 * a page below 1 MiB.  hypervisor/smp.c copies everything from
 * trampoline_start to trampoline_end to that page, fills in the five words
 * at its end (struct trampoline_args in smp.c), and sends the IPI.  The
 * code then does only what C cannot: load a flat GDT, enter protected
 * mode, load the CR4, CR3 and CR0 the boot CPU gave it (paging on; CR3 has
 * an identity map of low memory, so the next instruction is still there),
 * take its stack and jump to the C entry.  No decisions are made here.
 * The page's address is known only at run time, so the two addresses the
 * CPU needs as linear ones (the GDT's, the far jump's) are computed first.
 */
#define OFF(x) ((x) - trampoline_start)     /* an offset in the copied page */

        .section .rodata, "a"               /* copied, never run in place */
        .balign 16
        .globl trampoline_start, trampoline_end
        .code16
trampoline_start:
        cli
        mov     %cs, %ax
        mov     %ax, %ds
        movzwl  %ax, %ebx
        shl     $4, %ebx                    /* ebx = the page's physical address */
        leal    OFF(tr_gdt)(%ebx), %eax
        movl    %eax, OFF(tr_gdtr) + 2
        leal    OFF(tr_pm)(%ebx), %eax
        movl    %eax, OFF(tr_pm_jump)
        lgdtl   OFF(tr_gdtr)
        mov     %cr0, %eax
        or      $1, %eax                    /* CR0.PE */
        mov     %eax, %cr0
        ljmpl   *OFF(tr_pm_jump)

        .code32
tr_pm:  mov     $0x10, %ax                  /* tr_gdt's data segment */
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     OFF(tr_cr4)(%ebx), %eax     /* PAE before paging */
        mov     %eax, %cr4
        mov     OFF(tr_cr3)(%ebx), %eax
        mov     %eax, %cr3
        mov     OFF(tr_cr0)(%ebx), %eax
        mov     %eax, %cr0
        mov     OFF(tr_esp)(%ebx), %esp
        xor     %ebp, %ebp                  /* ends the backtrace */
        jmp     *OFF(tr_entry)(%ebx)

        .balign 8
tr_gdt: .quad   0
        .quad   0x00cf9a000000ffff          /* 0x08: flat 4 GiB code, ring 0 */
        .quad   0x00cf92000000ffff          /* 0x10: flat 4 GiB data, ring 0 */
tr_gdtr:
        .word   3 * 8 - 1
        .long   0                           /* the page + OFF(tr_gdt) */
tr_pm_jump:
        .long   0                           /* the page + OFF(tr_pm) */
        .word   0x08
        .balign 4
tr_cr0: .long   0                           /* struct trampoline_args: smp.c */
tr_cr3: .long   0
tr_cr4: .long   0
tr_esp: .long   0
tr_entry:
        .long   0
trampoline_end:
