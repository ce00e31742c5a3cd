/*
 * elfnote.h - the ELF notes a Xen PV kernel carries.
 *
 * A PV kernel tells the domain builder how to load it with notes in a
 * PT_NOTE segment whose name is "Xen".  This file owns the note type
 * numbers.  It must never say how the builder reacts to a note (that is
 * the builder's policy), only what each type means.  Numeric notes are 4 or
 * 8 bytes (the descriptor size says which); string notes end in a NUL.
 */
#ifndef XEN_PUBLIC_ELFNOTE_H
#define XEN_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_NAME           "Xen"   /* the note owner name */

#define XEN_ELFNOTE_INFO            0   /* string: NAME=VALUE */
#define XEN_ELFNOTE_ENTRY           1   /* number: virtual entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE  2   /* number: virtual address to fill */
#define XEN_ELFNOTE_VIRT_BASE       3   /* number: where the image is mapped */
#define XEN_ELFNOTE_PADDR_OFFSET    4   /* number: subtract from p_paddr */
#define XEN_ELFNOTE_XEN_VERSION     5   /* string: "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS        6   /* string, e.g. "linux", "Mini-OS" */
#define XEN_ELFNOTE_GUEST_VERSION   7   /* string */
#define XEN_ELFNOTE_LOADER          8   /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE        9   /* string: "yes", "no", "bimodal" */
#define XEN_ELFNOTE_FEATURES       10   /* string: "a|!b|c" (XENFEAT_ names) */
#define XEN_ELFNOTE_BSD_SYMTAB     11   /* string: "yes" to load symbols */
#define XEN_ELFNOTE_HV_START_LOW   12   /* number: lowest hole start it copes with */
#define XEN_ELFNOTE_L1_MFN_VALID   13   /* numbers: mask/value pairs */
#define XEN_ELFNOTE_SUSPEND_CANCEL 14   /* number */
#define XEN_ELFNOTE_INIT_P2M       15   /* number: where to put the p2m */
#define XEN_ELFNOTE_MOD_START_PFN  16   /* number: copes with an unmapped initrd */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17   /* number: XENFEAT_ bitmap */
#define XEN_ELFNOTE_PHYS32_ENTRY   18   /* number: PVH entry (not PV) */
#define XEN_ELFNOTE_PHYS32_RELOC   19   /* numbers: PVH relocation limits */
#define XEN_ELFNOTE_MAX            XEN_ELFNOTE_PHYS32_RELOC

#endif
