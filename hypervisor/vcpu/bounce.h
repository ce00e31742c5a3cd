/* bounce.h - write an exception frame onto the guest stack (see bounce.c). */
#ifndef HV_BOUNCE_H
#define HV_BOUNCE_H
#include "hypervisor/domain/domain.h"

struct xen_vcpu_info;

struct bounce {
    uint16_t cs;
    uint32_t eip;
    bool has_error;
    uint32_t error;
    bool mask_events;         /* set the upcall mask on entry (virtual cli) */
    bool set_cr2;             /* a page fault: vcpu_info.arch.cr2 = cr2 */
    uint32_t cr2;
};

/* Redirect r to the handler with Xen's frame; false (with why) if impossible. */
bool bounce_frame(struct domain *d, struct cpu_regs *r, const struct bounce *b, char *why, size_t n);
/* Is sel acceptable as a guest handler's code selector? */
bool bounce_selector_ok(const struct domain *d, uint32_t sel);
/* EFLAGS as the guest sees them in a frame (virtual IF and IOPL). */
uint32_t bounce_guest_eflags(const struct domain *d, uint32_t eflags, bool masked);
#endif
