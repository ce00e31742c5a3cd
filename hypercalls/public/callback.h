/*
 * callback.h - callback_op: where the hypervisor enters the guest kernel.
 *
 * This file owns the CALLBACKOP_* commands of hypercall 30 and the
 * CALLBACKTYPE_* entry points a 32-bit PV kernel registers: the event
 * upcall (the virtual interrupt handler), the failsafe callback (used
 * when the hypervisor cannot reload the guest's segment registers on the
 * way back), the NMI callback and, on 32-bit, sysenter.  It must never
 * describe how the hypervisor builds the frame it enters them with; that
 * is hypervisor policy.  set_callbacks (hypercall 4) is the older way to
 * register the first two: (event cs, event eip, failsafe cs, failsafe eip).
 */
#ifndef XEN_PUBLIC_CALLBACK_H
#define XEN_PUBLIC_CALLBACK_H

#include "xen.h"

#define CALLBACKTYPE_event                0   /* event channel upcall */
#define CALLBACKTYPE_failsafe             1   /* segment reload failed */
#define CALLBACKTYPE_syscall              2   /* x86_64 only */
#define CALLBACKTYPE_sysenter_deprecated  3
#define CALLBACKTYPE_nmi                  4
#define CALLBACKTYPE_sysenter             5
#define CALLBACKTYPE_syscall32            7   /* x86_64 hypervisor only */

/* Mask events while in the callback (ignored for event and NMI: always). */
#define _CALLBACKF_mask_events            0
#define CALLBACKF_mask_events             (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register               0   /* arg -> xen_callback_register */
#define CALLBACKOP_unregister             1   /* arg -> xen_callback_unregister */

#ifndef __ASSEMBLER__

struct xen_callback_register {
    uint16_t type;            /* CALLBACKTYPE_* */
    uint16_t flags;           /* CALLBACKF_* */
    struct xen_callback address;
};
typedef struct xen_callback_register xen_callback_register_t;
XEN_ABI_SIZE(struct xen_callback_register, 12);
XEN_ABI_OFFSET(struct xen_callback_register, type, 0);
XEN_ABI_OFFSET(struct xen_callback_register, flags, 2);
XEN_ABI_OFFSET(struct xen_callback_register, address, 4);

/* Not every callback can be removed; those answer -EINVAL. */
struct xen_callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
typedef struct xen_callback_unregister xen_callback_unregister_t;
XEN_ABI_SIZE(struct xen_callback_unregister, 4);
XEN_ABI_OFFSET(struct xen_callback_unregister, type, 0);
XEN_ABI_OFFSET(struct xen_callback_unregister, _unused, 2);

#endif /* !__ASSEMBLER__ */
#endif
