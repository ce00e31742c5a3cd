/* rings.h - each domain's store and console rings, and the service domains (rings.c). */
#ifndef HV_RINGS_H
#define HV_RINGS_H
#include "hypervisor/domain/domain.h"

/*
 * The connect phase: after every module is built and before any domain
 * runs, give each domain the rings of the services that exist (a store
 * page and port when a xenstored service was built, a console ring unless
 * it is an initial domain), fill in its start_info, and queue its
 * introduction to xenstored.
 */
void rings_connect(void);

/* d sent on port, a port of d whose peer is the hypervisor (EVTCHN_TO_XEN). */
void rings_notify(struct domain *d, uint32_t port);

/*
 * Notify d on port, one of its ports whose peer is the hypervisor (a ring's),
 * if it still is one: a guest may have closed it, and a stale pending bit
 * must not reach whatever port takes that number next.
 */
void rings_kick(struct domain *d, uint16_t port);

/* d is being destroyed: let go of its ring pages, queue XS_RELEASE. */
void rings_domain_dies(struct domain *d);

/*
 * No guest is left, only services: stop each ("(hv) dN stopped: ..."),
 * as a poweroff, so that a service still serving does not fail the run.
 */
void rings_stop_services(void);

/* The live xenstore service domain, or NULL. */
struct domain *rings_xenstored(void);

/* The debug keys' line for d's rings. */
void rings_show(const struct domain *d);
#endif
