/*
 * trap.c - the C half of every exception: decide whose problem it is.
 *
 * entry.S calls trap_dispatch() with the saved frame.  There are exactly
 * three cases:
 *  1. a fault in ring 0 at an instruction with an exception-table fixup
 *     (a copy to or from guest memory hit a bad page): resume at the fixup;
 *  2. any other fault in ring 0: the hypervisor is broken, panic;
 *  3. anything from ring 1 or 3: the guest's business, handled by the
 *     domain code (emulate, reflect to the guest, or halt the domain).
 */
#include "hypervisor/trap.h"
#include "hypervisor/panic.h"
#include "hypervisor/lib.h"
#include "arch/x86/extable.h"

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

/* Weak default until domains exist: a guest trap is a hypervisor bug. */
__attribute__((weak)) void domain_trap(struct cpu_regs *r)
{
    panic_regs(r, "guest trap with no domain code");
}

void trap_dispatch(struct cpu_regs *r)
{
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
