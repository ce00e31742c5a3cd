/*
 * hypercall_continue.c - long hypercalls stop and are re-issued for the rest.
 *
 * This file owns continuations (Xen's hypercall_create_continuation): when a
 * long call should stop (hypercall_preempt_check) and how it asks to be
 * called again (hypercall_continue), through the guest's own registers or,
 * inside a multicall, the entry's arguments.  It must never interpret
 * arguments (continuation.c encodes them; each handler decides) and never
 * touch guest memory.  The design is in docs/architecture.md.
 *
 * Why continue rather than enable interrupts: the hypervisor has one stack
 * and every trap frame sits at its top (sched.c), so an interrupt taken in
 * the middle of a hypercall could not switch domains without a stack per
 * domain.  A continuation ends the hypercall instead: the pending tick is
 * taken at the guest's int $0x82, where a switch is the ordinary kind, and
 * no state of the half-done call lives anywhere but in the guest's
 * registers (and, for page tables, in the frame table: page_type.c).
 */
#include "hypervisor/hypercall.h"
#include "hypervisor/cmdline.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/event/time.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypercalls/public/xen.h"

/* The multicall entry whose arguments a continuation rewrites, or NULL. */
uint32_t *hypercall_mc_args;
static bool mc_preempted;

/*
 * Stop now if the tick is due (it waits behind our cleared IF: another
 * domain's timer, the end of this slice) or this domain has an event to
 * take.  With preempt-every=1 (a debug option) every check says stop, so
 * the tests can prove that each handler resumes exactly.
 */
bool hypercall_preempt_check(void)
{
    const struct xen_vcpu_info *vi = vcpu_info0(current);
    return hv_opts.preempt_every || time_tick_due() ||
           (current->vcpu.event_eip && vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask);
}

long hypercall_continue(uint32_t op, const uint32_t args[5])
{
    /*
     * Only the call's own arguments change: a guest stub that passes four
     * need not tell its compiler that EDI may change, and a continuation
     * that zeroed EDI broke the aspace guest (docs/architecture.md).
     */
    unsigned n = MIN(hypercall_table[op].nargs, 5u);
    if (hypercall_mc_args) {
        for (unsigned i = 0; i < n; i++)
            hypercall_mc_args[i] = args[i];
        mc_preempted = true;
        return op;
    }
    /* The trap was "int $0x82" (cd 82), the only way in to this vector. */
    struct cpu_regs *r = sched_guest_frame();
    uint32_t *regs[5] = { &r->ebx, &r->ecx, &r->edx, &r->esi, &r->edi };
    r->eip -= 2;
    for (unsigned i = 0; i < n; i++)
        *regs[i] = args[i];
    return op;
}

void hypercall_mc_begin(uint32_t args[5])
{
    hypercall_mc_args = args;
    mc_preempted = false;
}

bool hypercall_mc_end(void)
{
    hypercall_mc_args = NULL;
    return mc_preempted;
}
