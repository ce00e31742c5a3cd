/*
 * debugreg.c - the guests' debug registers, kept per vCPU and loaded on switch.
 *
 * This file owns the real DR0-DR3, DR6 and DR7 while guests run.  It must
 * never load a value that debugreg_check() has not accepted.  Each vCPU's
 * registers live in d->vcpu.dr[]; the values come from set_debugreg or an
 * emulated "mov to DRn", through debugreg_write().
 *
 * What is real and what is virtual:
 *  - DR0-DR3 and DR7 are loaded into the CPU whenever their domain runs
 *    with a breakpoint enabled; when the next domain has none, DR7 is
 *    cleared instead (DR0-DR3 without DR7 do nothing, so they are not
 *    reloaded).  I/O breakpoints (guest CR4.DE) are left out of the real
 *    DR7: the port I/O emulation reports them, as Xen's does.
 *  - DR6 is virtual.  The real DR6 is kept at its default; when a #DB
 *    comes from the guest, the bits it reports are added to the guest's
 *    DR6 and the real one is reset, so one domain's breakpoint hits never
 *    show up in another's DR6.  The guest clears its DR6 by writing it,
 *    as native code does.
 * Breakpoints are on guest addresses only, but the hypervisor also touches
 * guest addresses (copy_to_guest, copy_from_guest), and a data breakpoint
 * then fires in ring 0.  Such a #DB is ignored, as in Xen (see
 * debugreg_hypervisor_db()).
 */
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/domain/domain.h"
#include "hypervisor/lib.h"
#include "hypervisor/vcpu/trap.h"
#include "arch/x86/x86.h"

static bool dr7_armed;      /* the real DR7 may have breakpoints enabled */

bool debugreg_de(const struct domain *d)
{
    return d->vcpu.cr4 & CR4_DE;
}

/* Make the real registers d's: its breakpoints armed, or none. */
static void load(const struct domain *d)
{
    uint32_t dr7 = d->vcpu.dr[7] & DR7_ENABLES ? debugreg_hw_dr7(d->vcpu.dr[7]) : 0;   /* most: none */
    if (debugreg_enabled(dr7)) {
        write_dr(7, 0);                     /* nothing armed while DR0-3 change */
        write_dr(0, d->vcpu.dr[0]);
        write_dr(1, d->vcpu.dr[1]);
        write_dr(2, d->vcpu.dr[2]);
        write_dr(3, d->vcpu.dr[3]);
        write_dr(6, DR6_DEFAULT);
        write_dr(7, dr7);
        dr7_armed = true;
    } else if (dr7_armed) {
        write_dr(7, 0);
        dr7_armed = false;
    }
}

void debugreg_switch_to(struct domain *next)
{
    load(next);
}

/* reg and value are the guest's; debugreg_check() judges them. */
int debugreg_write(struct domain *d, int reg, uint32_t value)
{
    uint32_t v;
    int i = debugreg_check(reg, value, d->vcpu.dr, debugreg_de(d), &v);
    if (i < 0)
        return i;
    d->vcpu.dr[i] = v;
    if (d == current)
        load(d);
    return 0;
}

/* A fresh domain's zeroed registers read as the CPU's reset values. */
uint32_t debugreg_read(const struct domain *d, int i)
{
    BUG_ON(i < 0 || i > 7);
    if (i == 6)
        return debugreg_dr6_value(d->vcpu.dr[6]);
    if (i == 7)
        return debugreg_dr7_value(d->vcpu.dr[7]);
    return d->vcpu.dr[i];
}

void debugreg_guest_db(struct domain *d)
{
    uint32_t hits = read_dr(6) & DR6_HITS;
    write_dr(6, DR6_DEFAULT);
    d->vcpu.dr[6] = debugreg_dr6_value(d->vcpu.dr[6]) | hits;
}

/* port and len come from the guest's instruction; they only select hits. */
void debugreg_io_access(struct domain *d, uint32_t port, unsigned len)
{
    d->vcpu.io_hits = debugreg_de(d) ? debugreg_io_match(d->vcpu.dr, port, len) : 0;
}

void debugreg_io_deliver(struct domain *d, struct cpu_regs *r, const char *insn)
{
    if (!d->vcpu.io_hits)
        return;
    d->vcpu.dr[6] = debugreg_dr6_value(d->vcpu.dr[6]) | d->vcpu.io_hits;
    d->vcpu.io_hits = 0;
    r->vector = X86_EXC_DB;                  /* a trap: EIP is already past the instruction */
    r->error_code = 0;
    trap_guest_exception(d, r, insn);
}

/*
 * Only a data breakpoint can fire in ring 0: the hypervisor never executes
 * at a guest address, and an instruction breakpoint anywhere else is
 * refused.  A data breakpoint is a trap (reported after the access), so
 * returning simply goes on with the copy; a rep movs may hit it again.
 */
bool debugreg_hypervisor_db(struct cpu_regs *r __unused)
{
    uint32_t dr6 = read_dr(6);
    write_dr(6, DR6_DEFAULT);
    return current && (dr6 & debugreg_enabled(debugreg_hw_dr7(current->vcpu.dr[7])) & 0xf);
}
