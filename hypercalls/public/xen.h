/*
 * xen.h - the core of the guest ABI: hypercall numbers and shared pages.
 *
 * This file owns what every 32-bit PV guest touches on its first day: the
 * hypercall numbers, the start_info page the domain builder fills in, the
 * shared_info page with the event bits and the clock, and the small
 * request records of mmu_update, mmuext_op and multicall.  It must never
 * carry a number that differs from Xen's public xen.h: a guest built for
 * Xen has these values compiled in.  The hypercall numbers are also listed
 * in hypercalls/hypercalls.tbl; tools/gen-abi refuses to run if the two
 * disagree, so they cannot drift.  Naming rules: see xen-types.h.
 */
#ifndef XEN_PUBLIC_XEN_H
#define XEN_PUBLIC_XEN_H

#include "xen-types.h"
#include "arch-x86_32.h"

/* Hypercall numbers: EAX at "int $0x82", slot in the hypercall page. */
#define __HYPERVISOR_set_trap_table                 0
#define __HYPERVISOR_mmu_update                     1
#define __HYPERVISOR_set_gdt                        2
#define __HYPERVISOR_stack_switch                   3
#define __HYPERVISOR_set_callbacks                  4
#define __HYPERVISOR_fpu_taskswitch                 5
#define __HYPERVISOR_sched_op_compat                6
#define __HYPERVISOR_platform_op                    7
#define __HYPERVISOR_set_debugreg                   8
#define __HYPERVISOR_get_debugreg                   9
#define __HYPERVISOR_update_descriptor             10
/*                                                 11 was never assigned */
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25   /* x86_64 only */
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42
/* 48..55 belong to the architecture; x86 uses the first for machine checks. */
#define __HYPERVISOR_arch_0                        48
#define __HYPERVISOR_arch_1                        49
#define __HYPERVISOR_arch_2                        50
#define __HYPERVISOR_arch_3                        51
#define __HYPERVISOR_arch_4                        52
#define __HYPERVISOR_arch_5                        53
#define __HYPERVISOR_arch_6                        54
#define __HYPERVISOR_arch_7                        55
#define __HYPERVISOR_mca                           __HYPERVISOR_arch_0

/*
 * Virtual interrupts, delivered through an event channel bound with
 * EVTCHNOP_bind_virq.  Per-vCPU ones (timer, debug) bind once per vCPU;
 * the others once per domain, or once in the whole system (global).
 */
#define VIRQ_TIMER       0   /* per vCPU: the single-shot/periodic timer fired */
#define VIRQ_DEBUG       1   /* per vCPU: asked to dump debug state */
#define VIRQ_CONSOLE     2   /* global: input arrived on the hypervisor console */
#define VIRQ_DOM_EXC     3   /* global: some domain shut down or crashed */
#define VIRQ_TBUF        4   /* global: trace buffer has records */
#define VIRQ_DEBUGGER    6   /* global: a domain paused for a debugger */
#define VIRQ_XENOPROF    7   /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING    8   /* global: console ring has input */
#define VIRQ_PCPU_STATE  9   /* global: a physical CPU changed state */
#define VIRQ_MEM_EVENT  10   /* global: memory event */
#define VIRQ_ARGO       11   /* per domain: Argo message */
#define VIRQ_ENOMEM     12   /* global: hypervisor heap low */
#define VIRQ_XENPMU     13   /* per vCPU: performance counter interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define VIRQ_MCA        VIRQ_ARCH_0   /* x86: machine check */
#define NR_VIRQS        24

/*
 * mmu_update: the low two bits of each request's ptr say what to do;
 * the rest of ptr is a machine address.  The hypervisor checks every
 * write: a guest may never map a page-table page writable, nor a frame it
 * does not own.
 */
#define MMU_NORMAL_PT_UPDATE       0   /* *ptr = val, after validation */
#define MMU_MACHPHYS_UPDATE        1   /* M2P[ptr >> 12] = val */
#define MMU_PT_UPDATE_PRESERVE_AD  2   /* as 0, keeping Accessed/Dirty bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3   /* as 0, val is never translated */

/* mmuext_op commands.  The pin/unpin ones lock a frame's page type. */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3   /* x86_64 only */
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5   /* load cr3 (a pinned L3 here) */
#define MMUEXT_TLB_FLUSH_LOCAL     6
#define MMUEXT_INVLPG_LOCAL        7
#define MMUEXT_TLB_FLUSH_MULTI     8
#define MMUEXT_INVLPG_MULTI        9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15   /* x86_64 only */
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

/* update_va_mapping flags: which TLB flush follows the update. */
#define UVMF_NONE           (0 << 0)
#define UVMF_TLB_FLUSH      (1 << 0)   /* flush whole TLB(s) */
#define UVMF_INVLPG         (2 << 0)   /* flush just this address */
#define UVMF_FLUSHTYPE_MASK (3 << 0)
#define UVMF_MULTI          (0 << 2)   /* the vCPUs in a mask (OR'd in) */
#define UVMF_LOCAL          (0 << 2)   /* ... a NULL mask: this vCPU only */
#define UVMF_ALL            (1 << 2)   /* every vCPU of the domain */

/* console_io commands. */
#define CONSOLEIO_write  0
#define CONSOLEIO_read   1

/* vm_assist: ask the hypervisor to emulate a convenience for the guest. */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0   /* emulate full-limit segments */
#define VMASST_TYPE_4gb_segments_notify  1   /* ... and trap 15 when doing so */
#define VMASST_TYPE_writable_pagetables  2   /* trap-and-emulate PTE writes */
#define VMASST_TYPE_pae_extended_cr3     3   /* L3 tables may live above 4 GiB */
#define VMASST_TYPE_architectural_iopl   4   /* iret/bounces carry virtual IOPL */
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict          32   /* x86_64 only */

/* Domain ids with a special meaning (ordinary domains are below 0x7FF0). */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U   /* "the caller" */
#define DOMID_IO             0x7FF1U   /* owner of I/O memory */
#define DOMID_XEN            0x7FF2U   /* owner of the hypervisor's pages */
#define DOMID_COW            0x7FF3U   /* owner of shared copy-on-write pages */
#define DOMID_INVALID        0x7FF4U
#define DOMID_IDLE           0x7FFFU

/* start_info.flags. */
#define SIF_PRIVILEGED      (1 << 0)   /* "is privileged" (we grant nothing) */
#define SIF_INITDOMAIN      (1 << 1)   /* the initial domain, d0 */
#define SIF_MULTIBOOT_MOD   (1 << 2)   /* mod_start is a multiboot module list */
#define SIF_MOD_START_PFN   (1 << 3)   /* mod_start is a pfn, not a vaddr */
#define SIF_VIRT_P2M_4TOOLS (1 << 4)
#define SIF_PM_MASK         (0xFF << 8)

#define MAX_GUEST_CMDLINE   1024

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

#ifndef __ASSEMBLER__

/* One mmu_update request.  Both fields are 64 bits even on 32-bit x86. */
struct xen_mmu_update {
    xen_u64_t ptr;   /* machine address of the PTE, command in bits 0-1 */
    xen_u64_t val;   /* the new PTE */
};
typedef struct xen_mmu_update xen_mmu_update_t;
XEN_ABI_SIZE(struct xen_mmu_update, 16);
XEN_ABI_OFFSET(struct xen_mmu_update, ptr, 0);
XEN_ABI_OFFSET(struct xen_mmu_update, val, 8);

/* One mmuext_op request; which union member counts depends on cmd. */
struct xen_mmuext_op {
    uint32_t cmd;                  /* MMUEXT_* */
    union {
        xen_pfn_t   mfn;           /* pin/unpin, NEW_BASEPTR, CLEAR/COPY_PAGE */
        xen_ulong_t linear_addr;   /* INVLPG_*, SET_LDT */
    } arg1;
    union {
        uint32_t           nr_ents;   /* SET_LDT */
        xen_guest_handle_t vcpumask;  /* *_MULTI: -> const xen_ulong_t bitmap */
        xen_pfn_t          src_mfn;   /* COPY_PAGE */
    } arg2;
};
typedef struct xen_mmuext_op xen_mmuext_op_t;
XEN_ABI_SIZE(struct xen_mmuext_op, 12);
XEN_ABI_OFFSET(struct xen_mmuext_op, cmd, 0);
XEN_ABI_OFFSET(struct xen_mmuext_op, arg1, 4);
XEN_ABI_OFFSET(struct xen_mmuext_op, arg2, 8);

/*
 * One multicall entry: a hypercall number and up to six register-sized
 * arguments (only five are ever used); result receives what EAX would.
 */
struct xen_multicall_entry {
    xen_ulong_t op;
    xen_ulong_t result;
    xen_ulong_t args[6];
};
typedef struct xen_multicall_entry xen_multicall_entry_t;
XEN_ABI_SIZE(struct xen_multicall_entry, 32);
XEN_ABI_OFFSET(struct xen_multicall_entry, op, 0);
XEN_ABI_OFFSET(struct xen_multicall_entry, result, 4);
XEN_ABI_OFFSET(struct xen_multicall_entry, args, 8);

/*
 * Per-vCPU clock.  The hypervisor bumps version before and after each
 * update, so an odd version means "being written, read again".  Guest
 * time in ns = system_time +
 *   (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * (a negative tsc_shift shifts right).
 */
struct xen_vcpu_time_info {
    uint32_t  version;
    uint32_t  pad0;
    xen_u64_t tsc_timestamp;      /* TSC when the values below were taken */
    xen_u64_t system_time;        /* ns since the hypervisor booted */
    uint32_t  tsc_to_system_mul;  /* 32.32 fixed-point ns per (shifted) tick */
    int8_t    tsc_shift;
    uint8_t   flags;              /* XEN_PVCLOCK_* */
    uint8_t   pad1[2];
};
typedef struct xen_vcpu_time_info xen_vcpu_time_info_t;
XEN_ABI_SIZE(struct xen_vcpu_time_info, 32);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, version, 0);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, pad0, 4);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, tsc_timestamp, 8);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, system_time, 16);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, tsc_to_system_mul, 24);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, tsc_shift, 28);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, flags, 29);
XEN_ABI_OFFSET(struct xen_vcpu_time_info, pad1, 30);

/*
 * Per-vCPU event state.  evtchn_upcall_mask is the virtual interrupt
 * flag (non-zero = events masked, like IF=0); the guest writes it without
 * a hypercall.  evtchn_upcall_pending is set by the hypervisor and cleared
 * by the guest before it scans, so no event slips between scan and clear.
 * Each bit of evtchn_pending_sel says which word of evtchn_pending to scan.
 */
struct xen_vcpu_info {
    uint8_t     evtchn_upcall_pending;
    uint8_t     evtchn_upcall_mask;
    xen_ulong_t evtchn_pending_sel;
    struct xen_arch_vcpu_info arch;
    struct xen_vcpu_time_info time;
};
typedef struct xen_vcpu_info xen_vcpu_info_t;
XEN_ABI_SIZE(struct xen_vcpu_info, 64);
XEN_ABI_OFFSET(struct xen_vcpu_info, evtchn_upcall_pending, 0);
XEN_ABI_OFFSET(struct xen_vcpu_info, evtchn_upcall_mask, 1);
XEN_ABI_OFFSET(struct xen_vcpu_info, evtchn_pending_sel, 4);
XEN_ABI_OFFSET(struct xen_vcpu_info, arch, 8);
XEN_ABI_OFFSET(struct xen_vcpu_info, time, 32);

/*
 * The shared-info page (its machine address is in start_info).  The 2-level
 * event channel bitmaps: 32 words x 32 bits = 1024 ports.  A pending bit is
 * cleared by the guest; a mask bit is written only by the guest.  The wall
 * clock is the time at system_time 0, versioned like vcpu_time_info.
 */
struct xen_shared_info {
    struct xen_vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    uint32_t    wc_version;
    uint32_t    wc_sec;       /* seconds since 1970 (low 32 bits) */
    uint32_t    wc_nsec;
    struct xen_arch_shared_info arch;
};
typedef struct xen_shared_info xen_shared_info_t;
XEN_ABI_SIZE(struct xen_shared_info, 2344);
XEN_ABI_OFFSET(struct xen_shared_info, vcpu_info, 0);
XEN_ABI_OFFSET(struct xen_shared_info, evtchn_pending, 2048);
XEN_ABI_OFFSET(struct xen_shared_info, evtchn_mask, 2176);
XEN_ABI_OFFSET(struct xen_shared_info, wc_version, 2304);
XEN_ABI_OFFSET(struct xen_shared_info, wc_sec, 2308);
XEN_ABI_OFFSET(struct xen_shared_info, wc_nsec, 2312);
XEN_ABI_OFFSET(struct xen_shared_info, arch, 2316);

/*
 * start_info: the page whose address the guest finds in ESI at its entry
 * point.  The builder lays out, from the kernel's virtual base upwards and
 * each page-aligned: kernel image, initial ramdisk, the mfn list (the
 * p2m), this page, xenstore and console pages (not for d0), the bootstrap
 * page tables (mapped read-only) and the boot stack; then at least 512 KiB
 * of mapped slack.  magic is "xen-3.0-x86_32p" for a 32-bit PAE guest.
 */
struct xen_start_info {
    char        magic[32];        /* "xen-<version>-<platform>" */
    xen_ulong_t nr_pages;         /* pages the domain owns */
    xen_ulong_t shared_info;      /* MACHINE address of shared_info */
    uint32_t    flags;            /* SIF_* */
    xen_pfn_t   store_mfn;        /* xenstore ring page (machine frame) */
    uint32_t    store_evtchn;
    union {
        struct {
            xen_pfn_t mfn;        /* console ring page (machine frame) */
            uint32_t  evtchn;
        } domU;
        struct {
            uint32_t info_off;    /* where the VGA console info sits */
            uint32_t info_size;
        } dom0;
    } console;
    /* The fields below are filled in only at first boot, not on resume. */
    xen_ulong_t pt_base;          /* VIRTUAL address of the top page table */
    xen_ulong_t nr_pt_frames;     /* bootstrap page-table frames */
    xen_ulong_t mfn_list;         /* VIRTUAL address of the pfn->mfn array */
    xen_ulong_t mod_start;        /* VIRTUAL address (or pfn) of the module */
    xen_ulong_t mod_len;          /* its length in bytes */
    char        cmd_line[MAX_GUEST_CMDLINE];
    xen_ulong_t first_p2m_pfn;    /* where the p2m sits when relocated */
    xen_ulong_t nr_p2m_frames;
};
typedef struct xen_start_info xen_start_info_t;
XEN_ABI_SIZE(struct xen_start_info, 1112);
XEN_ABI_OFFSET(struct xen_start_info, magic, 0);
XEN_ABI_OFFSET(struct xen_start_info, nr_pages, 32);
XEN_ABI_OFFSET(struct xen_start_info, shared_info, 36);
XEN_ABI_OFFSET(struct xen_start_info, flags, 40);
XEN_ABI_OFFSET(struct xen_start_info, store_mfn, 44);
XEN_ABI_OFFSET(struct xen_start_info, store_evtchn, 48);
XEN_ABI_OFFSET(struct xen_start_info, console.domU.mfn, 52);
XEN_ABI_OFFSET(struct xen_start_info, console.domU.evtchn, 56);
XEN_ABI_OFFSET(struct xen_start_info, console.dom0.info_off, 52);
XEN_ABI_OFFSET(struct xen_start_info, console.dom0.info_size, 56);
XEN_ABI_OFFSET(struct xen_start_info, pt_base, 60);
XEN_ABI_OFFSET(struct xen_start_info, nr_pt_frames, 64);
XEN_ABI_OFFSET(struct xen_start_info, mfn_list, 68);
XEN_ABI_OFFSET(struct xen_start_info, mod_start, 72);
XEN_ABI_OFFSET(struct xen_start_info, mod_len, 76);
XEN_ABI_OFFSET(struct xen_start_info, cmd_line, 80);
XEN_ABI_OFFSET(struct xen_start_info, first_p2m_pfn, 1104);
XEN_ABI_OFFSET(struct xen_start_info, nr_p2m_frames, 1108);

#endif /* !__ASSEMBLER__ */
#endif
