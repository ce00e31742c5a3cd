/*
 * decode_corpus.S - instruction corpus for the decoder tests.
 *
 * Assembled with `i686-linux-gnu-as --32` and disassembled with objdump by
 * tests/test_decoder.py, which checks that hypervisor/vcpu/decode.c agrees with
 * objdump on every instruction's length and, where the decoder spells an
 * instruction, on its text.  Part 1 is every privileged or sensitive form a
 * ring-1 guest could execute, with assorted operands and prefixes; part 2 is
 * the tricky-length cases (prefixes, every addressing mode, immediates);
 * part 3 is ordinary code of the kind gcc emits.  Never executed.
 */
    .text
    .code32
start:

/* ---- 1. Privileged and sensitive instructions ------------------------ */
    cli
    sti
    hlt
    clts
    invd
    wbinvd
    rdmsr
    wrmsr
    rdtsc
    rdtscp
    rdpmc
    cpuid
    rsm
    ud2
    xsetbv
    xgetbv
    sysenter
    sysexit
    syscall
    sysret
    int3
    into
    int1
    int     $0x80
    int     $0x3
    int     $0x82
    iret
    iretw
    lret
    lret    $8
    lretw
    lretw   $0x10
    pushf
    popf
    pushfw
    popfw

    /* descriptor tables: every addressing shape the guest might use */
    lgdt    (%eax)
    lgdt    gdt_desc
    lgdt    0x8(%eax)
    lgdt    %fs:0x10(%ebx,%esi,4)
    lgdtw   (%eax)
    lidt    idt_desc
    lidt    -0x4(%ebp)
    lidt    (%esp)
    sgdt    (%eax)
    sgdt    0x12345678(,%ecx,8)
    sidt    0x4(%esp)
    sgdtw   (%ecx)
    addr16 lgdt (%bx,%si)
    addr16 lidt 0x1234
    addr16 sgdt -2(%bp)
    lldt    %ax
    lldt    (%eax)
    lldt    %cx
    ltr     %ax
    ltr     0x4(%esp)
    ltr     %dx
    sldt    %eax
    sldt    %ax
    sldt    (%eax)
    str     %eax
    str     %ax
    str     (%ebx)
    smsw    %eax
    smsw    %ax
    smsw    (%eax)
    lmsw    %ax
    lmsw    (%eax)
    lmsw    %si
    invlpg  (%eax)
    invlpg  0x1000(%ebx)
    invlpg  %fs:0x10
    invlpg  (%eax,%ecx,1)
    verr    %ax
    verr    (%eax)
    verw    %cx
    verw    0x8(%edi)
    lar     %eax, %ebx
    lar     (%eax), %ebx
    lar     %ax, %bx
    lsl     %ax, %bx
    lsl     (%ecx), %edx
    lsl     %esi, %edi
    .byte 0x66, 0x0f, 0x00, 0x00        /* data16 sldt (%eax) */
    .byte 0x66, 0x0f, 0x00, 0x10        /* data16 lldt (%eax) */
    .byte 0x66, 0x0f, 0x01, 0x38        /* data16 invlpg (%eax) */
    .byte 0x66, 0x0f, 0x01, 0xf0        /* data16 lmsw %ax */

    /* control and debug registers, both directions, every register */
    mov     %cr0, %eax
    mov     %cr2, %edi
    mov     %cr3, %ebx
    mov     %cr4, %esi
    mov     %eax, %cr0
    mov     %eax, %cr3
    mov     %ecx, %cr4
    mov     %ebp, %cr2
    mov     %db0, %eax
    mov     %db3, %edx
    mov     %db6, %ecx
    mov     %db7, %eax
    mov     %eax, %db0
    mov     %ebx, %db7
    mov     %esp, %db6
    .byte 0x0f, 0x20, 0x00              /* mod bits ignored: mov %cr0,%eax */
    .byte 0x0f, 0x22, 0x58              /* mod bits ignored: mov %eax,%cr3 */
    .byte 0x0f, 0x21, 0x87              /* mod bits ignored: mov %db0,%edi */
    .byte 0x66, 0x0f, 0x22, 0xd8        /* data16 mov %eax,%cr3 */
    .byte 0xf0, 0x0f, 0x20, 0xc0        /* AMD: mov %cr8,%eax */
    .byte 0xf0, 0x0f, 0x22, 0xc0        /* AMD: mov %eax,%cr8 */

    /* port I/O */
    in      $0x60, %al
    in      $0x60, %ax
    in      $0x71, %eax
    in      (%dx), %al
    in      (%dx), %ax
    in      (%dx), %eax
    out     %al, $0x80
    out     %ax, $0x80
    out     %eax, $0xe9
    out     %al, (%dx)
    out     %ax, (%dx)
    out     %eax, (%dx)
    insb
    insw
    insl
    outsb
    outsw
    outsl
    rep insb
    rep insl
    rep outsb
    rep outsw
    addr16 insb
    addr16 outsl
    fs outsb
    rep fs outsw
    rep es insl
    .byte 0x66, 0xe4, 0x60              /* data16 in $0x60,%al */
    .byte 0x2e, 0xee                    /* cs out %al,(%dx) */
    .byte 0xf2, 0x6c                    /* repnz insb */

    /* segment registers */
    push    %es
    pop     %es
    push    %cs
    push    %ss
    pop     %ss
    push    %ds
    pop     %ds
    push    %fs
    pop     %fs
    push    %gs
    pop     %gs
    pushw   %ds
    popw    %es
    pushw   %fs
    popw    %gs
    mov     %ds, %eax
    mov     %ds, %ax
    mov     %es, (%eax)
    mov     %ss, 0x4(%esp)
    mov     %fs, %ecx
    mov     %gs, 0x12345678
    mov     %eax, %ds
    mov     %ax, %es
    mov     (%eax), %fs
    mov     %edx, %gs
    mov     0x8(%esp), %ss
    .byte 0x66, 0x8c, 0x18              /* data16 mov %ds,(%eax) */
    .byte 0x66, 0x8e, 0x00              /* data16 mov (%eax),%es */

    /* far transfers */
    lcall   $0x10, $0x1234
    ljmp    $0x10, $0x12345678
    lcallw  $0x10, $0x1234
    ljmpw   $0x18, $0x5678
    lcall   *(%eax)
    lcall   *0x8(%ebx,%ecx,2)
    ljmp    *0x4(%eax)
    ljmp    *far_ptr
    lcallw  *(%eax)
    ljmpw   *(%eax)

    /* system-call and ring-0-only extensions */
    monitor
    mwait
    vmcall
    vmlaunch
    vmresume
    vmxoff
    vmread  %eax, %ebx
    vmwrite %ecx, %edx
    clac
    stac
    invpcid (%eax), %ebx
    invept  (%ecx), %edx
    invvpid (%esi), %edi
    vmrun
    vmload
    vmsave
    stgi
    clgi
    skinit
    invlpga
    .byte 0x67, 0x0f, 0x01, 0xc8        /* monitor %ax,%ecx,%edx */
    .byte 0x66, 0x0f, 0x01, 0xd1        /* data16 xsetbv */
    .byte 0xf3, 0x0f, 0x34              /* repz sysenter */
    .byte 0xf3, 0x0f, 0xa2              /* repz cpuid */
    .byte 0x66, 0x0f, 0x07              /* data16 sysret */
    .byte 0x66, 0xcd, 0x80              /* data16 int $0x80 */
    .byte 0x65, 0xfa                    /* gs cli */
    .byte 0x66, 0xfa                    /* data16 cli */
    .byte 0x67, 0xfb                    /* addr16 sti */
    .byte 0xf0, 0xf4                    /* lock hlt */

    /* Xen's forced-emulation prefix, then the cpuid it applies to */
    .byte 0x0f, 0x0b, 0x78, 0x65, 0x6e
    cpuid
    ud2

/* ---- 2. Tricky lengths ----------------------------------------------- */
    /* every 32-bit ModRM/SIB shape */
    mov     (%eax), %eax
    mov     (%esp), %eax
    mov     (%ebp), %eax
    mov     0x12345678, %eax
    mov     0x7f(%eax), %ecx
    mov     -0x80(%eax), %ecx
    mov     0x80(%eax), %ecx
    mov     -0x80000000(%eax), %ecx
    mov     0x4(%esp), %edx
    mov     0x400(%esp), %edx
    mov     (%eax,%ebx), %esi
    mov     (%eax,%ebx,2), %esi
    mov     (%eax,%ebx,4), %esi
    mov     (%eax,%ebx,8), %esi
    mov     0x10(,%eax,4), %edi
    mov     -0x4(,%eax,8), %edi
    mov     (,%eax,1), %edi
    mov     0x12(%ebp,%ecx,4), %eax
    mov     0x1234(%ebp,%ecx,4), %eax
    mov     (%esp,%ebp,1), %eax
    lea     0x0(%esi), %esi
    .byte 0x8d, 0x74, 0x26, 0x00                /* lea 0x0(%esi,%eiz,1),%esi */
    .byte 0x8d, 0xb4, 0x26, 0, 0, 0, 0          /* lea 0x0(%esi,%eiz,1),%esi */
    .byte 0x8d, 0x04, 0x25, 0x34, 0x12, 0, 0    /* lea 0x1234(,%eiz,1),%eax */
    .byte 0x8d, 0x04, 0x64                      /* lea (%esp,%eiz,2),%eax */
    .byte 0x8d, 0x44, 0x20, 0x04                /* lea 0x4(%eax,%eiz,1),%eax */
    .byte 0x8d, 0x04, 0x65, 0x34, 0x12, 0, 0    /* lea 0x1234(,%eiz,2),%eax */
    .byte 0x8b, 0x05, 0xfc, 0xff, 0xff, 0xff    /* mov 0xfffffffc,%eax */
    .byte 0x8b, 0x44, 0x24, 0x00                /* mov 0x0(%esp),%eax */
    .byte 0x8b, 0x84, 0x24, 0, 0, 0, 0          /* mov 0x0(%esp),%eax */

    /* 16-bit addressing */
    addr16 mov (%bx,%si), %eax
    addr16 mov (%bx,%di), %eax
    addr16 mov (%bp,%si), %eax
    addr16 mov (%bp,%di), %eax
    addr16 mov (%si), %eax
    addr16 mov (%di), %eax
    addr16 mov 0x4(%bp), %eax
    addr16 mov (%bx), %eax
    addr16 mov 0x4(%bp,%di), %eax
    addr16 mov -0x4(%bp), %eax
    addr16 mov 0x1234, %eax
    addr16 mov 0x1234(%bx), %eax
    addr16 mov -0x1234(%si), %eax
    addr16 movl $0x12345678, 0x10(%bx,%si)
    .byte 0x67, 0x8b, 0x87, 0x00, 0x80          /* mov -0x8000(%bx),%eax */
    .byte 0x67, 0xa1, 0x34, 0x12                /* addr16 mov 0x1234,%eax */
    .byte 0x67, 0x66, 0xa1, 0x34, 0x12          /* addr16 mov 0x1234,%ax */
    .byte 0x67, 0xe3, 0x00                      /* jcxz */
    .byte 0x67, 0xd7                            /* xlat %ds:(%bx) */

    /* segment overrides */
    mov     %fs:0x10, %eax
    mov     %gs:0x0, %eax
    mov     %fs:(%eax), %ebx
    mov     %es:0x4(%esi,%edi,2), %ecx
    mov     %cs:(%ebp), %edx
    mov     %ss:(%ebx), %edx
    mov     %ds:(%ebp), %edx
    movl    $0x1, %gs:0x14
    .byte 0x64, 0x90                            /* fs nop */
    .byte 0x26, 0xaa                            /* es stos %al,%es:(%edi) */
    .byte 0x3e, 0xa4                            /* movsb (ds used) */
    .byte 0x26, 0x67, 0xa1, 0x00, 0x00          /* addr16 mov %es:0x0,%eax */
    xlat
    xlat    %fs:(%ebx)

    /* operand-size prefix and immediates */
    mov     $0x12345678, %eax
    mov     $0x1234, %ax
    mov     $0x12, %al
    mov     $0x12, %ah
    movl    $0x1, 0x4(%esp)
    movw    $0x1, 0x4(%esp)
    movb    $0x1, (%eax)
    movl    $0x12345678, 0x12345678(%eax,%ebx,8)
    movw    $0x1234, %fs:0x12345678(%eax,%ebx,8)
    add     $0x1, %eax
    add     $-1, %eax
    add     $0x1234, %eax
    add     $0x1234, %ebx
    add     $-1, %bx
    add     $0x1234, %bx
    addl    $0x1, (%eax)
    addw    $0x1, (%eax)
    addb    $0x1, (%eax)
    add     $0x1, %al
    add     $0x1234, %ax
    and     $0xfffffff0, %esp
    or      $0x80000000, %ecx
    adc     $0x0, %edx
    sbb     %eax, %eax
    cmpb    $0x0, (%eax)
    cmpl    $0x12345678, 0x8(%ebp)
    cmpw    $0x12, -0x2(%ebp)
    test    $0x1, %al
    test    $0x100, %eax
    test    $0x100, %ax
    testb   $0x1, (%eax)
    testw   $0x1, (%eax)
    testl   $0x1, (%eax)
    test    $0x12345678, %ebx
    test    $0x12, %bl
    .byte 0xf6, 0xc8, 0x12                      /* test $0x12,%al (F6 /1) */
    not     %eax
    notl    (%eax)
    neg     %ebx
    negw    (%ecx)
    mul     %ecx
    imul    %edx
    div     %esi
    idivl   0x4(%esp)
    idiv    %ecx
    subl    $0x4, (%eax)
    subw    $0x1234, 0x2(%eax)
    imul    $0x3, %eax, %ebx
    imul    $0x1234, %eax, %ebx
    imul    $0x3, %ax, %bx
    imul    $0x1234, %ax, %bx
    imul    %eax, %ebx
    push    $0x1
    push    $0x1234
    push    $-1
    pushw   $0x1
    pushw   $0x1234
    enter   $0x8, $0x0
    enter   $0x1234, $0x3
    enterw  $0x8, $0x1
    leave
    leavew
    ret     $0x4
    retw
    retw    $0x8
    shl     %eax
    shl     $0x3, %eax
    shl     %cl, %eax
    shll    (%eax)
    shll    %cl, (%eax)
    shrb    (%eax)
    sarw    $0x3, (%eax)
    rol     $0x1, %ecx
    ror     %cl, %dl
    rcl     %eax
    rcr     $0x2, %bl
    sar     %edx
    shr     $0x1f, %eax
    shld    $0x3, %eax, %ebx
    shld    %cl, %eax, (%ebx)
    shrd    $0x3, %eax, %ebx
    shrd    %cl, %ax, %bx
    bt      $0x3, %eax
    btl     $0x3, (%eax)
    bts     %eax, (%ebx)
    btr     $0x5, %ecx
    btc     %edx, %eax
    bsf     %eax, %ecx
    bsr     (%eax), %ecx
    aam
    aad     $0x5
    daa
    das
    aaa
    aas

    /* lock, rep and string instructions */
    lock incl (%eax)
    lock addl $0x1, (%eax)
    lock cmpxchg %ecx, (%edx)
    lock xadd %eax, (%ebx)
    lock cmpxchg8b (%esi)
    lock btsl $0x1, (%eax)
    lock orl $0x0, (%esp)
    rep stosl
    rep stosb
    rep movsl
    rep movsb
    repz cmpsb
    repnz scasb
    rep lodsb
    movsb
    movsw
    movsl
    cmpsb
    cmpsl
    stosb
    stosw
    stosl
    lodsb
    lodsl
    scasb
    scasl
    .byte 0x66, 0xf3, 0xab                      /* rep stos %ax,%es:(%edi) */
    .byte 0xf2, 0xa4                            /* repnz movsb */
    .byte 0xf3, 0xc3                            /* repz ret */
    .byte 0x66, 0x90                            /* xchg %ax,%ax */
    .byte 0xf0, 0x90                            /* lock nop */

    /* branches, all widths */
    jmp     1f
    jmp     start
    call    start
    je      1f
    jne     start
    jb      start
    jae     1f
    jo      1f
    jno     start
    js      1f
    jns     1f
    jp      1f
    jnp     1f
    jl      1f
    jge     1f
    jle     1f
    jg      1f
    jbe     1f
    ja      1f
    jecxz   1f
    loop    1f
    loope   1f
    loopne  1f
1:  call    *%eax
    call    *0x4(%eax)
    call    *(%eax,%ebx,4)
    call    *%fs:0x10
    jmp     *%ebx
    jmp     *jump_table(,%eax,4)
    .byte 0x66, 0xe8, 0x00, 0x00                /* callw */
    .byte 0x66, 0xe9, 0x00, 0x00                /* jmpw */
    .byte 0x66, 0xeb, 0x00                      /* data16 jmp */
    .byte 0x66, 0x0f, 0x85, 0x00, 0x00          /* jne rel16 */
    .byte 0x2e, 0x74, 0x00                      /* je,pn (branch hint) */
    .byte 0x3e, 0x74, 0x00                      /* je,pt */

    /* moffs forms */
    mov     0x1234, %eax
    mov     %eax, 0x1234
    mov     0x1234, %al
    mov     %al, 0x1234
    mov     0x1234, %ax
    mov     %fs:0x1234, %eax

    /* 0F map, including the groups */
    movzbl  (%eax), %eax
    movzbw  (%eax), %ax
    movzwl  %ax, %eax
    movsbl  %al, %eax
    movswl  (%eax), %eax
    movsbw  %al, %ax
    sete    %al
    setne   (%eax)
    setg    %bl
    cmove   %eax, %ebx
    cmovne  (%ecx), %edx
    cmovl   %ax, %bx
    bswap   %eax
    bswap   %edi
    cmpxchg %bl, (%ecx)
    xadd    %eax, %ebx
    nopl    (%eax)
    nopw    0x0(%eax,%eax,1)
    nopl    0x0(%eax)
    nopl    0x0(%eax,%eax,1)
    nopw    %cs:0x0(%eax,%eax,1)
    nop     %eax
    lss     (%eax), %esp
    lfs     0x4(%eax), %ebx
    lgs     (%eax), %ax
    les     (%eax), %eax
    lds     0x4(%eax), %ebx
    bound   %eax, (%ebx)
    arpl    %ax, (%eax)
    popcnt  %eax, %ecx
    tzcnt   %eax, %ecx
    lzcnt   %eax, %ecx
    endbr32
    pause
    lfence
    mfence
    sfence
    clflush (%eax)
    prefetcht0 (%eax)
    prefetchnta 0x40(%esi)
    fxsave  (%eax)
    ldmxcsr 0x4(%esp)
    xbegin  1b
    xabort  $0x1
    xend
    ud1     %eax, %ecx
    getsec
    emms

    /* SSE through SSE4 (0F, 0F 38, 0F 3A), for lengths */
    movaps  %xmm1, %xmm0
    movups  (%eax), %xmm1
    movdqa  (%eax), %xmm0
    movdqu  %xmm2, 0x10(%esp)
    movq    %xmm0, %xmm1
    movd    %eax, %xmm0
    movd    %mm0, %eax
    pxor    %xmm0, %xmm0
    paddd   0x8(%ebp), %mm1
    pshufd  $0x1b, %xmm1, %xmm0
    pshufw  $0x1b, %mm1, %mm0
    psrldq  $0x4, %xmm0
    psllq   $0x3, %mm1
    cmpps   $0x1, %xmm1, %xmm0
    cmpeqsd %xmm1, %xmm0
    shufps  $0x44, %xmm1, %xmm0
    pinsrw  $0x2, %eax, %xmm0
    pextrw  $0x2, %xmm0, %eax
    pshufb  %xmm1, %xmm0
    pshufb  (%eax), %mm0
    pmulld  %xmm1, %xmm0
    ptest   (%ecx), %xmm2
    crc32b  %al, %ecx
    crc32l  (%eax), %ecx
    movbe   (%eax), %ecx
    roundss $0x1, %xmm1, %xmm0
    pextrd  $0x1, %xmm0, %eax
    pinsrd  $0x2, (%eax), %xmm1
    palignr $0x4, %xmm1, %xmm0
    pclmulqdq $0x11, %xmm1, %xmm0
    aesenc  %xmm1, %xmm0
    cvtsi2sd %eax, %xmm0
    cvttsd2si %xmm0, %eax
    addsd   0x8(%esp), %xmm0
    sqrtss  %xmm1, %xmm0
    maxpd   %xmm1, %xmm0

    /* x87 */
    fldl    0x8(%esp)
    fstp    %st(1)
    fld1
    fldz
    fadd    %st(1), %st
    faddp   %st, %st(1)
    fmuls   (%eax)
    fistpl  0x4(%esp)
    fildll  (%eax)
    fnstcw  0x2(%esp)
    fldcw   (%esp)
    fxch    %st(2)
    fucomip %st(1), %st
    fnstsw  %ax
    fsqrt
    fchs
    fninit

/* ---- 3. Everyday code ------------------------------------------------- */
    push    %ebp
    mov     %esp, %ebp
    push    %edi
    push    %esi
    push    %ebx
    sub     $0x1c, %esp
    mov     0x8(%ebp), %eax
    mov     %eax, -0x1c(%ebp)
    xor     %eax, %eax
    xor     %ecx, %ecx
    cmp     %eax, %ebx
    cmp     $0x7f, %al
    add     %eax, (%ebx)
    sub     (%ecx), %edx
    and     %dl, %al
    or      %ah, %bh
    test    %eax, %eax
    xchg    %eax, %ebx
    xchg    %ecx, (%edx)
    lea     0x1(%eax,%eax,2), %eax
    inc     %eax
    dec     %ecx
    incl    (%eax)
    decb    0x3(%ebx)
    incw    %ax
    cltd
    cwtl
    cbtw
    cwtd
    sahf
    lahf
    cmc
    clc
    stc
    cld
    std
    fwait
    pusha
    popa
    pushaw
    popaw
    push    0x4(%eax)
    pop     (%eax)
    pushw   (%eax)
    popw    0x2(%eax)
    push    %ax
    pop     %bx
    add     $0x1c, %esp
    pop     %ebx
    pop     %esi
    pop     %edi
    pop     %ebp
    ret
    nop

    /* data the memory operands above refer to (not in .text: objdump
       would decode it as instructions) */
    .data
    .balign 4
gdt_desc:   .word 0x17
            .long 0
idt_desc:   .word 0x7ff
            .long 0
far_ptr:    .long 0
            .word 0x10
jump_table: .long 1b
