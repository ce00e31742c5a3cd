/*
 * vcpu_init.c - VCPUOP_initialise: a whole x86_32 vcpu_guest_context becomes a vCPU.
 *
 * A guest brings up its second vCPU by writing the state a native kernel's
 * AP would build for itself (registers, IDT, GDT, kernel stack, cr3,
 * callbacks, debug registers, FPU) into one 2,800-byte context and handing
 * it over.  Every field is guest-controlled, and each is judged by the
 * check of the hypercall that would set it alone (traps.h, gdt.c,
 * debugreg_check.c, page types), so that no field has a second, weaker
 * rule here.  Errors are Xen's arch_set_info_guest()'s: -EINVAL for a bad
 * LDT, GDT or cr3.  The context is read once into hypervisor memory; the
 * new vCPU is loaded into the domain (memory only, vcpu_load.h) while its
 * GDT is taken and the rest is checked against it, and nothing of it is
 * kept unless every check passes.  docs/smp.md has the field list.
 */
#include "hypercalls/vcpu_init.h"
#include "hypercalls/traps.h"
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/vcpu/gdt.h"
#include "hypervisor/vcpu/vcpu_load.h"
#include "hypervisor/vcpu/runstate.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/mm/page_type.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/event/time.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"

#define LDT_ENTS_MAX 8192
#define EFLAGS_IF    (1u << 9)
#define EFLAGS_IOPL  (3u << 12)
#define CR0_TS       (1u << 3)

/* The selectors, addresses and debug registers, against the loaded vCPU's (new) GDT. */
static long check_fields(struct domain *d, struct xen_vcpu_guest_context *c, uint32_t dr[8])
{
    long rc;
    for (unsigned i = 0; i < 256; i++)
        if (c->trap_ctxt[i].address &&
            (rc = traps_check_entry(d, c->trap_ctxt[i].cs, c->trap_ctxt[i].address)))
            return rc;
    if ((rc = traps_check_callbacks(d, c->event_callback_cs, c->event_callback_eip,
                                    c->failsafe_callback_cs, c->failsafe_callback_eip)))
        return rc;
    unsigned long ss = c->kernel_ss;
    if ((rc = traps_check_stack(&ss, c->kernel_sp)))
        return rc;
    c->kernel_ss = ss;
    if (!bounce_selector_ok(d, c->user_regs.cs) || !guest_code_ok(c->user_regs.eip))
        return -EINVAL;                 /* where it starts: ring 1 or 3 guest code */
    static const int order[] = { 0, 1, 2, 3, 6, 7 };   /* DR7 is judged against DR0-3 */
    for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
        uint32_t v;
        int r = debugreg_check(order[i], c->debugreg[order[i]], dr, debugreg_de(d), &v);
        if (r < 0)
            return r;
        dr[r] = v;
    }
    return 0;
}

/* Everything passed: the loaded (new) vCPU takes the context. */
static void take(struct domain *d, const struct xen_vcpu_guest_context *c, const uint32_t dr[8],
                 uint32_t vm_assist)
{
    const struct xen_cpu_user_regs *u = &c->user_regs;
    d->regs = (struct cpu_regs){
        .ebx = u->ebx, .ecx = u->ecx, .edx = u->edx, .esi = u->esi, .edi = u->edi,
        .ebp = u->ebp, .eax = u->eax, .eip = u->eip, .cs = u->cs, .esp = u->esp,
        .ss = (u->ss & 3) ? u->ss : u->ss | 1u,          /* Xen's stack selector fixup */
        .ds = u->ds, .es = u->es, .fs = u->fs, .gs = u->gs,
        /* As iret: only the guest's flags; IF on (events are virtual), IOPL virtual. */
        .eflags = (u->eflags & EFLAGS_GUEST_MASK) | EFLAGS_IF | 2u,
    };
    struct vcpu_state *s = &d->vcpu;
    for (unsigned i = 0; i < 256; i++)
        if (c->trap_ctxt[i].address)
            s->traps[i] = (struct vcpu_trap){ .cs = c->trap_ctxt[i].cs,
                .flags = c->trap_ctxt[i].flags & 7, .address = c->trap_ctxt[i].address };
    s->kernel_ss = c->kernel_ss;
    s->kernel_sp = c->kernel_sp;
    s->event_cs = c->event_callback_cs;
    s->event_eip = c->event_callback_eip;
    s->failsafe_cs = c->failsafe_callback_cs;
    s->failsafe_eip = c->failsafe_callback_eip;
    s->failsafe_mask_on_entry = c->flags & VGCF_failsafe_disables_events;
    s->iopl = (uint8_t)((u->eflags & EFLAGS_IOPL) >> 12);
    s->fpu_ts = c->ctrlreg[0] & CR0_TS;
    s->cr4 = c->ctrlreg[4] & emulate_cr4_guest_bits(d);
    s->vm_assist = vm_assist;            /* Xen's is the domain's: the caller's here */
    memcpy(s->dr, dr, sizeof(s->dr));
    if (c->flags & VGCF_i387_valid)
        fpu_set_image(d, c->fpu_ctxt);
    d->runstate.state_entry_time = time_now_ns();
    d->initialised = true;
}

/* Xen's order after the copy: the LDT, the GDT, the rest, cr3 last; dr[] gets the debug registers. */
static long initialise(struct domain *d, struct xen_vcpu_guest_context *c, uint32_t dr[8])
{
    if ((c->ldt_base & (PAGE_SIZE - 1)) || c->ldt_ents > LDT_ENTS_MAX ||
        !guest_range_ok(c->ldt_base, c->ldt_ents * 8))
        return -EINVAL;
    if (c->ldt_ents)
        return -EOPNOTSUPP;              /* one LDT per domain here (docs/smp.md) */
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    mfn_t frames[FIRST_RESERVED_GDT_PAGE], copy[FIRST_RESERVED_GDT_PAGE];
    for (unsigned i = 0; i < FIRST_RESERVED_GDT_PAGE; i++)
        frames[i] = _mfn(c->gdt_frames[i]);
    long rc = gdt_table_get(d, "vcpu_op initialise", frames, c->gdt_ents, copy);
    if (rc)
        return rc;
    memcpy(d->gdt_frame, frames, sizeof(frames));
    memcpy(d->gdt_copy, copy, sizeof(copy));
    d->gdt_entries = c->gdt_ents;
    uint32_t pfn;
    mfn_t cr3 = _mfn(xen_cr3_to_pfn(c->ctrlreg[3]));
    rc = check_fields(d, c, dr);
    if (!rc && !domain_owns_frame(d, cr3, &pfn))
        rc = -EINVAL;                    /* not the domain's */
    /*
     * Validating a new L3 tree is up to 4 x 512 x 512 entries: preemptible,
     * as for a pin.  -ERESTART: the caller issues the call again, and the
     * validation goes on where it stopped (PGT_partial).
     */
    if (!rc && (rc = page_type_get_preemptible(d, cr3, PGT_L3)) && rc != -ERESTART)
        rc = -EINVAL;                    /* not a valid L3 */
    if (rc) {
        gdt_table_put(d, d->gdt_frame, d->gdt_copy, d->gdt_entries);
        d->gdt_entries = 0;
        return rc;
    }
    d->cr3_mfn = cr3;
    return 0;
}

long vcpu_initialise(struct domain *d, unsigned n, guest_ptr_t arg)
{
    static struct xen_vcpu_guest_context c;   /* 2,800 bytes: off the stack (one CPU) */
    uint32_t dr[8] = { 0 };
    if (copy_from_guest(&c, arg, sizeof(c)))
        return -EFAULT;
    if (vcpu_of(d, n)->initialised)
        return -EEXIST;
    uint32_t vm_assist = d->vcpu.vm_assist;
    unsigned was = vcpu_load(d, n);      /* n is not initialised: never the running vCPU */
    long rc = initialise(d, &c, dr);
    if (!rc)
        take(d, &c, dr, vm_assist);
    vcpu_load(d, was);
    if (rc == -ERESTART) {               /* Xen's hypercall_create_continuation */
        uint32_t args[5] = { VCPUOP_initialise, n, arg };
        return hypercall_continue(__HYPERVISOR_vcpu_op, args);
    }
    if (!rc && (c.flags & VGCF_online))
        vcpu_up(d, n);                   /* as Xen: online at once */
    return rc;
}
