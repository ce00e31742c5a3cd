/*
 * multiboot.S - the multiboot header and the first instructions.
 *
 * GRUB (or QEMU's -kernel) enters here in 32-bit protected mode with paging
 * off, EAX = 0x2BADB002 and EBX = the physical address of the multiboot
 * information.  The hypervisor is linked to run at 0xFC100000 but is loaded
 * at physical 1 MiB, so before any C can run we must turn on PAE paging with
 * two mappings of the low 64 MiB: an identity map (so the instruction after
 * "enable paging" still exists) and the directmap at 0xFC000000 where the C
 * code is linked.  C then takes over and never looks at the identity map
 * again.  No decisions are made here.
 */
#include "arch/x86/layout.h"

#define MB_MAGIC  0x1BADB002
#define MB_FLAGS  0x00000003          /* page-align modules, give memory info */
#define PHYS(x)   ((x) - DIRECTMAP_VIRT_START)
#define PDE_2M    0x83                /* present, writable, 2 MiB page */

        .section .multiboot, "a"
        .align 4
        .long MB_MAGIC
        .long MB_FLAGS
        .long -(MB_MAGIC + MB_FLAGS)

        .section .boot.text, "ax"
        .code32
        .globl _start
_start:
        cli
        cld
        mov     %eax, %esi                      /* multiboot magic */
        mov     %ebx, %edi                      /* multiboot info (physical) */

        /* The whole ABI is PAE: without it we can only say so and stop. */
        mov     $1, %eax
        cpuid
        test    $(1 << 6), %edx
        jz      no_pae

        /* Clear the three boot tables (PDPT page, low L2, high L2). */
        push    %edi
        mov     $PHYS(boot_pdpt), %edi
        mov     $(3 * 4096 / 4), %ecx
        xor     %eax, %eax
        rep stosl
        pop     %edi

        /* 32 x 2 MiB = 64 MiB, identity in slot 0 and at 0xFC000000 in slot 3. */
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $PDE_2M, %eax
        mov     %eax, PHYS(boot_l2_low)(,%ecx,8)
        mov     %eax, PHYS(hv_l2 + 8 * L2_SLOT3_INDEX(DIRECTMAP_VIRT_START))(,%ecx,8)
        inc     %ecx
        cmp     $(DIRECTMAP_SIZE >> 21), %ecx
        jne     1b

        movl    $(PHYS(boot_l2_low) + 1), PHYS(boot_pdpt)
        movl    $(PHYS(hv_l2) + 1), PHYS(boot_pdpt) + 24

        mov     %cr4, %eax
        or      $0x20, %eax                     /* CR4.PAE */
        mov     %eax, %cr4
        mov     $PHYS(boot_pdpt), %eax
        mov     %eax, %cr3
        mov     %cr0, %eax
        or      $0x80010000, %eax               /* CR0.PG | CR0.WP */
        mov     %eax, %cr0

        mov     $high_entry, %eax
        jmp     *%eax

/* Print a fixed line on COM1 and the debug port, then power off (status 6). */
no_pae:
        mov     $PHYS(no_pae_msg), %esi        /* paging is off: physical */
1:      lodsb
        test    %al, %al
        jz      2f
        mov     $0x3f8, %dx
        outb    %al, %dx
        mov     $0xe9, %dx
        outb    %al, %dx
        jmp     1b
2:      mov     $0xf4, %dx
        mov     $6, %eax
        outl    %eax, %dx
3:      cli
        hlt
        jmp     3b
        .section .rodata
no_pae_msg:
        .asciz  "(hv) error: this CPU has no PAE; the hypervisor needs it\r\n(hv) power off: status 6 (cannot boot on this machine)\r\n"

        .text
high_entry:
        /* The top of the stack is reserved for the guest trap frame (sched.c). */
        mov     $(hv_stack + HV_STACK_SIZE - GUEST_FRAME_SIZE), %esp
        xor     %ebp, %ebp                      /* ends the backtrace */
        push    %edi
        push    %esi
        call    start_hypervisor
2:      cli
        hlt
        jmp     2b

        .bss
        .align 4096
        .globl boot_pdpt, boot_l2_low, hv_l2, hv_stack
boot_pdpt:      .skip 4096      /* only the first 32 bytes are the PDPT */
boot_l2_low:    .skip 4096
hv_l2:          .skip 4096      /* the master copy of L3 slot 3 */
hv_stack:       .skip HV_STACK_SIZE
