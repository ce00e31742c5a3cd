/*
 * io/xenbus.h - the states both ends of a split device publish in xenstore.
 *
 * Each end writes its own "state" node; the other watches it.  A device
 * comes up Initialising -> InitWait (backend ready for the frontend's
 * details) -> Initialised (frontend wrote ring-ref/event-channel) ->
 * Connected, and goes down through Closing -> Closed.  Values are Xen's
 * (xen/include/public/io/xenbus.h); in xenstore they are decimal strings.
 */
#ifndef XEN_PUBLIC_IO_XENBUS_H
#define XEN_PUBLIC_IO_XENBUS_H

enum xen_xenbus_state {
    XenbusStateUnknown       = 0,
    XenbusStateInitialising  = 1,
    XenbusStateInitWait      = 2,
    XenbusStateInitialised   = 3,
    XenbusStateConnected     = 4,
    XenbusStateClosing       = 5,
    XenbusStateClosed        = 6,
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured  = 8,
};

#endif
