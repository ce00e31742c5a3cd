/*
 * emulate.c - a guest instruction trapped: emulate it, reflect it, or halt.
 *
 * A PV kernel runs in ring 1, so every instruction that needs CPL 0 raises
 * #GP, and so do cli/sti/in/out, because guests run with the real IOPL 0.
 * This file owns the answer to each of them.  It never lets a guest reach
 * real hardware state: what it emulates is read from, or written to, the
 * vCPU's virtual state (struct vcpu_state, shared_info), never a device.
 *
 * The policy, in the order it is applied:
 *  1. Operations the Xen PV ABI promises to emulate are emulated, because
 *     kernels built for Xen execute them unchanged (emul-priv-op.c in Xen):
 *     - CPUID behind the forced-emulation prefix (emulate_ud);
 *     - reads of CR0, CR2, CR3, CR4.  Kernels read CR0 to learn TS, CR2 in
 *       their page-fault handler, CR3 to find their current page tables
 *       and CR4 to see which features are on.  Each value is the vCPU's
 *       view: CR0 with the virtual TS, the virtual CR2 that a #PF bounce
 *       left in vcpu_info, CR3 as the guest's own L3 in Xen's
 *       "extended cr3" format, and CR4 with only the bits Xen shows
 *       (PAE, MCE, OSFXSR, OSXMMEXCPT) and the guest's own (below);
 *     - writes to CR0 that change nothing but TS, and clts: the lazy-FPU
 *       idiom (Xen's fpu_taskswitch hypercall does the same job);
 *     - writes to CR4, never refused: the guest keeps its own TSD, DE and
 *       FSGSBASE in a virtual CR4, and the rest of what it wrote is
 *       ignored, as Xen's pv_fixup_guest_cr4() does;
 *     - mov to and from DR0-DR7: the checks live in debugreg.c, shared
 *       with the set_debugreg/get_debugreg hypercalls;
 *     - rdmsr and wrmsr of the MSRs Xen offers a PV guest, with Xen's
 *       values (emulate_msr.c); no guest may see or change the real
 *       machine's;
 *     - cli, sti and port I/O when the guest's virtual IOPL allows them
 *       (physdev_op PHYSDEVOP_set_iopl; emulate_io.c).  A kernel that owned
 *       I/O on native hardware does this.  cli/sti become the virtual
 *       interrupt flag, the event-upcall mask in shared_info.  (Xen itself
 *       turns them into no-ops, because a later popf cannot be trapped;
 *       we keep the mask, which is what the guest asked for.)  Port reads
 *       return all ones and writes are dropped: no device is reachable.
 *     All of these but cli/sti/I/O are the kernel's alone: from ring 3 they
 *     are disallowed, as on Xen.
 *  2. Any other privileged instruction is disallowed, and so are the ones
 *     above with a value we refuse: a CR0 write that changes more than TS,
 *     any CR2 or CR3 write, an MSR outside the table, a debug address
 *     in the hypervisor.  (Xen also emulates writes to CR2, and to CR3
 *     through the same code as mmuext_op's NEW_BASEPTR; here a kernel
 *     switches page tables only through the mmuext_op hypercall.)
 *     Under the default policy, "halt", the domain is halted with the
 *     instruction named, so a student sees exactly what broke the
 *     contract.  Under "reflect", the #GP is delivered to the guest's own
 *     handler, as Xen does, because Xen guests probe (e.g. rdmsr of an MSR
 *     that may not exist) and expect to survive; with no handler the
 *     domain halts.
 *  3. Anything else that faulted is an ordinary guest exception.
 * The instruction bytes come from guest memory through copy_from_guest
 * and are decoded by decode.c, which is careful about length: when we
 * emulate, EIP advances by that length, so a wrong length would be a
 * guest-chosen jump.
 */
#include "hypervisor/vcpu/emulate.h"
#include "hypervisor/vcpu/bounce.h"
#include "hypervisor/vcpu/vcpu_info.h"
#include "hypervisor/vcpu/cpuid.h"
#include "hypervisor/vcpu/debugreg.h"
#include "hypervisor/vcpu/decode.h"
#include "hypervisor/vcpu/fpu.h"
#include "hypervisor/mm/guest_access.h"
#include "hypervisor/vcpu/trap.h"
#include "hypervisor/lib.h"
#include "hypervisor/mm/m2p.h"
#include "hypercalls/public/errno.h"
#include "hypercalls/public/xen.h"
#include "arch/x86/cpu.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"

#define CR4_MCE (1u << 6)
#define CR4_FSGSBASE (1u << 16)
/* The CR4 bits a PV guest may see of the real one (Xen's PV_CR4_GUEST_VISIBLE_MASK). */
#define CR4_GUEST_VISIBLE (CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT)

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
static bool decode_at(uint32_t eip, struct insn *in, char *text, size_t size)
{
    uint8_t buf[INSN_MAX_LEN];
    size_t n = fetch(eip, buf);
    if (decode_insn(buf, n, in) < 0) {
        if (n == 0)
            snprintf(text, size, "(unreadable)");
        else
            snprintf(text, size, "(undecodable: %02x %02x %02x %02x)",
                     buf[0], n > 1 ? buf[1] : 0, n > 2 ? buf[2] : 0, n > 3 ? buf[3] : 0);
        return false;
    }
    insn_format(in, eip, text, size);
    return true;
}

/* General register n in the ModRM encoding order (eax ecx edx ebx esp ebp esi edi). */
uint32_t *emulate_gpr(struct cpu_regs *r, unsigned n)
{
    /* In encoding order; esp is the guest's: a trap from ring 1/3 always saves it. */
#define R(reg) offsetof(struct cpu_regs, reg)
    static const uint8_t at[8] = { R(eax), R(ecx), R(edx), R(ebx), R(esp), R(ebp), R(esi), R(edi) };
#undef R
    return (uint32_t *)(void *)((char *)r + at[n & 7]);
}

/* ---- control registers ------------------------------------------------ */

/* Real CR0, except that TS is the vCPU's own (fpu_taskswitch, clts). */
uint32_t emulate_cr0_view(const struct domain *d)
{
    return (read_cr0() & ~CR0_TS) | (d->vcpu.fpu_ts ? CR0_TS : 0);
}

/*
 * The CR4 bits a PV guest may set in its own view (Xen's PV_CR4_GUEST_MASK),
 * each only where its CPUID shows the feature, as Xen's pv_fixup_guest_cr4():
 * TSD (ring 3's rdtsc faults), DE (DR4/DR5 vanish, I/O breakpoints work) and
 * FSGSBASE (kept; it does nothing in 32-bit mode).  OSXSAVE never: XSAVE is
 * hidden.
 */
uint32_t emulate_cr4_guest_bits(const struct domain *d)
{
    uint32_t edx = cpuid_guest(d, 1, 0).edx, ebx7 = cpuid_guest(d, 7, 0).ebx;
    return (edx & (1u << 4) ? CR4_TSD : 0) | (edx & (1u << 2) ? CR4_DE : 0) |
           (ebx7 & 1 ? CR4_FSGSBASE : 0);
}

/*
 * mov %crN,reg.  reg is decoder-checked only for range: cr1, cr5+ are refused.
 * Virtual CR2 is where the last #PF bounce left it (vcpu_info.arch.cr2).  The
 * guest's "cr3" is the machine frame of the L3 it runs on (d->cr3_mfn, set
 * by the builder and by MMUEXT_NEW_BASEPTR), in Xen's extended-cr3 format:
 * not the PDPT the CPU uses, which lives in hypervisor memory (see
 * hypervisor/mm/page_type.c).
 */
static bool read_cr(struct domain *d, unsigned reg, uint32_t *val)
{
    switch (reg) {
    case 0: *val = emulate_cr0_view(d); return true;
    case 2: *val = vcpu_info0(d)->arch.cr2; return true;
    case 3: *val = xen_pfn_to_cr3(mfn_x(d->cr3_mfn)); return true;
    case 4: *val = (read_cr4() & CR4_GUEST_VISIBLE) | d->vcpu.cr4; return true;
    default: return false;
    }
}

/*
 * mov reg,%crN (val is the guest's).  CR0: only TS may change (Xen's
 * write_cr rule).  CR4: never refused, as in Xen; only the guest's own bits
 * are kept, the rest of what it wrote is ignored.
 */
static bool write_cr(struct domain *d, unsigned reg, uint32_t val)
{
    if (reg == 4) {
        d->vcpu.cr4 = val & emulate_cr4_guest_bits(d);
        if (d == current)
            cpu_set_tsd(untrappable_rdtsc_traps(d));
        return true;
    }
    if (reg != 0 || ((val ^ emulate_cr0_view(d)) & ~CR0_TS))
        return false;
    fpu_set_ts(d, val & CR0_TS);
    return true;
}

/* ---- the dispatcher --------------------------------------------------- */

/* Operations only the guest kernel (ring 1) may have emulated. */
static enum emul_result emulate_kernel_op(struct domain *d, struct cpu_regs *r,
                                          const struct insn *in, char *why, size_t n)
{
    uint32_t val;
    int i;
    switch (in->kind) {
    case INSN_MOV_FROM_CR:
        if (!read_cr(d, in->reg, &val))
            return EMUL_DISALLOWED;
        *emulate_gpr(r, in->rm) = val;
        return EMUL_DONE;
    case INSN_MOV_TO_CR:
        return write_cr(d, in->reg, *emulate_gpr(r, in->rm)) ? EMUL_DONE : EMUL_DISALLOWED;
    case INSN_CLTS:
        fpu_clts(d);
        return EMUL_DONE;
    case INSN_MOV_FROM_DR:                  /* in->reg: ModRM's 3 bits */
        if ((i = debugreg_index(in->reg, debugreg_de(d))) < 0)
            return EMUL_UD;                 /* DR4/DR5 under CR4.DE */
        *emulate_gpr(r, in->rm) = debugreg_read(d, i);
        return EMUL_DONE;
    case INSN_MOV_TO_DR:
        i = debugreg_write(d, in->reg, *emulate_gpr(r, in->rm));
        return i == 0 ? EMUL_DONE : i == -ENODEV ? EMUL_UD : EMUL_DISALLOWED;
    case INSN_RDMSR:
    case INSN_WRMSR:
        return emulate_msr(d, r, in->kind == INSN_WRMSR, why, n) ? EMUL_DONE : EMUL_DISALLOWED;
    default:
        return EMUL_DISALLOWED;
    }
}

/* One privileged instruction: may it be emulated, and if so, do it. */
static enum emul_result emulate_privileged(struct domain *d, struct cpu_regs *r,
                                           const struct insn *in, char *why, size_t n)
{
    switch (in->kind) {
    case INSN_CLI:
    case INSN_STI:
        if (!emulate_iopl_ok(d, r))
            return EMUL_DISALLOWED;
        /* The virtual interrupt flag is vcpu_info's event-upcall mask. */
        vcpu_info0(d)->evtchn_upcall_mask = in->kind == INSN_CLI;
        return EMUL_DONE;
    case INSN_IN:
    case INSN_OUT:
    case INSN_INS:
    case INSN_OUTS:
        return emulate_io(d, r, in, why, n);
    default:
        return regs_ring(r) == 1 ? emulate_kernel_op(d, r, in, why, n) : EMUL_DISALLOWED;
    }
}

/*
 * A disallowed instruction: the policy decides.  From ring 3 it is a user
 * process breaking its kernel's rules, not the kernel breaking ours: the
 * #GP goes to the guest kernel, as in Xen, whatever the policy.  Only a
 * kernel with no handler is halted.  what names the class and mechanism:
 * "privileged instruction", "untrappable instruction" (trapped by ...).
 */
static void disallowed(struct domain *d, struct cpu_regs *r, const char *what,
                       const char *text, const char *by, const char *why)
{
    bool reflect = d->policy == POLICY_REFLECT;
    if ((reflect || regs_ring(r) == 3) && trap_bounce(d, r, X86_EXC_GP, r->error_code))
        return;
    domain_halt(d, "%s '%s'%s%s%s at 0x%08x%s%s%s", what, text, by ? " (trapped by " : "",
                by ? by : "", by ? ")" : "", r->eip, *why ? ": " : "", why,
                reflect ? " (policy reflect, no #GP handler)" : "");
}

void emulate_gp(struct domain *d, struct cpu_regs *r)
{
    struct insn in;
    char text[80], why[96] = "";
    bool ok = decode_at(r->eip, &in, text, sizeof(text));
    const char *by = ok ? untrappable_trapped_by(d, &in) : NULL;
    if (!ok || (!by && !insn_is_privileged(&in))) {
        trap_guest_exception(d, r, text);
        return;
    }
    enum emul_result e = by ? emulate_untrappable(d, r, &in, why, sizeof(why))
                            : emulate_privileged(d, r, &in, why, sizeof(why));
    switch (e) {
    case EMUL_DONE:
        r->eip += in.len;
        /* fall through */
    case EMUL_RESTART:                    /* a long rep: the rest next time */
        debugreg_io_deliver(d, r, text);  /* the I/O breakpoints it hit, as traps */
        return;
    case EMUL_UD:                         /* what the CPU itself would raise */
        r->vector = X86_EXC_UD;
        r->error_code = 0;
        trap_guest_exception(d, r, text);
        return;
    case EMUL_FAULT:
        domain_halt(d, "%s instruction '%s' at 0x%08x: %s", by ? "untrappable" : "privileged",
                    text, r->eip, why);
    case EMUL_DISALLOWED:
        break;
    }
    disallowed(d, r, by ? "untrappable instruction" : "privileged instruction", text, by, why);
}

/*
 * The rare #UD: Xen's forced-emulation prefix (ud2a; .ascii "xen") before
 * cpuid, or no handler, when the halt line must name the instruction.  The
 * decoder checks the whole prefix again: emulate_ud() only peeked.
 */
static void __noinline emulate_ud_slow(struct domain *d, struct cpu_regs *r)
{
    struct insn in, next;
    char text[80];
    if (decode_at(r->eip, &in, text, sizeof(text)) && in.kind == INSN_FORCED_EMUL) {
        char next_text[80];
        if (decode_at(r->eip + in.len, &next, next_text, sizeof(next_text)) &&
            next.kind == INSN_CPUID) {
            if (untrappable_cpuid(d, r))
                r->eip += in.len + next.len;
            else
                disallowed(d, r, "cpuid under the guest's CPUID faulting", next_text, NULL, "");
            return;
        }
        snprintf(text, sizeof(text), "forced-emulation prefix before '%s'", next_text);
    } else if (trap_bounce(d, r, r->vector, r->error_code)) {
        return;
    }
    trap_guest_exception(d, r, text);
}

/* ud2a; .ascii "xen"; cpuid: Xen's way to ask for the virtual CPUID. */
void emulate_ud(struct domain *d, struct cpu_regs *r)
{
    /*
     * Nearly every #UD is the guest's own business: a BUG() that is a ud2,
     * a probe for an instruction the CPU lacks.  It only needs delivering,
     * so it must cost no more than an int3 does (docs/performance.md).  One
     * guarded load of the first four bytes and one compare reject it: the
     * prefix starts 0f 0b 'x' 'e'.  (Decoding and formatting every #UD made
     * a bounced ud2 cost four times Xen's; a five-byte copy and memcmp
     * still cost 85 instructions more than int3.)
     */
    uint32_t head;
    if ((get_guest_u32(&head, r->eip) || head != 0x65780b0fu) && trap_bounce(d, r, X86_EXC_UD, 0))
        return;
    emulate_ud_slow(d, r);
}
