/*
 * io/xs_wire.h - the xenstore wire protocol: messages and the shared ring.
 *
 * This file owns the bytes a xenstore client and the xenstore daemon
 * exchange: the 16-byte message header, the message types, the error names
 * sent back as strings, and the page both sides map to talk (two 1024-byte
 * byte rings, requests one way, responses and watch events the other).
 * Every number here is Xen's (public/io/xs_wire.h); the semantics of each
 * message are in Xen's docs/misc/xenstore.txt.  It must never describe how
 * a daemon stores nodes: that is the daemon's business.
 */
#ifndef XEN_PUBLIC_IO_XS_WIRE_H
#define XEN_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

/* Message types (xsd_sockmsg.type). */
enum xsd_sockmsg_type {
    XS_DEBUG,                   /*  0 */
    XS_DIRECTORY,               /*  1 */
    XS_READ,                    /*  2 */
    XS_GET_PERMS,               /*  3 */
    XS_WATCH,                   /*  4 */
    XS_UNWATCH,                 /*  5 */
    XS_TRANSACTION_START,       /*  6 */
    XS_TRANSACTION_END,         /*  7 */
    XS_INTRODUCE,               /*  8 */
    XS_RELEASE,                 /*  9 */
    XS_GET_DOMAIN_PATH,         /* 10 */
    XS_WRITE,                   /* 11 */
    XS_MKDIR,                   /* 12 */
    XS_RM,                      /* 13 */
    XS_SET_PERMS,               /* 14 */
    XS_WATCH_EVENT,             /* 15: daemon -> client only */
    XS_ERROR,                   /* 16: daemon -> client only */
    XS_IS_DOMAIN_INTRODUCED,    /* 17 */
    XS_RESUME,                  /* 18 */
    XS_SET_TARGET,              /* 19 */
    XS_RESTRICT,                /* 20: withdrawn */
    XS_RESET_WATCHES,           /* 21 */
    XS_DIRECTORY_PART,          /* 22 */
    XS_TYPE_COUNT,              /* not Xen's: one past the last type */
    XS_INVALID = 0xffff         /* never a valid type */
};

/*
 * Errors travel as the payload of an XS_ERROR reply: the errno's NAME,
 * NUL-terminated ("ENOENT\0").  These fifteen are the only names Xen sends;
 * any other error goes out as "EINVAL".  X(name, Linux errno number).
 */
#define XSD_ERRORS(X) \
    X(EINVAL, 22) X(EACCES, 13) X(EEXIST, 17) X(EISDIR, 21) X(ENOENT, 2) \
    X(ENOMEM, 12) X(ENOSPC, 28) X(EIO, 5) X(ENOTEMPTY, 39) X(ENOSYS, 38) \
    X(EROFS, 30) X(EBUSY, 16) X(EAGAIN, 11) X(EISCONN, 106) X(E2BIG, 7)

/* The header before every message; `len` payload bytes follow it. */
struct xsd_sockmsg {
    uint32_t type;              /* XS_* */
    uint32_t req_id;            /* chosen by the client, echoed in the reply */
    uint32_t tx_id;             /* transaction, 0 for none */
    uint32_t len;               /* payload bytes after the header */
};
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg is 16 bytes");

/* Watch events carry "path\0token\0": these index the two strings. */
enum xs_watch_type { XS_WATCH_PATH = 0, XS_WATCH_TOKEN };

/*
 * The shared page.  The client produces into req[] (req_prod) and the
 * daemon consumes (req_cons); for rsp[] the roles swap.  Indexes run
 * freely and wrap at 2^32; MASK_XENSTORE_IDX gives the byte's slot.  A
 * message may straddle the end of a ring, and is not whole until all of
 * its bytes have been produced.
 */
#define XENSTORE_RING_SIZE 1024
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];       /* client -> daemon */
    char rsp[XENSTORE_RING_SIZE];       /* daemon -> client: replies, watch events */
    XENSTORE_RING_IDX req_cons, req_prod;
    XENSTORE_RING_IDX rsp_cons, rsp_prod;
    uint32_t server_features;           /* XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;                /* XENSTORE_CONNECTED / _RECONNECT */
};
_Static_assert(sizeof(struct xenstore_domain_interface) == 2072, "xs ring page layout");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, req_cons) == 2048,
               "xs ring indexes follow the rings");
_Static_assert(__builtin_offsetof(struct xenstore_domain_interface, rsp_prod) == 2060,
               "xs rsp_prod offset");

/* A payload longer than this is a broken client: its connection is dropped. */
#define XENSTORE_PAYLOAD_MAX 4096
/* Longer paths only earn an error reply. */
#define XENSTORE_ABS_PATH_MAX 3072
#define XENSTORE_REL_PATH_MAX 2048

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* XS_WRITE's optional flag strings (old protocol). */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

#endif
