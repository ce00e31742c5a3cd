/*
 * hypercall_page.S - the page the hypervisor fills with hypercall stubs.
 *
 * Why a PV kernel has a hypercall page instead of writing "int $0x82" at
 * every call site: the hypervisor, not the guest, then chooses how a
 * hypercall enters it.  Xen has used int $0x82, sysenter and syscall over
 * the years, and on hardware virtualization vmcall or vmmcall; a kernel that
 * only ever does "call hypercall_page + nr*32" runs unchanged on all of
 * them.  The kernel names this page in its HYPERCALL_PAGE note (notes.S)
 * and the builder writes one 32-byte stub per hypercall into it before the
 * first instruction runs.
 *
 * It lives in .text because it is code.  We fill it with int3 so that a
 * hypervisor that forgot to fill it stops us with a trap at the first
 * hypercall, rather than letting the call "succeed" with a garbage EAX.
 */
        .section .text.hypercall_page, "ax", @progbits
        .balign 4096
        .globl hypercall_page
        .type hypercall_page, @object
hypercall_page:
        .fill   4096, 1, 0xcc
        .size hypercall_page, 4096
