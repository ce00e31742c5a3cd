/*
 * io/console.h - the PV console ring: a domain's text in and out.
 *
 * One page shared between a domain and its console backend (here the
 * hypervisor itself, hypervisor/console/console_ring.c).  The guest writes
 * its output into out[] and advances out_prod; the backend consumes it and
 * advances out_cons.  Typed input goes the other way through in[].  The
 * indexes run freely and are masked by the ring's size; each side notifies
 * the other on the event channel in start_info.console.domU.evtchn.  The
 * layout is Xen's (xen/include/public/io/console.h).
 */
#ifndef XEN_PUBLIC_IO_CONSOLE_H
#define XEN_PUBLIC_IO_CONSOLE_H

#include "../xen-types.h"

#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

struct xen_xencons_interface {
    char in[1024];                        /* backend -> guest: typed input */
    char out[2048];                       /* guest -> backend: output */
    uint32_t in_cons, in_prod;
    uint32_t out_cons, out_prod;
};
XEN_ABI_SIZE(struct xen_xencons_interface, 3088);
XEN_ABI_OFFSET(struct xen_xencons_interface, in, 0);
XEN_ABI_OFFSET(struct xen_xencons_interface, out, 1024);
XEN_ABI_OFFSET(struct xen_xencons_interface, in_cons, 3072);
XEN_ABI_OFFSET(struct xen_xencons_interface, in_prod, 3076);
XEN_ABI_OFFSET(struct xen_xencons_interface, out_cons, 3080);
XEN_ABI_OFFSET(struct xen_xencons_interface, out_prod, 3084);

#endif
