/*
 * trace.h - a flight recorder: what the hypervisor did, in order, with TSC stamps.
 *
 * With the option trace=N the hypervisor keeps the last N events of five
 * kinds in a ring buffer: hypercalls, traps from a guest, exceptions
 * bounced to a guest, event-channel sends and upcalls, and scheduling
 * decisions.  The buffer is printed on the console at power off, or by
 * debug key 'T', and tools/trace draws it as a timeline (docs/tour.md).
 *
 * Each hook in the code is one TRACE(...) line.  Off (the default) it costs
 * one load and one untaken branch; the ring buffer is a fixed static array,
 * so tracing never allocates and never fails.
 */
#ifndef HV_TRACE_H
#define HV_TRACE_H
#include "hypervisor/types.h"
#include "hypervisor/cmdline.h"

#define TRACE_MAX     2048u     /* entries: 32 KiB of BSS; a boot of a few seconds fits */
#define TRACE_DEFAULT 1024u     /* trace=1, trace=on */

#define TRACE_FROM_HV 0xffffu   /* TRACE_EVENT's sender when the hypervisor sends */

struct domain;

enum trace_kind {
    TRACE_HYPERCALL,    /* a: hypercall number, b: 1 for an entry of a multicall */
    TRACE_TRAP,         /* a: vector, b: error code (low 16 bits) */
    TRACE_BOUNCE,       /* a: vector bounced to the guest's own handler */
    TRACE_EVENT,        /* a: d's port, b: the sender: a domain (event_send) or
                           TRACE_FROM_HV (a VIRQ, the wake-up at a peer's death) */
    TRACE_UPCALL,       /* the event callback entered in d */
    TRACE_RUN,          /* d starts a slice; d NULL: nothing to run, idle */
};

/* hv_opts.trace: the entries kept, 0 when tracing is off (cmdline.c parses it). */
#define TRACE(kind, d, a, b) \
    do { if (__builtin_expect(hv_opts.trace != 0, 0)) trace_record(kind, d, a, b); } while (0)

void trace_record(enum trace_kind kind, const struct domain *d, uint32_t a, uint32_t b);

/* Print the buffer, oldest first, in the line format tools/trace reads. */
void trace_dump(void);
#endif
