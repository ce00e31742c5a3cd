/*
 * trace.c - the ring buffer behind TRACE() and its console dump.
 *
 * This file owns the recorder of trace.h: it stores entries, never reads
 * guest memory, and never changes anything it records.  The dump is one
 * line per entry, made to be parsed by tools/trace:
 *
 *   (hv) trace: K entries of N recorded, T TSC ticks per ms
 *   (hv) T <ticks since the first entry> <d0|hv> <kind> [numbers] [name]
 *   (hv) trace: end
 *
 * Stamps are raw TSC values, the cheapest clock there is; the header gives
 * their rate, measured between the first entry and the dump against the
 * hypervisor's system time, so the picture can be drawn in microseconds.
 */
#include "hypervisor/trace.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/lib.h"
#include "hypervisor/console/console.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/time.h"
#include "arch/x86/regs.h"
#include "arch/x86/x86.h"

#define TRACE_HV      0xffu     /* the "domain" of an entry that has none */

struct trace_entry {
    uint64_t tsc;
    uint32_t a;
    uint16_t b;
    uint8_t kind;
    uint8_t dom;
};

static struct trace_entry ring[TRACE_MAX];
static uint32_t recorded;                /* ever; ring[recorded % size] is next */
static uint64_t tsc0, ns0;               /* first entry: TSC and system time */

void trace_record(enum trace_kind kind, const struct domain *d, uint32_t a, uint32_t b)
{
    uint32_t size = hv_opts.trace;
    uint8_t dom = d ? (uint8_t)d->id : TRACE_HV;
    if (!recorded) {
        tsc0 = rdtsc();
        ns0 = time_now_ns();
    }
    /* An idle CPU wakes at every tick to look again: one "idle" is enough. */
    const struct trace_entry *last = &ring[(recorded + size - 1) % size];
    if (kind == TRACE_RUN && recorded && last->kind == TRACE_RUN && last->dom == dom)
        return;
    ring[recorded % size] = (struct trace_entry){
        .tsc = rdtsc(), .a = a, .b = (uint16_t)b, .kind = (uint8_t)kind, .dom = dom };
    recorded++;
}

void trace_dump(void)
{
    static const char *const kinds[] = { "hc", "trap", "bounce", "event", "upcall", "run" };
    uint32_t size = hv_opts.trace;
    if (!size) {
        hvlog("trace: off (boot with trace=N to record the last N events)\n");
        return;
    }
    uint32_t kept = recorded < size ? recorded : size;
    uint64_t dns = recorded ? time_now_ns() - ns0 : 0, dtsc = rdtsc() - tsc0;
    hvlog("trace: %u entries of %u recorded, %llu TSC ticks per ms\n", kept, recorded,
          (unsigned long long)(dns ? dtsc * 1000000ull / dns : 0));
    for (uint32_t i = recorded - kept; i != recorded; i++) {
        const struct trace_entry *e = &ring[i % size];
        char who[8];
        if (e->dom == TRACE_HV)
            snprintf(who, sizeof(who), "hv");
        else
            snprintf(who, sizeof(who), "d%u", e->dom);
        bool vector = e->kind == TRACE_TRAP || e->kind == TRACE_BOUNCE;
        const char *name = e->kind == TRACE_HYPERCALL ? hypercall_name(e->a)
                         : vector && e->a < 32 ? x86_exception_name(e->a)
                         : vector ? "int" : "";
        hvlog("T %llu %s %s %u %u%s%s\n", (unsigned long long)(e->tsc - tsc0), who,
              e->kind == TRACE_RUN && e->dom == TRACE_HV ? "idle" : kinds[e->kind],
              e->a, e->b, name[0] ? " " : "", name);
    }
    hvlog("trace: end\n");
}
