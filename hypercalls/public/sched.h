/*
 * sched.h - sched_op: how a guest yields, blocks, polls and shuts down.
 *
 * This file owns the SCHEDOP_* commands of hypercall 29 (sched_op), the
 * argument records they point to, and the SHUTDOWN_* reason codes.  It
 * must never change a reason code: control tools and our console lines
 * ("(hv) dN shutdown: <reason>") both interpret them.
 *
 * The guest passes (cmd, pointer to record).  The older sched_op_compat
 * (hypercall 6) takes (cmd, plain number) and knows only yield, block and
 * shutdown, with the reason passed directly instead of in a record.
 */
#ifndef XEN_PUBLIC_SCHED_H
#define XEN_PUBLIC_SCHED_H

#include "xen.h"
#include "event_channel.h"

#define SCHEDOP_yield           0   /* arg NULL: give up the CPU for now */
#define SCHEDOP_block           1   /* arg NULL: sleep until an event; this
                                     * also unmasks events, atomically, so a
                                     * wake-up cannot be missed */
#define SCHEDOP_shutdown        2   /* arg -> xen_sched_shutdown */
#define SCHEDOP_poll            3   /* arg -> xen_sched_poll */
#define SCHEDOP_remote_shutdown 4   /* arg -> xen_sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5   /* arg -> xen_sched_shutdown: latch reason */
#define SCHEDOP_watchdog        6   /* arg -> xen_sched_watchdog */
#define SCHEDOP_pin_override    7   /* arg -> xen_sched_pin_override */

#define SHUTDOWN_poweroff    0   /* exited normally: clean up */
#define SHUTDOWN_reboot      1   /* clean up, then start again */
#define SHUTDOWN_suspend     2   /* save state (EDX = start_info mfn) */
#define SHUTDOWN_crash       3   /* the guest says it crashed */
#define SHUTDOWN_watchdog    4   /* its watchdog expired */
#define SHUTDOWN_soft_reset  5   /* reset hypervisor state, keep memory */
#define SHUTDOWN_MAX         5

#ifndef __ASSEMBLER__

struct xen_sched_shutdown {
    uint32_t reason;   /* SHUTDOWN_* */
};
typedef struct xen_sched_shutdown xen_sched_shutdown_t;
XEN_ABI_SIZE(struct xen_sched_shutdown, 4);
XEN_ABI_OFFSET(struct xen_sched_shutdown, reason, 0);

/* Block until one of nr_ports ports is pending, or until timeout (ns of
 * system time; 0 = no timeout). */
struct xen_sched_poll {
    xen_guest_handle_t ports;      /* -> xen_evtchn_port_t[nr_ports] */
    uint32_t           nr_ports;
    xen_u64_t          timeout;
};
typedef struct xen_sched_poll xen_sched_poll_t;
XEN_ABI_SIZE(struct xen_sched_poll, 16);
XEN_ABI_OFFSET(struct xen_sched_poll, ports, 0);
XEN_ABI_OFFSET(struct xen_sched_poll, nr_ports, 4);
XEN_ABI_OFFSET(struct xen_sched_poll, timeout, 8);

struct xen_sched_remote_shutdown {
    xen_domid_t domain_id;
    uint32_t    reason;    /* SHUTDOWN_* */
};
typedef struct xen_sched_remote_shutdown xen_sched_remote_shutdown_t;
XEN_ABI_SIZE(struct xen_sched_remote_shutdown, 8);
XEN_ABI_OFFSET(struct xen_sched_remote_shutdown, domain_id, 0);
XEN_ABI_OFFSET(struct xen_sched_remote_shutdown, reason, 4);

struct xen_sched_watchdog {
    uint32_t id;        /* 0 = create a new one */
    uint32_t timeout;   /* seconds; 0 = destroy */
};
typedef struct xen_sched_watchdog xen_sched_watchdog_t;
XEN_ABI_SIZE(struct xen_sched_watchdog, 8);
XEN_ABI_OFFSET(struct xen_sched_watchdog, id, 0);
XEN_ABI_OFFSET(struct xen_sched_watchdog, timeout, 4);

struct xen_sched_pin_override {
    int32_t pcpu;       /* negative = undo the override */
};
typedef struct xen_sched_pin_override xen_sched_pin_override_t;
XEN_ABI_SIZE(struct xen_sched_pin_override, 4);
XEN_ABI_OFFSET(struct xen_sched_pin_override, pcpu, 0);

#endif /* !__ASSEMBLER__ */
#endif
