/*
 * vcpu.h - vcpu_op: bringing vCPUs up and down, their timers and clocks.
 *
 * This file owns the VCPUOP_* commands of hypercall 24, called as
 * vcpu_op(cmd, vcpu id, pointer to the record for cmd), and the records
 * themselves: the runstate report, the two per-vCPU timers, and the
 * registration of vcpu_info / time areas at guest-chosen addresses.  It
 * must never describe scheduling policy.  Note the i386 layout of
 * xen_vcpu_runstate_info: its 64-bit fields are only 4-aligned, so it is
 * 44 bytes here (a 64-bit guest sees 48).
 */
#ifndef XEN_PUBLIC_VCPU_H
#define XEN_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise                      0  /* -> xen_vcpu_guest_context */
#define VCPUOP_up                              1  /* arg NULL */
#define VCPUOP_down                            2  /* arg NULL */
#define VCPUOP_is_up                           3  /* arg NULL; returns 0 or 1 */
#define VCPUOP_get_runstate_info               4  /* -> xen_vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area   5  /* -> xen_vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer              6  /* -> xen_vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer             7  /* arg NULL */
#define VCPUOP_set_singleshot_timer            8  /* -> xen_vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer           9  /* arg NULL */
#define VCPUOP_register_vcpu_info             10  /* -> xen_vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                       11  /* arg NULL */
#define VCPUOP_get_physid                     12  /* -> xen_vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13  /* -> xen_vcpu_register_time_memory_area */

#define RUNSTATE_running   0   /* on a physical CPU now */
#define RUNSTATE_runnable  1   /* ready, waiting for a CPU */
#define RUNSTATE_blocked   2   /* waiting for an event */
#define RUNSTATE_offline   3   /* down, paused, or otherwise not runnable */

/* Set in state_entry_time while the hypervisor rewrites a runstate area. */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)

/* Fail with -ETIME if the single-shot deadline has already passed. */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

#ifndef __ASSEMBLER__

struct xen_vcpu_runstate_info {
    int32_t   state;              /* RUNSTATE_* */
    xen_u64_t state_entry_time;   /* system time (ns) state was entered */
    xen_u64_t time[4];            /* ns spent in each RUNSTATE_* */
};
typedef struct xen_vcpu_runstate_info xen_vcpu_runstate_info_t;
XEN_ABI_SIZE(struct xen_vcpu_runstate_info, 44);
XEN_ABI_OFFSET(struct xen_vcpu_runstate_info, state, 0);
XEN_ABI_OFFSET(struct xen_vcpu_runstate_info, state_entry_time, 4);
XEN_ABI_OFFSET(struct xen_vcpu_runstate_info, time, 12);

/* A guest virtual address, widened to 64 bits so both ABIs agree. */
struct xen_vcpu_register_runstate_memory_area {
    union {
        xen_guest_handle_t h;     /* -> xen_vcpu_runstate_info */
        xen_u64_t          p;
    } addr;
};
XEN_ABI_SIZE(struct xen_vcpu_register_runstate_memory_area, 8);
XEN_ABI_OFFSET(struct xen_vcpu_register_runstate_memory_area, addr, 0);

struct xen_vcpu_set_periodic_timer {
    xen_u64_t period_ns;
};
XEN_ABI_SIZE(struct xen_vcpu_set_periodic_timer, 8);
XEN_ABI_OFFSET(struct xen_vcpu_set_periodic_timer, period_ns, 0);

struct xen_vcpu_set_singleshot_timer {
    xen_u64_t timeout_abs_ns;     /* absolute system time */
    uint32_t  flags;              /* VCPU_SSHOTTMR_* */
};
XEN_ABI_SIZE(struct xen_vcpu_set_singleshot_timer, 12);
XEN_ABI_OFFSET(struct xen_vcpu_set_singleshot_timer, timeout_abs_ns, 0);
XEN_ABI_OFFSET(struct xen_vcpu_set_singleshot_timer, flags, 8);

/* Move this vCPU's vcpu_info out of shared_info (it must not cross a page). */
struct xen_vcpu_register_vcpu_info {
    xen_u64_t mfn;                /* frame holding the new vcpu_info */
    uint32_t  offset;             /* byte offset within it */
    uint32_t  rsvd;
};
XEN_ABI_SIZE(struct xen_vcpu_register_vcpu_info, 16);
XEN_ABI_OFFSET(struct xen_vcpu_register_vcpu_info, mfn, 0);
XEN_ABI_OFFSET(struct xen_vcpu_register_vcpu_info, offset, 8);
XEN_ABI_OFFSET(struct xen_vcpu_register_vcpu_info, rsvd, 12);

struct xen_vcpu_get_physid {
    xen_u64_t phys_id;            /* x86: APIC id low, ACPI id high */
};
XEN_ABI_SIZE(struct xen_vcpu_get_physid, 8);
XEN_ABI_OFFSET(struct xen_vcpu_get_physid, phys_id, 0);

struct xen_vcpu_register_time_memory_area {
    union {
        xen_guest_handle_t h;     /* -> xen_vcpu_time_info */
        xen_u64_t          p;
    } addr;
};
XEN_ABI_SIZE(struct xen_vcpu_register_time_memory_area, 8);
XEN_ABI_OFFSET(struct xen_vcpu_register_time_memory_area, addr, 0);

#endif /* !__ASSEMBLER__ */
#endif
