/*
 * keys.c - the debug keys: one letter, one table of the hypervisor's state.
 *
 * When console input goes to the hypervisor (Ctrl-A three times, see
 * console_input.c), each key typed runs one handler from the table below,
 * as Xen's keyhandler.c does: 'h' lists them, 'd' the domains (and their
 * store and console rings), 'r' the run queue, 't' the time, 'm' the
 * memory, 'g' the grant tables.  'd' also raises VIRQ_DEBUG in every
 * live domain that bound it, as Xen's 'q' (dump domains) does, so a guest
 * can print its own state beside ours (xenstored prints its store).  Every line starts "(hv) " and the
 * tables are aligned for a person to read.
 *
 * Handlers run in interrupt context and only read: they never change a
 * domain, the scheduler or the allocator (sending VIRQ_DEBUG aside).
 */
#include "hypervisor/console/keys.h"
#include "hypervisor/console/console.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/event.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/lib.h"
#include "hypervisor/event/time.h"
#include "hypervisor/event/time_calc.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/share/grant.h"
#include "hypervisor/trace.h"
#include "hypercalls/public/xen.h"

#define NS_PER_MS 1000000ull

static const char *state_name(const struct domain *d)
{
    switch (d->state) {
    case DOMAIN_RUNNABLE:
        return d == current ? "running" : d->blocked ? "blocked" : "runnable";
    case DOMAIN_SHUTDOWN:
        return "shutdown";
    case DOMAIN_HALTED:
        return "halted";
    default:
        return "not built";
    }
}

/* CPU time so far, counting the running domain's slice up to now. */
static uint64_t cpu_ns(const struct domain *d, uint64_t now)
{
    if (d == current && now > d->slice_start_ns)
        return d->cpu_ns + (now - d->slice_start_ns);
    return d->cpu_ns;
}

static void key_domains(void)
{
    uint64_t now = time_now_ns();
    hvlog("domains:\n");
    hvlog("  id    name              state      pages   cpu ms  ports  weight\n");
    for (unsigned i = 0; i < nr_domains; i++) {
        const struct domain *d = domains[i];
        bool alive = d->state == DOMAIN_RUNNABLE;
        char ports[12];
        if (alive)
            snprintf(ports, sizeof(ports), "%u", event_ports_in_use(d));
        else
            snprintf(ports, sizeof(ports), "-");
        hvlog("  d%-4u %-16.16s  %-9s %6u %8llu %6s %7u\n", d->id, d->name, state_name(d),
              d->frames ? d->tot_pages : 0, (unsigned long long)(cpu_ns(d, now) / NS_PER_MS),
              ports, d->weight);
    }
    for (unsigned i = 0; i < nr_domains; i++)
        if (domains[i]->state == DOMAIN_RUNNABLE) {
            rings_show(domains[i]);             /* store and console: mfn and port */
            event_send_virq(domains[i], VIRQ_DEBUG);
        }
    hvlog("VIRQ_DEBUG raised in every live domain that bound it\n");
}

/* "label  d1 d2 ..." over as many lines as it takes; "none" when empty. */
static void domain_row(const char *label, unsigned first, bool (*want)(const struct domain *))
{
    char line[96];
    unsigned len = 0, n = 0;
    for (unsigned k = 0; k < nr_domains; k++) {
        const struct domain *d = domains[(first + k) % nr_domains];
        if (!want(d))
            continue;
        len += snprintf(line + len, sizeof(line) - len, " d%u", d->id);
        if (++n % 16 == 0) {
            hvlog("  %-8s%s\n", label, line);
            label = "";
            len = 0;
        }
    }
    if (len || !n)
        hvlog("  %-8s%s\n", label, n ? line : " none");
}

static bool is_running(const struct domain *d) { return d == current; }
static bool is_waiting(const struct domain *d)
{
    return d != current && d->state == DOMAIN_RUNNABLE && !d->blocked;
}
static bool is_blocked(const struct domain *d)
{
    return d->state == DOMAIN_RUNNABLE && d->blocked;
}

/* Round robin picks the next runnable domain after the one running now. */
static void key_run_queue(void)
{
    unsigned first = current ? current->id + 1 : 0;
    hvlog("run queue (round robin, in the order they will run):\n");
    if (current)
        domain_row("running", 0, is_running);
    else
        hvlog("  %-8s none (idle)\n", "running");
    domain_row("next", first, is_waiting);
    domain_row("blocked", 0, is_blocked);
}

static void key_time(void)
{
    uint64_t now = time_now_ns();
    hvlog("time: %llu.%09llu s since boot (system time)\n",
          (unsigned long long)(now / NS_PER_SEC), (unsigned long long)(now % NS_PER_SEC));
    for (unsigned i = 0; i < nr_domains; i++) {
        const struct domain *d = domains[i];
        if (d->state != DOMAIN_RUNNABLE || !d->timer_deadline_ns)
            continue;
        uint64_t left = d->timer_deadline_ns > now ? d->timer_deadline_ns - now : 0;
        hvlog("  d%-4u timer in %llu.%03llu ms\n", d->id,
              (unsigned long long)(left / NS_PER_MS),
              (unsigned long long)(left % NS_PER_MS / 1000));
    }
}

static void key_memory(void)
{
    uint32_t free = frame_free_count(), total = frame_total_count(), in_domains = 0;
    for (unsigned i = 0; i < nr_domains; i++)
        if (domains[i]->frames)
            in_domains += domains[i]->tot_pages;
    hvlog("memory (4 KiB frames):\n");
    hvlog("  %-12s %8u frames %6u MiB\n", "free", free, free / 256);
    hvlog("  %-12s %8u frames %6u MiB\n", "in domains", in_domains, in_domains / 256);
    hvlog("  %-12s %8u frames %6u MiB\n", "total", total, total / 256);
}

/* Xen's 'g' prints every active entry; a count per domain is what a reader needs here. */
static void key_grants(void)
{
    hvlog("grant tables (v1; mapped: by other domains of its grants, by it of theirs):\n");
    hvlog("  id    name              frames  mapped-by-others  mapping-of-others\n");
    for (unsigned i = 0; i < nr_domains; i++) {
        const struct domain *d = domains[i];
        uint32_t frames, given, held;
        if (!d->grant)
            continue;
        grant_usage(d, &frames, &given, &held);
        hvlog("  d%-4u %-16.16s  %6u  %16u  %17u\n", d->id, d->name, frames, given, held);
    }
}

static void key_help(void);

static const struct key {
    char key;
    void (*fn)(void);
    const char *what;
} keys[] = {
    { 'h', key_help, "this list" },
    { 'd', key_domains, "domains: state, memory, CPU time, ports, weight, rings; VIRQ_DEBUG (xenstore dump)" },
    { 'r', key_run_queue, "run queue: running, next in turn, blocked" },
    { 't', key_time, "time since boot, and pending guest timers" },
    { 'm', key_memory, "free and used memory" },
    { 'g', key_grants, "grant tables: frames, mappings of each domain's grants and by it" },
    { 'T', trace_dump, "the trace buffer, for tools/trace (boot with trace=N)" },
};

static void key_help(void)
{
    hvlog("debug keys (Ctrl-A three times gives input to the next domain):\n");
    for (unsigned i = 0; i < ARRAY_SIZE(keys); i++)
        hvlog("  %c  %s\n", keys[i].key, keys[i].what);
}

void keys_handle(char key)
{
    if (key == '\r' || key == '\n' || key == ' ')
        return;                             /* Enter and space mean nothing, quietly */
    for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
        if (keys[i].key == key) {
            keys[i].fn();
            return;
        }
    }
    if (key > 0x20 && key < 0x7f)
        hvlog("debug key '%c' is not one; type h for help\n", key);
    else
        hvlog("debug key 0x%02x is not one; type h for help\n", (uint8_t)key);
}
