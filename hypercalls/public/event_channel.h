/*
 * event_channel.h - event_channel_op: the virtual interrupt wires.
 *
 * This file owns the EVTCHNOP_* commands of hypercall 32, their argument
 * records, and the sizes of the 2-level event ABI.  An event channel is
 * one bit of "something happened" between two ends: another domain, a
 * virtual IRQ (VIRQ_*), a physical IRQ or an IPI between vCPUs.  The pending
 * and mask bits live in the shared-info page (see xen.h).  This file must
 * never describe delivery policy; that belongs to the hypervisor.
 * Every call is event_channel_op(cmd, pointer to the record for cmd); the
 * legacy hypercall 16 takes one xen_evtchn_op holding cmd and record.
 */
#ifndef XEN_PUBLIC_EVENT_CHANNEL_H
#define XEN_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11   /* FIFO ABI */
#define EVTCHNOP_expand_array     12   /* FIFO ABI */
#define EVTCHNOP_set_priority     13   /* FIFO ABI */

/* EVTCHNOP_status results. */
#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1   /* waiting for a peer to bind */
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

#define BIND_PIRQ__WILL_SHARE   1

/* 2-level ABI: one pending bit per port in 32 words of 32 bits. */
#define EVTCHN_2L_NR_CHANNELS   1024
#define NR_EVENT_CHANNELS       EVTCHN_2L_NR_CHANNELS

/* FIFO ABI (not offered: init_control checks its record, then -ENOSYS). */
#define EVTCHN_FIFO_PRIORITY_MAX      0
#define EVTCHN_FIFO_PRIORITY_DEFAULT  7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       16
#define EVTCHN_FIFO_LINK_BITS        17

#ifndef __ASSEMBLER__

typedef uint32_t xen_evtchn_port_t;

/* Make a port in dom that remote_dom may later bind to. */
struct xen_evtchn_alloc_unbound {
    xen_domid_t dom, remote_dom;   /* IN (dom: DOMID_SELF unless privileged) */
    xen_evtchn_port_t port;        /* OUT */
};
XEN_ABI_SIZE(struct xen_evtchn_alloc_unbound, 8);
XEN_ABI_OFFSET(struct xen_evtchn_alloc_unbound, dom, 0);
XEN_ABI_OFFSET(struct xen_evtchn_alloc_unbound, remote_dom, 2);
XEN_ABI_OFFSET(struct xen_evtchn_alloc_unbound, port, 4);

/* Connect to a port the peer allocated with alloc_unbound. */
struct xen_evtchn_bind_interdomain {
    xen_domid_t       remote_dom;   /* IN */
    xen_evtchn_port_t remote_port;  /* IN */
    xen_evtchn_port_t local_port;   /* OUT */
};
XEN_ABI_SIZE(struct xen_evtchn_bind_interdomain, 12);
XEN_ABI_OFFSET(struct xen_evtchn_bind_interdomain, remote_dom, 0);
XEN_ABI_OFFSET(struct xen_evtchn_bind_interdomain, remote_port, 4);
XEN_ABI_OFFSET(struct xen_evtchn_bind_interdomain, local_port, 8);

struct xen_evtchn_bind_virq {
    uint32_t virq;               /* IN: VIRQ_* */
    uint32_t vcpu;               /* IN */
    xen_evtchn_port_t port;      /* OUT */
};
XEN_ABI_SIZE(struct xen_evtchn_bind_virq, 12);
XEN_ABI_OFFSET(struct xen_evtchn_bind_virq, virq, 0);
XEN_ABI_OFFSET(struct xen_evtchn_bind_virq, vcpu, 4);
XEN_ABI_OFFSET(struct xen_evtchn_bind_virq, port, 8);

struct xen_evtchn_bind_pirq {
    uint32_t pirq;               /* IN */
    uint32_t flags;              /* IN: BIND_PIRQ__* */
    xen_evtchn_port_t port;      /* OUT */
};
XEN_ABI_SIZE(struct xen_evtchn_bind_pirq, 12);
XEN_ABI_OFFSET(struct xen_evtchn_bind_pirq, pirq, 0);
XEN_ABI_OFFSET(struct xen_evtchn_bind_pirq, flags, 4);
XEN_ABI_OFFSET(struct xen_evtchn_bind_pirq, port, 8);

struct xen_evtchn_bind_ipi {
    uint32_t vcpu;               /* IN */
    xen_evtchn_port_t port;      /* OUT */
};
XEN_ABI_SIZE(struct xen_evtchn_bind_ipi, 8);
XEN_ABI_OFFSET(struct xen_evtchn_bind_ipi, vcpu, 0);
XEN_ABI_OFFSET(struct xen_evtchn_bind_ipi, port, 4);

/* close, send and unmask each name just a local port. */
struct xen_evtchn_close  { xen_evtchn_port_t port; };
struct xen_evtchn_send   { xen_evtchn_port_t port; };
struct xen_evtchn_unmask { xen_evtchn_port_t port; };
XEN_ABI_SIZE(struct xen_evtchn_close, 4);
XEN_ABI_SIZE(struct xen_evtchn_send, 4);
XEN_ABI_SIZE(struct xen_evtchn_unmask, 4);
XEN_ABI_OFFSET(struct xen_evtchn_close, port, 0);
XEN_ABI_OFFSET(struct xen_evtchn_send, port, 0);
XEN_ABI_OFFSET(struct xen_evtchn_unmask, port, 0);

struct xen_evtchn_status {
    xen_domid_t       dom;       /* IN */
    xen_evtchn_port_t port;      /* IN */
    uint32_t status;             /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;               /* OUT: vCPU notified */
    union {
        struct { xen_domid_t dom; } unbound;
        struct {
            xen_domid_t dom;
            uint16_t _pad;
            xen_evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
XEN_ABI_SIZE(struct xen_evtchn_status, 24);
XEN_ABI_OFFSET(struct xen_evtchn_status, dom, 0);
XEN_ABI_OFFSET(struct xen_evtchn_status, port, 4);
XEN_ABI_OFFSET(struct xen_evtchn_status, status, 8);
XEN_ABI_OFFSET(struct xen_evtchn_status, vcpu, 12);
XEN_ABI_OFFSET(struct xen_evtchn_status, u, 16);
XEN_ABI_OFFSET(struct xen_evtchn_status, u.interdomain.port, 20);

struct xen_evtchn_bind_vcpu {
    xen_evtchn_port_t port;      /* IN */
    uint32_t vcpu;               /* IN */
};
XEN_ABI_SIZE(struct xen_evtchn_bind_vcpu, 8);
XEN_ABI_OFFSET(struct xen_evtchn_bind_vcpu, port, 0);
XEN_ABI_OFFSET(struct xen_evtchn_bind_vcpu, vcpu, 4);

struct xen_evtchn_reset {
    xen_domid_t dom;             /* IN */
};
XEN_ABI_SIZE(struct xen_evtchn_reset, 2);
XEN_ABI_OFFSET(struct xen_evtchn_reset, dom, 0);

struct xen_evtchn_init_control {
    xen_u64_t control_gfn;       /* IN */
    uint32_t  offset;            /* IN */
    uint32_t  vcpu;              /* IN */
    uint8_t   link_bits;         /* OUT */
    uint8_t   _pad[7];
};
XEN_ABI_SIZE(struct xen_evtchn_init_control, 24);
XEN_ABI_OFFSET(struct xen_evtchn_init_control, control_gfn, 0);
XEN_ABI_OFFSET(struct xen_evtchn_init_control, offset, 8);
XEN_ABI_OFFSET(struct xen_evtchn_init_control, vcpu, 12);
XEN_ABI_OFFSET(struct xen_evtchn_init_control, link_bits, 16);

/*
 * The per-vCPU FIFO control block, at init_control's offset in its frame:
 * it must fit in the page, 8-byte aligned (Xen's rule).
 */
struct xen_evtchn_fifo_control_block {
    uint32_t ready;              /* a bit per priority with a non-empty queue */
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
XEN_ABI_SIZE(struct xen_evtchn_fifo_control_block, 72);
XEN_ABI_OFFSET(struct xen_evtchn_fifo_control_block, ready, 0);
XEN_ABI_OFFSET(struct xen_evtchn_fifo_control_block, head, 8);

struct xen_evtchn_expand_array {
    xen_u64_t array_gfn;         /* IN */
};
XEN_ABI_SIZE(struct xen_evtchn_expand_array, 8);
XEN_ABI_OFFSET(struct xen_evtchn_expand_array, array_gfn, 0);

struct xen_evtchn_set_priority {
    xen_evtchn_port_t port;      /* IN */
    uint32_t priority;           /* IN */
};
XEN_ABI_SIZE(struct xen_evtchn_set_priority, 8);
XEN_ABI_OFFSET(struct xen_evtchn_set_priority, port, 0);
XEN_ABI_OFFSET(struct xen_evtchn_set_priority, priority, 4);

/* The single argument of the legacy event_channel_op_compat (16). */
struct xen_evtchn_op {
    uint32_t cmd;                /* EVTCHNOP_* */
    union {
        struct xen_evtchn_alloc_unbound    alloc_unbound;
        struct xen_evtchn_bind_interdomain bind_interdomain;
        struct xen_evtchn_bind_virq        bind_virq;
        struct xen_evtchn_bind_pirq        bind_pirq;
        struct xen_evtchn_bind_ipi         bind_ipi;
        struct xen_evtchn_close            close;
        struct xen_evtchn_send             send;
        struct xen_evtchn_status           status;
        struct xen_evtchn_bind_vcpu        bind_vcpu;
        struct xen_evtchn_unmask           unmask;
    } u;
};
typedef struct xen_evtchn_op xen_evtchn_op_t;
XEN_ABI_SIZE(struct xen_evtchn_op, 28);
XEN_ABI_OFFSET(struct xen_evtchn_op, cmd, 0);
XEN_ABI_OFFSET(struct xen_evtchn_op, u, 4);

#endif /* !__ASSEMBLER__ */
#endif
