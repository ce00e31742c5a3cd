/*
 * domain.c - creating, halting, shutting down and destroying domains.
 *
 * A domain ends in exactly one of two ways, and both come through here:
 *  - the guest asks (sched_op shutdown): domain_shutdown();
 *  - the hypervisor decides (a disallowed instruction, a fault it cannot
 *    deliver...): domain_halt(), the single funnel Xen calls
 *    domain_crash() and lguest kill_guest().
 * Either way everything another domain could see (event channels, grants,
 * argo rings) goes at once, and its frames go back in turns (domain_reap),
 * so a misbehaving domain cannot hold memory hostage nor, being big, the
 * CPU; the summary at power off says how each domain ended.
 */
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/share/argo_ring.h"
#include "hypervisor/share/grant.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/event/event.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/console/console.h"
#include "hypervisor/console/guest_log.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/domain/shutdown.h"
#include "hypervisor/event/time.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/mm/frame.h"
#include "hypervisor/mm/m2p.h"
#include "hypervisor/mm/page.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/sched.h"
#include "arch/x86/paging.h"

struct domain *domains[MAX_DOMAINS];
unsigned nr_domains;

struct domain *domain_alloc(void)
{
    if (nr_domains == MAX_DOMAINS)
        return NULL;
    _Static_assert(sizeof(struct domain) <= PAGE_SIZE, "struct domain fits a page");
    mfn_t m = frame_alloc_low();
    if (mfn_eq(m, INVALID_MFN))
        return NULL;
    struct domain *d = directmap_va((paddr_t)mfn_x(m) << PAGE_SHIFT);
    memset(d, 0, PAGE_SIZE);
    d->id = nr_domains;
    d->shared_info = INVALID_MFN;
    d->vcpu_info_mfn = INVALID_MFN;
    d->nr_vcpus = 1;
    d->up = d->initialised = true;      /* vCPU 0 runs from the start; others wait (builder.c) */
    d->store_mfn = d->console_mfn = INVALID_MFN;
    d->runstate = (struct xen_vcpu_runstate_info){ .state = RUNSTATE_runnable,
                                                   .state_entry_time = time_now_ns() };
    d->weight = 256;
    snprintf(d->name, sizeof(d->name), "d%u", d->id);
    domains[nr_domains++] = d;
    return d;
}

void *domain_map_pfn(struct domain *d, uint32_t pfn)
{
    BUG_ON(pfn >= d->nr_pages);
    return map_domain_page(d->frames[pfn]);
}

/* The frame table says who owns a frame; the M2P says which pfn it is. */
bool domain_owns_frame(const struct domain *d, mfn_t m, uint32_t *pfn)
{
    struct page_info *pg = page_info(m);
    if (!pg || pg->owner != d->id || (pg->flags & PGF_GIVEN))
        return false;
    *pfn = m2p_get(m);
    return true;
}

/*
 * At death the references a domain holds are to its own frames (its grant
 * mappings of others' frames went in grant_table_teardown), so the frame
 * table entries are simply reset with the frames - except a frame others
 * still map through a grant: that one is an orphan now, and the last of
 * those mappings frees it (share/grant.c), perhaps before domain_reap gets
 * to its slot, and it may be someone else's by then: not d's, not ours.
 */
static void free_frame_if_valid(const struct domain *d, mfn_t *m)
{
    if (mfn_eq(*m, INVALID_MFN))
        return;
    if (page_info(*m)->owner != d->id) {
        *m = INVALID_MFN;
        return;
    }
    page_set_owner(*m, OWNER_NONE);
    m2p_set(*m, M2P_INVALID);
    frame_free(*m);
    *m = INVALID_MFN;
}

/*
 * The last reference to a frame decrease_reservation gave back has gone
 * (page_put).  Its M2P entry names its slot: memory.c wrote it so, and
 * the guest cannot change it since (domain_owns_frame says no).
 */
void domain_drop_frame(mfn_t m)
{
    struct domain *d = domains[page_info(m)->owner];
    uint32_t pfn = m2p_get(m);
    BUG_ON(pfn >= d->nr_pages || !mfn_eq(d->frames[pfn], m));
    free_frame_if_valid(d, &d->frames[pfn]);
}

void domain_destroy(struct domain *d)
{
    event_domain_dies(d);              /* first: peers are told while shared_info exists */
    argo_domain_dies(d);               /* before its frames go: rings hold references */
    rings_domain_dies(d);              /* likewise: its store and console pages */
    for (unsigned n = 0; n < (d->vcpus ? d->nr_vcpus : 1u); n++) {
        vcpu_load(d, n);               /* each vCPU's own mapping and GDT copies */
        vcpu_info_release(d);
        gdt_domain_dies(d);
    }
    ldt_domain_dies(d);
    fpu_domain_dies(d);
    grant_table_teardown(d);           /* last before the frames: it leaves only others' references */
    domain_free_memory(d, false);      /* its frames later, in turns (sched.c) */
}

void domain_free_memory(struct domain *d, bool frames_too)
{
    free_frame_if_valid(d, &d->shared_info);
    for (uint32_t i = 0; d->vcpus && i < VCPUS_PAGES(d->nr_vcpus); i++)
        frame_free(_mfn((uint32_t)(directmap_pa(d->vcpus) >> PAGE_SHIFT) + i));
    d->vcpus = NULL;
    if (d->pdpt) {
        frame_free(_mfn((uint32_t)(directmap_pa(d->pdpt) >> PAGE_SHIFT)));
        d->pdpt = NULL;
    }
    if (frames_too)
        domain_reap(d, true);
}

/*
 * A dead domain's frames, from the top pfn down, 256 at a time until the
 * tick is due (Xen's domain_relinquish_resources continues the same way):
 * about 90 instructions a frame, so a 256 MiB domain is 6 ms of work, which
 * the scheduler spreads over turns (sched.c).  Nobody else can reach these
 * frames meanwhile: they are d's alone, and d is no longer RUNNABLE.
 */
void domain_reap(struct domain *d, bool all)
{
    if (!d->frames)
        return;
    d->reap_turns++;
    do
        for (unsigned n = 0; n < 256 && d->nr_pages; n++)
            free_frame_if_valid(d, &d->frames[--d->nr_pages]);
    while (d->nr_pages && (all || !time_tick_due()));
    if (d->nr_pages)
        return;
    for (uint32_t i = 0; i < d->frames_array_pages; i++)
        frame_free(_mfn((uint32_t)(directmap_pa(d->frames) >> PAGE_SHIFT) + i));
    d->frames = NULL;
    if (!all)
        hvlog("d%u memory given back: %u frames in %u turns\n", d->id, d->tot_pages, d->reap_turns);
}

long domain_check_self(unsigned domid)
{
    if (domid == DOMID_SELF || domid == current->id)
        return 0;
    return event_domain(domid) ? -EPERM : -ESRCH;
}

long domain_check_pg_owner(unsigned foreigndom)
{
    if (foreigndom == DOMID_SELF)
        return 0;
    if (foreigndom == current->id)
        return -ESRCH;
    if (foreigndom == DOMID_IO)
        return -EPERM;
    return event_domain(foreigndom) ? -EPERM : -ESRCH;
}

void domain_halt(struct domain *d, const char *fmt, ...)
{
    char reason[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    console_domain_flush(d->id);
    guest_log_flush(d);                 /* the halt line itself is never limited */
    hvlog("d%u halted: %s\n", d->id, reason);
    snprintf(d->end_reason, sizeof(d->end_reason), "halted: %s", reason);
    d->state = DOMAIN_HALTED;
    sched_run_next();                   /* frees d's memory once off its page tables */
}

static const char *shutdown_reason_name(unsigned reason)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog",
    };
    return reason < ARRAY_SIZE(names) && names[reason] ? names[reason] : "unknown";
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    console_domain_flush(d->id);
    guest_log_flush(d);
    if (reason < 5)
        hvlog("d%u shutdown: %s\n", d->id, shutdown_reason_name(reason));
    else
        hvlog("d%u shutdown: unknown reason %u\n", d->id, reason);
    snprintf(d->end_reason, sizeof(d->end_reason), "shutdown: %s", shutdown_reason_name(reason));
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    /* The scheduler frees the memory when it leaves d (see sched_run_next). */
}

int domain_summary(void)
{
    int status = HV_STATUS_OK;
    hvlog("summary: %u domain%s\n", nr_domains, nr_domains == 1 ? "" : "s");
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[i];
        hvlog("  d%u %-12s %s\n", d->id, d->name, d->end_reason);
        if (d->state != DOMAIN_SHUTDOWN || d->shutdown_reason != SHUTDOWN_poweroff)
            status = HV_STATUS_DOMAIN_FAILED;
    }
    /* The domains' own records go last, after the summary has used them. */
    for (unsigned i = 0; i < nr_domains; i++) {
        domain_reap(domains[i], true);    /* what the dead had not yet given back in turns */
        frame_free(_mfn((uint32_t)(directmap_pa(domains[i]) >> PAGE_SHIFT)));
    }
    nr_domains = 0;
    /*
     * The leak check: every frame is free again except the M2P table, which
     * the hypervisor keeps for its lifetime.  Tests assert on "0 leaked".
     */
    uint32_t free = frame_free_count(), total = frame_total_count();
    uint32_t kept = m2p_frame_count() + page_table_frames();
    hvlog("frames: %u free of %u at power off, %u kept for the M2P and frame table, %d leaked\n",
          free, total, kept, (int)(total - free - kept));
    return status;
}
