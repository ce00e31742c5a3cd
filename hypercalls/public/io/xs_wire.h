/*
 * io/xs_wire.h - the xenstore wire protocol: messages and the store ring.
 *
 * Every message, either way, is a struct xen_xsd_sockmsg header followed by
 * len bytes of payload (nul-separated strings; docs/misc/xenstore.txt in
 * Xen's tree has each type's payload).  A domain talks to xenstored through
 * its store page (start_info.store_mfn): requests go into req[], answers
 * and watch events come back in rsp[], each a 1024-byte ring with free
 * running indexes masked by MASK_XENSTORE_IDX.  The layout is Xen's
 * (xen/include/public/io/xs_wire.h), names with our "xen_" prefix.
 */
#ifndef XEN_PUBLIC_IO_XS_WIRE_H
#define XEN_PUBLIC_IO_XS_WIRE_H

#include "../xen-types.h"

enum xen_xsd_sockmsg_type {
    XS_DEBUG, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH,
    XS_TRANSACTION_START, XS_TRANSACTION_END, XS_INTRODUCE, XS_RELEASE,
    XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM, XS_SET_PERMS,
    XS_WATCH_EVENT, XS_ERROR, XS_IS_DOMAIN_INTRODUCED, XS_RESUME,
    XS_SET_TARGET, XS_RESTRICT, XS_RESET_WATCHES, XS_DIRECTORY_PART,
    XS_INVALID = 0xffff
};

struct xen_xsd_sockmsg {
    uint32_t type;      /* XS_* */
    uint32_t req_id;    /* chosen by the client, echoed in the answer */
    uint32_t tx_id;     /* transaction, 0 for none */
    uint32_t len;       /* payload bytes after this header */
};
XEN_ABI_SIZE(struct xen_xsd_sockmsg, 16);

#define XENSTORE_RING_SIZE 1024
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

struct xen_xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];   /* client -> xenstored */
    char rsp[XENSTORE_RING_SIZE];   /* xenstored -> client */
    uint32_t req_cons, req_prod;
    uint32_t rsp_cons, rsp_prod;
    uint32_t server_features;
    uint32_t connection;
};
XEN_ABI_SIZE(struct xen_xenstore_domain_interface, 2072);
XEN_ABI_OFFSET(struct xen_xenstore_domain_interface, req_cons, 2048);
XEN_ABI_OFFSET(struct xen_xenstore_domain_interface, req_prod, 2052);
XEN_ABI_OFFSET(struct xen_xenstore_domain_interface, rsp_cons, 2056);
XEN_ABI_OFFSET(struct xen_xenstore_domain_interface, rsp_prod, 2060);
XEN_ABI_OFFSET(struct xen_xenstore_domain_interface, connection, 2068);

#define XENSTORE_PAYLOAD_MAX 4096

/*
 * What xenstored and its clients need beyond the layout (the numbers are
 * Xen's).  Errors travel as the payload of an XS_ERROR reply: the errno's
 * NAME, NUL-terminated ("ENOENT\0").  These fifteen are the only names
 * Xen's xenstored sends; any other error goes out as "EINVAL".
 * X(name, Linux errno number).
 */
#define XSD_ERRORS(X) \
    X(EINVAL, 22) X(EACCES, 13) X(EEXIST, 17) X(EISDIR, 21) X(ENOENT, 2) \
    X(ENOMEM, 12) X(ENOSPC, 28) X(EIO, 5) X(ENOTEMPTY, 39) X(ENOSYS, 38) \
    X(EROFS, 30) X(EBUSY, 16) X(EAGAIN, 11) X(EISCONN, 106) X(E2BIG, 7)

/* Watch events carry "path\0token\0". */
enum xen_xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };

/* Longer paths only earn an EINVAL reply (a longer payload drops the client). */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#endif
