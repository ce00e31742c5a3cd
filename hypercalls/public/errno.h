/*
 * errno.h - the error numbers a hypercall returns, negated.
 *
 * Xen's guest ABI reuses the x86 Linux errno numbers, so a hypercall that
 * fails returns -EINVAL (-22), -ENOSYS (-38) and so on in EAX.  This file
 * owns that list.  It must never invent a number: each value below is the
 * one in Xen's public errno.h, which in turn is x86 Linux's.
 *
 * Two spellings are given.  XEN_Exxx is Xen's own name.  The short Exxx
 * name is what our C code writes (return -EPERM;).  The short names are
 * defined with exactly the tokens Linux uses, so a host unit test that also
 * includes <errno.h> sees identical redefinitions, which C allows.
 * Xen's two hypervisor-internal codes (EINTR 4, ERESTART 85) are left out on
 * purpose: they must never reach a guest.
 */
#ifndef XEN_PUBLIC_ERRNO_H
#define XEN_PUBLIC_ERRNO_H

#define XEN_EPERM          1   /* operation not permitted */
#define XEN_ENOENT         2   /* no such object */
#define XEN_ESRCH          3   /* no such domain / process */
#define XEN_EIO            5   /* I/O error */
#define XEN_ENXIO          6   /* no such device or address */
#define XEN_E2BIG          7   /* argument list too long */
#define XEN_ENOEXEC        8   /* bad executable format */
#define XEN_EBADF          9   /* bad handle */
#define XEN_ECHILD        10   /* no child */
#define XEN_EAGAIN        11   /* try again */
#define XEN_EWOULDBLOCK   XEN_EAGAIN
#define XEN_ENOMEM        12   /* out of memory */
#define XEN_EACCES        13   /* permission denied */
#define XEN_EFAULT        14   /* bad guest address */
#define XEN_EBUSY         16   /* resource busy */
#define XEN_EEXIST        17   /* already exists */
#define XEN_EXDEV         18   /* cross-domain operation not allowed */
#define XEN_ENODEV        19   /* no such device */
#define XEN_EINVAL        22   /* invalid argument */
#define XEN_ENFILE        23   /* table overflow */
#define XEN_EMFILE        24   /* too many open handles */
#define XEN_ENOSPC        28   /* no space left */
#define XEN_EMLINK        31   /* too many links */
#define XEN_EDOM          33   /* argument out of domain */
#define XEN_ERANGE        34   /* result out of range */
#define XEN_EDEADLK       35   /* deadlock would occur */
#define XEN_EDEADLOCK     XEN_EDEADLK
#define XEN_ENAMETOOLONG  36   /* name too long */
#define XEN_ENOLCK        37   /* no locks available */
#define XEN_ENOSYS        38   /* hypercall (or sub-op) not implemented */
#define XEN_EBADRQC       56   /* invalid request code */
#define XEN_EBADSLT       57   /* invalid slot */
#define XEN_ENODATA       61   /* no data available */
#define XEN_ETIME         62   /* timer expired / deadline in the past */
#define XEN_EBADMSG       74   /* not a data message */
#define XEN_EOVERFLOW     75   /* value too large */
#define XEN_EILSEQ        84   /* illegal byte sequence */
#define XEN_EUSERS        87   /* too many users */
#define XEN_ENOTSOCK      88   /* not a socket */
#define XEN_EMSGSIZE      90   /* message too large */
#define XEN_EOPNOTSUPP    95   /* operation not supported */
#define XEN_EADDRINUSE    98   /* address already in use */
#define XEN_EADDRNOTAVAIL 99   /* address not available */
#define XEN_ENOBUFS      105   /* no buffer space */
#define XEN_EISCONN      106   /* already connected */
#define XEN_ENOTCONN     107   /* not connected */
#define XEN_ESHUTDOWN    108   /* endpoint shut down */
#define XEN_ETOOMANYREFS 109   /* too many references */
#define XEN_ETIMEDOUT    110   /* timed out */
#define XEN_ECONNREFUSED 111   /* connection refused */

/* Short names: literal numbers, token-for-token as x86 Linux defines them. */
#define EPERM          1
#define ENOENT         2
#define ESRCH          3
#define EIO            5
#define ENXIO          6
#define E2BIG          7
#define ENOEXEC        8
#define EBADF          9
#define ECHILD        10
#define EAGAIN        11
#define EWOULDBLOCK   EAGAIN
#define ENOMEM        12
#define EACCES        13
#define EFAULT        14
#define EBUSY         16
#define EEXIST        17
#define EXDEV         18
#define ENODEV        19
#define EINVAL        22
#define ENFILE        23
#define EMFILE        24
#define ENOSPC        28
#define EMLINK        31
#define EDOM          33
#define ERANGE        34
#define EDEADLK       35
#define EDEADLOCK     EDEADLK
#define ENAMETOOLONG  36
#define ENOLCK        37
#define ENOSYS        38
#define EBADRQC       56
#define EBADSLT       57
#define ENODATA       61
#define ETIME         62
#define EBADMSG       74
#define EOVERFLOW     75
#define EILSEQ        84
#define EUSERS        87
#define ENOTSOCK      88
#define EMSGSIZE      90
#define EOPNOTSUPP    95
#define EADDRINUSE    98
#define EADDRNOTAVAIL 99
#define ENOBUFS      105
#define EISCONN      106
#define ENOTCONN     107
#define ESHUTDOWN    108
#define ETOOMANYREFS 109
#define ETIMEDOUT    110
#define ECONNREFUSED 111

#endif
