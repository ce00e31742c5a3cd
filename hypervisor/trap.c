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
#include "hypervisor/trap.h"
#include "hypervisor/panic.h"
#include "hypervisor/lib.h"
#include "hypervisor/domain.h"
#include "hypervisor/emulate.h"
#include "hypervisor/hypercall.h"
#include "hypervisor/sched.h"
#include "arch/x86/extable.h"
#include "arch/x86/pic.h"
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

/*
 * Deliver an exception to the guest's own handler (a "bounce").  Guests
 * cannot register handlers yet (set_trap_table comes with the virtual
 * CPU), so there is never one to deliver to: every guest exception halts.
 */
bool trap_bounce(struct domain *d __unused, struct cpu_regs *r __unused,
                 unsigned vector __unused, uint32_t error __unused)
{
    return false;
}

void trap_guest_exception(struct domain *d, struct cpu_regs *r, const char *insn)
{
    if (trap_bounce(d, r, r->vector, r->error_code))
        return;
    if (r->vector == X86_EXC_PF)
        domain_halt(d, "%s at 0x%08x accessing 0x%08x (error 0x%x) with no trap table",
                    x86_exception_name(r->vector), r->eip, read_cr2(), r->error_code);
    domain_halt(d, "%s (error 0x%x) on '%s' at 0x%08x with no trap table",
                x86_exception_name(r->vector), r->error_code, insn ? insn : "?", r->eip);
}

/* Everything that enters from ring 1 or 3 is sorted here. */
static void domain_trap(struct cpu_regs *r)
{
    struct domain *d = current;
    if (r->vector == HYPERCALL_VECTOR) {
        const uint32_t args[5] = { r->ebx, r->ecx, r->edx, r->esi, r->edi };
        r->eax = (uint32_t)hypercall_dispatch(r->eax, args);
    } else if (r->vector == X86_EXC_GP) {
        emulate_gp(d, r);
    } else if (r->vector == X86_EXC_UD) {
        emulate_ud(d, r);
    } else {
        trap_guest_exception(d, r, "");
    }
    sched_trap_exit(r);
}

void trap_dispatch(struct cpu_regs *r)
{
    if (r->vector >= PIC_VECTOR_BASE && r->vector < PIC_VECTOR_BASE + PIC_NR_IRQS) {
        /* No interrupt is unmasked yet: this one is spurious.  Acknowledge it. */
        pic_eoi(r->vector - PIC_VECTOR_BASE);
        if (regs_ring(r) != 0)
            sched_trap_exit(r);
        return;
    }
    if (regs_ring(r) != 0) {
        domain_trap(r);
        return;
    }
    if (r->vector == X86_EXC_PF || r->vector == X86_EXC_GP) {
        uint32_t fixup = extable_search(r->eip);
        if (fixup) {
            r->eip = fixup;
            return;
        }
    }
    panic_regs(r, x86_exception_name(r->vector));
}
