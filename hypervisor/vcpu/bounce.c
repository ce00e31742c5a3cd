/*
 * bounce.c - deliver an exception or an event to the guest kernel.
 *
 * A PV guest kernel cannot own the IDT, so the hypervisor takes every
 * exception and then "bounces" it: it writes the frame the CPU would have
 * written onto the guest kernel's stack and resumes the guest at the handler
 * the guest registered.  Xen's 32-bit frame, lowest address first:
 *
 *     [error code]            only for exceptions that have one
 *     EIP
 *     CS | saved_upcall_mask << 16
 *     EFLAGS                  IF = !saved_upcall_mask (IF is virtual)
 *     [ESP, SS]               only when the trap came from ring 3
 *
 * From ring 1 the frame goes on the current stack; from ring 3 on the
 * kernel stack named by stack_switch (the guest's virtual TSS).  The stack
 * is guest memory and may be anything: it is written with copy_to_guest,
 * and a frame that cannot be written halts the domain, never the
 * hypervisor.  Validate (selectors, the stack) first, then change the
 * saved registers: a bounce either happens whole or not at all.
 */
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/ldt.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/lib.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/layout.h"
#include "arch/x86/paging.h"

#define EFLAGS_TF   (1u << 8)
#define EFLAGS_IF   (1u << 9)
#define EFLAGS_IOPL (3u << 12)
#define EFLAGS_NT   (1u << 14)
#define EFLAGS_RF   (1u << 16)

/* The EFLAGS a guest sees in a frame: IF mirrors its event mask. */
uint32_t bounce_guest_eflags(const struct domain *d, uint32_t eflags, bool masked)
{
    eflags &= ~(EFLAGS_IF | EFLAGS_IOPL);
    if (!masked)
        eflags |= EFLAGS_IF;
    if (d->vcpu.vm_assist & (1u << VMASST_TYPE_architectural_iopl))
        eflags |= (uint32_t)d->vcpu.iopl << 12;
    return eflags;
}

bool bounce_selector_ok(const struct domain *d, uint32_t sel)
{
    /* A guest handler runs in ring 1 (or 3): null and ring-0 selectors never. */
    if ((sel & 0xfffc) == 0 || (sel & 3) == 0 || sel > 0xffff)
        return false;
    /*
     * The guest's own LDT or GDT: every descriptor there passed desc_check,
     * so none has DPL 0.  A wrong one (data, not present) makes the CPU
     * fault on the way back, which halts the domain (entry.S, trap_bad_iret).
     * The TI bit comes first: an LDT selector is never one of the
     * hypervisor's, whatever its index.
     */
    if (sel & 4)
        return (sel >> 3) < ldt_entries(d);
    if ((sel >> 3) >= FIRST_RESERVED_GDT_ENTRY)
        return (sel & 0xfff8) == (RING1_CS & 0xfff8) || (sel & 0xfff8) == (RING3_CS & 0xfff8);
    return (sel >> 3) < d->gdt_entries;
}

bool bounce_frame(struct domain *d, struct cpu_regs *r, const struct bounce *b, char *why, size_t n)
{
    uint32_t words[7], nw = 0;
    bool from_user = regs_ring(r) == 3;
    uint32_t ss = from_user ? d->vcpu.kernel_ss : r->ss;
    uint32_t sp = from_user ? d->vcpu.kernel_sp : r->esp;
    if (from_user && !d->vcpu.kernel_ss) {
        snprintf(why, n, "trap from ring 3 with no kernel stack (stack_switch)");
        return false;
    }
    if (!bounce_selector_ok(d, b->cs)) {
        snprintf(why, n, "handler selector 0x%04x is not a guest code selector", b->cs);
        return false;
    }
    /* The setters refuse these already; a second check costs one compare. */
    if (!guest_code_ok(b->eip)) {
        snprintf(why, n, "handler 0x%08x is in the hypervisor hole", b->eip);
        return false;
    }
    struct xen_vcpu_info *vi = vcpu_info0(d);
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    if (b->has_error)
        words[nw++] = b->error;
    words[nw++] = r->eip;
    words[nw++] = (r->cs & 0xffff) | ((uint32_t)saved_mask << 16);
    words[nw++] = bounce_guest_eflags(d, r->eflags, saved_mask);
    if (from_user) {
        words[nw++] = r->esp;
        words[nw++] = r->ss & 0xffff;
    }
    sp -= nw * 4;
    if (copy_to_guest(sp, words, nw * 4)) {
        snprintf(why, n, "cannot write the %u-byte frame at ss:esp %04x:%08x", nw * 4, ss & 0xffff, sp);
        return false;
    }
    if (b->set_cr2)
        vi->arch.cr2 = b->cr2;
    if (b->mask_events)
        vi->evtchn_upcall_mask = 1;
    r->esp = sp;
    r->ss = ss;
    r->cs = b->cs;
    r->eip = b->eip;
    r->eflags &= ~(EFLAGS_TF | EFLAGS_VM | EFLAGS_RF | EFLAGS_NT);
    return true;
}
