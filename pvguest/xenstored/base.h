/*
 * base.h - what the xenstored core may use, on the guest and on the host.
 *
 * The core (arena.c, tree.c, store.c) is pure C over memory: no hypercalls,
 * so tests/unit builds it for the host with -DHOST_TEST and runs it there.
 * This header picks the string functions from the host's libc or from the
 * pvguest library, which spell them the same.
 */
#ifndef XENSTORED_BASE_H
#define XENSTORED_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef HOST_TEST
#include <stdio.h>
#include <string.h>
#else
#include "pvguest/lib/pvguest.h"
#endif
#include "hypercalls/public/io/xs_wire.h"

/*
 * The core's error codes: Xen's xenstore error set under our own names
 * (the host's <errno.h> and the guest's ABI header both define E*), plus
 * EPERM, which Xen's xenstored uses internally and sends as "EINVAL".
 */
/* One past the last message type Xen defines (XS_DIRECTORY_PART). */
#define XS_TYPE_COUNT (XS_DIRECTORY_PART + 1)

/* Domain ids from here up are reserved (Xen's DOMID_FIRST_RESERVED). */
#define XS_DOMID_LIMIT 0x7FF0u

#define XSE_ENUM_(name, num) XSE_##name = num,
enum xs_errno { XSE_OK = 0, XSD_ERRORS(XSE_ENUM_) XSE_EPERM = 1 };

#endif
