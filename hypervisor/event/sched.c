/*
 * sched.c - choose the next domain and switch to it.
 *
 * The policy: weighted round robin.  Each domain runs for a slice of
 * SLICE_NS * weight / 256 of real time; the timer tick (time.c) ends a slice
 * that has run out, whatever the guest is doing - even spinning with its
 * events masked, since the real interrupt flag stays on in every guest.  A
 * domain also gives up the CPU when it yields, blocks waiting for an event,
 * shuts down or is halted.  The next runnable domain after the last one to
 * run gets the CPU, so every runnable domain gets a turn per round.  When
 * nothing is runnable but some domain is blocked, the CPU halts (hlt) until
 * an interrupt wakes someone.  A domain with several vCPUs (docs/smp.md)
 * takes its turns as one: each turn goes to the next of its vCPUs that is
 * up and awake (vcpu_next), so its share is its weight's, not its weight's
 * times its vCPUs.
 *
 * The mechanism: every trap from a guest leaves a struct cpu_regs at the
 * top of the hypervisor stack (TSS.esp0 is always the same address).  To
 * switch, we copy that frame into the old domain's struct, copy the new
 * domain's saved registers over the frame, and load the new domain's page
 * tables.  When the trap handler returns, entry.S "returns" into the new
 * domain.  There is no separate kernel stack per domain to save.
 */
#include "hypervisor/event/sched.h"
#include "hypervisor/trace.h"
#include "arch/x86/cpu.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/vcpu/runstate.h"
#include "hypervisor/event/time.h"
#include "hypervisor/share/rings.h"
#include "hypervisor/vcpu/trap.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/console/console.h"
#include "hypervisor/domain/shutdown.h"
#include "hypervisor/lib.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

struct domain *current;
bool need_resched;
static unsigned rr_last = ~0u;          /* the id that ran last, for round robin */

#define SLICE_NS 10000000ull            /* 10 ms at weight 256 */

void entry_return_to(struct cpu_regs *frame) __noreturn;

struct cpu_regs *sched_guest_frame(void)
{
    extern char hv_stack[];
    return (struct cpu_regs *)(hv_stack + HV_STACK_SIZE - sizeof(struct cpu_regs));
}

/*
 * Some vCPU of d is up and not blocked (vcpu_next): fairness is between
 * domains.  A dying domain takes its turns too: it spends them freeing its
 * memory (domain_reap), and has no vCPU to look at any more.
 */
static bool runnable(struct domain *d)
{
    return (d->state == DOMAIN_RUNNABLE && vcpu_next(d) >= 0) || domain_dying(d);
}

/*
 * Which domains may be runnable, one bit per id: a hint that lets
 * pick_next skip blocked and ended domains 32 at a time, so that a pick
 * costs about the same with 1 or 128 domains (docs/performance.md, the
 * scale rows).  The invariant: runnable(d) implies d's bit is set.  A
 * domain becomes runnable only when built (sched_start marks them all) or
 * woken (sched_wake marks it); pick_next clears the bit of any domain it
 * finds not runnable.  A set bit is never trusted: runnable() decides.
 */
static uint32_t maybe_runnable[(MAX_DOMAINS + 31) / 32];

static void mark_runnable(const struct domain *d)
{
    maybe_runnable[d->id / 32] |= 1u << (d->id % 32);
}

/* The first marked id at or after from (below nr_domains), or nr_domains. */
static unsigned next_marked(unsigned from)
{
    for (unsigned w = from / 32; w * 32 < nr_domains; w++) {
        uint32_t bits = maybe_runnable[w] & (w == from / 32 ? ~0u << (from % 32) : ~0u);
        if (bits) {
            unsigned id = w * 32 + (unsigned)__builtin_ctz(bits);
            return id < nr_domains ? id : nr_domains;
        }
    }
    return nr_domains;
}

/* Round robin: the first runnable domain after the last one to run. */
static struct domain *pick_next(void)
{
    unsigned start = rr_last + 1 < nr_domains ? rr_last + 1 : 0;
    /* Two passes: from start to the end, then from 0 round to start again. */
    for (unsigned pass = 0, id = start; pass < 2; pass++, id = 0)
        while ((id = next_marked(id)) < nr_domains && (pass == 0 || id <= start)) {
            struct domain *d = domains[id];
            if (runnable(d))
                return d;
            maybe_runnable[id / 32] &= ~(1u << (id % 32));
            id++;
        }
    return NULL;
}

/* A guest still running?  Service domains (dom.service=) do not keep a run going. */
static bool any_alive(void)
{
    for (unsigned i = 0; i < nr_domains; i++)
        if (domains[i]->state == DOMAIN_RUNNABLE && !domains[i]->service)
            return true;
    return false;
}

/* d's loaded vCPU leaves the CPU: d is charged for its slice; the runstate says where it went. */
static void account(struct domain *d, uint64_t now)
{
    if (d && now > d->slice_start_ns)
        d->cpu_ns += now - d->slice_start_ns;
    if (d)
        runstate_change(d, d->state != DOMAIN_RUNNABLE || !d->up ? RUNSTATE_offline :
                           d->blocked ? RUNSTATE_blocked : RUNSTATE_runnable, now);
}

/*
 * Make d the running domain: the next of its vCPUs loaded (vcpu_load.c),
 * that vCPU's registers in the frame, its state in the CPU.
 */
static void switch_to(struct domain *d, struct cpu_regs *frame)
{
    unsigned n = (unsigned)vcpu_next(d);
    if (n != d->vcpu_id)
        vcpu_switch(d, n);
    *frame = d->regs;
    write_cr3((uint32_t)directmap_pa(d->pdpt));
    desc_switch_to(d);
    gdt_switch_to(d);
    ldt_switch_to(d);
    fpu_switch_to(d);
    debugreg_switch_to(d);
    cpu_set_tsd(untrappable_rdtsc_traps(d));    /* rdtsc traps in this domain (emulate_untrappable.c) */
    time_update_guest(d);
    d->slice_start_ns = time_now_ns();
    rr_last = d->id;
    current = d;
    TRACE(TRACE_RUN, d, 0, 0);
    runstate_change(d, RUNSTATE_running, d->slice_start_ns);
    runstate_publish(d);                    /* its page tables are loaded, and it is current */
    time_periodic(d, d->slice_start_ns);
}

/*
 * Nothing can run but some domain waits: halt the CPU with interrupts on.
 * "sti; hlt" cannot lose an interrupt (sti takes effect after hlt starts).
 * The tick (or console input) runs its handler, which may wake a domain.
 * A dying domain's turn is spent here, with no domain current: it frees
 * memory until the tick is due (domain_reap), then the tick is taken and
 * the round robin goes on, so a big domain's teardown keeps no other
 * domain off the CPU much longer than a tick (docs/architecture.md).
 */
static struct domain *wait_for_runnable(void)
{
    for (;;) {
        if (!any_alive())
            return NULL;
        struct domain *next = pick_next();
        if (next && !domain_dying(next))
            return next;
        current = NULL;
        TRACE(TRACE_RUN, NULL, 0, 0);
        if (next) {
            rr_last = next->id;
            domain_reap(next, false);
            if (!time_tick_due())
                continue;               /* it is all back */
        }
        sti();
        hlt();
        cli();
    }
}

void sched_run_next(void)
{
    struct cpu_regs *frame = sched_guest_frame();
    /*
     * A domain that has ended is still running on its own page tables until
     * this point.  Move to the hypervisor's tables first, then free its
     * frames: none of them may be in use by the CPU when they are freed.
     */
    write_cr3((uint32_t)directmap_pa(boot_pdpt));
    if (current) {
        account(current, time_now_ns());
        if (current->state != DOMAIN_RUNNABLE)
            domain_destroy(current);
    }
    struct domain *next = wait_for_runnable();
    if (!next) {
        current = NULL;
        rings_stop_services();              /* only services are left: they end too */
        shutdown_machine(domain_summary());
    }
    need_resched = false;
    switch_to(next, frame);
    trap_deliver_upcall(next, frame);      /* e.g. the event that woke it */
    entry_return_to(frame);
}

void sched_start(void)
{
    for (unsigned i = 0; i < nr_domains; i++)
        mark_runnable(domains[i]);
    current = NULL;
    sched_run_next();
}

void sched_yield(void)
{
    need_resched = true;
}

void sched_block(struct domain *d)
{
    d->blocked = true;
    need_resched = true;
}

void sched_wake(struct domain *d)
{
    d->blocked = false;
    mark_runnable(d);
    if (d->runstate.state == RUNSTATE_blocked)   /* not if it never left the CPU */
        runstate_change(d, RUNSTATE_runnable, time_now_ns());
}

/* The timer tick: end the running domain's slice when it has run out. */
void sched_tick(void)
{
    struct domain *d = current;
    if (d && time_now_ns() - d->slice_start_ns >= SLICE_NS * d->weight / 256)
        need_resched = true;
}

void sched_trap_exit(struct cpu_regs *frame)
{
    if (current->state != DOMAIN_RUNNABLE)
        sched_run_next();
    if (!need_resched && !current->blocked)
        return;
    need_resched = false;
    struct domain *next = pick_next();
    if (next == current && vcpu_next(next) == current->vcpu_id)
        return;                           /* the same vCPU again (the only one up and awake) */
    current->regs = *frame;
    if (!next || domain_dying(next))      /* only current could run, and it blocked, or */
        sched_run_next();                 /* a dying domain's turn (does not return) */
    account(current, time_now_ns());
    switch_to(next, frame);
}
