/*
 * xenbus.h - a guest's xenstore client, over its own store ring.
 *
 * start_info.store_mfn is a page of ours shared with the xenstored service
 * domain (struct xen_xenstore_domain_interface) and start_info.store_evtchn the
 * event channel to it.  xenbus_init() finds both; each call below then
 * sends one request and waits for its reply, so replies match requests
 * one to one.  Watch events that arrive meanwhile are queued (up to
 * XENBUS_EVENTS; more are dropped and counted) for xs_next_event().
 * Waiting is SCHEDOP_poll on the store port, so it works with events
 * masked and needs no upcall handler.  Results: a byte count for the
 * requests that return data, 0 for those answered "OK", or -errno with Xen's numbers, decoded from
 * the daemon's error name ("ENOENT" -> -ENOENT); xenbus_last_error names
 * the last one.  tx is 0 or a transaction from xs_transaction_start().
 */
#ifndef PVGUEST_XENBUS_H
#define PVGUEST_XENBUS_H

#include "pvguest/lib/pvguest.h"
#include "pvguest/lib/xs_ring.h"

#define XENBUS_EVENTS 8
#define XENBUS_EVENT_MAX 256

long xenbus_init(void);                 /* 0, or -ENODEV when there is no store ring */
/*
 * For test guests: xenbus_init(), or test_skip() with the reason xenstore
 * cannot work in this boot and false: grant_table_op is -ENOSYS (xenstored
 * could not map any ring), or the builder gave us no store ring.
 */
bool xenbus_test_ready(void);
extern const char *xenbus_last_error;   /* "ENOENT"..., "" after a success */
extern unsigned xenbus_events_dropped;

long xs_read(uint32_t tx, const char *path, char *buf, size_t size);   /* NUL-terminated */
long xs_write(uint32_t tx, const char *path, const char *value);
long xs_mkdir(uint32_t tx, const char *path);
long xs_rm(uint32_t tx, const char *path);
/* Child names, each NUL-terminated, one after the other: bytes used. */
long xs_directory(uint32_t tx, const char *path, char *buf, size_t size);
/* perms: "n1\0r2\0" style, len bytes. */
long xs_get_perms(uint32_t tx, const char *path, char *buf, size_t size);
long xs_set_perms(uint32_t tx, const char *path, const char *perms, size_t len);
long xs_watch(const char *path, const char *token);
long xs_unwatch(const char *path, const char *token);
long xs_transaction_start(uint32_t *tx);
long xs_transaction_end(uint32_t tx, bool commit);     /* -EAGAIN: retry it all */
long xs_get_domain_path(unsigned domid, char *buf, size_t size);
/* The number in node under dir ("" dir: node is relative): 0 and *out, or -errno. */
long xs_read_number(const char *dir, const char *node, unsigned long *out);
/* Write the formatted value to dir/node (outside a transaction): as xs_write. */
long xs_printf(const char *dir, const char *node, const char *fmt, ...) __printf(3, 4);

/* Take the oldest watch event; with wait, block until there is one. */
bool xs_next_event(char *path, size_t psize, char *token, size_t tsize, bool wait);

/*
 * For a service that waits on several ports itself (blkback): the store
 * port, and a call that queues the watch events already on the ring
 * without waiting (0, or -EIO for a corrupt ring).  Read them with
 * xs_next_event(..., false).  Events that arrive while a request waits for
 * its reply are queued too, and the port's pending bit is then already
 * consumed: check xenbus_events_queued() before sleeping on the port.
 */
unsigned xenbus_port(void);
long xenbus_take_events(void);
/* Events already queued (taken off the ring while a request waited): do not sleep. */
bool xenbus_events_queued(void);

/*
 * Any request, raw: type, tx_id and payload as given; the reply's payload
 * into buf (NUL added if room).  Returns its length, or -errno for an
 * XS_ERROR.  *reply_type, if not NULL, gets the reply's type.
 */
long xs_request(uint32_t type, uint32_t tx, const void *payload, uint32_t len,
                char *buf, size_t size, uint32_t *reply_type);
/* Bytes straight onto the request ring (for tests of a hostile client). */
long xenbus_send_raw(const void *bytes, uint32_t len);
volatile struct xen_xenstore_domain_interface *xenbus_page(void);

#endif
