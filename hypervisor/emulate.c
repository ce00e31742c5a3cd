/*
 * emulate.c - a guest instruction trapped: emulate it, reflect it, or halt.
 *
 * The policy, in the order it is applied:
 *  1. Operations the Xen PV ABI promises to emulate are emulated.  For now
 *     that is CPUID behind the forced-emulation prefix; the privileged
 *     operations Xen emulates for PV kernels (CR reads, clts, some MSRs,
 *     port I/O under a virtual IOPL) come with the virtual CPU.
 *  2. Any other privileged instruction is disallowed.  Under the default
 *     policy, "halt", the domain is halted with the instruction named, so a
 *     student sees exactly what broke the contract.  Under "reflect", the
 *     #GP is delivered to the guest's own handler, as Xen does, because
 *     Xen guests probe (e.g. rdmsr of an MSR that may not exist) and
 *     expect to survive; with no handler the domain halts after all.
 *  3. Anything else that faulted is an ordinary guest exception.
 * The instruction bytes come from guest memory through copy_from_guest
 * and are decoded by decode.c, which is careful about length: when we
 * emulate, EIP advances by that length, so a wrong length would be a
 * guest-chosen jump.
 */
#include "hypervisor/emulate.h"
#include "hypervisor/cpuid.h"
#include "hypervisor/decode.h"
#include "hypervisor/guest_access.h"
#include "hypervisor/trap.h"
#include "hypervisor/lib.h"

/* Read up to INSN_MAX_LEN bytes at the guest's EIP; returns how many. */
static size_t fetch(uint32_t eip, uint8_t *buf)
{
    /* CS is flat (base 0) until guests may install their own GDT. */
    if (copy_from_guest(buf, eip, INSN_MAX_LEN) == 0)
        return INSN_MAX_LEN;
    size_t n = 0;                          /* near the end of the mapping */
    while (n < INSN_MAX_LEN && copy_from_guest(buf + n, eip + (uint32_t)n, 1) == 0)
        n++;
    return n;
}

/* Decode the instruction at EIP and spell it; false if it cannot be read. */
static bool decode_at(const struct cpu_regs *r, struct insn *in, char *text, size_t size)
{
    uint8_t buf[INSN_MAX_LEN];
    size_t n = fetch(r->eip, buf);
    if (decode_insn(buf, n, in) < 0) {
        if (n == 0)
            snprintf(text, size, "(unreadable)");
        else
            snprintf(text, size, "(undecodable: %02x %02x %02x %02x)",
                     buf[0], n > 1 ? buf[1] : 0, n > 2 ? buf[2] : 0, n > 3 ? buf[3] : 0);
        return false;
    }
    insn_format(in, r->eip, text, size);
    return true;
}

void emulate_gp(struct domain *d, struct cpu_regs *r)
{
    struct insn in;
    char text[80];
    if (decode_at(r, &in, text, sizeof(text)) && insn_is_privileged(&in)) {
        if (d->policy == POLICY_REFLECT) {
            if (trap_bounce(d, r, X86_EXC_GP, r->error_code))
                return;
            domain_halt(d, "privileged instruction '%s' at 0x%08x (policy reflect, no #GP handler)",
                        text, r->eip);
        }
        domain_halt(d, "privileged instruction '%s' at 0x%08x", text, r->eip);
    }
    trap_guest_exception(d, r, text);
}

/* ud2a; .ascii "xen"; cpuid: Xen's way to ask for the virtual CPUID. */
void emulate_ud(struct domain *d, struct cpu_regs *r)
{
    struct insn in, next;
    char text[80];
    if (decode_at(r, &in, text, sizeof(text)) && in.kind == INSN_FORCED_EMUL) {
        struct cpu_regs after = *r;
        after.eip += in.len;
        char next_text[80];
        if (decode_at(&after, &next, next_text, sizeof(next_text)) && next.kind == INSN_CPUID) {
            struct cpuid_regs c = cpuid_guest(d, r->eax, r->ecx);
            r->eax = c.eax, r->ebx = c.ebx, r->ecx = c.ecx, r->edx = c.edx;
            r->eip += in.len + next.len;
            return;
        }
        snprintf(text, sizeof(text), "forced-emulation prefix before '%s'", next_text);
    }
    trap_guest_exception(d, r, text);
}
