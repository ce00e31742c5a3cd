/*
 * physdev.h - physdev_op: I/O privilege and physical interrupts.
 *
 * This file owns the PHYSDEVOP_* commands of hypercall 33 that a PV kernel
 * uses without owning hardware (setting its virtual IOPL, an I/O-port
 * bitmap) and the interrupt ones a driver domain would use.  It must never
 * imply that a domain gets hardware: this hypervisor gives none, and
 * refuses the hardware commands.  Calls are physdev_op(cmd, pointer to
 * the record); the legacy hypercall 19 takes one xen_physdev_op.
 */
#ifndef XEN_PUBLIC_PHYSDEV_H
#define XEN_PUBLIC_PHYSDEV_H

#include "xen.h"

#define PHYSDEVOP_IRQ_UNMASK_NOTIFY   4   /* obsolete */
#define PHYSDEVOP_irq_status_query    5   /* -> xen_physdev_irq_status_query */
#define PHYSDEVOP_set_iopl            6   /* -> xen_physdev_set_iopl */
#define PHYSDEVOP_set_iobitmap        7   /* -> xen_physdev_set_iobitmap */
#define PHYSDEVOP_apic_read           8   /* -> xen_physdev_apic */
#define PHYSDEVOP_apic_write          9   /* -> xen_physdev_apic */
#define PHYSDEVOP_alloc_irq_vector   10   /* -> xen_physdev_irq */
#define PHYSDEVOP_free_irq_vector    11   /* -> xen_physdev_irq */
#define PHYSDEVOP_eoi                12   /* -> xen_physdev_eoi */
#define PHYSDEVOP_map_pirq           13
#define PHYSDEVOP_unmap_pirq         14
#define PHYSDEVOP_pirq_eoi_gmfn_v1   17   /* -> xen_physdev_pirq_eoi_gmfn */
#define PHYSDEVOP_pirq_eoi_gmfn_v2   28   /* -> xen_physdev_pirq_eoi_gmfn */

/* irq_status_query flags */
#define _XENIRQSTAT_needs_eoi  0
#define XENIRQSTAT_needs_eoi   (1U << _XENIRQSTAT_needs_eoi)
#define _XENIRQSTAT_shared     1
#define XENIRQSTAT_shared      (1U << _XENIRQSTAT_shared)

#ifndef __ASSEMBLER__

struct xen_physdev_eoi {
    uint32_t irq;
};
XEN_ABI_SIZE(struct xen_physdev_eoi, 4);
XEN_ABI_OFFSET(struct xen_physdev_eoi, irq, 0);

struct xen_physdev_pirq_eoi_gmfn {
    xen_pfn_t gmfn;
};
XEN_ABI_SIZE(struct xen_physdev_pirq_eoi_gmfn, 4);
XEN_ABI_OFFSET(struct xen_physdev_pirq_eoi_gmfn, gmfn, 0);

struct xen_physdev_irq_status_query {
    uint32_t irq;      /* IN */
    uint32_t flags;    /* OUT: XENIRQSTAT_* */
};
XEN_ABI_SIZE(struct xen_physdev_irq_status_query, 8);
XEN_ABI_OFFSET(struct xen_physdev_irq_status_query, irq, 0);
XEN_ABI_OFFSET(struct xen_physdev_irq_status_query, flags, 4);

/*
 * The IOPL the guest kernel "runs at" for in/out instructions.  The real
 * IOPL stays 0 so every port access traps and can be checked.
 */
struct xen_physdev_set_iopl {
    uint32_t iopl;     /* 0..3 */
};
XEN_ABI_SIZE(struct xen_physdev_set_iopl, 4);
XEN_ABI_OFFSET(struct xen_physdev_set_iopl, iopl, 0);

struct xen_physdev_set_iobitmap {
    xen_guest_handle_t bitmap;   /* -> uint8_t[]: as in a TSS, 1 = deny */
    uint32_t           nr_ports;
};
XEN_ABI_SIZE(struct xen_physdev_set_iobitmap, 8);
XEN_ABI_OFFSET(struct xen_physdev_set_iobitmap, bitmap, 0);
XEN_ABI_OFFSET(struct xen_physdev_set_iobitmap, nr_ports, 4);

struct xen_physdev_apic {
    xen_ulong_t apic_physbase;   /* IN */
    uint32_t    reg;             /* IN */
    uint32_t    value;           /* IN or OUT */
};
XEN_ABI_SIZE(struct xen_physdev_apic, 12);
XEN_ABI_OFFSET(struct xen_physdev_apic, apic_physbase, 0);
XEN_ABI_OFFSET(struct xen_physdev_apic, reg, 4);
XEN_ABI_OFFSET(struct xen_physdev_apic, value, 8);

struct xen_physdev_irq {
    uint32_t irq;      /* IN */
    uint32_t vector;   /* IN or OUT */
};
XEN_ABI_SIZE(struct xen_physdev_irq, 8);
XEN_ABI_OFFSET(struct xen_physdev_irq, irq, 0);
XEN_ABI_OFFSET(struct xen_physdev_irq, vector, 4);

/* The single argument of the legacy physdev_op_compat (19). */
struct xen_physdev_op {
    uint32_t cmd;      /* PHYSDEVOP_* */
    union {
        struct xen_physdev_irq_status_query irq_status_query;
        struct xen_physdev_set_iopl         set_iopl;
        struct xen_physdev_set_iobitmap     set_iobitmap;
        struct xen_physdev_apic             apic_op;
        struct xen_physdev_irq              irq_op;
    } u;
};
typedef struct xen_physdev_op xen_physdev_op_t;
XEN_ABI_SIZE(struct xen_physdev_op, 16);
XEN_ABI_OFFSET(struct xen_physdev_op, cmd, 0);
XEN_ABI_OFFSET(struct xen_physdev_op, u, 4);

#endif /* !__ASSEMBLER__ */
#endif
