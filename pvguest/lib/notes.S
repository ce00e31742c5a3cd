/*
 * notes.S - the Xen ELF notes that tell a domain builder how to start us.
 *
 * A PV kernel cannot be booted like a PC kernel: the builder must know,
 * before it runs a single instruction of ours, where we expect to be mapped
 * (VIRT_BASE, PADDR_OFFSET), where to jump (ENTRY), which page to fill with
 * hypercall stubs (HYPERCALL_PAGE), that we use PAE page tables (PAE_MODE)
 * and which optional hypervisor features we cannot run without (FEATURES:
 * "!" marks one as required).  Each note is an ELF note owned by "Xen";
 * guest.ld lists them in a PT_NOTE program header, as Xen's libelf expects.
 * The type numbers are Xen's (hypercalls/public/elfnote.h).
 *
 * Layout of one note (ELF spec): namesz, descsz, type, then the name and
 * the descriptor, each padded to 4 bytes.
 */
#include "hypercalls/public/elfnote.h"

#define ELFNOTE(type, desc...)                          \
        .balign 4;                                      \
        .long   2f - 1f;        /* namesz */            \
        .long   4f - 3f;        /* descsz */            \
        .long   type;                                   \
1:      .asciz  XEN_ELFNOTE_NAME;                       \
2:      .balign 4;                                      \
3:      desc;                                           \
4:      .balign 4

        .section .note.Xen, "a", @note

ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz "pvguest")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz "0.2")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .long __pv_virt_base)
/* p_paddr holds the offset from VIRT_BASE (guest.ld), so nothing to subtract. */
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .long 0)
ELFNOTE(XEN_ELFNOTE_ENTRY,          .long _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .long hypercall_page)
ELFNOTE(XEN_ELFNOTE_PAE_MODE,       .asciz "yes")
/*
 * writable_page_tables is required only to match XTF and Linux, whose
 * notes say the same; pvguest does not write its page tables yet.
 */
ELFNOTE(XEN_ELFNOTE_FEATURES,       .asciz "!writable_page_tables|pae_pgdir_above_4gb")
