/*
 * trap.c - the C half of every exception: decide whose problem it is.
 *
 * entry.S calls trap_dispatch() with the saved frame.  There are exactly
 * three cases:
 *  1. a fault in ring 0 at an instruction with an exception-table fixup
 *     (a copy to or from guest memory hit a bad page): resume at the fixup;
 *  2. any other fault in ring 0: the hypervisor is broken, panic;
 *  3. anything from ring 1 or 3: the guest's business: a hypercall, an
 *     instruction to emulate (emulate.c), or an exception for the guest,
 *     which halts it while it has no handler to receive it.
 */
#include "hypervisor/vcpu/trap.h"
#include "hypervisor/trace.h"
#include "hypervisor/panic.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/console/console_input.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/event/sched.h"
#include "hypervisor/event/time.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/apic.h"
#include "arch/x86/extable.h"
#include "arch/x86/kbd.h"
#include "arch/x86/paging.h"
#include "arch/x86/pic.h"
#include "arch/x86/pit.h"
#include "arch/x86/uart.h"
#include "arch/x86/x86.h"

static const char *const exception_names[X86_NR_EXCEPTIONS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *x86_exception_name(unsigned vector)
{
    if (vector < X86_NR_EXCEPTIONS && exception_names[vector])
        return exception_names[vector];
    return "reserved";
}

/* Exceptions for which the CPU pushes an error code (and so do we). */
static bool has_error_code(unsigned vector)
{
    return vector == X86_EXC_DF || (vector >= X86_EXC_TS && vector <= X86_EXC_PF) ||
           vector == X86_EXC_AC || vector == X86_EXC_CP;
}

/*
 * Deliver exception `vector` to the guest's handler from its trap table.
 * False if it registered none; a handler that exists but cannot be reached
 * (its stack is bad) halts the domain here, naming why.
 */
bool trap_bounce(struct domain *d, struct cpu_regs *r, unsigned vector, uint32_t error)
{
    const struct vcpu_trap *t = &d->vcpu.traps[vector & 0xff];
    if (!t->address)
        return false;
    TRACE(TRACE_BOUNCE, d, vector, 0);
    struct bounce b = {
        .cs = t->cs, .eip = t->address, .has_error = has_error_code(vector), .error = error,
        .mask_events = t->flags & 4, .set_cr2 = vector == X86_EXC_PF,
        .cr2 = vector == X86_EXC_PF ? read_cr2() : 0,
    };
    char why[96];
    uint32_t eip = r->eip;
    if (!bounce_frame(d, r, &b, why, sizeof(why)))
        domain_halt(d, "%s at 0x%08x could not be delivered: %s",
                    x86_exception_name(vector), eip, why);
    return true;
}

/*
 * #BP and #OF are traps: the CPU reports the address after the instruction
 * (int3, into, int $3), where the guest would resume.  A student looks for
 * the instruction itself, so name it and its own address, and say why the
 * CPU's address differs.  False if the bytes before eip are none of these.
 */
static bool halt_on_trap_insn(struct domain *d, const struct cpu_regs *r)
{
    uint8_t b[2];
    const char *insn = NULL;
    uint32_t len = 0;
    if (copy_from_guest(b, r->eip - 2, 2))
        return false;
    if (r->vector == X86_EXC_BP && b[1] == 0xcc)
        insn = "int3", len = 1;
    else if (r->vector == X86_EXC_OF && b[1] == 0xce)
        insn = "into", len = 1;
    else if (b[0] == 0xcd && b[1] == r->vector)
        insn = r->vector == X86_EXC_BP ? "int $3" : "int $4", len = 2;
    if (!insn)
        return false;
    domain_halt(d, "%s from '%s' at 0x%08x with no handler (a trap: the CPU reports "
                "0x%08x, the next instruction)", x86_exception_name(r->vector), insn,
                r->eip - len, r->eip);
}

/*
 * An exception the guest did not handle.  The error code is printed only
 * for the vectors where the CPU pushes one: for the others it means nothing.
 */
void trap_guest_exception(struct domain *d, struct cpu_regs *r, const char *insn)
{
    if (trap_bounce(d, r, r->vector, r->error_code))
        return;
    const char *name = x86_exception_name(r->vector);
    if (r->vector == X86_EXC_PF)
        domain_halt(d, "%s at 0x%08x accessing 0x%08x (error 0x%x) with no handler",
                    name, r->eip, read_cr2(), r->error_code);
    if (r->vector == X86_EXC_BP || r->vector == X86_EXC_OF)
        halt_on_trap_insn(d, r);
    char error[24] = "";
    if (has_error_code(r->vector))
        snprintf(error, sizeof(error), " (error 0x%x)", r->error_code);
    if (insn && insn[0])
        domain_halt(d, "%s%s on '%s' at 0x%08x with no handler", name, error, insn, r->eip);
    domain_halt(d, "%s%s at 0x%08x with no handler", name, error, r->eip);
}

/*
 * "int $n" where IDT gate n is DPL 0 raises #GP with error code n*8+2.
 * Like Xen, we then deliver vector n itself if the guest's trap table says
 * the caller's ring may use it (its DPL >= the ring), after the 2-byte
 * instruction, with no error code.  Otherwise the #GP stands.
 */
static bool soft_interrupt(struct domain *d, struct cpu_regs *r)
{
    uint8_t insn[2];
    unsigned vector = r->error_code >> 3;
    if ((r->error_code & 7) != 2 || copy_from_guest(insn, r->eip, 2) ||
        insn[0] != 0xcd || insn[1] != vector)
        return false;
    const struct vcpu_trap *t = &d->vcpu.traps[vector];
    if (!t->address || (t->flags & 3) < regs_ring(r))
        return false;
    struct bounce b = { .cs = t->cs, .eip = t->address, .mask_events = t->flags & 4 };
    char why[96];
    r->eip += 2;
    if (!bounce_frame(d, r, &b, why, sizeof(why)))
        domain_halt(d, "int $0x%x at 0x%08x could not be delivered: %s", vector, r->eip - 2, why);
    return true;
}

/* An upcall is due: a callback to deliver to, an event pending, events unmasked. */
static inline bool upcall_due(struct domain *d)
{
    if (!d->vcpu.event_eip)
        return false;
    const struct xen_vcpu_info *vi = vcpu_info0(d);
    return vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask;
}

/*
 * Before returning to a guest: an event upcall pending while the guest
 * has events unmasked is delivered now, through its event callback, with
 * events masked (the guest unmasks when it is ready for the next one).
 * Out of line: guest_exit() asks upcall_due() first.
 */
void __noinline trap_deliver_upcall(struct domain *d, struct cpu_regs *r)
{
    if (!upcall_due(d))
        return;
    TRACE(TRACE_UPCALL, d, 0, 0);
    struct bounce b = { .cs = (uint16_t)d->vcpu.event_cs, .eip = d->vcpu.event_eip, .mask_events = true };
    char why[96];
    uint32_t eip = r->eip;
    if (!bounce_frame(d, r, &b, why, sizeof(why)))
        domain_halt(d, "event upcall at 0x%08x could not be delivered: %s", eip, why);
}

/*
 * The return to the guest faulted on a segment register it saved: the
 * guest changed the descriptor behind it.  Xen's answer is the failsafe
 * callback: the four data selectors go on the guest stack above a normal
 * frame, the registers are made null, and the guest reloads what it can.
 */
void trap_failsafe(void)
{
    struct domain *d = current;
    struct cpu_regs *r = sched_guest_frame();
    uint32_t segs[4] = { r->ds & 0xffff, r->es & 0xffff, r->fs & 0xffff, r->gs & 0xffff };
    if (!d->vcpu.failsafe_eip)
        domain_halt(d, "bad segment register (ds %04x es %04x fs %04x gs %04x) on return to "
                    "0x%08x and no failsafe callback", segs[0], segs[1], segs[2], segs[3], r->eip);
    struct bounce b = { .cs = (uint16_t)d->vcpu.failsafe_cs, .eip = d->vcpu.failsafe_eip,
                        .mask_events = d->vcpu.failsafe_mask_on_entry };
    char why[96] = "";
    uint32_t eip = r->eip;
    if (!bounce_frame(d, r, &b, why, sizeof(why)) ||
        (r->esp -= 16, copy_to_guest(r->esp, segs, sizeof(segs))))
        domain_halt(d, "failsafe callback for the return to 0x%08x could not be delivered%s%s",
                    eip, why[0] ? ": " : "", why);
    r->ds = r->es = r->fs = r->gs = 0;
}

/* The iret back to the guest itself faulted: its frame named a bad CS/SS. */
void trap_bad_iret(void)
{
    struct cpu_regs *r = sched_guest_frame();
    domain_halt(current, "return to the guest faulted (cs %04x eip 0x%08x ss %04x esp 0x%08x)",
                r->cs & 0xffff, r->eip, r->ss & 0xffff, r->esp);
}

/* The last step of every trap from a guest: maybe switch, then events.
 * Both tests are inline: usually neither has anything to do. */
static inline void guest_exit(struct cpu_regs *r)
{
    if (sched_exit_due())
        sched_trap_exit(r);
    if (upcall_due(current))
        trap_deliver_upcall(current, r);
}

/* A hypercall: the guest's registers are the arguments, EAX the result
 * (hypercall_trap() in hypercall.h; continuations: hypercall_continue.c).
 * Always inline: it is on the null hypercall's path (docs/performance.md). */
static inline __attribute__((always_inline)) void hypercall(struct cpu_regs *r)
{
    TRACE(TRACE_HYPERCALL, current, r->eax, 0);
    hypercall_trap(r);
}

/* Everything that enters from ring 1 or 3 is sorted here. */
static void domain_trap(struct cpu_regs *r)
{
    struct domain *d = current;
    if (r->vector != HYPERCALL_VECTOR) TRACE(TRACE_TRAP, d, r->vector, r->error_code);
    if (r->vector == HYPERCALL_VECTOR) {
        hypercall(r);
    } else if (r->vector == X86_EXC_GP) {
        if (!soft_interrupt(d, r))
            emulate_gp(d, r);
    } else if (r->vector == X86_EXC_UD) {
        emulate_ud(d, r);
    } else if (r->vector == X86_EXC_NM) {
        if (!fpu_nm(d, r))
            trap_guest_exception(d, r, "");   /* the guest's own #NM (virtual TS) */
    } else if (r->vector == X86_EXC_DB) {
        debugreg_guest_db(d);
        trap_guest_exception(d, r, "");
    } else {
        trap_guest_exception(d, r, "");
    }
    guest_exit(r);
}

/*
 * A hardware interrupt: the 8259's vectors, the APIC timer's, the APIC's
 * spurious one.  None of these gates is DPL > 0, so a guest's "int $n"
 * on them raises #GP instead of arriving here.  False for any other vector.
 */
static bool interrupt(struct cpu_regs *r)
{
    unsigned v = r->vector;
    if (v == APIC_SPURIOUS_VECTOR)
        return true;                       /* nothing was in service: no EOI */
    /* Acknowledge first: guest_exit() may switch domains and never return here. */
    if (v == APIC_TIMER_VECTOR) {
        apic_eoi();
        time_irq();
    } else if (v >= PIC_VECTOR_BASE && v < PIC_VECTOR_BASE + PIC_NR_IRQS) {
        unsigned irq = v - PIC_VECTOR_BASE;
        pic_eoi(irq);
        if (irq == PIT_IRQ)
            time_irq();
        else if (irq == UART_IRQ || irq == KBD_IRQ)
            console_irq();
        /* Any other line is masked, so it was spurious: acknowledged is enough. */
    } else {
        return false;
    }
    if (regs_ring(r) != 0 && !regs_vm86(r))
        guest_exit(r);
    return true;
}

/*
 * Virtual-8086 mode.  A CPU enters it only through an iret in ring 0 (or
 * a task switch, which guests cannot make); the iret hypercall and every
 * bounce clear VM, and popf and iret in rings 1 and 3 leave it alone.  But
 * QEMU's TCG loads VM from an iret frame in any ring, so a guest there can
 * reach us with a frame that is not ours to read: a real-mode CS whose
 * low bits may pass for ring 0 (a fault would then panic us), and four
 * more selectors above SS.  Nothing here can run such a guest: once any
 * interrupt is acknowledged, it is halted.  The next domain starts from the
 * frame at the top of the stack, so the extra words do no harm.
 */
void trap_dispatch(struct cpu_regs *r)
{
    bool was_interrupt = interrupt(r);
    if (regs_vm86(r))
        domain_halt(current, "virtual-8086 mode entered outside ring 0, which a real CPU "
                    "refuses (vector %u at %04x:%04x)", r->vector, r->cs & 0xffff, r->eip & 0xffff);
    if (was_interrupt)
        return;
    if (regs_ring(r) != 0) {
        domain_trap(r);
        return;
    }
    if (r->vector == X86_EXC_DB && debugreg_hypervisor_db(r))
        return;                            /* a guest watchpoint hit by copy_to/from_guest */
    /* Faults a fixup may cover: guest copies (#PF, #GP) and the return
     * path's segment and iret loads (#GP, #NP, #SS). */
    if (r->vector == X86_EXC_PF || r->vector == X86_EXC_GP ||
        r->vector == X86_EXC_NP || r->vector == X86_EXC_SS) {
        uint32_t fixup = extable_search(r->eip);
        if (fixup) {
            r->eip = fixup;
            return;
        }
    }
    panic_regs(r, x86_exception_name(r->vector));
}

/*
 * The hypercall gate's own entry (entry.S: hypercall_stub).  Gate 0x82
 * has DPL 1: only ring 1 reaches it (an int $0x82 in ring 3 or in
 * virtual-8086 mode raises #GP instead, and the hypervisor never makes
 * one), and it is no interrupt, so trap_dispatch()'s sorting has nothing
 * to find.  Anything that is not plainly ring 1 still takes the long way,
 * exactly as before.
 */
void __frame_in_eax hypercall_entry(struct cpu_regs *r)
{
    if (regs_ring(r) != 1 || regs_vm86(r)) {
        trap_dispatch(r);
        return;
    }
    hypercall(r);
    guest_exit(r);
}
