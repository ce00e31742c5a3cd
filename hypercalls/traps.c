/*
 * traps.c - the guest's virtual IDT, kernel stack and callbacks, and iret.
 *
 * These hypercalls stand in for the parts of the CPU a ring-1 kernel may
 * not touch: lidt (set_trap_table), the TSS's kernel stack (stack_switch),
 * and iret itself, which in ring 1 cannot restore the interrupt flag or
 * return to ring 1 from ring 1's own handler frames correctly.  Every
 * selector a guest names must be a guest code selector: a handler
 * selector of ring 0 would run guest code with the hypervisor's privilege.
 * Every address a guest names (handler, callback, stack) must lie below
 * the hypervisor hole, checked here when it is set: 32-bit Xen leaves that
 * to the segment limits, which QEMU's TCG does not enforce, and the CPU
 * itself writes through the fast-trap stack (docs/vcpu.md).
 */
#include "gen/hypercall_handlers.h"
#include "hypercalls/traps.h"
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/callback.h"
#include "hypercalls/public/errno.h"
#include "arch/x86/desc.h"
#include "arch/x86/paging.h"

#define TRAP_TABLE_MAX_ENTRIES 1024   /* a longer array is refused, not walked */
#define EFLAGS_IF (1u << 9)
/* EFLAGS_GUEST_MASK (traps.h): CF PF AF ZF SF TF DF OF RF AC ID
 * (RF so an instruction breakpoint does not fire again on return). */

/*
 * The ring-1 data selector a guest may use for its kernel stack, after
 * Xen's fixup_guest_stack_selector(): RPL 0 becomes RPL 1.  We accept only
 * FLAT_RING1_DS (Xen accepts any): a stack segment of the guest's own GDT
 * could have a base, and then "below the hole" would mean base + esp.
 */
static bool stack_selector_fixup(unsigned long *ss)
{
    if ((*ss & 3) == 0)
        *ss |= 1;
    return (*ss & 0xffff) == RING1_DS && *ss <= 0xffff;
}

/*
 * Xen's errors for a handler selector, as docs/hypercalls.md lists them:
 * ring 0 is -EPERM, anything else that is not a guest code selector -EINVAL.
 */
static long selector_rc(const struct domain *d, uint32_t cs)
{
    if ((cs & 0xfffc) && (cs & 3) == 0)
        return -EPERM;
    return bounce_selector_ok(d, cs) ? 0 : -EINVAL;
}

long traps_check_entry(const struct domain *d, uint32_t cs, uint32_t address)
{
    long rc = selector_rc(d, cs);
    if (rc)
        return rc;
    return guest_code_ok(address) ? 0 : -EINVAL;  /* the hole: see the top of this file */
}

/*
 * An array of trap_info ending in an entry whose address is 0; each entry
 * replaces one vector, so a table can be changed one entry at a time.  A
 * NULL pointer clears the whole table.  Entries before a bad one stay
 * installed (Xen does the same).
 */
long do_set_trap_table(guest_ptr_t traps)
{
    struct domain *d = current;
    if (!traps) {
        memset(d->vcpu.traps, 0, sizeof(d->vcpu.traps));
        desc_set_fast_trap(d);
        return 0;
    }
    for (unsigned i = 0; i < TRAP_TABLE_MAX_ENTRIES; i++) {
        struct xen_trap_info ti;
        if (copy_from_guest(&ti, traps + i * sizeof(ti), sizeof(ti)))
            return -EFAULT;
        if (!ti.address)
            return 0;
        long rc = traps_check_entry(d, ti.cs, ti.address);
        if (rc)
            return rc;
        d->vcpu.traps[ti.vector] = (struct vcpu_trap){
            .cs = ti.cs, .flags = ti.flags & 7, .address = ti.address,
        };
        if (ti.vector == 0x80)
            desc_set_fast_trap(d);
    }
    return -E2BIG;
}

/*
 * The CPU writes a ring-3 int $0x80's frame below esp through the
 * fast-trap gate with no hypervisor on the path, so a stack whose frame
 * would reach the hole (or wrap past 0) is refused here, and the gate is
 * re-decided (desc_set_fast_trap checks the stack once more).
 */
long traps_check_stack(unsigned long *ss, unsigned long esp)
{
    if (!stack_selector_fixup(ss))
        return -EPERM;
    return guest_stack_ok(esp) ? 0 : -EINVAL;
}

long do_stack_switch(unsigned long ss, unsigned long esp)
{
    long rc = traps_check_stack(&ss, esp);
    if (rc)
        return rc;
    current->vcpu.kernel_ss = ss;
    current->vcpu.kernel_sp = esp;
    desc_set_ring1_stack(ss, esp);
    desc_set_fast_trap(current);
    return 0;
}

long traps_check_callbacks(const struct domain *d, uint32_t event_cs, uint32_t event_eip,
                           uint32_t failsafe_cs, uint32_t failsafe_eip)
{
    long rc = selector_rc(d, event_cs);
    if (rc || (rc = selector_rc(d, failsafe_cs)))
        return rc;
    if (!guest_code_ok(event_eip) || !guest_code_ok(failsafe_eip))
        return -EINVAL;
    return 0;
}

long do_set_callbacks(unsigned long event_cs, unsigned long event_eip,
                      unsigned long failsafe_cs, unsigned long failsafe_eip)
{
    long rc = traps_check_callbacks(current, event_cs, event_eip, failsafe_cs, failsafe_eip);
    if (rc)
        return rc;
    current->vcpu.event_cs = event_cs;
    current->vcpu.event_eip = event_eip;
    current->vcpu.failsafe_cs = failsafe_cs;
    current->vcpu.failsafe_eip = failsafe_eip;
    return 0;
}

/* callback_op writes slot[0] (cs) and slot[1] (eip): each eip must follow its cs. */
#define SLOT_PAIR(f) _Static_assert(offsetof(struct vcpu_state, f##_eip) == \
                                    offsetof(struct vcpu_state, f##_cs) + 4, #f " cs:eip")
SLOT_PAIR(event);
SLOT_PAIR(failsafe);
SLOT_PAIR(sysenter);
SLOT_PAIR(syscall);
#undef SLOT_PAIR

/* The cs:eip slot for a callback type, or NULL if we do not offer it. */
static uint32_t *callback_slot(struct domain *d, unsigned type, bool **mask)
{
    *mask = NULL;
    switch (type) {
    case CALLBACKTYPE_event:
        return &d->vcpu.event_cs;
    case CALLBACKTYPE_failsafe:
        *mask = &d->vcpu.failsafe_mask_on_entry;
        return &d->vcpu.failsafe_cs;
    case CALLBACKTYPE_sysenter:
    case CALLBACKTYPE_sysenter_deprecated:
        return &d->vcpu.sysenter_cs;
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_syscall:
        return &d->vcpu.syscall_cs;
    default:
        return NULL;                    /* nmi and others */
    }
}

long do_callback_op(int cmd, guest_ptr_t arg)
{
    struct xen_callback_register reg;
    struct xen_callback_unregister unreg;
    bool *mask;
    uint32_t *slot;
    switch (cmd) {
    case CALLBACKOP_register:
        if (copy_from_guest(&reg, arg, sizeof(reg)))
            return -EFAULT;
        if (!(slot = callback_slot(current, reg.type, &mask)))
            return -EINVAL;
        long rc = selector_rc(current, reg.address.cs);
        if (rc)
            return rc;
        if (!guest_code_ok(reg.address.eip))
            return -EINVAL;
        slot[0] = reg.address.cs;
        slot[1] = reg.address.eip;
        if (mask)
            *mask = reg.flags & CALLBACKF_mask_events;
        return 0;
    case CALLBACKOP_unregister:
        if (copy_from_guest(&unreg, arg, sizeof(unreg)))
            return -EFAULT;
        if (!(slot = callback_slot(current, unreg.type, &mask)))
            return -EINVAL;
        slot[0] = slot[1] = 0;
        return 0;
    default:
        return -ENOSYS;
    }
}

/*
 * iret: the guest jumped to the hypercall page's iret stub with an iret
 * frame on its stack, and the stub pushed EAX above it (see struct
 * xen_iret_context).  We pop it into the trap frame: EAX comes back as
 * this hypercall's return value.  A return to ring 0 would hand the guest
 * the hypervisor's privilege, so it halts the domain, and so does an eip
 * in the hole: a real iret faults on the code segment's limit there, but
 * QEMU's went (docs/attacks.md, case 50).  Selectors that are merely
 * invalid make the real iret fault, which halts the domain too (entry.S,
 * trap_bad_iret).
 */
long do_iret(void)
{
    struct domain *d = current;
    struct cpu_regs *r = sched_guest_frame();
    struct xen_iret_context c;
    if (copy_from_guest(&c, r->esp, 16))
        domain_halt(d, "iret: cannot read the frame at esp 0x%08x", r->esp);
    unsigned ring = c.cs & 3;
    if (ring == 0)
        domain_halt(d, "iret to ring 0 (cs 0x%04x eip 0x%08x) at esp 0x%08x", c.cs & 0xffff, c.eip, r->esp);
    if (!guest_code_ok(c.eip))          /* QEMU's iret would go there: limits are not enough */
        domain_halt(d, "iret to 0x%08x in the hypervisor hole", c.eip);
    if (ring != 1 && copy_from_guest(&c.esp, r->esp + 16, 8))
        domain_halt(d, "iret: cannot read the outer stack at esp 0x%08x", r->esp + 16);
    vcpu_info0(d)->evtchn_upcall_mask = !(c.eflags & EFLAGS_IF);
    if (d->vcpu.vm_assist & VCPU_ASSIST(VMASST_TYPE_architectural_iopl))
        d->vcpu.iopl = (c.eflags >> 12) & 3;
    r->eip = c.eip;
    r->cs = c.cs & 0xffff;
    /* The real IF stays on and the real IOPL at 0; only safe flags pass. */
    r->eflags = (c.eflags & EFLAGS_GUEST_MASK) | EFLAGS_IF | 0x2;
    if (ring == 1) {
        r->esp += 16;
    } else {
        r->esp = c.esp;
        r->ss = c.ss & 0xffff;
    }
    return c.eax;
}
