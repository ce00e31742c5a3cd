/*
 * arch-x86_32.h - the parts of the PV ABI that only 32-bit x86 has.
 *
 * This file owns the facts a 32-bit PAE guest kernel and the hypervisor
 * agree on about the CPU itself: how a hypercall is made, the flat
 * selectors the hypervisor provides, where the hypervisor's hole in every
 * address space starts, the trap table entry, the saved register frame,
 * the frame the iret hypercall pops, and the per-vCPU start-of-day context.
 * It must never describe the x86_64 ABI: where the 64-bit layout differs,
 * only the 32-bit one is given (Xen's arch-x86/xen-x86_32.h and
 * arch-x86/xen.h are the source for every number).
 */
#ifndef XEN_PUBLIC_ARCH_X86_32_H
#define XEN_PUBLIC_ARCH_X86_32_H

#include "xen-types.h"

/*
 * Making a hypercall.  EAX holds the hypercall number; EBX, ECX, EDX, ESI
 * and EDI hold arguments 1..5; the result comes back in EAX.  The argument
 * registers a hypercall uses may come back changed; the others are kept.
 * The gate is "int $0x82", whose IDT entry has DPL 1 so that only the
 * ring-1 kernel (not its ring-3 processes) can reach it.  Guests normally
 * do not write the int themselves: they "call hypercall_page + nr * 32",
 * a page the hypervisor fills with one 32-byte stub per hypercall
 * ("mov $nr, %eax; int $0x82; ret"), so that the hypervisor, not the
 * guest, chooses the entry instruction.
 */
#define XEN_HYPERCALL_VECTOR     0x82
#define XEN_HYPERCALL_STUB_SIZE  32

/*
 * Flat 4 GiB segments (limit cut at the hypervisor hole) in the reserved
 * part of every GDT.  A guest can run on these without a GDT of its own.
 * The low two bits are the RPL: 1 for the kernel ring, 3 for user.
 */
#define FLAT_RING1_CS  0xe019   /* GDT entry 259 */
#define FLAT_RING1_DS  0xe021   /* GDT entry 260 */
#define FLAT_RING1_SS  0xe021   /* GDT entry 260 */
#define FLAT_RING3_CS  0xe02b   /* GDT entry 261 */
#define FLAT_RING3_DS  0xe033   /* GDT entry 262 */
#define FLAT_RING3_SS  0xe033   /* GDT entry 262 */
#define FLAT_KERNEL_CS FLAT_RING1_CS
#define FLAT_KERNEL_DS FLAT_RING1_DS
#define FLAT_KERNEL_SS FLAT_RING1_SS
#define FLAT_USER_CS   FLAT_RING3_CS
#define FLAT_USER_DS   FLAT_RING3_DS
#define FLAT_USER_SS   FLAT_RING3_SS

/*
 * The hypervisor hole.  Every guest address space ends at 0xF5800000;
 * above it lives the hypervisor.  Its first 16 MiB is the machine-to-phys
 * table (M2P), one 32-bit pfn per machine frame, mapped read-only so a
 * guest can translate mfn -> pfn without a hypercall.  (The non-PAE
 * values are obsolete and not given.)
 */
#define __HYPERVISOR_VIRT_START  0xF5800000
#define __MACH2PHYS_VIRT_START   0xF5800000
#define __MACH2PHYS_VIRT_END     0xF6800000
#define HYPERVISOR_VIRT_START    0xF5800000U
#define MACH2PHYS_VIRT_START     0xF5800000U
#define MACH2PHYS_VIRT_END       0xF6800000U
#define MACH2PHYS_NR_ENTRIES     ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 2)

/*
 * The guest owns GDT entries below FIRST_RESERVED_GDT_ENTRY; the rest are
 * the hypervisor's (the flat selectors above live there).  They sit at
 * the far end so guests' hard-coded low selectors stay free.  (The entry
 * is written as page * 512 descriptors per page, which equals Xen's
 * byte / 8, in the same tokens as arch/x86/layout.h: C allows a repeated
 * #define only when it is spelled identically.)
 */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_PAGE * 512)

/* vCPUs that have a vcpu_info slot in the shared-info page. */
#define XEN_LEGACY_MAX_VCPUS 32
#define MAX_VIRT_CPUS        XEN_LEGACY_MAX_VCPUS   /* Xen's older name */

/*
 * "Extended cr3": a PAE page-directory-pointer table above 4 GiB has an
 * mfn too big for the architectural cr3 field, so wherever the ABI passes
 * a cr3 value the mfn is rotated left by 12 bits instead of shifted.
 */
#define xen_pfn_to_cr3(pfn) (((unsigned)(pfn) << 12) | ((unsigned)(pfn) >> 20))
#define xen_cr3_to_pfn(cr3) (((unsigned)(cr3) >> 12) | ((unsigned)(cr3) << 20))

/*
 * Forced emulation prefix: ud2 followed by the bytes "xen".  CPUID does not
 * trap in ring 1, so a guest that wants the hypervisor's filtered view
 * writes this prefix before it; the resulting #UD is recognised and the
 * CPUID emulated.
 */
#ifdef __ASSEMBLER__
#define XEN_EMULATE_PREFIX .byte 0x0f,0x0b,0x78,0x65,0x6e ;
#define XEN_CPUID          XEN_EMULATE_PREFIX cpuid
#else
#define XEN_EMULATE_PREFIX ".byte 0x0f,0x0b,0x78,0x65,0x6e ; "
#define XEN_CPUID          XEN_EMULATE_PREFIX "cpuid"
#endif

/* flags bits of a trap_info entry, and the VGCF_* context flags. */
#define TI_GET_DPL(ti)       ((ti)->flags & 3)
#define TI_GET_IF(ti)        ((ti)->flags & 4)
#define TI_SET_DPL(ti, dpl)  ((ti)->flags |= (dpl))
#define TI_SET_IF(ti, i)     ((ti)->flags |= ((!!(i)) << 2))
#define _VGCF_i387_valid               0
#define VGCF_i387_valid                (1 << _VGCF_i387_valid)
#define VGCF_I387_VALID                VGCF_i387_valid
#define _VGCF_in_kernel                2
#define VGCF_in_kernel                 (1 << _VGCF_in_kernel)
#define VGCF_IN_KERNEL                 VGCF_in_kernel
#define _VGCF_failsafe_disables_events 3
#define VGCF_failsafe_disables_events  (1 << _VGCF_failsafe_disables_events)
#define _VGCF_syscall_disables_events  4
#define VGCF_syscall_disables_events   (1 << _VGCF_syscall_disables_events)
#define _VGCF_online                   5
#define VGCF_online                    (1 << _VGCF_online)
/*
 * Xen defines this one for the 64-bit iret frame only ("returning from a
 * SYSCALL: discard RCX/R11").  The 32-bit frame below has no flags word,
 * so a 32-bit guest never passes it; the name is kept so code can say so.
 */
#define _VGCF_in_syscall               8
#define VGCF_in_syscall                (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL                VGCF_in_syscall

#ifndef __ASSEMBLER__

_Static_assert(FIRST_RESERVED_GDT_ENTRY == FIRST_RESERVED_GDT_BYTE / 8 &&
               FIRST_RESERVED_GDT_ENTRY == 7168, "ABI: first reserved GDT entry");

/*
 * One virtual IDT entry, sent in an array to set_trap_table (terminated by
 * an entry whose address is 0).  flags bits 0-1 are the DPL: the lowest
 * ring allowed to reach this vector with "int n" (3 for a system-call
 * vector, 0 for "exceptions only").  flags bit 2 set means "mask events on
 * entry", the virtual equivalent of an interrupt gate.
 */
struct xen_trap_info {
    uint8_t     vector;    /* exception or interrupt vector, 0..255 */
    uint8_t     flags;     /* DPL in bits 0-1, mask-events in bit 2 */
    uint16_t    cs;        /* handler code selector (a ring-1 selector) */
    xen_ulong_t address;   /* handler offset */
};
typedef struct xen_trap_info xen_trap_info_t;
XEN_ABI_SIZE(struct xen_trap_info, 8);
XEN_ABI_OFFSET(struct xen_trap_info, vector, 0);
XEN_ABI_OFFSET(struct xen_trap_info, flags, 1);
XEN_ABI_OFFSET(struct xen_trap_info, cs, 2);
XEN_ABI_OFFSET(struct xen_trap_info, address, 4);

/*
 * A vCPU's user-visible registers, as they appear inside vcpu_guest_context.
 * error_code and entry_vector are the hypervisor's scratch space.  cs holds
 * a second byte of information: saved_upcall_mask is the event mask at the
 * time of the trap, because on a 32-bit PV guest eflags.IF is virtual.
 */
struct xen_cpu_user_regs {
    uint32_t ebx;
    uint32_t ecx;
    uint32_t edx;
    uint32_t esi;
    uint32_t edi;
    uint32_t ebp;
    uint32_t eax;
    uint16_t error_code;         /* private to the hypervisor */
    uint16_t entry_vector;       /* private to the hypervisor */
    uint32_t eip;
    uint16_t cs;
    uint8_t  saved_upcall_mask;  /* events masked when the frame was saved? */
    uint8_t  _pad0;
    uint32_t eflags;             /* eflags.IF == !saved_upcall_mask */
    uint32_t esp;
    uint16_t ss, _pad1;
    uint16_t es, _pad2;
    uint16_t ds, _pad3;
    uint16_t fs, _pad4;
    uint16_t gs, _pad5;
};
typedef struct xen_cpu_user_regs xen_cpu_user_regs_t;
XEN_ABI_SIZE(struct xen_cpu_user_regs, 68);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, ebx, 0);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, ecx, 4);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, edx, 8);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, esi, 12);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, edi, 16);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, ebp, 20);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, eax, 24);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, error_code, 28);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, entry_vector, 30);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, eip, 32);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, cs, 36);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, saved_upcall_mask, 38);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad0, 39);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, eflags, 40);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, esp, 44);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, ss, 48);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad1, 50);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, es, 52);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad2, 54);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, ds, 56);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad3, 58);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, fs, 60);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad4, 62);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, gs, 64);
XEN_ABI_OFFSET(struct xen_cpu_user_regs, _pad5, 66);

/*
 * The frame the iret hypercall pops, lowest address first.  A 32-bit guest
 * builds an ordinary iret frame (eip, cs, eflags[, esp, ss]) and jumps -
 * not calls - to hypercall_page + 23 * 32, whose stub pushes EAX (the
 * hypercall number is about to overwrite it) before "int $0x82".  So at
 * the moment of the hypercall the guest's ESP points at eax.  esp and ss
 * are read only when the saved cs returns to ring 2 or 3; a return to
 * ring 1 pops 16 bytes.  eflags.IF sets the new event mask (IF=0 masks).
 * Xen's public headers spell out only the 64-bit frame; this layout is
 * the one Xen's 32-bit iret code reads word by word.
 */
struct xen_iret_context {
    uint32_t eax;      /* restored into EAX (the hypercall clobbered it) */
    uint32_t eip;
    uint32_t cs;       /* RPL 1 or 3; RPL 0 is refused */
    uint32_t eflags;   /* IF becomes the virtual interrupt flag */
    uint32_t esp;      /* only for a return to an outer ring */
    uint32_t ss;       /* only for a return to an outer ring */
};
XEN_ABI_SIZE(struct xen_iret_context, 24);
XEN_ABI_OFFSET(struct xen_iret_context, eax, 0);
XEN_ABI_OFFSET(struct xen_iret_context, eip, 4);
XEN_ABI_OFFSET(struct xen_iret_context, cs, 8);
XEN_ABI_OFFSET(struct xen_iret_context, eflags, 12);
XEN_ABI_OFFSET(struct xen_iret_context, esp, 16);
XEN_ABI_OFFSET(struct xen_iret_context, ss, 20);

/* The architecture part of each vcpu_info: the faulting address. */
struct xen_arch_vcpu_info {
    xen_ulong_t cr2;      /* virtual cr2: written before a #PF bounce */
    xen_ulong_t pad[5];   /* keeps sizeof(vcpu_info) == 64 */
};
XEN_ABI_SIZE(struct xen_arch_vcpu_info, 24);
XEN_ABI_OFFSET(struct xen_arch_vcpu_info, cr2, 0);
XEN_ABI_OFFSET(struct xen_arch_vcpu_info, pad, 4);

/* A callback address: on 32-bit x86 a full cs:eip pair. */
struct xen_callback {
    xen_ulong_t cs;
    xen_ulong_t eip;
};
typedef struct xen_callback xen_callback_t;
XEN_ABI_SIZE(struct xen_callback, 8);
XEN_ABI_OFFSET(struct xen_callback, cs, 0);
XEN_ABI_OFFSET(struct xen_callback, eip, 4);

/*
 * A vCPU's whole start-of-day state, as passed to VCPUOP_initialise: the
 * FPU image first (so it can be 16-aligned for FXSAVE), then registers,
 * the virtual IDT, LDT and GDT (as frame numbers), the ring-1 stack
 * (the virtual TSS holds only SS1:ESP1), control and debug registers, the
 * two callbacks and the vm_assist bitmap.  ctrlreg[3] is in extended-cr3
 * format.
 */
struct xen_vcpu_guest_context {
    uint8_t     fpu_ctxt[512];           /* FXSAVE (or FSAVE) image */
    xen_ulong_t flags;                   /* VGCF_* */
    struct xen_cpu_user_regs user_regs;
    struct xen_trap_info trap_ctxt[256]; /* the virtual IDT */
    xen_ulong_t ldt_base, ldt_ents;      /* linear address, entries */
    xen_ulong_t gdt_frames[16], gdt_ents;/* machine frames, entries */
    xen_ulong_t kernel_ss, kernel_sp;    /* ring-1 stack for traps */
    xen_ulong_t ctrlreg[8];              /* cr0..cr7 */
    xen_ulong_t debugreg[8];             /* db0..db7 */
    xen_ulong_t event_callback_cs;
    xen_ulong_t event_callback_eip;
    xen_ulong_t failsafe_callback_cs;
    xen_ulong_t failsafe_callback_eip;
    xen_ulong_t vm_assist;               /* bitmap of VMASST_TYPE_* */
};
typedef struct xen_vcpu_guest_context xen_vcpu_guest_context_t;
XEN_ABI_SIZE(struct xen_vcpu_guest_context, 2800);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, fpu_ctxt, 0);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, flags, 512);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, user_regs, 516);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, trap_ctxt, 584);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, ldt_base, 2632);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, ldt_ents, 2636);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, gdt_frames, 2640);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, gdt_ents, 2704);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, kernel_ss, 2708);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, kernel_sp, 2712);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, ctrlreg, 2716);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, debugreg, 2748);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, event_callback_cs, 2780);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, event_callback_eip, 2784);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, failsafe_callback_cs, 2788);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, failsafe_callback_eip, 2792);
XEN_ABI_OFFSET(struct xen_vcpu_guest_context, vm_assist, 2796);

/*
 * The architecture part of shared_info: where the guest publishes its
 * pfn->mfn table for tools, the NMI reason, and (32-bit only, for lack of
 * room elsewhere) the high word of the wall-clock seconds.
 */
struct xen_arch_shared_info {
    xen_ulong_t max_pfn;                    /* entries in the p2m table */
    xen_pfn_t   pfn_to_mfn_frame_list_list; /* top of the 3-level p2m tree */
    xen_ulong_t nmi_reason;
    xen_ulong_t p2m_cr3;                    /* extended-cr3 of the p2m's space */
    xen_ulong_t p2m_vaddr;                  /* virtual address of linear p2m */
    xen_ulong_t p2m_generation;             /* odd while the p2m is changing */
    uint32_t    wc_sec_hi;                  /* wall clock seconds, bits 32-63 */
};
XEN_ABI_SIZE(struct xen_arch_shared_info, 28);
XEN_ABI_OFFSET(struct xen_arch_shared_info, max_pfn, 0);
XEN_ABI_OFFSET(struct xen_arch_shared_info, pfn_to_mfn_frame_list_list, 4);
XEN_ABI_OFFSET(struct xen_arch_shared_info, nmi_reason, 8);
XEN_ABI_OFFSET(struct xen_arch_shared_info, p2m_cr3, 12);
XEN_ABI_OFFSET(struct xen_arch_shared_info, p2m_vaddr, 16);
XEN_ABI_OFFSET(struct xen_arch_shared_info, p2m_generation, 20);
XEN_ABI_OFFSET(struct xen_arch_shared_info, wc_sec_hi, 24);

#endif /* !__ASSEMBLER__ */
#endif
