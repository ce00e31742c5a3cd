/*
 * sched.c - choose the next domain and switch to it.
 *
 * For now the scheduler is cooperative: a domain runs until it yields,
 * shuts down or is halted, then the next runnable domain in id order gets
 * the CPU.  (A timer-driven preemptive scheduler replaces the policy in a
 * later stage; the mechanism below stays.)
 *
 * The mechanism: every trap from a guest leaves a struct cpu_regs at the
 * top of the hypervisor stack (TSS.esp0 is always the same address).  To
 * switch, we copy that frame into the old domain's struct, copy the new
 * domain's saved registers over the frame, and load the new domain's page
 * tables.  When the trap handler returns, entry.S "returns" into the new
 * domain.  There is no separate kernel stack per domain to save.
 */
#include "hypervisor/sched.h"
#include "hypervisor/debugreg.h"
#include "hypervisor/fpu.h"
#include "hypervisor/gdt.h"
#include "hypervisor/console.h"
#include "hypervisor/shutdown.h"
#include "hypervisor/lib.h"
#include "arch/x86/desc.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

struct domain *current;
static bool need_resched;

void entry_return_to(struct cpu_regs *frame) __noreturn;

struct cpu_regs *sched_guest_frame(void)
{
    extern char hv_stack[];
    return (struct cpu_regs *)(hv_stack + HV_STACK_SIZE - sizeof(struct cpu_regs));
}

static struct domain *pick_next(void)
{
    unsigned start = current ? current->id + 1 : 0;
    for (unsigned i = 0; i < nr_domains; i++) {
        struct domain *d = domains[(start + i) % nr_domains];
        if (d->state == DOMAIN_RUNNABLE)
            return d;
    }
    return NULL;
}

/* Make d the running domain: its registers in the frame, its page tables in CR3. */
static void switch_to(struct domain *d, struct cpu_regs *frame)
{
    *frame = d->regs;
    write_cr3((uint32_t)directmap_pa(d->pdpt));
    desc_switch_to(d);
    gdt_switch_to(d);
    fpu_switch_to(d);
    debugreg_switch_to(d);
    current = d;
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
    if (current && current->state != DOMAIN_RUNNABLE)
        domain_destroy(current);
    struct domain *next = pick_next();
    if (!next) {
        current = NULL;
        shutdown_machine(domain_summary());
    }
    need_resched = false;
    switch_to(next, frame);
    entry_return_to(frame);
}

void sched_start(void)
{
    current = NULL;
    sched_run_next();
}

void sched_yield(void)
{
    need_resched = true;
}

void sched_trap_exit(struct cpu_regs *frame)
{
    if (current->state != DOMAIN_RUNNABLE)
        sched_run_next();
    if (!need_resched)
        return;
    need_resched = false;
    struct domain *next = pick_next();
    if (next == current || !next)
        return;
    current->regs = *frame;
    switch_to(next, frame);
}
